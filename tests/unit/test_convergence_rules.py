"""Issue 9, catalog side: values the store would hold differently are normalized with a warning
saying what it will hold, or refused; Shopify's own spellings mean what Shopify means."""

from __future__ import annotations

from decimal import Decimal

from catalog_helpers import lines, product, read

from reconciler.model import (
    LiveProduct,
    Marker,
    Media,
    Option,
    Product,
    Variant,
    Weight,
    currency_decimals,
    excess_decimals,
)
from reconciler.plan.compare import compare

DEFAULT_TITLE = (
    "options: [{name: Title, values: [Default Title]}]\n"
    "variants:\n  - {options: {Title: Default Title}, price: '5'}\n"
)


def _product(tmp_path, monkeypatch, body: str = "", variants: str | None = None) -> Product:
    text = product(body=body, variants=variants) if variants else product(body=body)
    result = read(tmp_path, {"products/a.yaml": text}, monkeypatch)
    assert not result.errors, lines(result)
    return result.products["a"]


# 1. Shopify's default option written out means "no options"


def test_default_title_option_is_read_as_no_options(tmp_path, monkeypatch):
    built = _product(tmp_path, monkeypatch, variants=DEFAULT_TITLE)
    assert built.options == ()
    assert [v.key for v in built.variants] == [()]
    assert built == Product(handle="a", title="A", variants=(Variant(price=Decimal(5)),))


def test_padded_default_title_as_in_a_real_export_is_no_options_too(tmp_path, monkeypatch):
    variants = DEFAULT_TITLE.replace("name: Title", 'name: "Title       "')
    result = read(tmp_path, {"products/a.yaml": product(variants=variants)}, monkeypatch)
    assert not result.errors
    assert result.products["a"].options == ()
    assert "option name 'Title       ' is stored as 'Title' by Shopify" in lines(result)[0]


# 2. Whitespace Shopify strips


def test_padded_text_is_trimmed_with_a_warning_naming_what_the_store_holds(tmp_path, monkeypatch):
    body = (
        'vendor: " Acme"\nproduct_type: "Shirts "\nseo: {title: " Buy "}\n'
        'options: [{name: "Size ", values: ["S ", M]}]\n'
    )
    variants = 'variants:\n  - {options: {"Size ": "S "}, sku: " A1 ", barcode: "012 "}\n'
    variants += "  - {options: {Size: M}}\n"
    result = read(tmp_path, {"products/a.yaml": product(body=body, variants=variants)}, monkeypatch)
    assert not result.errors, lines(result)
    assert [str(p) for p in result.warnings] == [
        "products/a.yaml:3:9: vendor: vendor ' Acme' is stored as 'Acme' by Shopify",
        "products/a.yaml:4:15: product_type: product type 'Shirts ' is stored as 'Shirts' by "
        "Shopify",
        "products/a.yaml:5:14: seo.title: SEO title ' Buy ' is stored as 'Buy' by Shopify",
        "products/a.yaml:6:18: options[0].name: option name 'Size ' is stored as 'Size' by Shopify",
        "products/a.yaml:6:36: options[0].values[0]: option value 'S ' is stored as 'S' by Shopify",
        "products/a.yaml:8:37: variants[0].sku: SKU ' A1 ' is stored as 'A1' by Shopify",
        "products/a.yaml:8:54: variants[0].barcode: barcode '012 ' is stored as '012' by Shopify",
    ]
    built = result.products["a"]
    assert (built.vendor, built.product_type, built.seo_title) == ("Acme", "Shirts", "Buy")
    assert built.options == (Option("Size", ("S", "M")),)
    assert (built.variants[0].options, built.variants[0].sku) == ((("Size", "S"),), "A1")


def test_option_values_that_collide_once_trimmed_are_an_error(tmp_path, monkeypatch):
    body = 'options: [{name: Size, values: [S, "s "]}]\n'
    variants = "variants:\n  - {options: {Size: S}}\n"
    result = read(tmp_path, {"products/a.yaml": product(body=body, variants=variants)}, monkeypatch)
    assert [(p.where, p.message) for p in result.errors] == [
        ("options[0].values[1]", "value 's' is listed twice in this option")
    ]


def test_an_option_value_blank_once_trimmed_is_an_error(tmp_path, monkeypatch):
    body = 'options: [{name: Size, values: [S, "  "]}]\n'
    variants = "variants:\n  - {options: {Size: S}}\n"
    result = read(tmp_path, {"products/a.yaml": product(body=body, variants=variants)}, monkeypatch)
    assert [(p.where, p.message) for p in result.errors] == [
        ("options[0].values[1]", "an option value cannot be blank")
    ]


# 3. Tag case and limits


def test_tags_differing_only_in_case_are_an_error(tmp_path, monkeypatch):
    result = read(
        tmp_path, {"products/a.yaml": product(body="tags: [Summer, summer]\n")}, monkeypatch
    )
    assert [str(p) for p in result.errors] == [
        "products/a.yaml:3:16: tags[1]: tag 'summer' differs from tag 'Summer' (tags[0]) only in "
        "case: Shopify keeps one spelling per tag"
    ]


def test_more_than_250_tags_is_an_error_and_250_is_not(tmp_path, monkeypatch):
    many = ", ".join(f"t{i}" for i in range(251))
    result = read(tmp_path, {"products/a.yaml": product(body=f"tags: [{many}]\n")}, monkeypatch)
    assert [(p.where, p.message) for p in result.errors] == [
        ("tags", "at most 250 tags (Shopify's limit), not 251")
    ]
    enough = ", ".join(f"t{i}" for i in range(250))
    result = read(tmp_path, {"products/a.yaml": product(body=f"tags: [{enough}]\n")}, monkeypatch)
    assert not result.errors


def test_a_tag_longer_than_255_characters_is_an_error(tmp_path, monkeypatch):
    body = f"tags: [{'x' * 256}]\n"
    result = read(tmp_path, {"products/a.yaml": product(body=body)}, monkeypatch)
    assert [p.message for p in result.errors] == ["a tag is at most 255 characters"]


def _live(product: Product, marker: Marker | None = None) -> LiveProduct:
    ids = {v.key: f"gid://shopify/ProductVariant/{i}" for i, v in enumerate(product.variants)}
    return LiveProduct(
        id="gid://shopify/Product/1", product=product, variant_ids=ids, marker=marker
    )


def _full(**fields) -> Product:
    """A product as the live read gives it (every text field read)."""
    base = dict(
        handle="a", title="A", status="active", vendor="", product_type="", tags=frozenset(),
        description_html="", seo_title="", seo_description="",
        variants=(Variant(price=Decimal(5), sku="", barcode=""),),
    )  # fmt: skip
    return Product(**{**base, **fields})


def _actions(desired: Product, live: LiveProduct) -> list[tuple[str, tuple]]:
    plan = compare({desired.handle: desired}, {live.handle: live}, catalog_name="shop")
    return [(c.action, tuple((d.path, d.before, d.after) for d in c.diff)) for c in plan.changes]


def test_tags_compare_case_insensitively_in_the_stores_spelling():
    desired = Product(handle="a", title="A", tags=["summer"], variants=(Variant(),))
    live = _full(tags=frozenset({"Summer", "theirs"}))
    assert _actions(desired, live=_live(live)) == [("adopt", ())]
    marked = _live(live, Marker.for_product(desired, "shop"))
    assert _actions(desired, marked) == [("no-op", ())]


def test_a_tag_the_catalog_drops_is_removed_whatever_its_case_in_the_store():
    was = Product(handle="a", title="A", tags=["summer", "sale"], variants=(Variant(),))
    now = Product(handle="a", title="A", tags=["sale"], variants=(Variant(),))
    live = _live(_full(tags=frozenset({"Summer", "Sale"})), Marker.for_product(was, "shop"))
    assert _actions(now, live) == [("update", (("tags", ["Sale", "Summer"], ["Sale"]),))]


# 4. Empty strings


def test_empty_sku_and_barcode_equal_the_stores_absent_ones():
    desired = Product(handle="a", title="A", variants=(Variant(sku="", barcode=""),))
    assert _actions(desired, _live(_full())) == [("adopt", ())]


def test_a_sku_set_before_and_now_empty_plans_its_clearing():
    was = Product(handle="a", title="A", variants=(Variant(sku="A1"),))
    now = Product(handle="a", title="A", variants=(Variant(sku=""),))
    live = _full(variants=(Variant(price=Decimal(5), sku="A1", barcode=""),))
    (change,) = compare(
        {"a": now}, {"a": _live(live, Marker.for_product(was, "shop"))}, catalog_name="shop"
    ).changes
    assert [(d.path, d.before, d.after) for d in change.diff] == [
        ("variants[Default].sku", "A1", None)
    ]
    (product_set,) = [c for c in change.mutation["calls"] if c["operation"] == "ProductSet"]
    assert product_set["variables"]["input"]["variants"][0]["inventoryItem"]["sku"] == ""


def test_empty_alt_and_seo_equal_the_stores_absent_ones(tmp_path, monkeypatch):
    assert Media("https://x.test/a.png", "") == Media("https://x.test/a.png", None)
    built = _product(tmp_path, monkeypatch, body='seo: {title: "", description: ""}\n')
    assert _actions(built, _live(_full(variants=built.variants))) == [("adopt", ())]


# 5. Decimals


def test_more_than_two_decimals_is_a_warning_offline(tmp_path, monkeypatch):
    variants = 'variants:\n  - {price: "10.005", cost: "1.500"}\n'
    result = read(tmp_path, {"products/a.yaml": product(variants=variants)}, monkeypatch)
    assert not result.errors
    assert [(p.where, p.severity) for p in result.warnings] == [("variants[0].price", "warning")]
    assert "price 10.005 has more than 2 decimals" in result.warnings[0].message


def test_currency_decimals_follow_iso_4217():
    assert [currency_decimals(c) for c in ("JPY", "KRW", "USD", "eur", "KWD", "BHD")] == [
        0, 0, 2, 2, 3, 3,
    ]  # fmt: skip
    assert excess_decimals(Decimal("10.005"), 2) and not excess_decimals(Decimal("10.50"), 2)
    assert excess_decimals(Decimal("10.5"), 0) and not excess_decimals(Decimal("10.00"), 0)


# 6. Weight


def test_a_zero_weight_is_the_same_in_every_unit():
    assert Weight(Decimal(0), "POUNDS") == Weight(Decimal("0.0"), "GRAMS")
    assert Weight(Decimal(1), "POUNDS") != Weight(Decimal(1), "GRAMS")
    desired = Product(
        handle="a", title="A", variants=(Variant(weight=Weight(Decimal(0), "POUNDS")),)
    )
    live = _full(variants=(Variant(price=Decimal(5), weight=Weight(Decimal(0), "GRAMS")),))
    assert _actions(desired, _live(live)) == [("adopt", ())]
