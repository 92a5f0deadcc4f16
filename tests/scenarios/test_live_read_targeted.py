"""The targeted read (paged `products(query:)`) against the sandbox over HTTP: exactly the asked
handles, pages under the 1000-point ceiling and concurrent, long connections followed, the marker
sweep for removals, only the asked handles read in a big store."""

from __future__ import annotations

import logging
import re

import pytest
from live_helpers import CATALOG, Recorder, client_for, marker_json, product_input, seed

from reconciler.model import Metafield
from reconciler.shopify.live import read_live


async def read(handle, handles, **kw):
    async with client_for(handle) as client:
        return await read_live(client, catalog_name=CATALOG, handles=handles, **kw)


async def test_exactly_the_asked_handles_that_exist(sandbox):
    seed(sandbox, [product_input(f"p{i}") for i in range(12)])
    asked = [f"p{i}" for i in range(0, 12, 2)] + ["missing", "p99"]
    result = await read(sandbox, asked, mode="targeted", removals=False)
    assert sorted(result.products) == sorted(f"p{i}" for i in range(0, 12, 2))
    assert (result.mode, result.complete) == ("targeted", False)
    assert result.incomplete_reason == "targeted plan: removals are not computed"
    tee = result.products["p4"]
    assert tee.product.tags == frozenset({"a", "b"})
    assert tee.product.description_html == "<p>Soft\n  cotton</p>"  # kept as sent
    assert [str(v.price) for v in tee.product.variants] == ["10.50", "10.50"]
    assert tee.product.publications == frozenset()


async def test_pages_stay_under_the_ceiling_and_run_concurrently(sandbox_factory, caplog):
    handle = sandbox_factory(latency_ms=40)
    seed(handle, [product_input(f"p{i}") for i in range(60)])
    recorder = Recorder(handle)
    caplog.set_level(logging.DEBUG, logger="reconciler.shopify")
    try:
        result = await read(handle, [f"p{i}" for i in range(60)], mode="targeted", removals=False)
    finally:
        recorder.close()
    assert len(result.products) == 60
    costs = [r.fields["requested_cost"] for r in caplog.records if hasattr(r, "fields")]
    assert costs and max(costs) < 1000
    assert recorder.operations().count("ProductsRead") >= 2
    assert recorder.max_in_flight >= 2


async def test_long_connections_are_followed(sandbox):
    sizes = tuple(f"S{i:02d}" for i in range(27))
    big = product_input("big", sizes=sizes, metafields=23, variant_metafields=5, media=7)
    seed(sandbox, [big, product_input("small")])
    recorder = Recorder(sandbox)
    try:
        result = await read(sandbox, ["big", "small"], mode="targeted", removals=False)
    finally:
        recorder.close()
    product = result.products["big"]
    assert len(product.product.variants) == 27 and len(product.variant_ids) == 27
    assert len(product.product.metafields) == 23
    assert all(len(v.metafields) == 5 for v in product.product.variants)
    assert product.product.variants[3].metafields[4] == Metafield(
        "custom", "v4", "single_line_text_field", "S034"
    )
    assert len(product.media) == 7 and product.complete
    ops = set(recorder.operations())
    assert {"ProductVariantsPage", "ProductMetafieldsPage", "ProductMediaPage"} <= ops
    assert "VariantMetafieldsPage" in ops


async def test_removals_sweep_finds_this_catalogs_products(sandbox):
    seed(
        sandbox,
        [
            product_input("wanted"),
            product_input("ours-dropped", marker=marker_json("ours-dropped")),
            product_input("theirs", marker=marker_json("theirs", catalog="other")),
            product_input("plain"),
        ],
    )
    result = await read(sandbox, ["wanted", "absent"], mode="targeted")
    assert sorted(result.products) == ["ours-dropped", "wanted"]
    assert result.complete and result.incomplete_reason is None
    assert result.unmanaged == 2  # "theirs" (another catalog's) and "plain"
    assert result.bulk_operations == 1
    ours = result.products["ours-dropped"]
    assert ours.marker is not None and ours.marker.catalog == CATALOG
    assert ours.marker_id
    assert all(m.namespace != "catalog_reconciler" for m in ours.product.metafields)


@pytest.mark.slow
async def test_fifty_handles_in_a_big_store_reads_only_those(sandbox):
    seed(sandbox, [product_input(f"item-{i}", metafields=0) for i in range(5000)], batch=1000)
    asked = {f"item-{i}" for i in range(0, 5000, 100)}
    recorder = Recorder(sandbox)
    try:
        result = await read(sandbox, asked, removals=False)  # auto
    finally:
        recorder.close()
    assert result.mode == "targeted" and set(result.products) == asked
    ops = recorder.operations()
    assert not any(op.startswith("Bulk") for op in ops)
    reads = [b for b in recorder.bodies if b.get("operationName") == "ProductsRead"]
    named = {h for b in reads for h in re.findall(r'handle:"([^"]+)"', b["variables"]["query"])}
    assert named == asked
    assert set(ops) <= {"Publications", "ProductsRead"}
    assert result.requests == len(ops)
