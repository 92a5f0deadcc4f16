"""The GraphQL documents the client sends: graphql/NAME.graphql, one named operation each, parsed
once, and the requested cost each will be charged (for pacing before the first answer tells).

client.py turns a Document into a gql request; this module only needs graphql-core's parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
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
    VariableNode,
    parse,
    print_ast,
    value_from_ast_untyped,
)

from reconciler.errors import ShopifyError
from reconciler.shopify import throttle

GRAPHQL_DIR = Path(__file__).parent / "graphql"


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


@cache
def load(name: str) -> Document:
    path = GRAPHQL_DIR / f"{name}.graphql"
    if not path.is_file():
        raise ShopifyError(f"no GraphQL document {name!r} in {GRAPHQL_DIR}")
    ast = parse(path.read_text(encoding="utf-8"))
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


def _selections(selection_set: Any, fragments: Mapping[str, Any]) -> tuple:
    out = []
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            children = _selections(node.selection_set, fragments)
            out.append((node.name.value, _page_size(node), children))
        elif isinstance(node, InlineFragmentNode):
            out.append(("...", None, _selections(node.selection_set, fragments)))
        elif isinstance(node, FragmentSpreadNode):
            spread = fragments[node.name.value].selection_set
            out.append(("...", None, _selections(spread, fragments)))
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
    cost = throttle.estimate(document.selections, values, mutation=document.mutation)
    if document.name == "ProductSet":
        cost += throttle.product_set_cost(values.get("input")) - throttle.MUTATION_COST
    return cost if cost != float("inf") else throttle.FALLBACK_ESTIMATE
