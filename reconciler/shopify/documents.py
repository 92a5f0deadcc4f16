"""The GraphQL documents the client sends: graphql/NAME.graphql, one named operation each, parsed
once, and the requested cost each will be charged (for pacing before the first answer tells).

Selections several documents share are fragments in graphql/fragments/NAME.graphql (one fragment
per file, named like it); `load` appends the ones a document spreads (transitively, each once),
so every document sent is complete. Bulk query texts are sent through `inline_fragments`, since
Shopify's bulk operations guide does not say fragments are accepted there.

client.py turns a Document into a gql request; this module only needs graphql-core's parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    parse,
    print_ast,
    value_from_ast_untyped,
)

from reconciler.errors import ShopifyError
from reconciler.shopify import throttle

GRAPHQL_DIR = Path(__file__).parent / "graphql"
FRAGMENT_DIR = GRAPHQL_DIR / "fragments"


@dataclass(frozen=True)
class Document:
    """One named operation from graphql/NAME.graphql."""

    name: str
    mutation: bool
    ast: DocumentNode
    query: str  # the text sent: printed once here, not once per request
    selections: tuple[throttle.Selection, ...]
    defaults: Mapping[str, Any]


def names() -> list[str]:
    return sorted(p.stem for p in GRAPHQL_DIR.glob("*.graphql"))


def fragment_names() -> list[str]:
    return sorted(p.stem for p in FRAGMENT_DIR.glob("*.graphql"))


@cache
def load(name: str) -> Document:
    path = GRAPHQL_DIR / f"{name}.graphql"
    if not path.is_file():
        raise ShopifyError(f"no GraphQL document {name!r} in {GRAPHQL_DIR}")
    ast = with_fragments(parse(path.read_text(encoding="utf-8")))
    ops = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    if len(ops) != 1 or ops[0].name is None or ops[0].name.value != name:
        raise ShopifyError(f"{path.name} must hold exactly one operation, named {name}")
    op = ops[0]
    fragments = {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    defaults = {
        v.variable.name.value: value_from_ast_untyped(v.default_value)
        for v in op.variable_definitions or ()
        if v.default_value is not None
    }
    return Document(
        name=name,
        mutation=op.operation == OperationType.MUTATION,
        ast=ast,
        query=print_ast(ast),
        selections=_selections(op.selection_set, fragments),
        defaults=defaults,
    )


@cache
def fragment(name: str) -> FragmentDefinitionNode:
    """The shared fragment in fragments/NAME.graphql."""
    path = FRAGMENT_DIR / f"{name}.graphql"
    if not path.is_file():
        raise ShopifyError(f"no GraphQL fragment {name!r} in {FRAGMENT_DIR}")
    defs = parse(path.read_text(encoding="utf-8")).definitions
    one = defs[0] if len(defs) == 1 else None
    if not isinstance(one, FragmentDefinitionNode) or one.name.value != name:
        raise ShopifyError(f"{path.name} must hold exactly one fragment, named {name}")
    return one


def with_fragments(ast: DocumentNode) -> DocumentNode:
    """`ast` with the shared fragments it spreads appended (those it spreads in turn too), each
    once, in the order first spread; a fragment the document defines itself is kept as it is."""
    defined = {d.name.value for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    added: dict[str, FragmentDefinitionNode] = {}
    pending = [*_spreads(ast.definitions)]
    while pending:
        name = pending.pop(0)
        if name in defined or name in added:
            continue
        added[name] = fragment(name)
        pending.extend(_spreads([added[name]]))
    if not added:
        return ast
    return DocumentNode(definitions=(*ast.definitions, *added.values()))


def _spreads(nodes: Any) -> list[str]:
    """Names of the fragments spread in `nodes`, in document order."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, FragmentSpreadNode):
            out.append(node.name.value)
        elif getattr(node, "selection_set", None) is not None:
            out.extend(_spreads(node.selection_set.selections))
    return out


def inline_fragments(text: str) -> str:
    """A query's text with every named fragment spread replaced by the fragment's selections
    (and identical selections that meet at one level merged), the fragment definitions dropped.
    A fragment must be spread where its type is the field's own type: the result is validated
    against Shopify's schema in tests/contract."""
    ast = with_fragments(parse(text))
    fragments = {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    ops = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    inlined = [_copy(op, selection_set=_inline(op.selection_set, fragments)) for op in ops]
    return print_ast(DocumentNode(definitions=tuple(inlined)))


def _inline(selection_set: Any, fragments: Mapping[str, Any]) -> Any:
    if selection_set is None:
        return None
    out, seen = [], set()
    for node in selection_set.selections:
        if isinstance(node, FragmentSpreadNode):
            nodes = _inline(fragments[node.name.value].selection_set, fragments).selections
        else:
            nodes = (_copy(node, selection_set=_inline(node.selection_set, fragments)),)
        for inlined in nodes:
            key = print_ast(inlined)
            if key not in seen:
                seen.add(key)
                out.append(inlined)
    return SelectionSetNode(selections=tuple(out))


def _copy(node: Any, **changes: Any) -> Any:
    """A graphql-core AST node with some attributes replaced (nodes are frozen)."""
    kept = {k: getattr(node, k, None) for k in node.keys if k != "loc"}
    return type(node)(**{**kept, **changes})


def _selections(selection_set: Any, fragments: Mapping[str, Any]) -> tuple:
    out = []
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            children = _selections(node.selection_set, fragments)
            out.append((node.name.value, _page_size(node), children))
        elif isinstance(node, InlineFragmentNode):
            out.append(("...", None, _selections(node.selection_set, fragments)))
        elif isinstance(node, FragmentSpreadNode):
            # A named fragment is spread on its own type here (see inline_fragments): its
            # fields add up with their siblings', unlike the branches of an inline fragment.
            out.extend(_selections(fragments[node.name.value].selection_set, fragments))
    return tuple(out)


def _page_size(node: FieldNode) -> int | str | None:
    for arg in node.arguments or ():
        if arg.name.value in ("first", "last"):
            if isinstance(arg.value, IntValueNode):
                return int(arg.value.value)
            if isinstance(arg.value, VariableNode):
                return arg.value.name.value
    return None


def estimate_cost(document: Document, variables: Mapping[str, Any]) -> float:
    """The requested cost Shopify will charge, by the static rules (and productSet's formula)."""
    values = {**document.defaults, **variables}
    sizes = tuple(sorted((k, v) for k, v in values.items() if type(v) is int))
    cost = _static_cost(document.selections, document.mutation, sizes)
    if document.name == "ProductSet":
        cost += throttle.product_set_cost(values.get("input")) - throttle.MUTATION_COST
    elif document.name == "MetafieldsSet":
        cost += throttle.metafields_set_cost(values.get("metafields")) - throttle.MUTATION_COST
    elif document.name == "ProductUpdateMedia":
        media_cost = throttle.product_update_cost(values.get("product"), values.get("media"))
        cost += media_cost - throttle.MUTATION_COST
    return cost if cost != float("inf") else throttle.FALLBACK_ESTIMATE


@lru_cache(maxsize=4096)
def _static_cost(selections: tuple, mutation: bool, sizes: tuple[tuple[str, int], ...]) -> float:
    """The selection's static cost. It reads no variable but the page sizes (ints), so it is
    computed once per document and sizes: every request and every planned call asks for it."""
    return throttle.estimate(selections, dict(sizes), mutation=mutation)


MAX_REQUEST_COST = 1000  # Shopify refuses one request whose requested cost is over this
READ_BACK_VARIANT_COST = 2.0  # a variant node read back by productSet: id + selectedOptions


def request_variables(name: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The variables the client sends with `name`: productSet reads back as many variants as were
    sent, as far as the request stays under the 1000-point ceiling (the selection costs about 2
    points a variant on top of productSet's own cost: 2048 read back would cost 4096 alone)."""
    variables = dict(variables)
    if name == "ProductSet" and "variants" not in variables:
        product_input = variables.get("input") or {}
        sent = len(product_input.get("variants") or ())
        room = (
            MAX_REQUEST_COST - throttle.product_set_cost(product_input)
        ) / READ_BACK_VARIANT_COST
        variables["variants"] = max(1, min(sent, 2048, int(room) - 10))
    return variables


def request_cost(name: str, variables: Mapping[str, Any]) -> float:
    """What the client will ask Shopify for with this call: its requested cost."""
    return estimate_cost(load(name), request_variables(name, variables))
