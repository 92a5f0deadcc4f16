"""Parse and validate GraphQL documents once, and word their errors the way Shopify does.

Shopify's Admin API runs graphql-ruby: a rejected document answers HTTP 200 with `errors`, each
carrying `message`, `locations` and `extensions.code` in graphql-ruby's camelCase vocabulary
(`undefinedField`, `argumentNotAccepted`, ...). graphql-core's rules find the same problems; the map
below names them as graphql-ruby does. A document is prepared once per (API version, query text) and
kept in a small LRU cache, so the hot path of a repeated request does no parsing or validation.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    parse,
    validate,
)
from graphql.validation import specified_rules

# graphql-core rule -> graphql-ruby's error code (what Shopify puts in extensions.code).
RULE_CODES = {
    "ExecutableDefinitionsRule": "definitionNotExecutable",
    "KnownOperationTypesRule": "missingOperationType",
    "UniqueOperationNamesRule": "uniquelyNamedOperations",
    "LoneAnonymousOperationRule": "anonymousOperationNotAlone",
    "KnownTypeNamesRule": "undefinedType",
    "FragmentsOnCompositeTypesRule": "fragmentOnNonCompositeType",
    "VariablesAreInputTypesRule": "variableRequiresValidType",
    "ScalarLeafsRule": "selectionMismatch",
    "FieldsOnCorrectTypeRule": "undefinedField",
    "UniqueFragmentNamesRule": "fragmentNamesAreUnique",
    "KnownFragmentNamesRule": "undefinedFragment",
    "NoUnusedFragmentsRule": "useAndDefineFragment",
    "PossibleFragmentSpreadsRule": "cannotSpreadFragment",
    "NoFragmentCyclesRule": "infiniteLoop",
    "UniqueVariableNamesRule": "variableNotUnique",
    "NoUndefinedVariablesRule": "variableNotDefined",
    "NoUnusedVariablesRule": "variableNotUsed",
    "KnownDirectivesRule": "undefinedDirective",
    "UniqueDirectivesPerLocationRule": "directiveNotUniqueForLocation",
    "KnownArgumentNamesRule": "argumentNotAccepted",
    "UniqueArgumentNamesRule": "argumentNotUnique",
    "ValuesOfCorrectTypeRule": "argumentLiteralsIncompatible",
    "ProvidedRequiredArgumentsRule": "missingRequiredArguments",
    "VariablesInAllowedPositionRule": "variableMismatch",
    "OverlappingFieldsCanBeMergedRule": "fieldConflict",
    "UniqueInputFieldNamesRule": "inputFieldNotUnique",
}


@dataclass(frozen=True)
class Prepared:
    """A parsed document with what each request needs to know about it, or its errors."""

    document: Any = None
    errors: list[dict] | None = None
    # operation name (None for a lone anonymous one) -> its definition
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)

    def operation(self, name: str | None) -> OperationDefinitionNode | dict:
        """The operation to run, or a Shopify-shaped error when the name does not select one."""
        if name:
            op = self.operations.get(name)
            return op if op else {"message": f'No operation named "{name}"'}
        if len(self.operations) == 1:
            return next(iter(self.operations.values()))
        return {"message": "An operation name is required"}


def error_entry(error: GraphQLError, code: str | None = None) -> dict:
    entry: dict[str, Any] = {"message": error.message}
    if error.locations:
        entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        entry["path"] = list(error.path)
    extensions = dict(error.extensions or {})
    if code:
        extensions.setdefault("code", code)
    if extensions:
        entry["extensions"] = extensions
    return entry


def internal_error_body() -> dict:
    request_id = str(uuid.uuid4())
    return {
        "errors": [
            {
                "message": "Internal error. Looks like something went wrong on our end.\n"
                f"Request ID: {request_id} (include this in support requests).",
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            }
        ]
    }


def variable_error(error: GraphQLError) -> dict:
    """Bad variable values, worded as graphql-ruby does ("Variable $x ... invalid value")."""
    entry = error_entry(error)
    text = error.message
    match = re.match(r"Variable '\$(\w+)' (?:got invalid value|of required type)", text)
    if match:
        explanation = text.split("; ", 1)[1] if "; " in text else text
        entry["message"] = f"Variable ${match.group(1)} was provided invalid value"
        entry["extensions"] = {
            "code": "INVALID_VARIABLE",
            "problems": [{"explanation": explanation}],
        }
    else:
        entry.setdefault("extensions", {})["code"] = "INVALID_VARIABLE"
    return entry


def execution_error(error: GraphQLError) -> dict:
    """An error from execute(): a bad variable value, or one raised while resolving a field."""
    return variable_error(error) if error.message.startswith("Variable '$") else result_error(error)


def result_error(error: GraphQLError) -> dict:
    entry = error_entry(error)
    if error.original_error is not None and not isinstance(error.original_error, GraphQLError):
        # A resolver bug must not leak a Python message as if it were Shopify's.
        entry["message"] = internal_error_body()["errors"][0]["message"]
        entry.setdefault("extensions", {})["code"] = "INTERNAL_SERVER_ERROR"
    return entry


def _validation_errors(schema: GraphQLSchema, document: Any) -> list[dict] | None:
    if not validate(schema, document):
        return None
    # Only for a rejected document (rare, and cached): run rule by rule to learn each error's code.
    entries = []
    for rule in specified_rules:
        for error in validate(schema, document, [rule]):
            entries.append(error_entry(error, RULE_CODES.get(rule.__name__, "validationError")))
    return entries


def prepare(schema: GraphQLSchema, query: str) -> Prepared:
    try:
        document = parse(query)
    except GraphQLError as exc:
        return Prepared(errors=[error_entry(exc, "parseError")])
    errors = _validation_errors(schema, document)
    if errors:
        return Prepared(document=document, errors=errors)
    operations = {
        (d.name.value if d.name else None): d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    }
    return Prepared(document=document, operations=operations)


class DocumentCache:
    """LRU of prepared documents keyed by (api_version, query text)."""

    def __init__(self, schema_for: Callable[[str], GraphQLSchema], size: int = 512):
        self._schema_for = schema_for
        self._size = size
        self._items: OrderedDict[tuple[str, str], Prepared] = OrderedDict()

    def get(self, version: str, query: str) -> Prepared:
        key = (version, query)
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
            return hit
        prepared = prepare(self._schema_for(version), query)
        self._items[key] = prepared
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return prepared

    def __len__(self) -> int:
        return len(self._items)


def is_mutation(op: OperationDefinitionNode) -> bool:
    return op.operation is OperationType.MUTATION


def root_fields(op: OperationDefinitionNode, name: str) -> list[FieldNode]:
    """Top-level fields of an operation with this name (aliases included)."""
    return [
        s for s in op.selection_set.selections if isinstance(s, FieldNode) and s.name.value == name
    ]


def read_body(body: Any) -> tuple[str, dict, str | None] | None:
    if isinstance(body, str):  # Content-Type: application/graphql
        return (body, {}, None) if body.strip() else None
    if not isinstance(body, dict):
        return None
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        return None
    variables = body.get("variables") or {}
    if isinstance(variables, str):
        try:
            variables = json.loads(variables) if variables.strip() else {}
        except ValueError:
            return None
    if not isinstance(variables, dict):
        return None
    name = body.get("operationName") or None
    return query, variables, name if isinstance(name, str) else None


def productset_variants(node: Any, variables: dict) -> int:
    for arg in node.arguments:
        if arg.name.value != "input":
            continue
        value = arg.value
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return len(given.get("variants") or []) if isinstance(given, dict) else 0
        if isinstance(value, ObjectValueNode):
            for f in value.fields:
                if f.name.value == "variants":
                    if isinstance(f.value, ListValueNode):
                        return len(f.value.values)
                    if isinstance(f.value, VariableNode):
                        given = variables.get(f.value.name.value)
                        return len(given) if isinstance(given, list) else 0
    return 0
