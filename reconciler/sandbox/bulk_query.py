"""bulkOperationRunQuery: the query's limits and the JSONL export (facts §3.6, pitfall 10).

Limits (userErrors with code INVALID): the query must parse and validate; at least one connection;
at most five connections; connections nested at most two levels deep (the root connection is level
one); every connection's nodes implement `Node`; no top-level `node` / `nodes`. `first`, `after`,
`pageInfo` and the like are ignored: every object is exported.

Output: each node of each connection is its own line, with nested connections left out of it; a
nested connection's nodes are lines of their own carrying `__parentId` (the parent's GID). With
`groupObjects: true` a parent's children follow it directly; with `false` (the 2026-01+ default)
the children of a chunk of parents come after all of that chunk's parents, so a client that relies
on adjacency breaks here as it would on Shopify.

Fields are read through the same field tables as ordinary queries (views*.py), without going
through graphql-core's executor once per object: the selection is compiled once into readers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from operator import attrgetter
from typing import Any, BinaryIO

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    parse,
    validate,
)
from graphql.execution.values import get_argument_values

from .gids import UserError
from .resolvers import ROOT, Context, resolve_type
from .search import compile_query, sort_key
from .views import FIELDS, MetafieldView

MAX_CONNECTIONS = 5
MAX_DEPTH = 2
PAGE_ARGS = ("first", "last", "after", "before")
CHUNK = 250  # root objects per chunk


class Spec:
    """A compiled selection for one parent type: inline readers and nested connections."""

    def __init__(self) -> None:
        self.readers: list[tuple[str, Callable[[Any, Context], Any]]] = []
        self.children: list[Child] = []


class Child:
    def __init__(
        self, name: str, args: dict[str, Any], node_spec: Compiled, explicit: bool
    ) -> None:
        self.name, self.args, self.node_spec = name, args, node_spec
        self.explicit = explicit  # arguments other than paging were written in the query


class Compiled:
    """Selections of one node type, compiled per concrete type on first use."""

    def __init__(self, schema: GraphQLSchema, type_: Any, selections: list, fragments: dict):
        self.schema, self.type, self.selections, self.fragments = (
            schema,
            type_,
            selections,
            fragments,
        )
        self._by_type: dict[str, Spec] = {}

    def spec(self, type_name: str) -> Spec:
        spec = self._by_type.get(type_name)
        if spec is None:
            spec = self._by_type[type_name] = _compile(self, type_name)
        return spec


def _is_connection(type_: Any) -> bool:
    named = get_named_type(type_)
    return named.name.endswith("Connection") and "pageInfo" in getattr(named, "fields", {})


def _node_selection(field: FieldNode, fragments: dict) -> list:
    """The selections under `edges { node { ... } }` or `nodes { ... }`."""
    out: list = []
    for sel in _flatten(field.selection_set.selections if field.selection_set else [], fragments):
        if sel.name.value == "nodes" and sel.selection_set:
            out.extend(sel.selection_set.selections)
        elif sel.name.value == "edges" and sel.selection_set:
            for inner in _flatten(sel.selection_set.selections, fragments):
                if inner.name.value == "node" and inner.selection_set:
                    out.extend(inner.selection_set.selections)
    return out


def _flatten(selections: list, fragments: dict, type_name: str | None = None) -> list[FieldNode]:
    out: list[FieldNode] = []
    for sel in selections:
        if isinstance(sel, FieldNode):
            out.append(sel)
        else:
            frag = fragments[sel.name.value] if isinstance(sel, FragmentSpreadNode) else sel
            cond = frag.type_condition.name.value if frag.type_condition else None
            if (
                type_name is None
                or cond is None
                or cond == type_name
                or _implements(type_name, cond)
            ):
                out.extend(_flatten(frag.selection_set.selections, fragments, type_name))
    return out


_INTERFACES: dict[str, set[str]] = {}


def _implements(type_name: str, cond: str) -> bool:
    return cond in _INTERFACES.get(type_name, set())


def _compile(c: Compiled, type_name: str) -> Spec:
    parent = c.schema.type_map[type_name]
    _INTERFACES[type_name] = {i.name for i in getattr(parent, "interfaces", ())}
    spec = Spec()
    for sel in _flatten(c.selections, c.fragments, type_name):
        name = sel.name.value
        key = sel.alias.value if sel.alias else name
        if name == "__typename":
            spec.readers.append((key, lambda _s, _c, t=type_name: t))
            continue
        fdef = parent.fields[name]
        args = get_argument_values(fdef, sel, {})
        if _is_connection(fdef.type):
            args = {k: v for k, v in args.items() if k not in PAGE_ARGS}
            node_type = get_named_type(fdef.type).fields["nodes"].type
            sub = Compiled(
                c.schema, get_named_type(node_type), _node_selection(sel, c.fragments), c.fragments
            )
            explicit = any(a.name.value not in PAGE_ARGS for a in sel.arguments or ())
            spec.children.append(Child(name, args, sub, explicit))
            continue
        spec.readers.append((key, _reader(c, type_name, name, args, fdef.type, sel)))
    return spec


def _reader(c: Compiled, type_name: str, name: str, args: dict, type_: Any, sel: FieldNode):
    fn = FIELDS.get(type_name, {}).get(name)

    def raw(source: Any, ctx: Context) -> Any:
        if fn is not None and type(source) is not dict:
            return fn(source, ctx, args)
        if isinstance(source, dict):
            if name not in source:
                raise GraphQLError(f"{type_name}.{name} is not implemented by the sandbox")
            return source[name]
        if fn is None:
            raise GraphQLError(f"{type_name}.{name} is not implemented by the sandbox")
        return fn(source, ctx, args)

    named = get_named_type(type_)
    if is_leaf_type(named):
        name_attr = getattr(fn, "attr_name", None)
        if name_attr is not None:
            get = attrgetter(name_attr)
            return lambda s, c: get(s) if type(s) is not dict else raw(s, c)
        return raw
    sub = Compiled(c.schema, named, sel.selection_set.selections, c.fragments)
    many = is_list_type(type_) or is_list_type(getattr(type_, "of_type", None))

    def obj(value: Any, ctx: Context) -> Any:
        if value is None:
            return None
        concrete = resolve_type(value, None, None) if is_abstract_type(named) else named.name
        return project(sub.spec(concrete), value, ctx)

    def read(source: Any, ctx: Context) -> Any:
        value = raw(source, ctx)
        if many and value is not None:
            return [obj(v, ctx) for v in value]
        return obj(value, ctx)

    return read


def project(spec: Spec, source: Any, ctx: Context) -> dict[str, Any]:
    return {key: read(source, ctx) for key, read in spec.readers}


# -- validation -------------------------------------------------------------------------------


def prepare(schema: GraphQLSchema, text: str) -> tuple[Any, list[UserError]]:
    """(the compiled root, []) or (None, userErrors)."""
    try:
        document = parse(text)
    except GraphQLError as exc:
        return None, [_invalid(f"Invalid bulk query: {exc.message}")]
    problems = validate(schema, document)
    if problems:
        return None, [_invalid(f"Invalid bulk query: {problems[0].message}")]
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in document.definitions if hasattr(d, "type_condition")}
    if len(ops) != 1 or ops[0].operation.value != "query":
        return None, [_invalid("Bulk queries must contain exactly one query operation.")]
    roots = _flatten(ops[0].selection_set.selections, fragments)
    if any(f.name.value in ("node", "nodes") for f in roots):
        return None, [_invalid("Bulk queries cannot contain a top level `node` or `nodes` field.")]
    query_root = schema.query_type
    count, problem = _check(schema, query_root, roots, fragments, 0)
    if problem:
        return None, [_invalid(problem)]
    if count == 0:
        return None, [_invalid("Bulk queries must contain at least one connection.")]
    if count > MAX_CONNECTIONS:
        return None, [
            _invalid(f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections.")
        ]
    if len(roots) != 1 or not _is_connection(query_root.fields[roots[0].name.value].type):
        return None, [
            _invalid("The sandbox runs bulk queries whose only top-level field is a connection.")
        ]
    return (roots[0], fragments), []


def _is_node(schema: GraphQLSchema, type_: Any) -> bool:
    """A Node type, or an interface / union all of whose types are (e.g. Media)."""
    if is_abstract_type(type_):
        possible = schema.get_possible_types(type_)
        return bool(possible) and all(_is_node(schema, t) for t in possible)
    return "Node" in {i.name for i in getattr(type_, "interfaces", ())}


def _check(schema, parent, selections, fragments, depth) -> tuple[int, str | None]:
    """(connections counted, the first problem) for selections on `parent`."""
    count = 0
    for sel in selections:
        if isinstance(sel, FieldNode):
            inner, problem = _check_field(schema, parent, sel, fragments, depth)
        else:
            frag = fragments[sel.name.value] if isinstance(sel, FragmentSpreadNode) else sel
            target = (
                schema.type_map[frag.type_condition.name.value] if frag.type_condition else parent
            )
            inner, problem = _check(schema, target, frag.selection_set.selections, fragments, depth)
        if problem:
            return 0, problem
        count += inner
    return count, None


def _check_field(schema, parent, f: FieldNode, fragments, depth) -> tuple[int, str | None]:
    fdef = getattr(parent, "fields", {}).get(f.name.value)
    if fdef is None or f.selection_set is None:
        return 0, None
    named = get_named_type(fdef.type)
    if not _is_connection(fdef.type):
        return _check(schema, named, f.selection_set.selections, fragments, depth)
    node_type = get_named_type(named.fields["nodes"].type)
    if not _is_node(schema, node_type):
        return 0, (
            f"Bulk queries cannot contain connections of `{node_type.name}`: "
            "its nodes do not implement Node."
        )
    if depth + 1 > MAX_DEPTH:
        return 0, (
            f"Bulk queries cannot contain connections nested more than {MAX_DEPTH} levels deep."
        )
    inner, problem = _check(schema, node_type, _node_selection(f, fragments), fragments, depth + 1)
    return (0, problem) if problem else (1 + inner, None)


def _invalid(message: str) -> UserError:
    return UserError(message, ["query"], "INVALID")


# -- the export -------------------------------------------------------------------------------


def export(schema: GraphQLSchema, prepared: Any, ctx: Context, group: bool, chunk: int):
    """The work of one bulk query: writes JSONL, yields objects written per chunk."""
    root, fragments = prepared
    fdef = schema.query_type.fields[root.name.value]
    args = {k: v for k, v in get_argument_values(fdef, root, {}).items() if k not in PAGE_ARGS}
    node_type = get_named_type(get_named_type(fdef.type).fields["nodes"].type)
    compiled = Compiled(schema, node_type, _node_selection(root, fragments), fragments)
    items = _root_items(ctx, root.name.value, args)

    def work(op: Any, out: BinaryIO) -> Iterator[int]:
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        batch: list[Any] = []
        for item in items:
            if item is None:
                continue
            batch.append(item)
            if len(batch) >= chunk:
                yield _write(batch, compiled, ctx, group, out, op, dumps)
                batch = []
        if batch:
            yield _write(batch, compiled, ctx, group, out, op, dumps)

    return work


def _write(batch, compiled: Compiled, ctx, group: bool, out: BinaryIO, op, dumps) -> int:
    parents: list[str] = []
    children: list[str] = []
    for node in batch:
        type_name = resolve_type(node, None, None) or compiled.type.name
        spec = compiled.spec(type_name)
        parents.append(dumps(project(spec, node, ctx)))
        rows = children if not group else parents
        if spec.children:
            parent_id = FIELDS[type_name]["id"](node, ctx, {})
            for child in spec.children:
                for sub in _child_items(node, type_name, child, ctx):
                    row = project(
                        child.node_spec.spec(
                            resolve_type(sub, None, None) or child.node_spec.type.name
                        ),
                        sub,
                        ctx,
                    )
                    row["__parentId"] = parent_id
                    rows.append(dumps(row))
    lines = parents + children
    out.write(("\n".join(lines) + "\n").encode())
    op.object_count += len(lines)
    op.root_object_count += len(batch)
    return len(lines)


def _child_items(node: Any, type_name: str, child: Child, ctx: Context) -> Any:
    direct = DIRECT.get((type_name, child.name))
    if direct is not None and not child.explicit:
        return direct(node)
    fn = FIELDS[type_name][child.name]
    return _paged(lambda a: fn(node, ctx, a), child.args)


# Nested connections read straight from the store objects when no argument changes the order
# (the same order the paged resolvers give: position, then id).
DIRECT: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("Product", "variants"): lambda p: p.variants,
    ("Product", "media"): lambda p: p.media or (),
    ("Product", "metafields"): lambda p: [
        MetafieldView(m, p) for m in sorted(p.metafields or (), key=lambda m: m.id)
    ],
    ("ProductVariant", "metafields"): lambda v: [
        MetafieldView(m, v) for m in sorted(v.metafields or (), key=lambda m: m.id)
    ],
}


def _root_items(ctx: Context, name: str, args: dict[str, Any]) -> Iterator[Any]:
    store = ctx.store
    if name == "products":
        match = compile_query(store, args.get("query"))
        ids = list(store.products)  # a snapshot: products written meanwhile are read as they are
        if (args.get("sortKey") or "ID") != "ID":
            key = sort_key(args["sortKey"])
            ids.sort(key=lambda i: key(store.products[i]))
        if args.get("reverse"):
            ids.reverse()
        return (
            p
            for i in ids
            if (p := store.products.get(i)) is not None and (match is None or match(p))
        )
    return _paged(lambda a: ROOT[name](ctx, a), args)


def _paged(fn: Callable[[dict], dict], args: dict[str, Any]) -> Iterator[Any]:
    after = None
    while True:
        page = fn({**args, "first": 250, "after": after})
        yield from page["nodes"]
        if not page["edges"] or not page["pageInfo"]["hasNextPage"]:
            return
        after = page["edges"][-1].cursor()
