"""A yes/no check compiled from a JSON Schema into one Python function, for the common case.

jsonschema takes 1-2 ms per product (too slow for 10,000 products in seconds) and nearly every
product is valid. This module turns the subset of JSON Schema our schemas use into the source of a
single function (as fastjsonschema does), so a valid document costs one call with inline loops
and no per-keyword calls. It answers only yes or no: when it says no, jsonschema runs and explains.
It may be stricter than jsonschema, never laxer (tests/unit/test_validate_property.py holds it to
that); a keyword it does not know raises NotImplementedError, and the caller then asks jsonschema
about every document.

Instances are what nodes.py builds: dict, list, str, int, bool, Decimal, None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

_IGNORED = {"description", "title", "$schema", "$id", "$defs", "patternErrorMessage"}
_PY_TYPES: dict[str, tuple[str, ...]] = {
    "string": ("str",),
    "array": ("list",),
    "object": ("dict",),
    "boolean": ("bool",),
    "integer": ("int",),
    "number": ("int", "Decimal"),
    "null": ("NoneType",),
}
_MAX_REF_DEPTH = 32  # our schemas are not recursive; a recursive one is left to jsonschema


def compile_check(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """One predicate for `schema` (its `$defs` resolve `#/$defs/...` references)."""
    writer = _Writer(schema.get("$defs", {}))
    body = writer.node(schema, "x0", 1, 0)
    source = "def check(x0):\n" + "".join(body) + "    return True\n"
    namespace: dict[str, Any] = {"Decimal": Decimal, "NoneType": type(None), **writer.constants}
    exec(compile(source, "<quick_schema>", "exec"), namespace)
    check = namespace["check"]
    check.source = source  # for debugging and tests
    return check


class _Writer:
    def __init__(self, defs: dict[str, Any]):
        self.defs = defs
        self.constants: dict[str, Any] = {}

    def constant(self, value: Any) -> str:
        name = f"C{len(self.constants)}"
        self.constants[name] = value
        return name

    def node(self, schema: Any, x: str, indent: int, depth: int) -> list[str]:
        """Statements that `return False` when the value named `x` does not fit `schema`."""
        if not isinstance(schema, dict) or depth > _MAX_REF_DEPTH:
            raise NotImplementedError("boolean or recursive schema")
        pad = "    " * indent
        out: list[str] = []
        sure = None  # the one Python type the value is known to have past the type check
        if "type" in schema:  # first: what follows may rely on it
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            types = ", ".join(t for name in names for t in _PY_TYPES[name])
            # bool is an int in Python, not in JSON
            numeric = "integer" in names or "number" in names
            no_bool = f" or {x}.__class__ is bool" if numeric and "boolean" not in names else ""
            out.append(f"{pad}if not isinstance({x}, ({types},)){no_bool}: return False\n")
            if len(names) == 1 and names[0] in ("object", "array", "string"):
                sure = _PY_TYPES[names[0]][0]
        for key, value in schema.items():
            if key in _IGNORED or key in ("type", "properties", "additionalProperties"):
                continue
            if key == "$ref":
                if not isinstance(value, str) or not value.startswith("#/$defs/"):
                    raise NotImplementedError(f"$ref {value!r}")
                out += self.node(self.defs[value.removeprefix("#/$defs/")], x, indent, depth + 1)
            else:
                out += self.keyword(key, value, x, pad, indent, depth, sure)
        if "properties" in schema or "additionalProperties" in schema:
            out += self.object(schema, x, indent, depth, sure)
        return out

    def keyword(
        self, key: str, value: Any, x: str, pad: str, indent: int, depth: int, sure: str | None
    ) -> list[str]:
        def only(kind: str) -> str:  # the guard that applies a keyword to one kind of value
            return "" if kind == sure else f"isinstance({x}, {kind}) and "

        if key == "enum":
            allowed = self.constant(frozenset(value))
            if not all(isinstance(v, str) for v in value):
                raise NotImplementedError("enum of non-strings")
            return [f"{pad}if {x}.__class__ is not str or {x} not in {allowed}: return False\n"]
        if key == "required":
            present = " and ".join(f"{k!r} in {x}" for k in value) or "True"
            return [f"{pad}if {only('dict')}not ({present}): return False\n"]
        if key == "items":
            item = f"x{depth + 1}_{indent}"
            if sure == "list":
                body = self.node(value, item, indent + 1, depth + 1)
                return [f"{pad}for {item} in {x}:\n", *body] if body else []
            body = self.node(value, item, indent + 2, depth + 1)
            if not body:
                return []
            return [f"{pad}if isinstance({x}, list):\n", f"{pad}    for {item} in {x}:\n", *body]
        if key in ("minItems", "maxItems", "minLength", "maxLength"):
            kind = "list" if key.endswith("Items") else "str"
            op = "<" if key.startswith("min") else ">"
            return [f"{pad}if {only(kind)}len({x}) {op} {int(value)}: return False\n"]
        if key == "pattern":
            search = self.constant(re.compile(value).search)
            return [f"{pad}if {only('str')}{search}({x}) is None: return False\n"]
        if key in ("minimum", "exclusiveMinimum"):
            bound = self.constant(value)
            op = "<=" if key == "exclusiveMinimum" else "<"
            number = f"isinstance({x}, (int, Decimal)) and {x}.__class__ is not bool"
            return [f"{pad}if {number} and {x} {op} {bound}: return False\n"]
        raise NotImplementedError(key)

    def object(self, schema: dict, x: str, indent: int, depth: int, sure: str | None) -> list:
        properties: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        known = self.constant(frozenset(properties))
        if sure != "dict":
            out = [f"{'    ' * indent}if isinstance({x}, dict):\n"]
            indent += 1
        else:
            out = [""]
        inner = "    " * indent
        if extra is False:
            out.append(f"{inner}if not {x}.keys() <= {known}: return False\n")
        elif isinstance(extra, dict):
            key, item = f"k{depth + 1}_{indent}", f"x{depth + 1}_{indent}"
            body = self.node(extra, item, indent + 2, depth + 1)
            if body:
                out.append(f"{inner}for {key}, {item} in {x}.items():\n")
                out.append(f"{inner}    if {key} not in {known}:\n")
                out += body
        elif extra is not True:
            raise NotImplementedError("additionalProperties")
        missing = self.constant(object())
        for name, sub in properties.items():
            item = f"x{depth + 1}_{indent}"
            body = self.node(sub, item, indent + 1, depth + 1)
            if body:
                out.append(f"{inner}{item} = {x}.get({name!r}, {missing})\n")
                out.append(f"{inner}if {item} is not {missing}:\n")
                out += body
        return out if len(out) > 1 else []
