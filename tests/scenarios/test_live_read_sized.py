"""Targeted pages sized to the catalog (issue 9, item 11): image-heavy products read in a few
requests whose requested cost tracks what they used; follow-ups sized to what is missing; many
products in a slow store read by a bulk export filtered to their handles."""

from __future__ import annotations

import logging

from live_helpers import CATALOG, Recorder, client_for, product_input, seed

from reconciler.model import Media, Metafield, Option, Product, Variant
from reconciler.shopify.live import read_live

SIZES = ("S", "M")


def desired(handle: str, images: int) -> Product:
    """The catalog's side of live_helpers.product_input(handle, media=images)."""
    return Product(
        handle=handle,
        title=handle.title(),
        options=(Option("Size", SIZES),),
        variants=tuple(Variant(options=(("Size", s),)) for s in SIZES),
        metafields=(Metafield("custom", "k00", "number_decimal", "0.5"),),
        media=tuple(
            Media(src=f"https://images.example.com/{handle}-{i}.jpg", alt=str(i))
            for i in range(images)
        ),
    )


def costs(caplog, operation: str | None = None) -> list[tuple[float, float]]:
    """(requested, actual) of each answered request, as the sandbox's extensions.cost said."""
    return [
        (r.fields["requested_cost"], r.fields["actual_cost"])
        for r in caplog.records
        if getattr(r, "fields", {}).get("outcome") == "ok"
        and (operation is None or r.fields["operation"] == operation)
    ]


async def read(handle, handles, **kw):
    async with client_for(handle) as client:
        return await read_live(client, catalog_name=CATALOG, handles=handles, **kw)


async def test_image_heavy_products_take_few_requests_asking_for_what_they_use(sandbox, caplog):
    handles = [f"photo-{i}" for i in range(20)]
    seed(sandbox, [product_input(h, sizes=SIZES, media=12) for h in handles])
    catalog = {h: desired(h, 12) for h in handles}
    recorder = Recorder(sandbox)
    caplog.set_level(logging.DEBUG, logger="reconciler.shopify")
    try:
        result = await read(sandbox, handles, mode="targeted", removals=False, desired=catalog)
    finally:
        recorder.close()
    assert all(len(result.products[h].media) == 12 for h in handles)
    ops = recorder.operations()
    assert "ProductMediaPage" not in ops
    assert ops.count("ProductsRead") <= 3
    reads = costs(caplog, "ProductsRead")
    assert reads and all(requested <= 1.3 * actual for requested, actual in reads)


async def test_follow_ups_ask_for_what_is_missing(sandbox, caplog):
    # another app added 30 photos to a product the catalog gives 2
    seed(sandbox, [product_input("crowded", sizes=SIZES, media=32)])
    caplog.set_level(logging.DEBUG, logger="reconciler.shopify")
    result = await read(
        sandbox,
        ["crowded"],
        mode="targeted",
        removals=False,
        desired={"crowded": desired("crowded", 2)},
    )
    assert len(result.products["crowded"].media) == 32
    pages = costs(caplog, "ProductMediaPage")
    assert 1 <= len(pages) <= 4  # 3, then 5, 8, 16: doubling, not one page at a time
    assert sum(r for r, _ in pages) <= 2 * sum(a for _, a in pages)


async def test_many_products_in_a_slow_store_are_read_by_a_filtered_export(sandbox_factory):
    slow = sandbox_factory(restore_rate=10, bucket=200)
    handles = [f"photo-{i}" for i in range(30)]
    seed(slow, [product_input(h, sizes=SIZES, media=6) for h in handles])
    seed(slow, [product_input(f"other-{i}", sizes=SIZES, media=6) for i in range(10)])
    catalog = {h: desired(h, 6) for h in handles}
    recorder = Recorder(slow)
    try:
        result = await read(slow, handles, mode="targeted", removals=False, desired=catalog)
    finally:
        recorder.close()
    assert result.mode == "targeted" and result.bulk_operations == 1
    assert result.estimate is not None and result.estimate.by_export
    assert "ProductsRead" not in recorder.operations()
    assert sorted(result.products) == sorted(handles)
    full = await read(slow, handles, mode="full")
    for h in handles:  # (a media's url appears once Shopify has processed it: not compared)
        one, other = result.products[h], full.products[h]
        assert (one.id, one.product, one.variant_ids) == (
            other.id,
            other.product,
            other.variant_ids,
        )
        assert [m.id for m in one.media] == [m.id for m in other.media]
