"""The shared model: one meaning, one model and one hash, however it is written."""

from __future__ import annotations

from decimal import Decimal

from catalog_helpers import read

from reconciler.model import Product, money

ONE_WAY = """\
handle: tee
title: Tee
tags: [b, a, a]
description_html: "<p>Soft tee.</p>\\r\\n<p>Cotton</p>\\n"
options:
  - {name: Size, values: [S, M]}
variants:
  - options: {Size: S}
    price: 10
    weight: {value: 0.20, unit: KILOGRAMS}
  - options: {Size: M}
    price: "10.5"
metafields:
  - {namespace: custom, key: b1, type: json, value: {y: 1, x: [2, 3]}}
  - {namespace: custom, key: a1, type: number_decimal, value: 1.50}
"""

OTHER_WAY = """\
title: Tee
metafields:
  - type: number_decimal
    key: a1
    namespace: custom
    value: "1.5"
  - {namespace: custom, key: b1, type: json, value: {x: [2, 3], y: 1}}
variants:
  - price: "10.50"
    options: {Size: M}
  - weight: {unit: KILOGRAMS, value: "0.2"}
    options: {Size: S}
    price: "10.00"
options:
  - name: Size
    values: [S, M]
description_html: |
  <p>Soft tee.</p>
  <p>Cotton</p>
tags: [a, b]
handle: tee
"""


def test_same_product_written_two_ways_gives_same_model_and_hash(tmp_path, monkeypatch):
    one = read(tmp_path / "one", {"products/a.yaml": ONE_WAY}, monkeypatch).products["tee"]
    other = read(tmp_path / "other", {"products/a.yaml": OTHER_WAY}, monkeypatch).products["tee"]
    assert one == other
    assert one.content_hash() == other.content_hash()
    assert one.content_hash().startswith("sha256:")


def test_a_real_change_changes_the_hash(tmp_path, monkeypatch):
    one = read(tmp_path / "one", {"products/a.yaml": ONE_WAY}, monkeypatch).products["tee"]
    changed = ONE_WAY.replace('price: "10.5"', 'price: "10.6"')
    two = read(tmp_path / "two", {"products/a.yaml": changed}, monkeypatch).products["tee"]
    assert one != two and one.content_hash() != two.content_hash()


def test_unset_keys_stay_none_and_empty_lists_stay_empty(tmp_path, monkeypatch):
    doc = "handle: a\ntitle: A\ntags: []\nmedia: []\nvariants:\n  - {}\n"
    product = read(tmp_path, {"products/a.yaml": doc}, monkeypatch).products["a"]
    assert product.vendor is None and product.status is None and product.metafields is None
    assert product.publications is None and product.seo_title is None
    assert product.tags == frozenset() and product.media == ()
    assert product.options == () and len(product.variants) == 1
    variant = product.variants[0]
    assert variant.options == () and variant.price is None and variant.metafields is None
    assert product.managed_keys() == {"handle", "title", "tags", "media", "variants"}


def test_variant_options_follow_the_products_option_order(tmp_path, monkeypatch):
    doc = (
        "handle: a\ntitle: A\noptions:\n  - {name: Size, values: [S]}\n  - {name: Color, values: [Red]}\n"  # noqa: E501
        "variants:\n  - options: {Color: Red, Size: S}\n"
    )
    product = read(tmp_path, {"products/a.yaml": doc}, monkeypatch).products["a"]
    assert product.variants[0].options == (("Size", "S"), ("Color", "Red"))
    assert product.variants[0].key == ("S", "Red")


def test_seo_and_previous_handles(tmp_path, monkeypatch):
    doc = "handle: a\ntitle: A\nprevious_handles: [old]\nseo: {title: T, description: D}\nvariants: [{}]\n"  # noqa: E501
    product = read(tmp_path, {"products/a.yaml": doc}, monkeypatch).products["a"]
    assert (product.seo_title, product.seo_description) == ("T", "D")
    assert product.previous_handles == ("old",)
    renamed = Product(
        **{**{f: getattr(product, f) for f in product.__slots__}, "previous_handles": ()}
    )
    assert renamed.content_hash() == product.content_hash()  # a rename is not a content change


def test_money_canonical_form():
    assert money("10") == money(10) == money("10.0") == money("10.00") == Decimal("10.00")
    assert str(money("10.125")) == "10.125"
