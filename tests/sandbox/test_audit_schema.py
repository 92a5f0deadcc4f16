"""Audit of issue 3, item 1: the sandbox serves at least every scalar and enum field of the named
types, and the connections between them with all their arguments, as Shopify's schema defines
them. Needs ../shared/shopify-admin-schema (or $CATALOG_SHARED_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLScalarType, get_named_type

from reconciler.sandbox.schema import SUPPORTED_VERSIONS, derive, load_schema

NAMED = [
    "Shop", "Product", "ProductVariant", "ProductOption", "ProductOptionValue", "SelectedOption",
    "InventoryItem", "Metafield", "MediaImage", "Publication", "Location", "Count",
]  # fmt: skip

_shared = os.environ.get("CATALOG_SHARED_DIR")
SCHEMA_DIR = (
    Path(_shared) if _shared else Path(__file__).resolve().parents[2] / ".." / "shared"
) / "shopify-admin-schema"


@pytest.fixture(scope="module", params=SUPPORTED_VERSIONS)
def pair(request):
    path = SCHEMA_DIR / f"admin_{request.param}.json.gz"
    if not path.is_file():
        pytest.skip(f"Shopify's schemas not found in {SCHEMA_DIR}")
    return load_schema(request.param), derive.load_introspection(path)


def _connection_node(field_type) -> str | None:
    named = get_named_type(field_type)
    if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection"):
        nodes = named.fields.get("nodes")
        return get_named_type(nodes.type).name if nodes else None
    return None


def test_every_scalar_and_enum_field_of_the_named_types_is_served(pair):
    served, real = pair
    missing = []
    for name in NAMED:
        theirs = real.type_map[name]
        mine = served.type_map.get(name)
        assert isinstance(mine, GraphQLObjectType), name
        for field_name, field in theirs.fields.items():
            leaf = isinstance(get_named_type(field.type), GraphQLScalarType | GraphQLEnumType)
            if leaf and field_name not in mine.fields:
                missing.append(f"{name}.{field_name}")
    assert missing == []


def test_connections_between_the_named_types_are_served_with_their_arguments(pair):
    served, real = pair
    missing = []
    for name in NAMED:
        mine = served.type_map[name]
        for field_name, field in real.type_map[name].fields.items():
            target = _connection_node(field.type)
            direct = get_named_type(field.type).name
            if target not in NAMED and direct not in NAMED:
                continue
            if field_name not in mine.fields:
                missing.append(f"{name}.{field_name}")
            elif set(mine.fields[field_name].args) != set(field.args):
                missing.append(f"{name}.{field_name}(args)")
    assert missing == []
