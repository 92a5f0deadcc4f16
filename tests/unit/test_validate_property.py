"""Whatever is written, validation ends in products or a clean list of problems, never a traceback;
and the fast schema check is never laxer than jsonschema itself."""

from __future__ import annotations

import tempfile
from pathlib import Path

import jsonschema
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.catalog import read_catalog
from reconciler.catalog.load import load_file
from reconciler.catalog.nodes import convert
from reconciler.catalog.validate import PRODUCT_TYPED, quick_check, schema
from reconciler.errors import Problem

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.sampled_from(["NO", "1.10", "00123", "", "S", "gid://shopify/Product/1", "#ffffff"]),
    st.text(max_size=12),
    st.from_regex(r"\A[0-9]{20,60}(\.[0-9]{1,14})?\Z"),  # past Decimal's default precision
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
METAFIELD_TYPES = ["json", "boolean", "number_integer", "list.url", "weight", "money", "bogus"]
metafield = st.fixed_dictionaries(
    {
        "namespace": st.sampled_from(["custom", "ab", "my ns"]),
        "key": st.sampled_from(["k1", "k2", "x"]),
        "type": st.sampled_from(METAFIELD_TYPES),
        "value": values,
    }
)
option_values = st.lists(st.sampled_from(["S", "M", "L", "Red"]), max_size=4)
variant = st.dictionaries(
    st.sampled_from(
        ["options", "price", "compare_at_price", "sku", "taxable", "weight", "image", "metafields",
         "cost", "inventory_policy", "bogus"]
    ),
    st.one_of(
        values,
        st.dictionaries(st.sampled_from(["Size", "Color"]), st.sampled_from(["S", "M", "Red"])),
        st.lists(metafield, max_size=2),
        st.fixed_dictionaries({"value": scalars, "unit": st.sampled_from(["GRAMS", "kg"])}),
    ),
    max_size=6,
)  # fmt: skip
srcs = st.sampled_from(["https://x.example/a.jpg", "../up.jpg", "x.jpg", "/abs.jpg"])
product = st.fixed_dictionaries(
    {"handle": st.sampled_from(["a", "b", "Bad Handle", "ok-1"]), "title": scalars},
    optional={
        "options": st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["Size", "Color"]), "values": option_values}
            ),
            max_size=4,
        ),
        "variants": st.lists(variant, max_size=4),
        "metafields": st.lists(metafield, max_size=3),
        "media": st.lists(st.fixed_dictionaries({"src": srcs}), max_size=2),
        "previous_handles": st.lists(st.sampled_from(["a", "b", "old"]), max_size=2),
        "tags": values,
        "status": scalars,
        "seo": values,
    },
)  # fmt: skip


def _check(result) -> None:
    assert all(isinstance(p, Problem) for p in result.problems)
    for p in result.problems:
        assert p.line >= 1 and p.col >= 1 and p.severity in ("error", "warning") and p.message
    assert result.problems == sorted(result.problems)
    if not result.errors:
        assert all(h == p.handle for h, p in result.products.items())


@FAST
@given(st.text(max_size=300))
def test_any_text_gives_problems_or_products(text):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "products").mkdir()
        (Path(tmp) / "products" / "a.yaml").write_text(text, encoding="utf-8", errors="replace")
        (Path(tmp) / "catalog.yaml").write_text(text, encoding="utf-8", errors="replace")
        _check(read_catalog(Path(tmp)))


@FAST
@given(st.lists(product, min_size=1, max_size=3))
def test_any_product_shaped_data_gives_problems_or_products(documents):
    text = yaml.safe_dump_all(documents, allow_unicode=True)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "products").mkdir()
        (Path(tmp) / "products" / "a.yaml").write_text(text, encoding="utf-8")
        _check(read_catalog(Path(tmp)))


VALIDATOR = jsonschema.Draft202012Validator(schema("product"))


@FAST
@given(product)
def test_quick_check_is_never_laxer_than_jsonschema(document):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        loaded = load_file(path, "a.yaml")
        for doc in loaded.documents:
            data = convert(doc.node, PRODUCT_TYPED, frozenset({"value"})).data
            if data is not None and quick_check("product")(data):
                assert list(VALIDATOR.iter_errors(data)) == []
