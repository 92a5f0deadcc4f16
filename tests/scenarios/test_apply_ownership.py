"""Ownership across catalogs and handles, against the sandbox over HTTP: two catalogs with
different names in one store never touch each other's products, and a rename keeps the product
(same id, variants and media) and leaves a redirect from the old handle."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

from store_reads import unthrottled

from reconciler.applying import ApplyOptions, make_apply
from reconciler.catalog import read_catalog
from reconciler.planning import PlanOptions, make_plan


def apply(catalog: Path, store, **options):
    return make_apply(ApplyOptions(catalog, store.url, **options), {}, confirm=lambda p: True)


def plan(catalog: Path, store):
    return make_plan(PlanOptions(catalog, store.url), {}).plan


def changed(catalog: Path, store) -> dict[str, str]:
    return {c.handle: c.action for c in plan(catalog, store).changes if c.action != "no-op"}


def by_handle(store) -> dict[str, dict]:
    query = """{ products(first: 20) { nodes { id handle status
        variants(first: 10) { nodes { id } } media(first: 10) { nodes { id } } } } }"""
    return {n["handle"]: n for n in unthrottled(store, query)["products"]["nodes"]}


def other_catalog(root: Path, demo: Path) -> Path:
    """A second catalog, `garden`, of two products none of which is in the demo catalog."""
    root.mkdir()
    (root / "catalog.yaml").write_text("name: garden\n")
    (root / "products").mkdir()
    for handle in ("watering-can", "seed-tray"):
        (root / "products" / f"{handle}.yaml").write_text(
            f"handle: {handle}\ntitle: {handle.replace('-', ' ').title()}\n"
            f'vendor: Acme Garden\ntags: [garden]\nvariants:\n  - price: "12.00"\n'
        )
    assert not set(p.stem for p in demo.glob("products/**/*.yaml")) & {"watering-can"}
    return root


def test_two_catalogs_in_one_store_never_touch_each_others_products(demo, sandbox, tmp_path):
    garden = other_catalog(tmp_path / "garden", demo)
    assert apply(demo, sandbox).report.ok
    before = by_handle(sandbox)
    result = apply(garden, sandbox)
    assert result.report.ok
    assert {o.handle for o in result.report.outcomes} == {"watering-can", "seed-tray"}
    # Each catalog sees the other's products as someone else's: no change, no removal.
    assert changed(demo, sandbox) == {} and changed(garden, sandbox) == {}
    assert plan(demo, sandbox).unmanaged_count == 2
    assert plan(garden, sandbox).unmanaged_count == len(before)
    # Dropping a product from one catalog archives only that catalog's product.
    (garden / "products/seed-tray.yaml").unlink()
    shutil.rmtree(demo / "products/apparel")
    demo_gone = set(before) - set(read_catalog(demo).products)
    assert demo_gone
    assert changed(garden, sandbox) == {"seed-tray": "archive"}
    assert apply(garden, sandbox).report.ok
    after = by_handle(sandbox)
    assert after["seed-tray"]["status"] == "ARCHIVED"
    assert all(after[h]["status"] == before[h]["status"] for h in before)
    assert set(changed(demo, sandbox)) == demo_gone  # the demo catalog's own drops, nothing more


def test_a_rename_keeps_the_product_and_redirects_the_old_handle(demo, sandbox):
    assert apply(demo, sandbox).report.ok
    old = by_handle(sandbox)["linen-shirt"]
    shirt = demo / "products/apparel/linen-shirt.yaml"
    text = shirt.read_text()
    assert "handle: linen-shirt\n" in text
    shirt.write_text(
        text.replace(
            "handle: linen-shirt\n", "handle: linen-tunic\nprevious_handles: [linen-shirt]\n"
        )
    )
    assert changed(demo, sandbox) == {"linen-tunic": "rename"}
    result = apply(demo, sandbox)
    assert result.report.ok and result.report.counts()["renamed"] == 1
    now = by_handle(sandbox)
    assert "linen-shirt" not in now
    new = now["linen-tunic"]
    assert new["id"] == old["id"]
    assert new["variants"] == old["variants"] and new["media"] == old["media"]
    with urllib.request.urlopen(sandbox.url.rstrip("/") + "/_sandbox/state") as answer:
        redirects = json.loads(answer.read())["redirects"]
    assert redirects.get("/products/linen-shirt") == "/products/linen-tunic"
    assert changed(demo, sandbox) == {}
