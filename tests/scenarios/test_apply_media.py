"""Local media files against the sandbox over HTTP with the real client: a catalog file is uploaded
through a staged upload, processed to READY with its alt, recorded in the marker, and the next plan
is empty; a file that fails processing fails its product only, and is deleted so that repeated runs
never pile up copies; a path swapped for a link out of the catalog after planning is never read; a
504 after the media add committed does not add the image twice."""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import pytest
from store_reads import unthrottled

from reconciler.applying import ApplyOptions, make_apply
from reconciler.catalog.media_files import read_media
from reconciler.errors import ReconcilerError
from reconciler.planning import PlanOptions, make_plan


def png(seed: int = 0) -> bytes:
    """A real 1x1 PNG (its colour from `seed`, so two files can differ)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, seed % 256, 80, 160]))
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


PRODUCT = """handle: {handle}
title: {title}
variants:
  - price: "12.00"
media:
{media}
"""


def write_product(catalog: Path, handle: str, media: list[tuple[str, str]]) -> Path:
    lines = "\n".join(f"  - src: {src}\n    alt: {alt}" for src, alt in media)
    path = catalog / "products" / f"{handle}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PRODUCT.format(handle=handle, title=handle.title(), media=lines))
    return path


@pytest.fixture
def catalog(tmp_path: Path, no_store_env: Path) -> Path:
    root = tmp_path / "catalog"
    (root / "images").mkdir(parents=True)
    (root / "catalog.yaml").write_text('name: media\napi_version: "2026-10"\n')
    (root / "images/front.png").write_bytes(png(1))
    write_product(root, "poster", [("images/front.png", "Poster, front")])
    return root


def apply(catalog: Path, store, confirm=None, **options):
    options = ApplyOptions(catalog, store.url, **options)
    return make_apply(options, {}, confirm=confirm or (lambda plan: True))


def changed(catalog: Path, store) -> dict[str, str]:
    plan = make_plan(PlanOptions(catalog, store.url), {}).plan
    return {c.handle: c.action for c in plan.changes if c.action != "no-op"}


def media_of(store, handle: str) -> list[dict]:
    query = """query($h: String!) { productByHandle(handle: $h) {
        media(first: 20) { nodes { id alt status ... on MediaImage { image { url } } } }
        metafield(namespace: "catalog_reconciler", key: "marker") { value } } }"""
    product = unthrottled(store, query, {"h": handle})["productByHandle"]
    return product["media"]["nodes"], product["metafield"]


def uploaded(store) -> list[bytes]:
    """The files the sandbox's staged uploads received (its Cloud Storage stand-in)."""
    targets = store.sandbox.store.uploads.targets.values()
    return [t.path.read_bytes() for t in targets if t.path is not None]


def test_a_local_image_is_uploaded_ready_with_its_alt_and_the_next_plan_is_empty(catalog, sandbox):
    result = apply(catalog, sandbox)
    assert result.report.ok, result.report.summary_lines()
    media, marker = media_of(sandbox, "poster")
    assert [(m["alt"], m["status"]) for m in media] == [("Poster, front", "READY")]
    # Shopify names the media after the uploaded file's name: the catalog file's.
    assert media[0]["image"]["url"].split("?")[0].endswith("/front.png")
    # The bytes Shopify got are the catalog file's.
    assert uploaded(sandbox) == [png(1)]
    assert json.loads(marker["value"])["media_ids"] == {"images/front.png": media[0]["id"]}
    assert changed(catalog, sandbox) == {}
    again = apply(catalog, sandbox)
    assert again.report.outcomes == ()  # nothing to do: nothing sent, nothing uploaded
    assert len(sandbox.sandbox.store.uploads.targets) == 1


def test_a_local_image_added_to_an_existing_product_is_uploaded(catalog, sandbox):
    write_product(catalog, "poster", [("https://images.example.com/poster.jpg", "Poster")])
    assert apply(catalog, sandbox).report.ok
    (catalog / "images/back.png").write_bytes(png(2))
    write_product(
        catalog,
        "poster",
        [("https://images.example.com/poster.jpg", "Poster"), ("images/back.png", "Back")],
    )
    assert changed(catalog, sandbox) == {"poster": "update"}
    assert apply(catalog, sandbox).report.ok
    media, _ = media_of(sandbox, "poster")
    got = sorted((m["alt"], m["status"]) for m in media)
    assert got == [("Back", "READY"), ("Poster", "READY")]
    assert changed(catalog, sandbox) == {}


def test_a_file_that_fails_processing_fails_its_product_only_and_never_piles_up(catalog, sandbox):
    (catalog / "images/broken.jpg").write_text("this is not an image\n")
    path = write_product(catalog, "broken", [("images/broken.jpg", "Broken")])
    for run in range(2):
        result = apply(catalog, sandbox)
        outcomes = {o.handle: o for o in result.report.outcomes}
        assert outcomes["poster"].ok if run == 0 else "poster" not in outcomes
        failed = outcomes["broken"]
        assert not failed.ok and not failed.skipped
        assert "images/broken.jpg" in failed.error
        assert "UNSUPPORTED_IMAGE_FILE_TYPE" in failed.error
        line = next(ln for ln in result.report.summary_lines() if ln.startswith("failed broken"))
        print(line)
        assert f"{path.relative_to(catalog)}:" in line
        media, marker = media_of(sandbox, "broken")
        assert media == [] and marker is None  # the failed copy deleted; never marked applied
    assert media_of(sandbox, "poster")[0][0]["status"] == "READY"
    # Fixed in the catalog, the next apply finishes it.
    (catalog / "images/broken.jpg").write_bytes(png(3))
    assert apply(catalog, sandbox).report.ok
    assert [m["status"] for m in media_of(sandbox, "broken")[0]] == ["READY"]
    assert changed(catalog, sandbox) == {}


def test_a_path_swapped_for_a_link_out_of_the_catalog_after_planning_is_never_read(
    catalog, sandbox, tmp_path
):
    secret = tmp_path / "secret.png"
    secret.write_bytes(png(9) + b"SECRET")
    image = catalog / "images/front.png"

    def swap(plan) -> bool:  # between planning (validated) and sending
        image.unlink()
        image.symlink_to(secret)
        return True

    result = apply(catalog, sandbox, confirm=swap)
    (outcome,) = result.report.outcomes
    assert not outcome.ok
    assert "outside the catalog directory" in outcome.error
    assert not any(b"SECRET" in data for data in uploaded(sandbox))
    assert media_of(sandbox, "poster")[0] == []


def test_the_uploader_refuses_links_other_files_and_oversized_ones(tmp_path):
    root = tmp_path / "catalog"
    (root / "images").mkdir(parents=True)
    (root / "images/ok.png").write_bytes(png())
    (tmp_path / "outside.png").write_bytes(png())
    (root / "images/out.png").symlink_to(tmp_path / "outside.png")
    os.mkfifo(root / "images/pipe.png")
    assert read_media(root, "images/ok.png") == png()
    for src, why in [
        ("images/out.png", "outside the catalog"),
        ("../outside.png", "outside the catalog"),
        ("images/pipe.png", "not a regular file"),
        ("images/missing.png", "cannot be read"),
    ]:
        with pytest.raises(ReconcilerError, match=why):
            read_media(root, src)
    with pytest.raises(ReconcilerError, match="larger than"):
        read_media(root, "images/ok.png", limit=10)


def test_a_504_after_the_media_add_committed_does_not_add_the_image_twice(catalog, sandbox):
    write_product(catalog, "poster", [])
    (catalog / "products/poster.yaml").write_text(
        (catalog / "products/poster.yaml").read_text().replace("media:\n", "")
    )
    assert apply(catalog, sandbox).report.ok
    write_product(catalog, "poster", [("images/front.png", "Poster, front")])
    # Every media add commits, then its answer is lost: the client must not add it again.
    only = {"kinds": ["commit_then_504"], "operations": ["ProductUpdateMedia"]}
    sandbox.control("faults", {"rate": 1.0, "seed": 1, **only})
    result = apply(catalog, sandbox)
    sandbox.control("faults", {"rate": 0})
    assert result.report.ok, result.report.summary_lines()
    media, marker = media_of(sandbox, "poster")
    assert [(m["alt"], m["status"]) for m in media] == [("Poster, front", "READY")]
    assert json.loads(marker["value"])["media_ids"] == {"images/front.png": media[0]["id"]}
    assert changed(catalog, sandbox) == {}


VARIANTS = """handle: tee
title: Tee
options:
  - name: Color
    values: [Black, White]
variants:
  - options: {Color: Black}
    price: "19.00"
    image: images/black.png
  - options: {Color: White}
    price: "19.00"
media:
  - src: images/black.png
    alt: Black tee
  - src: https://images.example.com/tee-white.jpg
    alt: White tee
"""


def test_a_create_sets_a_variant_image_from_a_catalog_file_as_the_plan_shows(catalog, sandbox):
    (catalog / "images/black.png").write_bytes(png(4))
    (catalog / "products/tee.yaml").write_text(VARIANTS)
    plan = make_plan(PlanOptions(catalog, sandbox.url), {}).plan
    tee = next(c for c in plan.changes if c.handle == "tee")
    assert any(d.after == {"image": "images/black.png", "price": "19.00"} for d in tee.diff)
    assert apply(catalog, sandbox).report.ok
    query = """{ productByHandle(handle: "tee") {
        variants(first: 5) { nodes { title media(first: 2) { nodes { id } } } }
        metafield(namespace: "catalog_reconciler", key: "marker") { value } } }"""
    product = unthrottled(sandbox, query)["productByHandle"]
    ids = json.loads(product["metafield"]["value"])["media_ids"]
    images = {
        v["title"]: [m["id"] for m in v["media"]["nodes"]] for v in product["variants"]["nodes"]
    }
    assert images == {"Black": [ids["images/black.png"]], "White": []}
    media, _ = media_of(sandbox, "tee")
    assert {m["status"] for m in media} == {"READY"}
    assert changed(catalog, sandbox) == {}


def test_a_file_replaced_under_the_same_name_is_planned_and_replaces_the_image(catalog, sandbox):
    assert apply(catalog, sandbox).report.ok
    (old,), _ = media_of(sandbox, "poster")
    (catalog / "images/front.png").write_bytes(png(5))
    plan = make_plan(PlanOptions(catalog, sandbox.url), {}).plan
    (change,) = [c for c in plan.changes if c.action != "no-op"]
    assert [d.path for d in change.diff] == ["media[images/front.png].sha256"]
    assert apply(catalog, sandbox).report.ok
    (new,), marker = media_of(sandbox, "poster")
    assert new["id"] != old["id"] and (new["alt"], new["status"]) == ("Poster, front", "READY")
    assert json.loads(marker["value"])["media_ids"] == {"images/front.png": new["id"]}
    assert uploaded(sandbox)[-1] == png(5)
    assert changed(catalog, sandbox) == {}


def test_media_still_processing_at_the_bound_fail_the_product_and_are_deleted(
    catalog, sandbox_factory
):
    slow = sandbox_factory(processing_seconds=30.0)  # READY only after 90 s
    result = apply(catalog, slow, media_wait=0.5)
    (outcome,) = result.report.outcomes
    assert not outcome.ok
    assert "images/front.png" in outcome.error and "after 0.5 s" in outcome.error
    media, marker = media_of(slow, "poster")
    assert media == [] and marker is None
