"""Every GraphQL document the client sends is valid against Shopify's real Admin schema (2026-10,
and 2025-10, the oldest version the project speaks), holds one named operation, and stays under
the 1000-point single-query ceiling with its default page sizes. Validated as sent: operations
with the shared fragments appended, bulk query texts with their extras filled in and every
fragment inlined.

Needs ../shared/shopify-admin-schema/ (or $CATALOG_SHARED_DIR); skipped cleanly without it.
"""

from __future__ import annotations

import gzip
import json
import os
from functools import cache
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, build_client_schema, parse, validate

from reconciler.shopify import documents
from reconciler.shopify.live import bulk_products_query

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CATALOG_SHARED_DIR") or ROOT / ".." / "shared")
SCHEMAS = SHARED / "shopify-admin-schema"
MAX_COST = 1000

pytestmark = pytest.mark.skipif(
    not (SCHEMAS / "admin_2026-10.json.gz").is_file(),
    reason=f"Shopify's Admin schema is not available at {SCHEMAS}",
)


@cache
def schema(version: str):
    with gzip.open(SCHEMAS / f"admin_{version}.json.gz") as fh:
        return build_client_schema(json.load(fh)["data"], assume_valid=True)


NAMES = documents.names()


def test_the_documents_the_brief_names_exist():
    expected = {
        "Shop",
        "ProductsPage",
        "ProductSet",
        "MetafieldsSet",
        "MetafieldsDelete",
        "ProductDelete",
    }
    assert expected <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_one_named_operation_per_file_named_like_the_file(name):
    ast = parse((documents.GRAPHQL_DIR / f"{name}.graphql").read_text())
    ops = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    assert len(ops) == 1
    assert ops[0].name is not None and ops[0].name.value == name


@pytest.mark.parametrize("version", ["2026-10", "2025-10"])
@pytest.mark.parametrize("name", NAMES)
def test_document_validates_against_shopifys_schema(name, version):
    errors = validate(schema(version), documents.load(name).ast)
    assert [e.message for e in errors] == []


@pytest.mark.parametrize("name", NAMES)
def test_requested_cost_stays_under_the_ceiling(name):
    document = documents.load(name)
    estimate = documents.estimate_cost(document, {})
    assert estimate < MAX_COST
    cost = pytest.importorskip("reconciler.sandbox.cost")
    charged = cost.requested_cost(schema("2026-10"), document.ast, {}, name)
    assert charged < MAX_COST
    # The client's own estimate never undershoots what the sandbox charges by more than the
    # rounding of dynamic costs, so pacing does not overdraw the bucket.
    assert estimate >= charged - 1


@pytest.mark.parametrize("name", documents.fragment_names())
def test_each_shared_fragment_file_holds_one_fragment_that_some_document_spreads(name):
    assert documents.fragment(name).name.value == name
    assert any(f"...{name}\n" in documents.load(doc).query for doc in NAMES)


def bulk_texts() -> dict[str, str]:
    products, _, _ = bulk_products_query(
        ["gid://shopify/Publication/1", "gid://shopify/Publication/2"], ["custom.fit", "my.care"]
    )
    markers = documents.inline_fragments(documents.load("BulkMarkers").query)
    survey = documents.inline_fragments(documents.load("BulkVariantMetafields").query)
    return {"BulkProducts": products, "BulkMarkers": markers, "BulkVariantMetafields": survey}


@pytest.mark.parametrize("version", ["2026-10", "2025-10"])
@pytest.mark.parametrize("name", ["BulkProducts", "BulkMarkers", "BulkVariantMetafields"])
def test_bulk_query_text_as_sent_validates_and_holds_no_fragment(name, version):
    ast = parse(bulk_texts()[name])
    assert [type(d).__name__ for d in ast.definitions] == ["OperationDefinitionNode"]
    assert "..." not in bulk_texts()[name].replace("... on MediaImage", "")
    assert [e.message for e in validate(schema(version), ast)] == []
