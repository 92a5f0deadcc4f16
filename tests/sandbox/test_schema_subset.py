"""The sandbox's schemas are a faithful subset of Shopify's real Admin schemas (same types), and the
committed SDL is exactly what derive.py produces. Needs ../shared/shopify-admin-schema."""

import os
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    graphql_sync,
    is_specified_directive,
    parse,
    validate,
    validate_schema,
)

from reconciler.sandbox.schema import SUPPORTED_VERSIONS, derive, load_schema
from reconciler.sandbox.schema.served import MUTATION_FIELDS, QUERY_FIELDS, SERVED_TYPES

REPO_ROOT = Path(__file__).resolve().parents[2]


def _shared_schema_dir() -> Path:
    shared = os.environ.get("CATALOG_SHARED_DIR")
    base = Path(shared) if shared else REPO_ROOT / ".." / "shared"
    return base / "shopify-admin-schema"


SCHEMA_DIR = _shared_schema_dir()
needs_shopify_schemas = pytest.mark.skipif(
    not all((SCHEMA_DIR / f"admin_{v}.json.gz").is_file() for v in SUPPORTED_VERSIONS),
    reason=f"Shopify's schemas not found in {SCHEMA_DIR}",
)


@pytest.fixture(scope="module", params=SUPPORTED_VERSIONS)
def pair(request) -> tuple[str, GraphQLSchema, GraphQLSchema]:
    if not all((SCHEMA_DIR / f"admin_{v}.json.gz").is_file() for v in SUPPORTED_VERSIONS):
        pytest.skip(f"Shopify's schemas not found in {SCHEMA_DIR}")
    version = request.param
    real = derive.load_introspection(SCHEMA_DIR / f"admin_{version}.json.gz")
    return version, load_schema(version), real


def _own_types(schema: GraphQLSchema):
    return [t for name, t in schema.type_map.items() if not name.startswith("__")]


def test_served_schema_is_valid_graphql(pair):
    _, served, _ = pair
    assert validate_schema(served) == []


def test_every_type_exists_in_shopify_with_the_same_kind(pair):
    _, served, real = pair
    for t in _own_types(served):
        assert t.name in real.type_map, t.name
        assert type(real.type_map[t.name]) is type(t), t.name


def _args_equal(where: str, mine, theirs) -> None:
    assert set(mine) == set(theirs), f"{where}: arguments differ"
    for name, arg in mine.items():
        assert str(arg.type) == str(theirs[name].type), f"{where}({name})"
        assert arg.default_value == theirs[name].default_value, f"{where}({name}) default"


def test_every_field_and_argument_has_shopifys_type(pair):
    _, served, real = pair
    for t in _own_types(served):
        if not isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            continue
        theirs = real.type_map[t.name]
        assert {i.name for i in t.interfaces} <= {i.name for i in theirs.interfaces}, t.name
        for name, field in t.fields.items():
            assert name in theirs.fields, f"{t.name}.{name}"
            assert str(field.type) == str(theirs.fields[name].type), f"{t.name}.{name}"
            _args_equal(f"{t.name}.{name}", field.args, theirs.fields[name].args)
            assert field.deprecation_reason == theirs.fields[name].deprecation_reason


def test_input_types_are_complete(pair):
    _, served, real = pair
    inputs = [t for t in _own_types(served) if isinstance(t, GraphQLInputObjectType)]
    assert "ProductSetInput" in {t.name for t in inputs}
    for t in inputs:
        theirs = real.type_map[t.name]
        assert set(t.fields) == set(theirs.fields), t.name
        for name, field in t.fields.items():
            assert str(field.type) == str(theirs.fields[name].type), f"{t.name}.{name}"
            assert field.default_value == theirs.fields[name].default_value, f"{t.name}.{name}"
        assert t.is_one_of == theirs.is_one_of, t.name


def test_enums_have_shopifys_values_and_unions_only_real_members(pair):
    _, served, real = pair
    for t in _own_types(served):
        theirs = real.type_map[t.name]
        if isinstance(t, GraphQLEnumType):
            assert set(t.values) == set(theirs.values), t.name
        elif isinstance(t, GraphQLUnionType):
            assert {m.name for m in t.types} <= {m.name for m in theirs.types}, t.name
        elif isinstance(t, GraphQLScalarType):
            assert t.name == theirs.name


def test_served_root_fields_and_types_are_all_there(pair):
    _, served, real = pair
    for root, names in ((real.query_type, QUERY_FIELDS), (real.mutation_type, MUTATION_FIELDS)):
        mine = served.get_type(root.name)
        assert set(mine.fields) == {n for n in names if n in root.fields}
    assert {n for n in SERVED_TYPES if n in real.type_map} <= set(served.type_map)
    assert served.get_type("ProductSetIdentifiers").is_one_of


def test_directives_match_shopify(pair):
    _, served, real = pair
    theirs = {d.name: d for d in real.directives}
    assert {d.name for d in served.directives} == set(theirs)
    for d in served.directives:
        assert d.name in theirs, d.name
        if is_specified_directive(d):  # graphql-core's own definition (e.g. reason: String!)
            continue
        _args_equal(f"@{d.name}", d.args, theirs[d.name].args)
        assert set(d.locations) == set(theirs[d.name].locations), d.name


def test_committed_sdl_is_what_derive_produces(pair):
    version, _, real = pair
    committed = derive.output_path(version).read_text(encoding="utf-8")
    assert committed == derive.derive_sdl(real, version), (
        f"regenerate with: python -m reconciler.sandbox.schema.derive ({version} differs)"
    )


@needs_shopify_schemas
def test_licence_is_kept_beside_the_derived_files():
    ours = (derive.HERE / "LICENSE").read_text(encoding="utf-8")
    assert ours == (SCHEMA_DIR / "LICENSE").read_text(encoding="utf-8")


def test_load_schema_refuses_unknown_versions():
    with pytest.raises(ValueError, match="2024-01"):
        load_schema("2024-01")


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_packaged_schema_builds_once_and_executes(version):
    load_schema.cache_clear()
    schema = load_schema(version)
    assert load_schema(version) is schema
    data = {"shop": {"name": "S"}, "products": {"nodes": [{"handle": "h", "status": "ACTIVE"}]}}
    query = "{ shop { name } products(first: 1) { nodes { handle status } } }"
    result = graphql_sync(schema, query, root_value=data)
    assert result.errors is None
    assert result.data == data


def test_a_field_shopify_has_but_the_sandbox_does_not_serve_is_rejected_by_name():
    errors = validate(load_schema("2026-10"), parse("{ shop { primaryDomain { host } } }"))
    assert [e.message for e in errors] == ["Cannot query field 'primaryDomain' on type 'Shop'."]
