"""The fast content hash equals Product.content_hash(); fingerprints; the cost estimate."""

from __future__ import annotations

from decimal import Decimal

from plan_builders import CATALOG, live, product

from reconciler.model import Media, Metafield, Option, Product, Variant, Weight
from reconciler.plan import hashing
from reconciler.plan.compare import compare
from reconciler.plan.estimate import estimate, product_set_cost
from reconciler.plan.model import Change, Cost


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
    # productSet: 10 + 2 variants * 0.2 + 1 metafield * 0.4; marker metafieldsSet: 10 + 4
    assert change.cost == Cost(points=round(10.8 + 14.0, 1), calls=2)
    assert plan.estimate.points == change.cost.points
    assert plan.estimate.seconds == round(change.cost.points / 50.0, 1)
    assert plan.estimate.mode == "sync"


def test_bulk_mode_past_a_threshold():
    changes = [
        Change(handle=f"p{i}", action="update", reason="", cost=Cost(20.0, 2)) for i in range(11)
    ]
    assert estimate(changes, bulk_changes=10).mode == "bulk"
    assert estimate(changes, bulk_changes=100).mode == "sync"
    slow = estimate(changes, restore_rate=1.0, bulk_seconds=100)
    assert slow.mode == "bulk" and slow.seconds == 220.0
    noops = [Change(handle="x", action="no-op", reason="", cost=Cost(99.0, 1))]
    assert estimate(noops).points == 0.0
