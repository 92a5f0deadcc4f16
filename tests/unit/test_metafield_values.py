"""Metafield types: what fits, and Shopify's canonical string form of each value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.metafield_values import TYPES, canonical, from_shopify, is_known


def test_the_type_list_covers_shopifys_types():
    for name in (
        "single_line_text_field", "multi_line_text_field", "rich_text_field", "number_integer",
        "number_decimal", "boolean", "date", "date_time", "color", "url", "id", "json", "money",
        "weight", "volume", "dimension", "rating", "link", "product_reference", "variant_reference",
        "collection_reference", "file_reference", "page_reference", "customer_reference",
        "metaobject_reference", "mixed_reference", "company_reference", "article_reference",
        "product_taxonomy_value_reference", "order_reference", "list.single_line_text_field",
        "list.url", "list.product_reference", "list.weight", "list.rating", "list.link",
        "list.color",
    ):  # fmt: skip
        assert is_known(name), name
    assert not is_known("list.json") and not is_known("list.boolean") and not is_known("string")
    assert all(t == t.strip() for t in TYPES)


@pytest.mark.parametrize(
    ("type_", "value", "expected"),
    [
        ("single_line_text_field", "NO", "NO"),
        ("multi_line_text_field", "a\nb\n", "a\nb\n"),
        ("number_integer", "007", "7"),
        ("number_integer", 42, "42"),
        ("number_integer", "-9999999999999", "-9999999999999"),
        ("number_decimal", "1.10", "1.1"),
        ("number_decimal", "10", "10.0"),
        ("number_decimal", Decimal("2.500"), "2.5"),
        ("boolean", True, "true"),
        ("boolean", "false", "false"),
        ("date", "2024-02-29", "2024-02-29"),
        ("date_time", "2024-01-01T12:30:00", "2024-01-01T12:30:00"),
        ("date_time", "2024-01-01T12:30:00Z", "2024-01-01T12:30:00Z"),
        ("color", "#FFAA00", "#ffaa00"),
        ("url", "https://example.com/a?b=c", "https://example.com/a?b=c"),
        ("url", "mailto:shop@example.com", "mailto:shop@example.com"),
        ("id", "ABC-001", "ABC-001"),
        ("product_reference", "gid://shopify/Product/1", "gid://shopify/Product/1"),
        ("file_reference", "gid://shopify/MediaImage/9", "gid://shopify/MediaImage/9"),
        (
            "money",
            {"amount": "5.9", "currency_code": "CAD"},
            '{"amount":"5.90","currency_code":"CAD"}',
        ),
        (
            "money",
            '{"currency_code":"EUR","amount":"1"}',
            '{"amount":"1.00","currency_code":"EUR"}',
        ),
        ("weight", {"unit": "kg", "value": "2.50"}, '{"value":2.5,"unit":"kg"}'),
        ("volume", {"value": 20, "unit": "ml"}, '{"value":20.0,"unit":"ml"}'),
        ("dimension", {"value": "25", "unit": "in"}, '{"value":25.0,"unit":"in"}'),
        (
            "rating",
            {"value": "3.5", "scale_min": "1", "scale_max": "5"},
            '{"value":"3.5","scale_min":"1.0","scale_max":"5.0"}',
        ),
        (
            "link",
            {"url": "https://a.example", "text": "NO"},
            '{"text":"NO","url":"https://a.example"}',
        ),
        ("json", {"b": [1, Decimal("1.10"), None], "a": True}, '{"a":true,"b":[1,1.1,null]}'),
        ("json", "text", '"text"'),
        ("json", {"é": "ü"}, '{"é":"ü"}'),
        ("list.single_line_text_field", ["a", "1.10"], '["a","1.10"]'),
        ("list.number_integer", ["1", 2], "[1,2]"),
        ("list.number_decimal", ["1.50"], '["1.5"]'),
        ("list.weight", [{"value": "1", "unit": "g"}], '[{"value":1.0,"unit":"g"}]'),
        ("list.product_reference", '["gid://shopify/Product/1"]', '["gid://shopify/Product/1"]'),
        ("rich_text_field", {"type": "root", "children": []}, '{"children":[],"type":"root"}'),
    ],
)
def test_canonical(type_, value, expected):
    assert canonical(type_, value) == expected


@pytest.mark.parametrize(
    ("type_", "value", "message"),
    [
        ("nope", "x", "unknown metafield type"),
        ("single_line_text_field", "a\nb", "line break"),
        ("single_line_text_field", "", "empty"),
        ("single_line_text_field", {"a": 1}, "not a mapping"),
        ("number_integer", "1.5", "not an integer"),
        ("number_integer", "10000000000000", "outside"),
        ("number_decimal", "1e3", "not a decimal"),
        ("number_decimal", "0.0000000001", "9 decimal places"),
        ("boolean", "yes", "true or false"),
        ("boolean", "True", "true or false"),
        ("date", "2023-02-29", "no such date"),
        ("date", "29/02/2024", "YYYY-MM-DD"),
        ("date_time", "2024-01-01 12:00", "ISO 8601"),
        ("color", "#fff", "#RRGGBB"),
        ("url", "ftp://x.example", "schemes"),
        ("url", "https://", "schemes"),
        ("product_reference", "123", "GID"),
        ("variant_reference", "gid://shopify/Product/1", "ProductVariant"),
        ("money", {"amount": "1"}, "missing currency_code"),
        ("money", {"amount": "x", "currency_code": "USD"}, "money amount"),
        ("money", {"amount": "1", "currency_code": "usd"}, "3-letter"),
        ("weight", {"value": 1, "unit": "stone"}, "unit must be one of"),
        ("weight", {"value": 1, "unit": "kg", "x": 1}, "unknown x"),
        ("weight", 3, "mapping"),
        ("rating", {"value": "6", "scale_min": "1", "scale_max": "5"}, "between"),
        ("rating", {"value": "1", "scale_min": "5", "scale_max": "1"}, "above"),
        ("list.url", "not json", "is a list"),
        ("list.url", ["https://a.example", "ftp://b"], "item 1"),
        ("list.single_line_text_field", ["x"] * 129, "at most 128"),
        ("json", "x" * 140_000, "bytes"),
        ("rich_text_field", {"type": "p"}, "root"),
    ],
)
def test_values_that_do_not_fit(type_, value, message):
    with pytest.raises(ValueError, match=message):
        canonical(type_, value)


@pytest.mark.parametrize(
    ("type_", "shopify", "written"),
    [
        ("json", '{"b": 1.10, "a": [true]}', {"a": [True], "b": Decimal("1.1")}),
        ("list.single_line_text_field", '["x", "y"]', ["x", "y"]),
        ("weight", '{"value":2.5,"unit":"kg"}', {"value": "2.5", "unit": "kg"}),
        ("number_decimal", "10.50", "10.5"),
    ],
)
def test_from_shopify_matches_what_the_catalog_writes(type_, shopify, written):
    assert from_shopify(type_, shopify) == canonical(type_, written)


def test_json_numbers_never_go_through_float():
    assert canonical("json", Decimal("0.1000000000000000000001")) == "0.1000000000000000000001"
    assert canonical("json", 0.1) == "0.1"
