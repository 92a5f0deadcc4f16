"""Field-level before/after for one changed product (the only module that imports deepdiff).

compare calls this only for products whose hashes differ; unchanged products never get here.
Paths read like the catalog: `title`, `tags`, `variants[Size=M].price`,
`metafields.custom.material`, `media[https://cdn.example.com/a.jpg].alt`.
"""

from __future__ import annotations

from typing import Any

from deepdiff import DeepDiff
from deepdiff.helper import NotPresent

from reconciler.plan.model import FieldChange

# Shown whole: a list reads better as before/after than as items added and removed.
_WHOLE = ("options", "tags", "publications")


def field_changes(
    before: dict[str, Any], after: dict[str, Any], drift: tuple[str, ...] = ()
) -> tuple[FieldChange, ...]:
    """Every leaf that differs between the two views, sorted by path."""
    out: list[FieldChange] = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if b == a:
            continue
        if key in _WHOLE or not (isinstance(b, dict) or isinstance(a, dict)):
            out.append(FieldChange(key, b, a, key in drift))
            continue
        # Keyed sections (variants, metafields, media): entry by entry, so that a section that
        # appears whole, or entries with nothing in common, still read one entry at a time.
        b, a = b or {}, a or {}
        for entry in sorted(set(b) | set(a)):
            out += _entry_changes(key, entry, b.get(entry), a.get(entry), key in drift)
    return tuple(sorted(out, key=lambda c: c.path))


def _entry_changes(key: str, entry: str, b: Any, a: Any, drift: bool) -> list[FieldChange]:
    if b == a:
        return []
    if not (isinstance(b, dict) and isinstance(a, dict)):
        return [_change(key, [entry], b, a, drift)]
    out = []
    for level in _levels(DeepDiff(b, a, view="tree")):
        parts = [entry, *level.path(output_format="list")]
        out.append(_change(key, parts, _value(level.t1), _value(level.t2), drift))
    return out


def _change(key: str, parts: list[Any], b: Any, a: Any, drift: bool) -> FieldChange:
    if key == "metafields" and len(parts) == 1:
        b, a = _metafield_value(b), _metafield_value(a)
    return FieldChange(_path(key, parts), b, a, drift)


def _levels(diff: DeepDiff) -> list[Any]:
    return [level for levels in diff.values() for level in levels]


def _value(value: Any) -> Any:
    return None if isinstance(value, NotPresent) else value


def _metafield_value(value: Any) -> Any:
    """A whole metafield added or removed shows as its value, like a changed one."""
    return value.get("value") if isinstance(value, dict) else value


def _path(key: str, parts: list[Any]) -> str:
    if key == "metafields":
        name = f"metafields.{parts[0]}"
        return (
            name if len(parts) == 1 or parts[1:] == ["value"] else f"{name}.{'.'.join(parts[1:])}"
        )
    if key in ("variants", "media"):
        head = f"{key}[{parts[0]}]"
        rest = parts[1:]
        if rest and rest[0] == "metafields":
            tail = ".".join(str(p) for p in rest[1:2])
            return f"{head}.metafields.{tail}" if tail else f"{head}.metafields"
        return head + "".join(f".{p}" for p in rest)
    return key + "".join(f".{p}" for p in parts)
