"""Import's promise as a property over generated stores: whatever a store holds (products written
through the plan's own calls for a generated catalog, then stripped of their markers, as if an
admin had made them; with metafields of several types), `catalog import` writes a catalog that
validates and whose first plan is only `adopt`, with no field change."""

from __future__ import annotations

import json
import shutil
import time
from typing import Any

import pytest
from convergence_helpers import plan_of, set_currency, write_plan
from convergence_strategies import catalogs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_scenario_helpers import write_catalog
from store_reads import unthrottled

from reconciler.catalog import read_catalog
from reconciler.importing import ImportOptions, make_import
from reconciler.model import MARKER_KEY, MARKER_NAMESPACE

SETTINGS = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI never meets a new one by chance
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
METAFIELDS = {
    "single_line_text_field": TEXT.filter(lambda t: t.strip() == t and t),
    "number_integer": st.integers(-(10**12), 10**12).map(str),
    "number_decimal": st.decimals(-1000, 1000, places=3, allow_nan=False).map(str),
    "boolean": st.sampled_from(["true", "false"]),
    "json": st.recursive(
        st.none() | st.booleans() | st.integers(-99, 99) | TEXT,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
        max_leaves=6,
    ).map(json.dumps),
    "list.single_line_text_field": st.lists(
        TEXT.filter(lambda t: t.strip() == t and t), min_size=1, max_size=3
    ).map(json.dumps),
}
MARKERS = """{ products(first: 10) { nodes { id
  metafield(namespace: "catalog_reconciler", key: "marker") { id } } } }"""
UNMARK = """mutation($m: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $m) {
  userErrors { message } } }"""
MEDIA = "{ products(first: 10) { nodes { media(first: 10) { nodes { status } } } } }"


@st.composite
def metafields(draw: st.DrawFn) -> list[dict[str, Any]]:
    kinds = draw(st.lists(st.sampled_from(sorted(METAFIELDS)), max_size=4, unique=True))
    return [
        {"namespace": "custom", "key": f"k_{i}", "type": kind, "value": draw(METAFIELDS[kind])}
        for i, kind in enumerate(kinds)
    ]


def _unmark(sandbox) -> None:
    nodes = unthrottled(sandbox, MARKERS)["products"]["nodes"]
    ids = [
        {"ownerId": n["id"], "namespace": MARKER_NAMESPACE, "key": MARKER_KEY}
        for n in nodes
        if n["metafield"]
    ]
    assert unthrottled(sandbox, UNMARK, {"m": ids})["metafieldsDelete"]["userErrors"] == []


def _media_ready(sandbox) -> None:
    for _ in range(200):
        nodes = unthrottled(sandbox, MEDIA)["products"]["nodes"]
        if all(m["status"] == "READY" for n in nodes for m in n["media"]["nodes"]):
            return
        time.sleep(0.05)
    raise AssertionError("media never became READY")


def _add_metafields(sandbox, extra: list[list[dict[str, Any]]]) -> dict[str, set[str]]:
    """Metafields written by someone else (another app), typed and in Shopify's string form;
    the `namespace.key` of those each handle got."""
    query = "{ products(first: 10) { nodes { id handle } } }"
    nodes = unthrottled(sandbox, query)["products"]["nodes"]
    added = {
        node["handle"]: {f"{m['namespace']}.{m['key']}" for m in fields}
        for node, fields in zip(nodes, extra, strict=False)
    }
    items = [
        {**m, "ownerId": node["id"]} for node, fields in zip(nodes, extra, strict=False)
        for m in fields
    ]  # fmt: skip
    if not items:
        return added
    query = """mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
      userErrors { field message } } }"""
    for start in range(0, len(items), 25):
        answer = unthrottled(sandbox, query, {"m": items[start : start + 25]})
        assert answer["metafieldsSet"]["userErrors"] == [], items
    return added


@pytest.fixture
def dirs(no_store_env):
    return no_store_env / "source", no_store_env / "imported"


@SETTINGS
@given(catalog=catalogs(), extra=st.lists(metafields(), min_size=3, max_size=3))
def test_an_imported_store_plans_only_adopts(sandbox, dirs, catalog, extra):
    source, imported = dirs
    for folder in dirs:
        if folder.exists():
            shutil.rmtree(folder)
    sandbox.reset()
    currency, docs = catalog
    set_currency(sandbox, currency)
    write_catalog(source, docs)
    write_plan(sandbox, plan_of(sandbox, source))
    _unmark(sandbox)
    added = _add_metafields(sandbox, extra)
    _media_ready(sandbox)

    result = make_import(ImportOptions(imported, sandbox.url, name="imported"), {})
    assert len(result.written) == len(docs) and result.skipped == ()
    loaded = read_catalog(imported)
    assert not loaded.errors, [str(p) for p in loaded.errors]
    for handle, refs in added.items():  # every one of them imported
        product = loaded.products[handle]
        assert refs <= {f"{m.namespace}.{m.key}" for m in product.metafields or ()}
    plan = plan_of(sandbox, imported)
    assert {(c.handle, c.action, c.diff) for c in plan.changes} == {
        (d["handle"], "adopt", ()) for d in docs
    }, [(c.handle, c.reason) for c in plan.changes]
