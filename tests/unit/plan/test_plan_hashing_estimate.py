"""The fast content hash equals Product.content_hash(); fingerprints; the cost estimate."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from plan_builders import CATALOG, live, product

from reconciler.model import Media, Metafield, Option, Product, Variant, Weight
from reconciler.plan import hashing
from reconciler.plan.bulkable import bulk_prefix
from reconciler.plan.compare import compare
from reconciler.plan.estimate import (
    BULK_PHASE_SECONDS,
    ROUND_TRIP,
    estimate,
    product_set_cost,
    sync_in_flight,
    sync_seconds,
)
from reconciler.plan.model import Change, Cost
from reconciler.shopify import documents


def products() -> list[Product]:
    return [
        product(),
        product(tags=None, metafields=None, vendor=None),
        Product(handle="bare", variants=(Variant(price="1"),)),
        product(
            previous_handles=("old",),
            description_html="<p>é  ü</p>",
            publications=frozenset({"POS", "Online Store"}),
            media=(Media("a.jpg", "Ä"), Media("b.jpg")),
            options=(Option("Size", ("S",)), Option("Color", ("Red",))),
            variants=(
                Variant(
                    options=(("Size", "S"), ("Color", "Red")),
                    price=Decimal("10.125"),
                    weight=Weight(Decimal("100"), "GRAMS"),
                    taxable=False,
                    metafields=(Metafield("a", "b", "json", '{"x":1}'),),
                ),
            ),
        ),
    ]


def test_fast_content_hash_is_the_models():
    for p in products():
        assert hashing.content_hash(p) == p.content_hash()
        assert hashing.plain(p) == p.to_dict()


def test_fingerprint_of_an_absent_product():
    assert hashing.fingerprint(None, ("title",)) == hashing.ABSENT


def test_fingerprint_scope_limits_what_it_sees():
    a = live(product())
    b = live(product(), vendor="Other")
    assert hashing.fingerprint(a, ("title", "marker")) == hashing.fingerprint(
        b, ("title", "marker")
    )
    assert hashing.fingerprint(a, ("vendor",)) != hashing.fingerprint(b, ("vendor",))


def test_product_set_cost_follows_shopifys_formula():
    variables = {
        "input": {
            "variants": [{"metafields": [{}, {}], "file": {}}, {}, {}],
            "metafields": [{}],
            "files": [{}, {}],
        }
    }
    # 10 + 0.2*3 + 0.6*1 + 0.4*2 + 0.4*1 + 1.9*2
    assert round(product_set_cost(variables), 6) == round(10 + 0.6 + 0.6 + 0.8 + 0.4 + 3.8, 6)


def test_plan_estimate_totals_points_and_time():
    plan = compare({"tee": product()}, {}, catalog_name=CATALOG, restore_rate=50.0)
    change = plan.changes[0]
    # productSet: 10 + 2 variants * 0.2 + 1 metafield * 0.4; marker metafieldsSet: 10 + 4 (a
    # Product owner); each plus the selection it reads back, as the client requests them.
    product_set, _marker = change.mutation["calls"]
    assert product_set_cost(product_set["variables"]) == 10.8
    selection = documents.request_cost("ProductSet", product_set["variables"]) - 10.8
    assert selection > 0
    assert change.cost == Cost(points=round(10.8 + 14.0 + selection + 2.0, 1), calls=2)
    assert plan.estimate.points == change.cost.points
    # No bucket known: every point waits for the refill.
    assert plan.estimate.seconds == round(change.cost.points / 50.0, 1)
    assert plan.estimate.mode == "sync"  # one product: a bulk operation's start-up dominates


def _writes(n: int) -> list[Change]:
    """n creates of [productSet, marker metafieldsSet], as the plan emits them."""
    calls = [
        {"operation": "ProductSet", "variables": {"identifier": {"handle": "h"}, "input": {}}},
        {
            "operation": "MetafieldsSet",
            "variables": {"metafields": [{"ownerId": "{{product.id}}", "value": "{}"}]},
        },
    ]
    return [
        Change(
            handle=f"p{i}",
            action="create",
            reason="",
            cost=Cost(24.0, 2),
            mutation={"calls": calls},
        )
        for i in range(n)
    ]


def test_sync_time_counts_the_bucket_and_the_round_trips():
    assert sync_seconds(3000.0, 10, 100.0, 2000.0) == 10.0  # 1000 points past the bucket
    small = sync_seconds(10.0, 64, 100.0, 2000.0)  # the bucket covers it: round trips remain
    assert small == 64 * ROUND_TRIP / sync_in_flight(100.0, 2000.0)


def test_auto_picks_the_faster_mode_on_both_sides_of_the_line():
    kwargs = {"restore_rate": 100.0, "bucket": 2000.0, "bulk_rate": 100.0}
    few, many = estimate(_writes(20), **kwargs), estimate(_writes(2000), **kwargs)
    assert few.mode == "sync" and few.seconds < few.bulk_seconds
    assert many.mode == "bulk" and many.bulk_seconds < many.seconds
    # Both phases (productSets, then markers) are bulk lines: two phases, no sync rest.
    assert many.bulk_seconds == round(2 * (BULK_PHASE_SECONDS + 2000 / 100.0), 1)
    # The plan tier moves the line: 200 products go bulk at 100 points/s, sync at 2000.
    assert estimate(_writes(200), **kwargs).mode == "bulk"
    assert estimate(_writes(200), **{**kwargs, "restore_rate": 2000.0}).mode == "sync"


def test_a_call_that_needs_an_answer_is_not_a_bulk_line():
    media = {"operation": "ProductUpdateMedia", "variables": {"product": {"id": "{{product.id}}"}}}
    change = _writes(1)[0]
    calls = change.mutation["calls"]
    assert bulk_prefix(calls, None) == 2
    assert bulk_prefix([calls[0], media, calls[1]], None) == 1  # the marker after media: sync
    assert bulk_prefix(calls[1:], None) == 0  # the product id is not known
    assert bulk_prefix(calls[1:], "gid://shopify/Product/1") == 1  # an adopt's marker
    files = {"operation": "ProductSet", "variables": {"input": {"files": [{}]}}}
    assert bulk_prefix([files, calls[1]], None) == 0
    assert estimate([replace(change, mutation={"calls": [media]})]).mode_reason == (
        "nothing a bulk operation can carry"
    )


def test_no_ops_cost_nothing():
    noops = [Change(handle="x", action="no-op", reason="", cost=Cost(99.0, 1))]
    assert estimate(noops).points == 0.0
