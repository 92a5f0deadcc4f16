"""Check documents against the JSON Schemas, then Shopify's rules; every finding is a Problem.

The only module that imports jsonschema. The validators are compiled once, on first use.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from reconciler.catalog import rules
from reconciler.catalog.characters import forbidden_characters
from reconciler.catalog.load import Document
from reconciler.catalog.nodes import FileBudget, Located, Path_, convert, where_text
from reconciler.catalog.quick_schema import compile_check
from reconciler.errors import Problem

PRODUCT_TYPED = frozenset({"taxable", "requires_shipping", "tracked"})
SETTINGS_TYPED = frozenset({"max_removals", "timeout", "max_retries"})
METAFIELD_FREE = frozenset({"value"})


@cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped with the package: "product" or "catalog"."""
    text = (resources.files("reconciler") / "schemas" / f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    document = schema(name)
    cls = jsonschema.validators.validator_for(document)
    cls.check_schema(document)
    return cls(_inline(document, document.get("$defs", {})))


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with each `#/$defs/...` reference replaced by what it refers to (our schemas
    are not recursive): jsonschema resolves a reference in about 30 us, for every value, and a
    document of 200,000 tags would take it 13 s to explain instead of 3."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _inline(value, defs) for key, value in node.items()}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = _inline(defs[ref.removeprefix("#/$defs/")], defs)
        siblings = {k: v for k, v in out.items() if k != "$ref"}
        if set(target) & set(siblings) <= {"description"}:  # same meaning, merged
            return {**target, **siblings}
    return out


@cache
def quick_check(name: str) -> Callable[[Any], bool]:
    """A fast yes/no check compiled once from the schema (quick_schema.py); jsonschema explains
    the failures. A schema keyword it does not know sends every document to jsonschema."""
    try:
        return compile_check(schema(name))
    except NotImplementedError:
        return lambda _: False


def check_settings(doc: Document) -> tuple[Located, list[Problem]]:
    located = convert(doc.node, SETTINGS_TYPED)
    problems = (
        _issues(doc, located) or _hidden(doc, located) or _schema_problems("catalog", doc, located)
    )
    return located, problems


def check_product(
    doc: Document, catalog_dir: Path, budget: FileBudget | None = None
) -> tuple[Located, list[Problem]]:
    """The product's data with positions, and its own problems (not those across products).
    `budget`: what the document's file may still cost (nodes.FileBudget)."""
    located = convert(doc.node, PRODUCT_TYPED, METAFIELD_FREE, budget)
    problems = _issues(doc, located)
    if located.data is None:
        return located, problems
    hidden = _hidden(doc, located)
    problems += hidden
    flagged = {(p.line, p.col) for p in problems}  # said once: no schema echo of the same spot
    explained = _schema_problems("product", doc, located, budget)
    problems += [p for p in explained if (p.line, p.col) not in flagged]
    hidden_at = {(p.line, p.col) for p in hidden}  # nor a rule's reading of the same text
    for path, message, severity, key in rules.product_rules(located, catalog_dir):
        line, col = located.where(path, key=key)
        if (line, col) not in hidden_at:
            problems.append(Problem(doc.file, line, col, where_text(path), message, severity))
    return located, problems


def _hidden(doc: Document, located: Located) -> list[Problem]:
    """NUL and bidirectional controls, in any text of the document (characters.py)."""
    if not doc.may_hide or located.data is None:
        return []
    out = []
    for path, key, message in forbidden_characters(located.data):
        line, col = located.where(path, key=key)
        out.append(Problem(doc.file, line, col, where_text(path), message))
    return out


def _issues(doc: Document, located: Located) -> list[Problem]:
    return [
        Problem(doc.file, line, col, where_text(path), message)
        for path, (line, col), message in located.issues
    ]


def _schema_problems(
    name: str, doc: Document, located: Located, budget: FileBudget | None = None
) -> list[Problem]:
    if located.data is None:
        return []
    if quick_check(name)(located.data):
        return []
    if budget is not None:
        budget.explain_left -= located.values
        if budget.explain_left < 0:
            return [Problem(doc.file, doc.line, doc.col, "", _UNEXPLAINED)]
    found: dict[tuple, Problem] = {}
    for error in _validator(name).iter_errors(located.data):
        for path, message, key in _explain(error):
            line, col = located.where(path, key=key)
            problem = Problem(doc.file, line, col, where_text(path), message)
            found.setdefault((problem.line, problem.col, problem.where, message), problem)
    return list(found.values())


_UNEXPLAINED = (
    "the document does not fit the product schema; not explained: this file's documents that "
    "do not fit are too large to explain them all (fix those above, or split the file)"
)


def _explain(error: jsonschema.ValidationError) -> list[tuple[Path_, str, bool]]:
    """(path, message, point at the key?) for one schema error, in the catalog's words."""
    path: Path_ = tuple(error.absolute_path)
    kind, expected, instance, sub = (
        error.validator,
        error.validator_value,
        error.instance,
        error.schema,
    )
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = sorted(sub.get("properties", {}))
        return [
            ((*path, key), f"unknown key {key!r}{_suggest(key, known)}", True)
            for key in instance
            if key not in known
        ]
    if kind == "required" and isinstance(instance, dict):
        return [(path, f"missing required key {k!r}", False) for k in expected if k not in instance]
    return [(path, _message(kind, expected, instance, sub, path), False)]


def _message(kind: str, expected: Any, instance: Any, sub: dict, path: Path_) -> str:
    last = next((p for p in reversed(path) if isinstance(p, str)), "")
    if kind == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        return f"must be {_type_words(wanted)}, not {_describe(instance)}"
    if kind == "enum":
        return f"must be one of {', '.join(map(str, expected))}, not {_describe(instance)}"
    if kind == "pattern":
        return f"{sub.get('patternErrorMessage', 'has the wrong form')}, not {instance!r}"
    if kind == "minItems":
        if last == "variants":
            return "a product needs at least one variant"
        return f"needs at least {expected} item{'s' if expected != 1 else ''}"
    if kind == "maxItems":
        what = {"options": "options", "variants": "variants"}.get(last, "items")
        return f"at most {expected} {what} (Shopify's limit), not {len(instance)}"
    if kind == "minLength":
        return "must not be empty"
    if kind == "maxLength":
        return f"is {len(instance)} characters; at most {expected} allowed"
    if kind in ("minimum", "exclusiveMinimum"):
        bound = "at least" if kind == "minimum" else "more than"
        return f"must be {bound} {expected}, not {instance}"
    return "is not valid here"


_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping (key: value)",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
}


def _type_words(types: list[str]) -> str:
    if "string" in types:
        return "text" if "number" not in types or "boolean" in types else "text or a number"
    return " or ".join(_TYPE_WORDS.get(t, t) for t in types)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return repr(str(value)) if isinstance(value, str) else str(value)


def _suggest(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""
