"""Derive the sandbox's GraphQL schemas from Shopify's Admin API introspection results.

Usage: ``python -m reconciler.sandbox.schema.derive [SHARED_SCHEMA_DIR]`` (default: the sibling
directory ``shared/shopify-admin-schema`` of the repository root). Writes one SDL file per supported
version next to this module, plus Shopify's ISC licence, which must stay beside the derived files.

Subset rule (driven by ``served.py``): the listed root fields with all their arguments; every served
type; the connection, edge, payload and user-error types reachable from those through kept fields;
for each kept object or interface exactly the fields whose named type is a scalar, an enum or a kept
type; unions and interfaces keep only kept members; the full closure of input types, enums and
scalars referenced by any kept field argument. Descriptions are left out (they are Shopify's text);
deprecations stay.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_client_schema,
    get_named_type,
    is_specified_directive,
    is_specified_scalar_type,
    parse,
    print_ast,
)
from graphql.language import ast
from graphql.utilities.print_schema import print_directive, print_schema_definition, print_type

from reconciler.sandbox.schema.served import MUTATION_FIELDS, QUERY_FIELDS, SERVED_TYPES

VERSIONS = ("2025-10", "2026-10")
HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
DEFAULT_SHARED = REPO_ROOT / ".." / "shared" / "shopify-admin-schema"
HEADER = (
    "# Derived from Shopify's Admin GraphQL API schema {version} (introspection shipped in\n"
    "# @shopify/dev-mcp, ISC licence: see LICENSE beside this file) by\n"
    "# reconciler/sandbox/schema/derive.py. Generated: do not edit by hand.\n\n"
)

Composite = GraphQLObjectType | GraphQLInterfaceType


def load_introspection(path: Path) -> GraphQLSchema:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)["data"]
    return build_client_schema(data, assume_valid=True)


def _is_leaf(t: GraphQLNamedType) -> bool:
    return isinstance(t, GraphQLScalarType | GraphQLEnumType)


def _node_type(t: GraphQLObjectType) -> str | None:
    """The item type of a connection or edge, by Relay shape; None when `t` is neither."""
    fields = t.fields
    if t.name.endswith("Edge") and "node" in fields and "cursor" in fields:
        return get_named_type(fields["node"].type).name
    if t.name.endswith("Connection") and "edges" in fields and "pageInfo" in fields:
        edge = get_named_type(fields["edges"].type)
        if isinstance(edge, GraphQLObjectType) and "node" in edge.fields:
            return get_named_type(edge.fields["node"].type).name
    return None


def _is_user_error(t: GraphQLNamedType) -> bool:
    if not isinstance(t, GraphQLObjectType):
        return False
    if t.name == "UserError" or t.name.endswith("UserError"):
        return True
    return any(i.name == "DisplayableError" for i in t.interfaces)


def root_fields(schema: GraphQLSchema) -> dict[str, list[str]]:
    """The served root fields that exist in this version, per root type name."""
    out: dict[str, list[str]] = {}
    for root, names in ((schema.query_type, QUERY_FIELDS), (schema.mutation_type, MUTATION_FIELDS)):
        if root is not None:
            out[root.name] = [n for n in names if n in root.fields]
    return out


def _qualifies(t: GraphQLNamedType, kept: set[str]) -> bool:
    """Whether an unserved composite type reached through a kept field joins the subset."""
    if not isinstance(t, GraphQLObjectType):
        return False
    node = _node_type(t)
    if node is not None:
        return node in kept
    return t.name.endswith("Payload") or _is_user_error(t)


def kept_output_types(schema: GraphQLSchema, roots: dict[str, list[str]]) -> set[str]:
    tm = schema.type_map
    kept = {n for n in SERVED_TYPES if n in tm} | set(roots)
    for root_name, names in roots.items():
        root = tm[root_name]
        assert isinstance(root, GraphQLObjectType)
        kept |= {get_named_type(root.fields[n].type).name for n in names}
    kept = {n for n in kept if not _is_leaf(tm[n])}
    changed = True
    while changed:  # connections of kept nodes can be found only after their nodes are kept
        changed = False
        for name in sorted(kept):
            t = tm[name]
            if not isinstance(t, GraphQLObjectType | GraphQLInterfaceType) or name in roots:
                continue
            for field in t.fields.values():
                target = get_named_type(field.type)
                if target.name not in kept and _qualifies(target, kept):
                    kept.add(target.name)
                    changed = True
    if any(
        any(i.name == "DisplayableError" for i in tm[n].interfaces)
        for n in kept
        if isinstance(tm[n], GraphQLObjectType)
    ):
        kept.add("DisplayableError")
    return kept


def kept_fields(
    schema: GraphQLSchema, kept: set[str], roots: dict[str, list[str]]
) -> dict[str, list[str]]:
    tm = schema.type_map
    fields: dict[str, list[str]] = {}
    for name in kept:
        t = tm[name]
        if name in roots:
            fields[name] = list(roots[name])
        elif isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            fields[name] = [
                fname
                for fname, f in t.fields.items()
                if _is_leaf(get_named_type(f.type)) or get_named_type(f.type).name in kept
            ]
    _reconcile_interfaces(schema, kept, fields)
    return fields


def _reconcile_interfaces(
    schema: GraphQLSchema, kept: set[str], fields: dict[str, list[str]]
) -> None:
    """Drop an interface field that some kept implementation cannot keep, so the subset stays valid.

    An implementation may narrow a field's type to one that is not kept (Media -> Video); the same
    rule applied to both sides then keeps it on the interface only.
    """
    tm = schema.type_map
    changed = True
    while changed:
        changed = False
        for name in kept:
            t = tm[name]
            if not isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
                continue
            for iface in t.interfaces:
                if iface.name not in kept:
                    continue
                missing = [f for f in fields[iface.name] if f not in fields[name]]
                for f in missing:
                    fields[iface.name].remove(f)
                    changed = True


def kept_inputs(schema: GraphQLSchema, fields: dict[str, list[str]]) -> set[str]:
    """Input objects, enums and scalars reachable from the arguments of kept fields (closure)."""
    tm = schema.type_map
    todo: list[GraphQLNamedType] = []
    for tname, fnames in fields.items():
        t = tm[tname]
        assert isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
        for fname in fnames:
            todo.extend(get_named_type(a.type) for a in t.fields[fname].args.values())
    for d in schema.directives:
        todo.extend(get_named_type(a.type) for a in d.args.values())
    seen: set[str] = set()
    while todo:
        t = todo.pop()
        if t.name in seen:
            continue
        seen.add(t.name)
        if isinstance(t, GraphQLInputObjectType):
            todo.extend(get_named_type(f.type) for f in t.fields.values())
    return seen


def _leaf_types_of_fields(schema: GraphQLSchema, fields: dict[str, list[str]]) -> set[str]:
    tm = schema.type_map
    out: set[str] = set()
    for tname, fnames in fields.items():
        t = tm[tname]
        assert isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
        for fname in fnames:
            target = get_named_type(t.fields[fname].type)
            if _is_leaf(target):
                out.add(target.name)
    return out


def _strip(node: ast.Node) -> ast.Node:
    """A copy of a definition without descriptions, down to its fields, arguments and values."""
    changes: dict[str, object] = {}
    if getattr(node, "description", None) is not None:
        changes["description"] = None
    for attr in ("fields", "arguments", "values"):
        children = getattr(node, attr, None)
        if children and not isinstance(node, ast.ValueNode):
            changes[attr] = tuple(_strip(c) for c in children)
    return replace(node, **changes) if changes else node


def _filter_definition(
    node: ast.Node, keep_types: set[str], fields: dict[str, list[str]]
) -> ast.Node | None:
    if isinstance(node, ast.SchemaDefinitionNode | ast.DirectiveDefinitionNode):
        return _strip(node)
    name = node.name.value  # type: ignore[attr-defined]
    if name not in keep_types:
        return None
    if isinstance(node, ast.ObjectTypeDefinitionNode | ast.InterfaceTypeDefinitionNode):
        wanted = set(fields[name])
        node = replace(
            node,
            fields=tuple(f for f in node.fields if f.name.value in wanted),
            interfaces=tuple(i for i in node.interfaces or () if i.name.value in keep_types),
        )
    elif isinstance(node, ast.UnionTypeDefinitionNode):
        node = replace(node, types=tuple(t for t in node.types if t.name.value in keep_types))
    return _strip(node)


def _print_candidates(schema: GraphQLSchema, keep_types: set[str]) -> str:
    """Full SDL of the kept types only (parsing the whole schema's descriptions is slow)."""
    parts = [print_schema_definition(schema) or ""]
    parts += [print_directive(d) for d in schema.directives if not is_specified_directive(d)]
    parts += [
        print_type(t)
        for name, t in schema.type_map.items()
        if name in keep_types and not name.startswith("__") and not is_specified_scalar_type(t)
    ]
    return "\n\n".join(p for p in parts if p)


def derive_sdl(schema: GraphQLSchema, version: str) -> str:
    roots = root_fields(schema)
    kept = kept_output_types(schema, roots)
    fields = kept_fields(schema, kept, roots)
    keep_types = kept | kept_inputs(schema, fields) | _leaf_types_of_fields(schema, fields)
    document = parse(_print_candidates(schema, keep_types), no_location=True)
    definitions: Iterable[ast.Node | None] = (
        _filter_definition(d, keep_types, fields) for d in document.definitions
    )
    document = replace(document, definitions=tuple(d for d in definitions if d is not None))
    return HEADER.format(version=version) + print_ast(document) + "\n"


def output_path(version: str) -> Path:
    return HERE / f"admin_{version}.graphql"


def derive_all(shared_dir: Path) -> dict[str, str]:
    """SDL per version derived from the introspection files in `shared_dir`."""
    return {
        v: derive_sdl(load_introspection(shared_dir / f"admin_{v}.json.gz"), v) for v in VERSIONS
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    shared_dir = Path(args[0]) if args else DEFAULT_SHARED
    for version, sdl in derive_all(shared_dir).items():
        output_path(version).write_text(sdl, encoding="utf-8")
        print(f"wrote {output_path(version)} ({len(sdl)} bytes)")
    shutil.copyfile(shared_dir / "LICENSE", HERE / "LICENSE")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
