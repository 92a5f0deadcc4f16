"""The plan for people at a terminal: Terraform-style lines, field-level diffs, a summary line.

`+` create, `~` update/rename/adopt, `-` archive/delete; under each product its field changes,
then what the write deletes and any warning. A long or multi-line value is shown as a diff
(valuediff.py). Every line starts with our own indent and symbol, and text from the catalog or
the store is escaped (escape.visible), so no line can be a GitHub Actions workflow command.
Colour only when asked (the CLI asks on a tty).
The summary line counts rename as an update; adopt is listed and counted on its own line but is
not a change (it writes only the marker), and no-ops are not listed.
"""

from __future__ import annotations

from typing import Any

from reconciler.plan.model import Change, ChildDeletion, FieldChange, Plan
from reconciler.render.escape import visible
from reconciler.render.valuediff import LIMIT, as_json, diff_lines, is_long, summary

SYMBOL = {
    "create": "+",
    "update": "~",
    "rename": "~",
    "adopt": "~",
    "archive": "-",
    "delete": "-",
    "no-op": " ",
}
_COLOR = {"+": "32", "~": "33", "-": "31", "!": "35", "@": "36"}
NO_CHANGES = "No changes. The store matches the catalog."


def summary_line(plan: Plan) -> str:
    s = plan.summary
    return (
        f"Plan: {s['create']} to create, {s['update'] + s['rename']} to update, "
        f"{s['archive']} to archive, {s['delete']} to delete."
    )


def value(v: Any, limit: int = LIMIT) -> str:
    """A value as JSON, on one line; cut only where there is no other side to tell it from."""
    text = as_json(v)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_lines(change: FieldChange) -> list[tuple[str, str, int]]:
    """(symbol, text, depth) lines for one field change: one line, or a diff under a heading."""
    drift = "  (drift: changed in the store)" if change.drift else ""
    if is_long(change.before, change.after):
        head = ("~", f"{change.path}: {summary(change.before, change.after)}{drift}", 0)
        return [head, *((sign, text, 1) for sign, text in diff_lines(change.before, change.after))]
    if change.before is None:
        return [("+", f"{change.path}: {value(change.after)}{drift}", 0)]
    if change.after is None:
        return [("-", f"{change.path}: {value(change.before)}{drift}", 0)]
    return [("~", f"{change.path}: {value(change.before)} -> {value(change.after)}{drift}", 0)]


def deletion_text(d: ChildDeletion) -> str:
    kind = d.kind.replace("_", " ")
    return f"deletes {kind} {d.name}" + (f" ({d.id})" if d.id else "")


def title(change: Change) -> str:
    name = change.handle
    if change.previous_handle:
        name = f"{change.previous_handle} -> {change.handle}"
    return f"{change.action} {name}"


def change_lines(change: Change) -> list[tuple[str, str, int]]:
    """(symbol, text, depth) lines under a product: diffs, deletions, warnings."""
    lines = [line for c in change.diff for line in field_lines(c)]
    lines += [("-", deletion_text(d), 0) for d in change.child_deletions]
    lines += [("!", f"warning: {w}", 0) for w in change.warnings]
    return lines


def estimate_line(plan: Plan) -> str:
    e = plan.estimate
    bucket = f", {e.bucket:g}-point bucket" if e.bucket else ""
    return (
        f"Estimate: {e.points:g} points in {e.calls} calls, about {e.seconds:g} s sync at "
        f"{e.restore_rate:g} points/s{bucket}; apply mode: {e.mode} ({e.mode_reason})."
    )


def footer_lines(plan: Plan) -> list[str]:
    s = plan.summary
    lines = []
    if s["adopt"]:
        lines.append(f"{s['adopt']} to adopt (apply only marks them as this catalog's).")
    if plan.removals_blocked_reason:
        reason = plan.removals_blocked_reason
        lines.append(f"{reason[:1].upper()}{reason[1:]}.")
    if plan.unmanaged_count:
        lines.append(
            f"{plan.unmanaged_count} product(s) in the store are not this catalog's: left alone."
        )
    return lines


def render_text(plan: Plan, *, color: bool = False) -> str:
    paint = _painter(color)
    out = [visible(f"Catalog {plan.catalog!r}, store {plan.store!r}, API {plan.api_version}"), ""]
    shown = [c for c in plan.changes if c.action != "no-op" or c.warnings]
    for change in shown:
        symbol = SYMBOL[change.action] if change.action != "no-op" else "!"
        head = f"{symbol} {title(change)}"
        out.append(paint(symbol, visible(head), bold=True))
        out.append(f"    # {visible(change.reason)}")
        out += [_line(paint, *line) for line in change_lines(change)]
        out.append("")
    if plan.has_changes:
        out.append(paint("", summary_line(plan), bold=True))
        out.append(estimate_line(plan))
    else:
        out.append(paint("", NO_CHANGES, bold=True))
    out += [visible(line) for line in footer_lines(plan)]
    return "\n".join(out) + "\n"


def _line(paint, symbol: str, text: str, depth: int) -> str:
    """Every line starts with our indent and symbol; no raw control character reaches it."""
    if depth == 0:
        return paint(symbol, f"    {symbol} {visible(text)}")
    if symbol == "@":
        return paint(symbol, f"        {visible(text)}")
    return paint(symbol, f"        {symbol} {visible(text)}")


def _painter(color: bool):
    def paint(symbol: str, text: str, bold: bool = False) -> str:
        if not color:
            return text
        codes = [c for c in (("1" if bold else ""), _COLOR.get(symbol, "")) if c]
        return f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes else text

    return paint
