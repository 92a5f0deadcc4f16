"""Properties: a product just applied is a no-op, whatever it holds and whatever others added."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from plan_builders import CATALOG, live

from reconciler.model import Metafield, Option, Product, Variant, Weight
from reconciler.plan import hashing
from reconciler.plan.compare import compare

words = st.text(alphabet="abcxyz -éÜ", min_size=1, max_size=6).map(str.strip).filter(bool)
prices = st.decimals(min_value=0, max_value=1000, places=2)
maybe = st.none().__or__


@st.composite
def products(draw) -> Product:
    names = draw(st.lists(words, max_size=2, unique=True))
    options = tuple(Option(n, tuple(draw(st.lists(words, min_size=1, max_size=3, unique=True))))
                    for n in names)  # fmt: skip
    combos = list(itertools.product(*(o.values for o in options))) or [()]
    variants = tuple(
        Variant(
            options=tuple(zip(names, combo, strict=True)),
            price=draw(prices),
            compare_at_price=draw(maybe(prices)),
            sku=draw(maybe(words)),
            taxable=draw(maybe(st.booleans())),
            weight=draw(maybe(st.builds(Weight, prices, st.sampled_from(["GRAMS", "POUNDS"])))),
        )
        for combo in combos[:4]
    )
    used = {pair for x in variants for pair in x.options}
    options = tuple(
        Option(o.name, tuple(v for v in o.values if (o.name, v) in used)) for o in options
    )
    metafields = draw(
        maybe(st.lists(st.builds(Metafield, st.just("custom"), st.sampled_from(["a", "b", "c"]),
                                 st.just("single_line_text_field"), words),
                       max_size=3, unique_by=lambda m: m.key).map(tuple))
    )  # fmt: skip
    return Product(
        handle="p",
        title=draw(words),
        status=draw(maybe(st.sampled_from(["active", "draft"]))),
        vendor=draw(maybe(words)),
        tags=draw(maybe(st.frozensets(words, max_size=3))),
        description_html=draw(maybe(st.sampled_from(["<p>a  b</p>", " <b>x</b> "]))),
        options=options,
        variants=variants,
        metafields=metafields,
    )


@settings(max_examples=60, deadline=None)
@given(products())
def test_fast_hash_is_the_models(product):
    assert hashing.content_hash(product) == product.content_hash()


@settings(max_examples=60, deadline=None)
@given(products(), st.frozensets(words, max_size=2))
def test_applied_product_is_a_noop_whatever_others_added(product, their_tags):
    other = Metafield("reviews", "rating", "number_decimal", "4.5")
    current = live(product, extra_tags=tuple(their_tags), extra_metafields=(other,))
    change = compare({"p": product}, {"p": current}, catalog_name=CATALOG).changes[0]
    assert (change.action, change.diff, change.child_deletions) == ("no-op", (), ())


@settings(max_examples=60, deadline=None)
@given(products())
def test_matching_unmarked_product_is_adopted_with_nothing_to_change(product):
    change = compare({"p": product}, {"p": live(product, marker=None)}, catalog_name=CATALOG)
    only = change.changes[0]
    assert (only.action, only.diff, only.child_deletions) == ("adopt", (), ())


@settings(max_examples=40, deadline=None)
@given(products(), st.sampled_from([Decimal("0.01"), Decimal("1")]))
def test_a_price_edited_in_the_store_is_drift(product, delta):
    variants = tuple(
        v.__class__(**{**{f: getattr(v, f) for f in v.__slots__}, "price": v.price + delta})
        for v in product.variants
    )
    change = compare(
        {"p": product}, {"p": live(product, variants=variants)}, catalog_name=CATALOG
    ).changes[0]
    assert change.action == "update" and "drift: variants" in change.reason
    assert all(c.path.endswith(".price") for c in change.diff)
