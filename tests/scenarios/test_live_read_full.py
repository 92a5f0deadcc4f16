"""The full read (one bulk export, streamed) against the sandbox over HTTP: the same LiveProducts
as the targeted read, other products only counted, the completeness guard (canceled export,
partial data, the store changing meanwhile), a bulk query already running, and faults."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from live_helpers import CATALOG, client_for, marker_json, product_input, seed

from reconciler.errors import ShopifyError
from reconciler.model import Marker, Metafield, Product, Variant
from reconciler.shopify import bulk_read, documents
from reconciler.shopify.live import read_live

VARIANT_REFS = ("custom.v0", "custom.v1")
PUBLISH = """mutation($id: ID!, $pub: ID!) {
  publishablePublish(id: $id, input: [{publicationId: $pub}]) { userErrors { message } } }"""


async def read(handle, handles, **kw):
    async with client_for(handle) as client:
        return await read_live(client, catalog_name=CATALOG, handles=handles, **kw)


def seed_store(handle) -> list[str]:
    """A store with every kind of product a plan meets; returns the handles the catalog has."""
    sizes = tuple(f"S{i:02d}" for i in range(14))
    seed(
        handle,
        [
            product_input("big", sizes=sizes, metafields=14, variant_metafields=2, media=6),
            product_input("plain", metafields=0, tags=()),
            product_input("marked", marker=marker_json("marked"), media=1),
            product_input("ours-dropped", marker=marker_json("ours-dropped")),
            product_input("theirs", marker=marker_json("theirs", catalog="other")),
            *(product_input(f"other-{i}") for i in range(20)),
            {"handle": "bare", "title": "Bare"},  # Shopify's Default Title variant
        ],
    )
    for number in (1, 3):
        answer = handle.graphql(
            PUBLISH, {"id": f"gid://shopify/Product/{number}", "pub": "gid://shopify/Publication/1"}
        )
        assert "errors" not in answer.json, answer.text
    # media processed (READY, with image URLs) before either read, however long that takes here
    deadline = time.monotonic() + 30
    while any(
        m["status"] != "READY"
        for p in handle.control("state").json["products"]
        for m in p.get("media") or ()
    ):
        assert time.monotonic() < deadline, "media still processing"
        time.sleep(0.05)
    return ["big", "plain", "marked", "bare", "absent", "theirs"]


async def test_full_read_equals_the_targeted_read(sandbox):
    handles = seed_store(sandbox)
    full = await read(sandbox, handles, mode="full", variant_metafields=VARIANT_REFS)
    targeted = await read(sandbox, handles, mode="targeted")
    assert full.mode == "full" and targeted.mode == "targeted"
    assert sorted(full.products) == ["bare", "big", "marked", "ours-dropped", "plain", "theirs"]
    assert full.products == targeted.products
    assert full.complete and targeted.complete
    assert full.unmanaged == targeted.unmanaged == 20
    big = full.products["big"].product
    assert len(big.variants) == 14 and len(big.metafields) == 14
    assert [m.key for m in big.variants[0].metafields] == ["v0", "v1"]
    assert big.publications == frozenset({"Online Store"})
    assert full.products["bare"].product.options == ()
    assert full.bulk_operations == 1


async def test_other_catalogs_and_unrelated_products_are_only_counted(sandbox):
    seed_store(sandbox)
    result = await read(sandbox, ["plain"], mode="full", variant_metafields=VARIANT_REFS)
    # "theirs" carries another catalog's marker: not asked for, so counted, not returned
    assert sorted(result.products) == ["marked", "ours-dropped", "plain"]
    assert result.unmanaged == 23
    assert result.complete


async def test_auto_picks_full_for_many_handles(sandbox):
    seed(sandbox, [product_input(f"p{i}", metafields=0) for i in range(30)])
    handles = [f"p{i}" for i in range(30)]
    result = await read(sandbox, handles, full_threshold=10)
    assert result.mode == "full" and len(result.products) == 30 and result.complete
    assert (await read(sandbox, handles[:4])).mode == "full"  # 4 x 10 > 30 products
    assert (await read(sandbox, handles[:2])).mode == "targeted"  # 2 x 10 < 30
    few = await read(sandbox, handles[:20], removals=False)
    assert few.mode == "targeted" and few.bulk_operations == 0


async def test_auto_reads_all_when_the_sweep_finds_many_dropped_products(sandbox):
    marked = [product_input(f"old-{i}", marker=marker_json(f"old-{i}")) for i in range(30)]
    seed(sandbox, [product_input("wanted"), *marked])
    result = await read(sandbox, ["wanted"], full_threshold=10)
    assert result.mode == "full" and result.complete
    assert len(result.products) == 31
    explicit = await read(sandbox, ["wanted"], mode="targeted", full_threshold=10)
    assert explicit.mode == "targeted" and explicit.products == result.products


async def test_variant_metafields_a_marker_names_are_read_whole(sandbox):
    marker = marker_json("old")
    seed(sandbox, [product_input("old", variant_metafields=3, marker=marker)])
    # the marker names no variant metafield: the export reads only what the caller asked for
    result = await read(sandbox, ["old"], mode="full", variant_metafields=["custom.v2"])
    assert [m.key for m in result.products["old"].product.variants[0].metafields] == ["v2"]
    applied = Product(
        handle="old",
        title="Old",
        variants=(Variant(metafields=(Metafield("custom", "v0", "single_line_text_field", "x"),)),),
    )
    seed(
        sandbox,
        [
            product_input(
                "old", variant_metafields=3, marker=Marker.for_product(applied, CATALOG).to_json()
            )
        ],
    )
    again = await read(sandbox, ["old"], mode="full", variant_metafields=["custom.v2"])
    assert [m.key for m in again.products["old"].product.variants[0].metafields] == [
        "v0", "v1", "v2",
    ]  # fmt: skip


class Meddler(threading.Thread):
    """Does something to the sandbox every `every` seconds while a read runs."""

    def __init__(self, action, every: float = 0.05):
        super().__init__(daemon=True)
        self.action, self.every = action, every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.action()
            time.sleep(self.every)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.join()


def cancel_running(handle) -> None:
    running = handle.graphql(
        '{ bulkOperations(first: 5, query: "status:running") { nodes { id } } }'
    ).json["data"]["bulkOperations"]["nodes"]
    for op in running:
        handle.graphql(
            "mutation($id: ID!) { bulkOperationCancel(id: $id) { userErrors { message } } }",
            {"id": op["id"]},
        )


@pytest.mark.parametrize("mode", ["full", "targeted"])
async def test_a_canceled_export_is_incomplete(sandbox_factory, mode):
    # Slow exports (2 s for the 40-line marker sweep) so the canceller always catches them running,
    # even on a busy machine.
    handle = sandbox_factory(bulk_rate=20)
    seed(handle, [product_input(f"p{i}", marker=marker_json(f"p{i}")) for i in range(40)])
    with Meddler(lambda: cancel_running(handle)):
        result = await read(handle, ["p1", "p2"], mode=mode)
    assert not result.complete
    assert "CANCELED" in result.incomplete_reason
    # the asked products are still read (one by one when the full export failed)
    assert {"p1", "p2"} <= set(result.products) and result.mode == "targeted"


@pytest.mark.parametrize("mode", ["full", "targeted"])
async def test_products_created_during_the_export_make_it_incomplete(sandbox_factory, mode):
    handle = sandbox_factory(bulk_rate=40)  # 1 s per export: several creations land in each
    seed(handle, [product_input(f"p{i}") for i in range(40)])
    numbers = iter(range(10_000))
    with Meddler(lambda: seed(handle, [product_input(f"new-{next(numbers)}")]), every=0.1):
        result = await read(handle, ["p1"], mode=mode)
    assert not result.complete
    assert "changed during the export" in result.incomplete_reason or "the store has" in (
        result.incomplete_reason
    )
    assert "p1" in result.products
    assert result.bulk_operations == 2  # retried once


async def test_a_bulk_query_already_running_is_waited_for_then_reported(sandbox_factory):
    handle = sandbox_factory(bulk_rate=100)
    seed(handle, [product_input(f"p{i}", metafields=0) for i in range(200)])  # a 2 s export
    text = documents.load("BulkMarkers").query
    # 2025-10 allows one bulk query at a time: the second is refused OPERATION_IN_PROGRESS
    answer = handle.graphql(
        "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } } }",
        {"q": text},
        version="2025-10",
    )
    assert answer.json["data"]["bulkOperationRunQuery"]["bulkOperation"]
    async with client_for(handle, api_version="2025-10") as client:
        started = time.monotonic()
        with pytest.raises(ShopifyError, match="another bulk query is running"):
            await bulk_read.run_query(client, text, busy_wait=0.5)
        assert time.monotonic() - started >= 0.5
        done = await bulk_read.run_query(client, text, busy_wait=30)  # waits for the first
    assert done.status == "COMPLETED" and done.root_object_count == 200


async def test_reads_under_faults_give_the_same_result(sandbox_factory, caplog):
    clean = sandbox_factory()
    faulty = sandbox_factory(faults=0.1, seed=11, stall_seconds=0.3)
    for handle in (clean, faulty):
        handles = seed_store(handle)

    def strip(read):
        return {h: p.product for h, p in read.products.items()}

    full = await read(clean, handles, mode="full", variant_metafields=VARIANT_REFS)
    targeted = await read(clean, handles, mode="targeted")
    assert strip(full) == strip(targeted)
    caplog.set_level(logging.DEBUG, logger="reconciler.shopify")
    for _ in range(3):
        f_full = await read(faulty, handles, mode="full", variant_metafields=VARIANT_REFS)
        f_targeted = await read(faulty, handles, mode="targeted")
        assert f_full.complete and f_targeted.complete
        assert f_full.mode == "full"
        assert strip(f_full) == strip(full) and strip(f_targeted) == strip(targeted)
        assert f_full.unmanaged == f_targeted.unmanaged == full.unmanaged
    outcomes = [r.fields["outcome"] for r in caplog.records if hasattr(r, "fields")]
    assert any(o != "ok" for o in outcomes)  # faults were met, and retried
