"""Hand-made plans for the renderers' golden files, and the golden-file check.

Regenerate the golden files after an intended change: `UPDATE_GOLDEN=1 .venv/bin/pytest
tests/unit/render -q`, then review the diff of tests/unit/render/golden/ before committing.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from reconciler.model import LiveProduct, Marker, Metafield, Option, Product, Variant, Weight
from reconciler.plan.compare import compare
from reconciler.plan.model import Change, ChildDeletion, Cost, Estimate, FieldChange, Plan

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def _set(handle: str, data: dict) -> dict:
    return {
        "operation": "ProductSet",
        "variables": {"identifier": {"handle": handle}, "input": data},
    }


def full_plan() -> Plan:
    create = Change(
        handle="classic-tee",
        action="create",
        reason="not in the store",
        diff=(
            FieldChange("status", None, "active"),
            FieldChange("tags", None, ["cotton", "summer"]),
            FieldChange("title", None, "Classic Tee"),
            FieldChange("variants[Size=S]", None, {"price": "19.00", "sku": "TEE-S"}),
        ),
        mutation={
            "calls": [_set("classic-tee", {"handle": "classic-tee", "title": "Classic Tee"})]
        },
        fingerprint="absent",
        cost=Cost(24.6, 2),
    )
    update = Change(
        handle="mug",
        action="update",
        reason="3 field changes (metafields, tags, title); drift: title changed in the store",
        diff=(
            FieldChange("metafields.custom.material", "Clay", None),
            FieldChange("tags", ["kitchen", "sale"], ["kitchen"]),
            FieldChange("title", "Mug (edited)", "Mug", drift=True),
            FieldChange("variants[Color=Blue].price", "9.00", "10.00"),
        ),
        child_deletions=(
            ChildDeletion("variant", "Color=Red", "gid://shopify/ProductVariant/22"),
            ChildDeletion("metafield", "custom.material"),
            ChildDeletion("tag", "sale"),
        ),
        warnings=(
            "variant [Color=Red] (gid://shopify/ProductVariant/22) is deleted with its inventory",
        ),
        mutation={
            "calls": [
                {
                    "operation": "ProductSet",
                    "variables": {
                        "identifier": {"id": "gid://shopify/Product/2"},
                        "input": {"title": "Mug"},
                    },
                }
            ]
        },
        fingerprint="sha256:1111",
        fingerprint_scope=("marker", "tags", "title", "variants"),
        product_id="gid://shopify/Product/2",
        cost=Cost(34.2, 3),
    )
    rename = Change(
        handle="canvas-bag",
        action="rename",
        reason="renamed from 'tote' (a redirect is kept)",
        diff=(FieldChange("handle", "tote", "canvas-bag"),),
        previous_handle="tote",
        product_id="gid://shopify/Product/3",
        fingerprint="sha256:2222",
        cost=Cost(24.0, 2),
    )
    adopt = Change(
        handle="poster",
        action="adopt",
        reason="already matches; not yet marked as this catalog's: only the marker is written",
        product_id="gid://shopify/Product/4",
        fingerprint="sha256:3333",
        cost=Cost(14.0, 1),
    )
    archive = Change(
        handle="old-cap",
        action="archive",
        reason="no longer in the catalog (on_remove: archive, reversible)",
        diff=(FieldChange("status", "active", "archived"),),
        product_id="gid://shopify/Product/5",
        fingerprint="sha256:4444",
        cost=Cost(10.0, 1),
    )
    delete = Change(
        handle="sticker",
        action="delete",
        reason="no longer in the catalog (on_remove: delete, irreversible)",
        child_deletions=(
            ChildDeletion("product", "sticker", "gid://shopify/Product/6"),
            ChildDeletion("variant", "Default", "gid://shopify/ProductVariant/60"),
        ),
        product_id="gid://shopify/Product/6",
        fingerprint="sha256:5555",
        cost=Cost(10.0, 1),
    )
    noop = Change(handle="apron", action="no-op", reason="unchanged")
    foreign = Change(
        handle="shared-hat",
        action="no-op",
        reason="owned by catalog 'wholesale': left alone",
        warnings=("owned by catalog 'wholesale': left alone",),
    )
    return Plan(
        catalog="main",
        store="my-shop.myshopify.com",
        api_version="2026-10",
        created_at="2026-11-26T07:00:00Z",
        changes=(create, update, rename, adopt, archive, delete, noop, foreign),
        estimate=Estimate(
            126.8, 10, 100.0, 1.3, "sync", "bulk would take about 10.3 s", 10.3, 2000.0, 100.0
        ),
        unmanaged_count=4,
    )


def empty_plan() -> Plan:
    return Plan(
        catalog="main",
        store="sandbox",
        api_version="2026-10",
        created_at="2026-11-26T07:00:00Z",
        changes=(Change(handle="apron", action="no-op", reason="unchanged"),),
        removals_blocked_reason="no removal planned: the bulk export failed",
    )


def huge_plan(n: int = 3000) -> Plan:
    changes = tuple(
        Change(
            handle=f"product-{i:05}",
            action="update" if i % 10 else "archive",
            reason="1 field change (description_html)",
            diff=(FieldChange("description_html", "<p>" + "old " * 40 + "</p>", "<p>new</p>"),),
        )
        for i in range(n)
    )
    return Plan("main", "s", "2026-10", "2026-11-26T07:00:00Z", changes=changes)


def compared_plan() -> Plan:
    """A plan made by compare itself: one create, one update, one archive."""
    tee = Product(
        handle="tee",
        title="Tee",
        status="active",
        tags=frozenset({"a"}),
        options=(Option("Size", ("S", "M")),),
        variants=(
            Variant(options=(("Size", "S"),), price="1", weight=Weight(Decimal("0.25"), "POUNDS")),
            Variant(options=(("Size", "M"),), price="2"),
        ),
        metafields=(Metafield("custom", "m", "json", '{"a":1}'),),
    )
    mug = Product(handle="mug", title="Mug", variants=(Variant(price="5"),))
    old = Product(handle="old", title="Old", status="active", variants=(Variant(price="5"),))

    def as_live(p: Product, pid: int, **kw: object) -> LiveProduct:
        from dataclasses import replace

        ids = {v.key: f"gid://shopify/ProductVariant/{pid}{i}" for i, v in enumerate(p.variants)}
        return LiveProduct(
            id=f"gid://shopify/Product/{pid}",
            product=replace(p, **kw),
            variant_ids=ids,
            marker=Marker.for_product(p, "main"),
        )

    return compare(
        {"tee": tee, "mug": replace_title(mug)},
        {"mug": as_live(mug, 2), "old": as_live(old, 3)},
        catalog_name="main",
        store="sandbox",
        created_at="2026-11-26T07:00:00Z",
    )


def replace_title(p: Product) -> Product:
    from dataclasses import replace

    return replace(p, title=p.title + " 2")


def hostile_plan(s: str, *, changes: bool = True) -> Plan:
    """`s` everywhere a catalog or a store can put text: names, handles, reasons, values, paths."""
    long_old = "\n".join(f"<p>line {i} {s}</p>" for i in range(8))
    update = Change(
        handle="mug",
        action="update",
        reason=f"4 field changes (title, metafields.{s}.k, tags); drift: {s}",
        diff=(
            FieldChange(f"metafields.{s}.k", s, [s, 1]),
            FieldChange("description_html", long_old, long_old.replace("line 4", "line four")),
            FieldChange("tags", [s, "b"], ["b"]),
            FieldChange("title", s, s + "!", drift=True),
        ),
        child_deletions=(ChildDeletion("tag", s), ChildDeletion("variant", s, "gid://x/1")),
        warnings=(f"variant [{s}] is deleted with its inventory",),
    )
    rename = Change(
        handle="bag",
        action="rename",
        reason=f"renamed from {s!r} (a redirect is kept)",
        diff=(FieldChange("handle", s, "bag"),),
        previous_handle=s,
    )
    foreign = Change(
        handle=s,
        action="no-op",
        reason=f"owned by catalog {s}: left alone",
        warnings=(f"owned by catalog {s}: left alone",),
    )
    return Plan(
        catalog=s,
        store=s,
        api_version="2026-10",
        created_at="2026-11-26T07:00:00Z",
        changes=(update, rename, foreign) if changes else (),
        removals_blocked_reason=f"no removal planned: {s}",
        unmanaged_count=2,
    )
