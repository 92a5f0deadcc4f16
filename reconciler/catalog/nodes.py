"""YAML nodes -> plain data, keeping where every value was written.

The text rule (contract.md "Text stays text"): a scalar becomes its text exactly as written,
never YAML 1.1's reading of it, so `NO`, `1.10` and `00123` stay text. Only keys named in `typed`
(booleans and numbers such as `taxable` or `timeout`) and free-form values (a metafield's `value`)
are read as typed, with YAML 1.2's core rules (`true`/`false`, integers, decimals as Decimal,
`null`), and numbers are never read through float.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from reconciler.catalog.load import MAX_VALUES, PLAIN

Path_ = tuple[str | int, ...]

_MAX_DEPTH = 64
# Values that aliases repeat, in one file (all its documents): a small file of many alias
# bombs, each under MAX_VALUES, must not cost each document's worth of time.
MAX_ALIASED = 100_000
# Values of the documents that fail the quick schema check, in one file: jsonschema explains
# them at about 15 us a value (3 s for this many), and a 10 MiB file could hold 25 such documents.
MAX_EXPLAINED = 200_000
_CORE_INT = re.compile(r"[-+]?[0-9]+")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_CORE_NULL = ("", "~", "null", "Null", "NULL")
_CORE_TRUE = ("true", "True", "TRUE")
_CORE_FALSE = ("false", "False", "FALSE")


class _Abort(Exception):
    pass


@dataclass(slots=True)
class FileBudget:
    """What one file may still cost, all its documents together: values repeated by aliases
    (`spent` once a document went past it), and values that jsonschema explains (validate.py)."""

    left: int = MAX_ALIASED
    spent: bool = False
    explain_left: int = MAX_EXPLAINED


@dataclass(slots=True)
class Located:
    """A document's data, and its YAML nodes to find where any part of it was written."""

    data: Any
    root: yaml.Node | None = None
    issues: list[tuple[Path_, tuple[int, int], str]] = field(default_factory=list)
    canonical: dict[Path_, str] = field(default_factory=dict)  # metafield values, once checked
    values: int = 0  # how many values the data holds (aliases repeated)
    free_nodes: dict[Path_, yaml.Node] = field(default_factory=dict)  # free-form values' nodes

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Where `path` was written (its key's position if `key`), or its nearest ancestor."""
        node, key_node = self.root, None
        if node is None:
            return (1, 1)
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            key_node, node = child
        mark = (key_node if key and key_node is not None else node).start_mark
        return (mark.line + 1, mark.column + 1)

    def text_tree(self, path: Path_) -> Any:
        """The value at `path` with every scalar as its text as written."""
        node = self.free_nodes.get(path)
        if node is not None:
            return _texts(node, 0)
        node = self.root
        for part in path:
            child = _child(node, part) if node is not None else None
            node = child[1] if child else None
        return _texts(node, 0) if node is not None else None


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    items = node.value
    if node.__class__ is _Sequence:
        return (None, items[part]) if part.__class__ is int and part < len(items) else None
    if node.__class__ is _Mapping and part.__class__ is str:
        for key_node, value_node in items:
            if key_node.value == part and key_node.__class__ is _Scalar:
                return key_node, value_node
    return None


def _texts(node: yaml.Node, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_texts(n, depth + 1) for n in node.value]
    out: dict[str, Any] = {}
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode):
            out.setdefault(k.value, _texts(v, depth + 1))
    return out


def where_text(path: Path_) -> str:
    """`variants[2].price` for ("variants", 2, "price")."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def convert(
    node: yaml.Node,
    typed: frozenset[str],
    free: frozenset[str] = frozenset(),
    budget: FileBudget | None = None,
) -> Located:
    """The node's data. `typed`: keys whose scalars are booleans/numbers; `free`: keys inside a
    list item whose value is free-form YAML (read with the core rules, like `typed`); `budget`:
    the file's, shared by its documents (else this document's own)."""
    located = Located(None, node)
    converter = _Converter(located, typed, free, budget or FileBudget())
    try:
        located.data = converter.value(node, (), _TEXT, 0)
    except _Abort:
        located.data = None
    located.values = converter.count
    return located


_TEXT, _TYPED = 0, 1
_Scalar, _Sequence, _Mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_PLAIN = PLAIN


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


_TOO_MANY = f"the document is too large: more than {MAX_VALUES:,} values (aliases included)"
_ALIASED = (
    f"YAML aliases in this file repeat more than {MAX_ALIASED:,} values: too large, "
    "the rest of the file is not read"
)


class _Converter:
    def __init__(
        self, located: Located, typed: frozenset[str], free: frozenset[str], budget: FileBudget
    ):
        self.issues = located.issues
        self.free_nodes = located.free_nodes
        self.typed = typed
        self.free = free
        self.count = 0
        self.active: set[int] = set()
        self.seen: set[int] = set()  # collections met once: met again, through an alias
        self.budget = budget

    def value(self, node: yaml.Node, path: Path_, mode: int, depth: int) -> Any:
        if node.__class__ is _Scalar:
            if mode == _TEXT:
                if not node.value and node.tag == _PLAIN:
                    self.issues.append((path, _mark(node), "no value: give one, or remove the key"))
                return node.value
            return core_value(node)
        return self.collection(node, path, mode, depth)

    def collection(self, node: yaml.Node, path: Path_, mode: int, depth: int) -> Any:
        items = node.value
        self.count += len(items)
        node_id = id(node)
        if node_id in self.seen:
            self.budget.left -= len(items)
            if self.budget.left < 0:
                self.budget.spent = True
                self._stop(path, node, _ALIASED)
        else:
            self.seen.add(node_id)
        if self.count > MAX_VALUES:
            self._stop(path, node, _TOO_MANY)
        if depth > _MAX_DEPTH:
            self._stop(path, node, f"the document is nested more than {_MAX_DEPTH} levels deep")
        active = self.active
        if node_id in active:
            self.issues.append((path, _mark(node), "a YAML alias refers to itself"))
            raise _Abort
        active.add(node_id)
        try:
            if node.__class__ is _Sequence:
                depth += 1
                return [
                    n.value
                    if mode == _TEXT and n.__class__ is _Scalar and n.value
                    else self.value(n, (*path, i), mode, depth)
                    for i, n in enumerate(items)
                ]
            return self.mapping(node, path, mode, depth)
        finally:
            active.discard(node_id)

    def _stop(self, path: Path_, node: yaml.Node, message: str) -> None:
        self.issues.append((path, _mark(node), message))
        raise _Abort

    def mapping(self, node: yaml.MappingNode, path: Path_, mode: int, depth: int) -> dict:
        result: dict[str, Any] = {}
        # keys whose values are read typed here: `typed` ones in text, `free` ones in list items
        typed = self.typed if mode == _TEXT else ()
        free = self.free if path and path[-1].__class__ is int else ()
        for key_node, value_node in node.value:
            if key_node.__class__ is not _Scalar:
                self.issues.append((path, _mark(key_node), "a key must be plain text"))
                continue
            key = key_node.value
            if key in result or (key == "<<" and not key_node.style and key_node.tag == _PLAIN):
                self._bad_key(node, key_node, path)
                continue
            child_mode = mode
            if key in typed or key in free:
                child_mode = _TYPED
                if key in free:
                    self.free_nodes[(*path, key)] = value_node
            if value_node.__class__ is _Scalar:
                if child_mode != _TEXT:
                    result[key] = core_value(value_node)
                elif value_node.value:
                    result[key] = value_node.value  # the common case, without a call
                else:
                    result[key] = self.value(value_node, (*path, key), child_mode, depth + 1)
            else:
                result[key] = self.collection(value_node, (*path, key), child_mode, depth + 1)
        return result

    def _bad_key(self, node: yaml.MappingNode, key_node: yaml.ScalarNode, path: Path_) -> None:
        key = key_node.value
        if key == "<<" and not key_node.style and key_node.tag == _PLAIN:
            message = "YAML merge keys (<<) are not supported: write the keys out"
            self.issues.append((path, _mark(key_node), message))
            return
        first = next(k for k, _ in node.value if k.__class__ is _Scalar and k.value == key)
        line = first.start_mark.line + 1
        message = f"duplicate key {key!r} (also on line {line}; YAML would keep only one)"
        self.issues.append(((*path, key), _mark(key_node), message))


def core_value(node: yaml.Node) -> Any:
    """A scalar read with YAML 1.2's core schema (quoted or !!str-tagged scalars stay text)."""
    text = node.value
    if node.tag != _PLAIN:
        return text  # quoted, block or explicitly tagged: text
    if text in _CORE_NULL:
        return None
    if text in _CORE_TRUE:
        return True
    if text in _CORE_FALSE:
        return False
    if _CORE_INT.fullmatch(text):
        return int(text) if len(text) <= 1000 else Decimal(text)
    if _CORE_FLOAT.fullmatch(text):
        return Decimal(text)
    return text
