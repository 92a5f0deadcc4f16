"""catalog/write.py as import uses it: file names from handles never leave DIR, writes are
all-or-nothing and atomic, and a metafield's structured value written as YAML reads back as the
same value; import's catalog name from the store's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler import metafield_values
from reconciler.catalog import read_catalog
from reconciler.catalog.write import product_path, product_yaml, write_files
from reconciler.importing import catalog_name


def test_handles_that_are_not_file_names_get_no_path(tmp_path):
    assert product_path(tmp_path, "café-mug_2") == tmp_path / "products/café-mug_2.yaml"
    for bad in ("../up", "a/b", "", ".", "..", "x y", "a\\b", "x\x00"):
        assert product_path(tmp_path, bad) is None, bad


def test_an_existing_file_refuses_all_and_force_replaces(tmp_path):
    first, second = tmp_path / "products/a.yaml", tmp_path / "products/b.yaml"
    second.parent.mkdir()
    second.write_text("mine\n")
    assert write_files({first: "a\n", second: "b\n"}) == [second]
    assert not first.exists() and second.read_text() == "mine\n"
    assert write_files({first: "a\n", second: "b\n"}, force=True) == []
    assert (first.read_text(), second.read_text()) == ("a\n", "b\n")
    assert sorted(p.name for p in second.parent.iterdir()) == ["a.yaml", "b.yaml"]  # no temp left


def test_catalog_name_from_the_store():
    assert catalog_name({"name": "Acme Outdoor & Co.", "myshopifyDomain": "x"}) == "acme-outdoor-co"
    assert catalog_name({"name": "Café Ünd", "myshopifyDomain": "x"}) == "café-ünd"
    assert catalog_name({"name": "***", "myshopifyDomain": "my-shop.myshopify.com"}) == "my-shop"
    assert catalog_name({"name": "", "myshopifyDomain": ""}) == "default"


# Text the catalog accepts: no control, surrogate or format character (bidi overrides hide text).
TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs", "Cf")))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT
    | st.decimals(-(10**12), 10**12, places=6),  # what json.loads(parse_float=Decimal) gives
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)  # fmt: skip


@settings(max_examples=150, deadline=None, derandomize=True)
@given(value=JSON)
def test_a_json_value_written_as_yaml_reads_back_the_same(tmp_path_factory, value):
    try:
        expected = metafield_values.canonical("json", value)
    except ValueError:
        return  # not a value Shopify could hold either (too large)
    root = tmp_path_factory.mktemp("c")
    doc = {
        "handle": "p",
        "title": "P",
        "variants": [{"price": "1.00"}],
        "metafields": [{"namespace": "custom", "key": "spec", "type": "json", "value": value}],
    }
    (root / "products").mkdir()
    (root / "products/p.yaml").write_text(product_yaml(doc), encoding="utf-8")
    loaded = read_catalog(root)
    assert [str(p) for p in loaded.errors] == []
    (field,) = loaded.products["p"].metafields
    assert field.value == expected
