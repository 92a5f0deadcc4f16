"""Shopify's rules beyond the schema (issue 2, item 4), one behaviour per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalog_helpers import lines, product, read

from reconciler.catalog import read_catalog
from reconciler.catalog.rules import handle_problem
from reconciler.errors import CatalogError

REPO = Path(__file__).resolve().parents[2]


def test_the_demo_catalog_is_clean():
    result = read_catalog(REPO / "catalog")
    assert result.problems == []
    assert len(result.products) >= 10
    assert result.settings.name == "demo"


@pytest.mark.parametrize(
    "handle", ["classic-tee", "tee_2", "café-crème", "日本語-tシャツ", "ß", "x"]
)
def test_handles_shopify_accepts(handle):
    assert handle_problem(handle) is None


@pytest.mark.parametrize(
    "handle", ["Classic", "a b", "a/b", "tee!", "", "a.b", "tab\tx", "h" * 256]
)
def test_handles_shopify_refuses(handle):
    assert handle_problem(handle)


def test_previous_handles_claimed_by_two_products(tmp_path, monkeypatch):
    files = {
        "products/a.yaml": product("a", "previous_handles: [old]\n"),
        "products/b.yaml": product("b", "previous_handles: [old]\n"),
    }
    result = read(tmp_path, files, monkeypatch)
    assert lines(result) == [
        "products/a.yaml:3:20: previous_handles[0]: previous handle 'old' is also used at products/b.yaml:3",  # noqa: E501
        "products/b.yaml:3:20: previous_handles[0]: previous handle 'old' is also used at products/a.yaml:3",  # noqa: E501
    ]
    assert result.products == {}
    with pytest.raises(CatalogError) as caught:
        result.require_valid()
    assert "(and 1 more)" in str(caught.value)


def test_a_product_with_an_error_is_left_out_but_others_are_built(tmp_path, monkeypatch):
    files = {"products/a.yaml": product("a"), "products/b.yaml": product("b", "status: nope\n")}
    result = read(tmp_path, files, monkeypatch)
    assert list(result.products) == ["a"] and len(result.errors) == 1


def test_variant_limit_is_2048(tmp_path, monkeypatch):
    values = ", ".join(f"v{i}" for i in range(2049))
    variants = "variants:\n" + "".join(f"  - {{options: {{N: v{i}}}}}\n" for i in range(2049))
    doc = product(body=f"options:\n  - name: N\n    values: [{values}]\n", variants=variants)
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert [p.message for p in result.errors] == [
        "at most 2048 variants (Shopify's limit), not 2049"
    ]


def test_variant_options_on_a_product_without_options(tmp_path, monkeypatch):
    doc = product(variants="variants:\n  - options: {Size: S}\n")
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert lines(result) == [
        "products/a.yaml:4:14: variants[0].options: the product declares no options"
    ]


def test_variant_without_options_on_a_product_with_options(tmp_path, monkeypatch):
    doc = product(
        body="options:\n  - {name: Size, values: [S]}\n", variants="variants:\n  - price: 1\n"
    )
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert lines(result) == ["products/a.yaml:6:5: variants[0]: missing options: Size"]


def test_option_values_are_unique_ignoring_case(tmp_path, monkeypatch):
    doc = product(
        body="options:\n  - {name: Color, values: [Red, red]}\n",
        variants="variants:\n  - options: {Color: Red}\n",
    )
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert [p.where for p in result.errors] == ["options[0].values[1]"]


def test_compare_at_price_above_price_is_fine_and_at_or_below_warns(tmp_path, monkeypatch):
    variants = "variants:\n  - {price: 10, compare_at_price: 12}\n"
    result = read(tmp_path, {"products/a.yaml": product(variants=variants)}, monkeypatch)
    assert result.problems == []
    variants = "variants:\n  - {price: 10, compare_at_price: 9.99}\n"
    result = read(tmp_path, {"products/a.yaml": product(variants=variants)}, monkeypatch)
    assert [(p.severity, p.where) for p in result.problems] == [
        ("warning", "variants[0].compare_at_price")
    ]
    assert result.errors == [] and "a" in result.products  # warnings do not block


def test_same_sku_twice_in_one_product_warns_at_both(tmp_path, monkeypatch):
    doc = product(
        body="options:\n  - {name: S, values: [a, b]}\n",
        variants="variants:\n  - {options: {S: a}, sku: X}\n  - {options: {S: b}, sku: X}\n",
    )
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert [(p.severity, p.line) for p in result.problems] == [("warning", 6), ("warning", 7)]


def test_media_may_be_a_file_inside_the_catalog(tmp_path, monkeypatch):
    doc = product(
        body="media:\n  - src: images/tee.jpg\n",
        variants="variants:\n  - {price: 1, image: images/tee.jpg}\n",
    )
    files = {"products/a.yaml": doc, "images/tee.jpg": b"\xff\xd8"}
    result = read(tmp_path, files, monkeypatch)
    assert result.problems == []
    assert result.products["a"].media[0].src == "images/tee.jpg"


def test_media_symlink_escaping_the_catalog_is_refused(tmp_path, monkeypatch):
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"x")
    (tmp_path / "cat" / "images").mkdir(parents=True)
    (tmp_path / "cat" / "images" / "link.jpg").symlink_to(outside)
    doc = product(body="media:\n  - src: images/link.jpg\n")
    result = read(tmp_path / "cat", {"products/a.yaml": doc}, monkeypatch)
    assert [p.message for p in result.errors] == [
        "media file 'images/link.jpg' is outside the catalog directory"
    ]


def test_same_media_twice(tmp_path, monkeypatch):
    doc = product(
        body="media:\n  - src: https://x.example/a.jpg\n  - src: https://x.example/a.jpg\n"
    )
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert [(p.where, p.message) for p in result.errors] == [
        ("media[1].src", "the same media as media[0]")
    ]


def test_variant_image_when_the_product_has_no_media(tmp_path, monkeypatch):
    doc = product(variants="variants:\n  - {price: 1, image: https://x.example/a.jpg}\n")
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert "the product has none" in result.errors[0].message


def test_variant_metafields_are_checked_like_the_products(tmp_path, monkeypatch):
    variants = (
        "variants:\n  - price: 1\n    metafields:\n"
        "      - {namespace: custom, key: k1, type: number_integer, value: 3}\n"
        "      - {namespace: custom, key: k1, type: number_integer, value: x}\n"
    )
    result = read(tmp_path, {"products/a.yaml": product(variants=variants)}, monkeypatch)
    assert [(p.where, p.message) for p in result.errors] == [
        (
            "variants[0].metafields[1].key",
            "custom.k1 is set twice (also variants[0].metafields[0])",
        ),
        ("variants[0].metafields[1].value", "not an integer: 'x'"),
    ]


def test_metafield_text_value_keeps_its_text(tmp_path, monkeypatch):
    body = (
        "metafields:\n"
        "  - {namespace: custom, key: k1, type: single_line_text_field, value: NO}\n"
        "  - {namespace: custom, key: k2, type: list.single_line_text_field, value: [1.10, yes]}\n"
        "  - {namespace: custom, key: k3, type: json, value: {a: 1.10, b: yes, c: null}}\n"
    )
    result = read(tmp_path, {"products/a.yaml": product(body=body)}, monkeypatch)
    values = {m.key: m.value for m in result.products["a"].metafields}
    assert values == {"k1": "NO", "k2": '["1.10","yes"]', "k3": '{"a":1.1,"b":"yes","c":null}'}


def test_every_problem_is_reported_at_once(tmp_path, monkeypatch):
    files = {
        "products/a.yaml": product("A A", "status: nope\n"),
        "products/b.yaml": "- x\n",
        "catalog.yaml": "on_remove: never\n",
    }
    result = read(tmp_path, files, monkeypatch)
    assert [p.file for p in result.errors] == [
        "catalog.yaml",
        "products/a.yaml",
        "products/a.yaml",
        "products/b.yaml",
    ]


def test_a_blank_title_is_refused(tmp_path, monkeypatch):
    result = read(tmp_path, {"products/a.yaml": product(title='"   "')}, monkeypatch)
    assert lines(result) == ["products/a.yaml:2:8: title: a title cannot be blank"]


def test_huge_numbers_are_problems_not_crashes(tmp_path, monkeypatch):
    big = "9" * 40
    variants = f"variants:\n  - {{price: {big}, weight: {{value: {big}, unit: GRAMS}}}}\n"
    metafield = f"{{namespace: custom, key: n1, type: number_integer, value: {big * 200}}}"
    body = f"metafields:\n  - {metafield}\n"
    result = read(tmp_path, {"products/a.yaml": product(body=body, variants=variants)}, monkeypatch)
    assert [p.where for p in result.errors] == [
        "metafields[0].value",
        "variants[0].price",
        "variants[0].weight.value",
    ]
