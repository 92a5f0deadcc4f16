"""Loading: text stays text, exact positions, and one clear problem for each kind of bad file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from catalog_helpers import lines, product, read

from reconciler.catalog import load, read_catalog


@pytest.mark.parametrize(
    "written", ["NO", "yes", "1.10", "00123", "1e3", "null", "~", "0x1F", "12:30"]
)
def test_text_stays_text_in_every_string_field(tmp_path, monkeypatch, written):
    doc = (
        f"handle: a\ntitle: {written}\nvendor: {written}\ntags: [{written}]\n"
        f"options:\n  - name: {written}\n    values: [{written}]\n"
        f"variants:\n  - options: {{{written}: {written}}}\n    sku: {written}\n"
        f"    barcode: {written}\n    price: 1\n"
    )
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert result.errors == []
    p = result.products["a"]
    assert p.title == p.vendor == p.variants[0].sku == p.variants[0].barcode == written
    assert p.tags == frozenset({written})
    assert p.options[0].name == written and p.options[0].values == (written,)
    assert p.variants[0].options == ((written, written),)


def test_money_is_read_from_the_text_never_through_float(tmp_path, monkeypatch):
    doc = product(variants="variants:\n  - price: 0.1\n    cost: 19.999\n")
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    variant = result.products["a"].variants[0]
    assert variant.price == Decimal("0.10") and variant.price.as_tuple().exponent == -2
    assert str(variant.cost) == "19.999"


def test_money_with_more_precision_than_any_currency_is_an_error(tmp_path, monkeypatch):
    doc = product(variants="variants:\n  - price: 0.10000000000000000555\n")
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert [p.message for p in result.errors] == [
        "amount 0.10000000000000000555 is too large or too precise"
    ]


def test_duplicate_key_names_both_lines(tmp_path, monkeypatch):
    doc = "handle: a\ntitle: A\nvendor: X\ntitle: B\n" + 'variants:\n  - price: "1"\n'
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert lines(result) == [
        "products/a.yaml:4:1: title: duplicate key 'title' (also on line 2; YAML would keep only one)"  # noqa: E501
    ]
    assert result.products == {}


def test_duplicate_key_in_a_nested_mapping(tmp_path, monkeypatch):
    doc = product(variants="variants:\n  - price: 1\n    sku: A\n    sku: B\n")
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert [p.where for p in result.errors] == ["variants[0].sku"]
    assert result.errors[0].line == 6 and "line 5" in result.errors[0].message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "handle: a\n\ttitle: A\n",
            "products/a.yaml:2:1: tab character: YAML indentation uses spaces",
        ),
        (
            b"title: \xff\n",
            "products/a.yaml:1:8: invalid UTF-8 (byte 0xff); save the file as UTF-8",
        ),
        ("", "products/a.yaml:1:1: empty file: expected at least one product (a YAML mapping)"),
        (
            "# only a comment\n",
            "products/a.yaml:1:1: empty file: expected at least one product (a YAML mapping)",
        ),
        (
            "- a\n- b\n",
            "products/a.yaml:1:1: a document must be a YAML mapping (key: value), not a list",
        ),
        (
            "just text\n",
            "products/a.yaml:1:1: a document must be a YAML mapping (key: value), not a single value",  # noqa: E501
        ),
        (
            "a: [1\n",
            "products/a.yaml:2:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)",  # noqa: E501
        ),
    ],
)
def test_bad_files_give_one_clear_problem(tmp_path, monkeypatch, content, expected):
    result = read(tmp_path, {"products/a.yaml": content}, monkeypatch)
    assert lines(result) == [expected]


def test_unreadable_file(tmp_path, monkeypatch):
    (tmp_path / "products").mkdir()
    (tmp_path / "products" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    monkeypatch.chdir(tmp_path)
    result = read_catalog(Path("."))
    assert lines(result) == [
        "products/gone.yaml:1:1: cannot read the file: No such file or directory"
    ]


def test_a_file_may_hold_several_documents(tmp_path, monkeypatch):
    text = product("a") + "---\n" + product("b") + "...\n---\n" + product("c")
    result = read(tmp_path, {"products/all.yaml": text}, monkeypatch)
    assert result.errors == []
    assert list(result.products) == ["a", "b", "c"]
    assert result.sources == {
        "a": ("products/all.yaml", 1),
        "b": ("products/all.yaml", 6),
        "c": ("products/all.yaml", 12),
    }


def test_files_are_read_in_sorted_order_recursively(tmp_path, monkeypatch):
    files = {
        "products/z/b.yaml": product("b"),
        "products/a.yaml": product("a"),
        "products/m/x/c.yaml": product("c"),
    }
    result = read(tmp_path, files, monkeypatch)
    assert [result.sources[h][0] for h in result.products] == [
        "products/a.yaml",
        "products/m/x/c.yaml",
        "products/z/b.yaml",
    ]


def test_paths_outside_the_current_directory_are_shown_as_given(tmp_path, monkeypatch):
    (tmp_path / "cat" / "products").mkdir(parents=True)
    (tmp_path / "cat" / "products" / "a.yaml").write_text("- x\n")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = read_catalog(tmp_path / "cat")
    assert result.problems[0].file == str(tmp_path / "cat" / "products" / "a.yaml")


def test_uses_libyaml_when_present():
    if yaml.__with_libyaml__:
        assert issubclass(load._Loader, yaml.CSafeLoader)


def test_no_yaml_tag_constructs_python_objects(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    doc = product(body=f"vendor: !!python/object/apply:os.system ['touch {marker}']\n")
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert [p.where for p in result.errors] == ["vendor"]  # a list, where text belongs
    assert not marker.exists()
    doc = product(body="vendor: !!binary aGk=\n")
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert result.products["a"].vendor == "aGk="


def test_alias_bomb_is_a_problem_not_a_hang(tmp_path, monkeypatch):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += (
            f"{'abcdefghij'[i]}: &{'abcdefghij'[i]} ["
            + ", ".join([f"*{'abcdefghij'[i - 1]}"] * 10)
            + "]\n"
        )
    result = read(tmp_path, {"products/a.yaml": bomb}, monkeypatch)
    assert any("too large" in p.message for p in result.errors)


def test_missing_catalog_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = read_catalog(Path("nope"))
    assert lines(result) == ["nope:1:1: catalog directory not found"]


def test_catalog_without_products_is_a_warning(tmp_path, monkeypatch):
    result = read(tmp_path, {"catalog.yaml": "name: x\n"}, monkeypatch)
    assert result.errors == [] and [p.message for p in result.warnings] == [
        "the catalog has no products"
    ]


def test_settings_defaults_and_values(tmp_path, monkeypatch):
    result = read(tmp_path, {"products/a.yaml": product()}, monkeypatch)
    assert result.settings.name == "default" and result.settings.max_removals == 25
    assert result.settings.api_version == "2026-10" and result.settings.store is None
    settings = (
        "name: 2026\napi_version: '2025-10'\nstore: my-shop\non_remove: delete\n"
        "max_removals: 3\npublications: [Online Store, POS]\ntimeout: 2.5\nmax_retries: 0\n"
    )
    result = read(tmp_path, {"catalog.yaml": settings}, monkeypatch)
    s = result.settings
    assert (s.name, s.api_version, s.store, s.on_remove) == ("2026", "2025-10", "my-shop", "delete")
    assert (s.max_removals, s.timeout, s.max_retries) == (3, 2.5, 0)
    assert s.publications == ("Online Store", "POS")


def test_settings_file_holds_one_document(tmp_path, monkeypatch):
    result = read(
        tmp_path,
        {"catalog.yaml": "name: a\n---\nname: b\n", "products/a.yaml": product()},
        monkeypatch,
    )
    assert lines(result) == ["catalog.yaml:3:1: this file holds one YAML document, not several"]


def test_an_empty_settings_file_means_all_defaults(tmp_path, monkeypatch):
    files = {"catalog.yaml": "# nothing set yet\n", "products/a.yaml": product()}
    result = read(tmp_path, files, monkeypatch)
    assert result.problems == [] and result.settings.name == "default"


def test_reading_in_two_processes_gives_the_same_result(tmp_path, monkeypatch):
    from reconciler.catalog import products

    files = {f"products/p{i:02d}.yaml": product(f"p{i}") for i in range(20)}
    files["products/p03.yaml"] = product("p7")  # a handle used twice, across the halves
    files["products/p15.yaml"] = "- not a mapping\n"
    files["products/p16.yaml"] = product("p16", variants="variants:\n  - {price: 1, sku: S}\n")
    files["products/p02.yaml"] = product("p2", variants="variants:\n  - {price: 1, sku: S}\n")
    alone = read(tmp_path, files, monkeypatch)
    monkeypatch.setattr(products, "PARALLEL_BYTES", 0)
    forked = read_catalog(Path("."))
    assert forked.problems == alone.problems and len(alone.problems) == 5
    assert forked.products == alone.products and forked.sources == alone.sources
    assert "p7" not in forked.products and len(forked.products) == 17
