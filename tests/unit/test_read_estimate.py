"""auto's rule (read_estimate.py) and the targeted pages' plan (paged_read.plan), pure."""

from __future__ import annotations

import math

import pytest
from graphql import parse, validate

from reconciler.model import Media, Metafield, Option, Product, Variant
from reconciler.shopify import documents
from reconciler.shopify.live import bulk_products_query, search_queries
from reconciler.shopify.paged_read import MAX_REQUESTED, Shape, fit, plan, shape_of
from reconciler.shopify.read_estimate import estimate

STANDARD = {"available": 2000.0, "restore_rate": 100.0, "latency": 0.1, "concurrency": 8}


def priced(points_each: float, asked: int, store: int, **kw):
    values = {
        **STANDARD,
        "requested": [points_each] * asked,
        "asked": asked,
        "store_products": store,
        "objects_per_product": 12,
        "removals": True,
        **kw,
    }
    return estimate(**values)


def test_pages_that_fit_the_bucket_beat_the_export():
    # 20 products of 50 points: all within the 2,000 points the bucket holds
    e = priced(50, 20, 1000)
    assert e.pages < 1 and not e.by_export
    assert e.mode == "targeted"


def test_pages_paid_at_the_restore_rate_lose_to_an_export():
    # 100 products of 60 points: 4,000 points over the bucket at 100/s = 40 s of pages
    e = priced(60, 100, 1000)
    assert e.pages == pytest.approx(40 + 13 * 0.1)  # 100 requests, 8 at a time
    assert e.by_export  # 1,200 objects filtered: about 2 s
    assert e.mode == "targeted" and e.targeted < e.full


def test_full_wins_when_the_asked_handles_are_the_whole_store():
    e = priced(60, 1000, 1000, requested=[900.0] * 67)
    assert e.by_export and e.mode == "full"  # the sweep's 1,000 lines on top of the same export
    assert priced(60, 500, 1000, requested=[900.0] * 34).mode == "targeted"


def test_without_removals_there_is_no_sweep_and_without_a_count_no_full():
    e = priced(10, 5, 1000, removals=False)
    assert e.sweep == 0.0
    unknown = priced(10, 5, None)
    assert unknown.full == math.inf and unknown.mode == "targeted"


def test_a_slower_bulk_pace_moves_the_line():
    fast = priced(60, 100, 1000, requested=[60.0] * 100)
    slow = priced(60, 100, 1000, requested=[60.0] * 100, pace=10)
    assert fast.by_export and not slow.by_export


def catalog_product(handle: str, images: int, variants: int = 2) -> Product:
    sizes = tuple(f"S{i}" for i in range(variants))
    return Product(
        handle=handle,
        options=(Option("Size", sizes),),
        variants=tuple(Variant(options=(("Size", s),)) for s in sizes),
        metafields=(Metafield("custom", "a", "single_line_text_field", "x"),),
        media=tuple(Media(src=f"https://x.example/{handle}-{i}.jpg") for i in range(images)),
    )


def test_a_shape_is_the_catalogs_counts_with_slack_for_others():
    shape = shape_of(catalog_product("a", 12, variants=3), publications=2)
    assert (shape.variants, shape.variant_metafields) == (3, 1)
    assert shape.metafields == 3  # one, the marker, one more
    assert shape.media == 13
    assert shape.publications == 2  # not managed: all of the store's
    assert shape_of(Product(handle="b"), 2) == Shape(
        variants=1, variant_metafields=1, publications=2
    )


def test_like_products_share_requests_under_the_ceiling():
    terms = {f'handle:"p{i}"': shape_of(catalog_product(f"p{i}", 12), 1) for i in range(40)}
    terms.update({f'handle:"q{i}"': shape_of(catalog_product(f"q{i}", 1), 1) for i in range(40)})
    requests = plan(terms)
    assert sum(r.terms for r in requests) == 80
    assert all(r.cost <= MAX_REQUESTED for r in requests)
    # the one-image products are not charged twelve images' worth
    small = [r for r in requests if "q" in r.query]
    assert small and all(r.variables["media"] == 2 and "p" not in r.query for r in small)
    assert len(requests) <= 5


def test_one_product_larger_than_a_request_is_cut_to_fit():
    shape = fit(Shape(variants=250, media=250), max_requested=500)
    cost = documents.estimate_cost(
        documents.load("ProductsRead"), {**shape.variables(), "query": "", "first": 1}
    )
    assert cost <= 500 and shape.variants >= 1


def test_search_queries_stay_under_the_length():
    terms = [f'handle:"product-{i}"' for i in range(500)]
    queries = search_queries(terms, max_chars=1000)
    assert all(len(q) <= 1000 for q in queries)
    assert " OR ".join(queries).split(" OR ") == terms


def test_the_filtered_export_validates_against_shopifys_schema():
    from reconciler.sandbox.schema import load_schema

    text, _, _ = bulk_products_query(
        ["gid://shopify/Publication/1"], ["custom.fit"], query='handle:"a" OR handle:"b\\"c"'
    )
    assert 'products(query: "handle:\\"a\\" OR handle:\\"b\\\\\\"c\\"")' in text
    assert validate(load_schema("2026-10"), parse(text)) == []
