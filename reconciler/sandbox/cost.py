"""Shopify's calculated query cost (fact sheet §1): requested before execution, actual after.

Rules (Shopify's rate-limit docs and engineering write-up): scalars and enums cost 0, objects 1,
a field of an interface or union type the most expensive of its possible selections, a connection
`2 + n x (cost of one item)` with n from `first`/`last`, a mutation 10 unless its cost is dynamic.

Readings the sandbox takes where Shopify publishes no rule (documented in docs/sandbox.md):
- Edge objects and `pageInfo` are free: the connection's 2 covers them (matches the published
  `products(first: 10) { edges { node { title variants(first: 5) ... } } }` = 82 example).
- A connection without `first`/`last` is sized 0 (Shopify refuses it at execution anyway).
- Inside a mutation's payload, plain objects are free (a `productSet { product { id } userErrors
  { ... } }` call is charged its mutation cost alone); connections selected there still cost
  `2 + n x item`, so reading many variants back after a write is charged.
- Plain lists of objects (e.g. `Product.options`) count one item; `nodes(ids:)` counts one item
  per id.
- Dynamic mutation costs are computed in tenths of a point and rounded up (a partial point is
  charged as a whole one, so the sandbox never under-charges).
- `@skip`/`@include` with a literal condition remove the field from the requested cost; with a
  variable condition the field is charged up front (an upper bound).
- The actual cost walks the returned data: a connection is charged 2 plus the items that came back,
  a null object its own cost without children, a mutation its requested cost.

Compiled cost plans are cached per (schema, document, operation): the server parses each distinct
document once, so a repeated call only walks a small tree with that call's variables.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_abstract_type,
    is_leaf_type,
    value_from_ast_untyped,
)
from graphql.language import DocumentNode

MAX_QUERY_COST = 1000
MUTATION_COST = 10
CONNECTION_COST = 2

LEAF, OBJECT, CONNECTION, ITEMS, PLAIN_LIST = range(5)
_MISSING = object()

Variables = Mapping[str, Any]


def max_cost_message(cost: int) -> str:
    """Shopify's message for a request over the single-query ceiling (code MAX_COST_EXCEEDED)."""
    return (
        f"Query cost is {cost}, which exceeds the single query max cost limit ({MAX_QUERY_COST})."
    )


@dataclass(frozen=True, slots=True)
class _Field:
    key: str
    kind: int
    defined: int
    # One tuple of child fields per possible concrete type; the most expensive one is charged.
    variants: tuple[tuple[_Field, ...], ...] = ()
    size: Callable[[Variables], int] | None = None
    dynamic: Callable[[Variables], int] | None = None

    def base(self, variables: Variables) -> int:
        return self.dynamic(variables) if self.dynamic is not None else self.defined


# --------------------------------------------------------------------------- evaluation


def _children_requested(f: _Field, variables: Variables) -> int:
    return max((sum(_requested(c, variables) for c in v) for v in f.variants), default=0)


def _requested(f: _Field, variables: Variables) -> int:
    if f.kind == LEAF:
        return 0
    children = _children_requested(f, variables)
    n = f.size(variables) if f.size is not None else 1
    if f.kind == CONNECTION:
        return f.base(variables) + n * children
    if f.kind == ITEMS:
        return n * (f.base(variables) + children)
    return f.base(variables) + children


def _children_actual(f: _Field, value: Any, variables: Variables) -> int:
    if not isinstance(value, Mapping):
        return 0
    return max(
        (sum(_actual(c, value.get(c.key, _MISSING), variables) for c in v) for v in f.variants),
        default=0,
    )


def _actual(f: _Field, value: Any, variables: Variables) -> int:
    if f.kind == LEAF:
        return 0
    if value is _MISSING:  # skipped, or a fragment of another concrete type
        return 0
    base = f.base(variables)
    if value is None:
        return 0 if f.kind == ITEMS else base
    if f.kind in (ITEMS, PLAIN_LIST):
        items = value if isinstance(value, list) else [value]
        costs = [base + _children_actual(f, item, variables) for item in items if item is not None]
        if f.kind == ITEMS:
            return sum(costs)
        return max(costs, default=base)
    # A connection's item lists are ITEMS children, so its cost follows what came back.
    return base + _children_actual(f, value, variables)


def _breakdown(
    f: _Field, path: tuple[str, ...], variables: Variables, out: list[dict[str, Any]]
) -> None:
    here = (*path, f.key)
    if f.kind == LEAF:
        out.append(
            {
                "path": list(here),
                "definedCost": 0,
                "requestedTotalCost": 0,
                "requestedChildrenCost": None,
            }
        )
        return
    best = max(f.variants, key=lambda v: sum(_requested(c, variables) for c in v), default=())
    for child in best:
        _breakdown(child, here, variables, out)
    total = _requested(f, variables)
    out.append(
        {
            "path": list(here),
            "definedCost": f.base(variables),
            "requestedTotalCost": total,
            "requestedChildrenCost": total - f.base(variables),
        }
    )


# --------------------------------------------------------------------------- arguments


def _arg_getter(
    node: FieldNode, name: str, defaults: Mapping[str, Any]
) -> Callable[[Variables], Any]:
    value: ValueNode | None = next(
        (a.value for a in node.arguments or () if a.name.value == name), None
    )
    if value is None:
        return lambda _variables: None
    if isinstance(value, VariableNode):
        var = value.name.value
        return lambda variables: variables.get(var, defaults.get(var))

    def literal(variables: Variables) -> Any:
        merged = {**defaults, **variables} if defaults else variables
        return value_from_ast_untyped(value, merged)

    return literal


def _connection_size(node: FieldNode, defaults: Mapping[str, Any]) -> Callable[[Variables], int]:
    first = _arg_getter(node, "first", defaults)
    last = _arg_getter(node, "last", defaults)

    def size(variables: Variables) -> int:
        values = [v for v in (first(variables), last(variables)) if isinstance(v, int)]
        return max([0, *values])

    return size


def _ids_size(node: FieldNode, defaults: Mapping[str, Any]) -> Callable[[Variables], int]:
    ids = _arg_getter(node, "ids", defaults)
    return lambda variables: len(ids(variables) or ())


# --------------------------------------------------------------------------- dynamic mutations


def _tenths_to_points(tenths: int) -> int:
    return math.ceil(tenths / 10)


def _items(value: Any) -> list[Any]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _product_set_cost(input_value: Any) -> int:
    """10 + 0.2/variant + 0.6/variant file + 0.4/variant metafield + 0.4/metafield + 1.9/file."""
    data = input_value if isinstance(input_value, Mapping) else {}
    variants = _items(data.get("variants"))
    tenths = 10 * MUTATION_COST + 2 * len(variants)
    tenths += 6 * sum(1 for v in variants if v.get("file") is not None)
    tenths += 4 * sum(len(_items(v.get("metafields"))) for v in variants)
    tenths += 4 * len(_items(data.get("metafields"))) + 19 * len(_items(data.get("files")))
    return _tenths_to_points(tenths)


def _product_write_cost(input_value: Any, media: Any) -> int:
    """productCreate/productUpdate: 10 + 0.4 per product metafield + 1.9 per media."""
    data = input_value if isinstance(input_value, Mapping) else {}
    tenths = 10 * MUTATION_COST + 4 * len(_items(data.get("metafields"))) + 19 * len(_items(media))
    return _tenths_to_points(tenths)


# Owner-type weights of metafieldsSet's dynamic cost (changelog, Sept 2026). A sixth type weighs
# 2 but its name was not recovered (fact sheet §1.2), so it is charged 0 here.
METAFIELDS_SET_WEIGHTS = {"Order": 10, "Product": 4, "Collection": 1, "Customer": 1, "Shop": 1}
METAFIELDS_SET_MAX = 260


def _metafields_set_cost(metafields: Any) -> int:
    owners = {m.get("ownerId") for m in _items(metafields)}
    weight = sum(METAFIELDS_SET_WEIGHTS.get(_gid_type(o), 0) for o in owners if isinstance(o, str))
    return min(METAFIELDS_SET_MAX, MUTATION_COST + weight)


def _gid_type(gid: str) -> str:
    # gid://shopify/Product/123 -> Product
    parts = gid.split("/")
    return parts[3] if len(parts) > 4 and parts[0] == "gid:" else ""


def _dynamic_cost(
    node: FieldNode, defaults: Mapping[str, Any]
) -> Callable[[Variables], int] | None:
    name = node.name.value
    if name == "productSet":
        product = _arg_getter(node, "input", defaults)
        return lambda variables: _product_set_cost(product(variables))
    if name in ("productCreate", "productUpdate"):
        product = _arg_getter(node, "product", defaults)
        legacy = _arg_getter(node, "input", defaults)
        media = _arg_getter(node, "media", defaults)
        return lambda variables: _product_write_cost(
            product(variables) or legacy(variables), media(variables)
        )
    if name == "metafieldsSet":
        metafields = _arg_getter(node, "metafields", defaults)
        return lambda variables: _metafields_set_cost(metafields(variables))
    return None


# --------------------------------------------------------------------------- compilation


@dataclass(frozen=True, slots=True)
class _Context:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    defaults: Mapping[str, Any]


def _applies(ctx: _Context, condition: str | None, concrete: GraphQLNamedType) -> bool:
    if condition is None or condition == concrete.name:
        return True
    target = ctx.schema.get_type(condition)
    if isinstance(target, GraphQLInterfaceType | GraphQLUnionType) and isinstance(
        concrete, GraphQLObjectType
    ):
        return ctx.schema.is_sub_type(target, concrete)
    return False


def _collect(
    ctx: _Context,
    selection_set: SelectionSetNode,
    concrete: GraphQLNamedType,
    out: dict[str, list[FieldNode]],
    seen: set[str],
) -> None:
    for sel in selection_set.selections:
        if _skipped(sel):
            continue
        if isinstance(sel, FieldNode):
            out.setdefault(sel.alias.value if sel.alias else sel.name.value, []).append(sel)
        elif isinstance(sel, InlineFragmentNode):
            cond = sel.type_condition.name.value if sel.type_condition else None
            if _applies(ctx, cond, concrete):
                _collect(ctx, sel.selection_set, concrete, out, seen)
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
            frag = ctx.fragments.get(sel.name.value)
            if frag is not None and _applies(ctx, frag.type_condition.name.value, concrete):
                _collect(ctx, frag.selection_set, concrete, out, seen | {sel.name.value})


def _skipped(sel: SelectionNode) -> bool:
    """`@skip(if: true)` / `@include(if: false)` written as literals. A condition on a variable is
    charged (requested cost is an upper bound); the actual cost follows the data either way."""
    for directive in sel.directives or ():
        name = directive.name.value
        if name in ("skip", "include"):
            arg = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
            if isinstance(arg, BooleanValueNode) and arg.value == (name == "skip"):
                return True
    return False


def _has_fragments(selection_set: SelectionSetNode) -> bool:
    return any(not isinstance(s, FieldNode) for s in selection_set.selections)


def _compile_selection(
    ctx: _Context, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, mode: str
) -> tuple[tuple[_Field, ...], ...]:
    if selection_set is None:
        return ()
    if is_abstract_type(parent) and _has_fragments(selection_set):
        concretes: list[GraphQLNamedType] = list(ctx.schema.get_possible_types(parent))  # type: ignore[arg-type]
    else:
        concretes = [parent]
    return tuple(_compile_for(ctx, selection_set, t, mode) for t in concretes)


def _compile_for(
    ctx: _Context, selection_set: SelectionSetNode, concrete: GraphQLNamedType, mode: str
) -> tuple[_Field, ...]:
    groups: dict[str, list[FieldNode]] = {}
    _collect(ctx, selection_set, concrete, groups, set())
    fields = getattr(concrete, "fields", {})
    out = []
    for key, nodes in groups.items():
        definition = fields.get(nodes[0].name.value)
        if definition is None:  # __typename, or a field validation will reject
            continue
        merged = [s for n in nodes if n.selection_set for s in n.selection_set.selections]
        sub = SelectionSetNode(selections=tuple(merged)) if merged else None
        out.append(_compile_field(ctx, key, nodes[0], definition, sub, mode))
    return tuple(out)


def _is_connection(t: GraphQLNamedType) -> bool:
    return (
        isinstance(t, GraphQLObjectType)
        and t.name.endswith("Connection")
        and "edges" in t.fields
        and "pageInfo" in t.fields
    )


def _is_free_object(t: GraphQLNamedType) -> bool:
    return t.name == "PageInfo" or (
        isinstance(t, GraphQLObjectType)
        and t.name.endswith("Edge")
        and "node" in t.fields
        and "cursor" in t.fields
    )


def _is_list(definition: GraphQLField) -> bool:
    t = definition.type
    if isinstance(t, GraphQLNonNull):
        t = t.of_type
    return isinstance(t, GraphQLList)


def _compile_field(
    ctx: _Context,
    key: str,
    node: FieldNode,
    definition: GraphQLField,
    sub: SelectionSetNode | None,
    mode: str,
) -> _Field:
    """`mode`: "root-mutation", "payload" (under a mutation), "items" (a connection's lists)."""
    named = get_named_type(definition.type)
    if is_leaf_type(named):
        return _Field(key, LEAF, 0)
    if mode == "root-mutation":
        variants = _compile_selection(ctx, sub, named, "payload")
        return _Field(
            key, OBJECT, MUTATION_COST, variants, dynamic=_dynamic_cost(node, ctx.defaults)
        )
    if _is_connection(named):
        variants = _compile_selection(ctx, sub, named, "items")
        return _Field(
            key, CONNECTION, CONNECTION_COST, variants, _connection_size(node, ctx.defaults)
        )
    child_mode = "payload" if mode == "payload" else ""
    variants = _compile_selection(ctx, sub, named, child_mode)
    defined = 0 if mode == "payload" or _is_free_object(named) else 1
    if _is_list(definition) and mode == "items":
        return _Field(key, ITEMS, defined, variants)
    if _is_list(definition) and "ids" in definition.args:
        return _Field(key, ITEMS, defined, variants, _ids_size(node, ctx.defaults))
    return _Field(key, PLAIN_LIST if _is_list(definition) else OBJECT, defined, variants)


def _compile(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> tuple[_Field, ...]:
    operation: OperationDefinitionNode | None = get_operation_ast(document, operation_name)
    if operation is None:
        return ()
    root = schema.get_root_type(operation.operation)
    if root is None:
        return ()
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    defaults = {
        v.variable.name.value: value_from_ast_untyped(v.default_value)
        for v in operation.variable_definitions or ()
        if v.default_value is not None
    }
    ctx = _Context(schema, fragments, defaults)
    mode = "root-mutation" if operation.operation == OperationType.MUTATION else ""
    return _compile_for(ctx, operation.selection_set, root, mode)


_CACHE_SIZE = 1024
_plans: OrderedDict[tuple[int, int, str | None], tuple[object, object, tuple[_Field, ...]]] = (
    OrderedDict()
)


def _plan(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> tuple[_Field, ...]:
    key = (id(schema), id(document), operation_name)
    hit = _plans.get(key)
    # The entry holds the schema and document, so their ids cannot be reused while it lives.
    if hit is not None and hit[0] is schema and hit[1] is document:
        _plans.move_to_end(key)
        return hit[2]
    plan = _compile(schema, document, operation_name)
    _plans[key] = (schema, document, plan)
    if len(_plans) > _CACHE_SIZE:
        _plans.popitem(last=False)
    return plan


# --------------------------------------------------------------------------- public


def requested_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Variables | None = None,
    operation_name: str | None = None,
) -> int:
    """The cost Shopify charges up front (`requestedQueryCost`), from the document alone."""
    variables = variables or {}
    return sum(_requested(f, variables) for f in _plan(schema, document, operation_name))


def actual_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Variables | None,
    operation_name: str | None,
    data: Mapping[str, Any] | None,
) -> int:
    """The cost of what was returned (`actualQueryCost`): connections by items that came back."""
    if data is None:
        return 0
    variables = variables or {}
    return sum(
        _actual(f, data.get(f.key, _MISSING), variables)
        for f in _plan(schema, document, operation_name)
    )


def cost_fields(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Variables | None = None,
    operation_name: str | None = None,
) -> list[dict[str, Any]]:
    """`extensions.cost.fields` for `Shopify-GraphQL-Cost-Debug: 1`: one entry per field, children
    first; costs are per occurrence (a field inside a connection is not multiplied by its size)."""
    variables = variables or {}
    out: list[dict[str, Any]] = []
    for f in _plan(schema, document, operation_name):
        _breakdown(f, (), variables, out)
    return out
