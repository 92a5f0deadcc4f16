"""The plan for people at a terminal: Terraform-style lines, field-level diffs, a summary line.

`+` create, `~` update/rename/adopt, `-` archive/delete; under each product its field changes,
then what the write deletes and any warning. Colour only when asked (the CLI asks on a tty).
The summary line counts rename as an update; adopt is listed and counted on its own line but is
not a change (it writes only the marker), and no-ops are not listed.
"""

from __future__ import annotations

import json
from typing import Any

from reconciler.plan.model import Change, ChildDeletion, FieldChange, Plan

SYMBOL = {
    "create": "+",
    "update": "~",
    "rename": "~",
    "adopt": "~",
    "archive": "-",
    "delete": "-",
    "no-op": " ",
}
_COLOR = {"+": "32", "~": "33", "-": "31", "!": "35"}
NO_CHANGES = "No changes. The store matches the catalog."


def summary_line(plan: Plan) -> str:
    s = plan.summary
    return (
        f"Plan: {s['create']} to create, {s['update'] + s['rename']} to update, "
        f"{s['archive']} to archive, {s['delete']} to delete."
    )


def value(v: Any, limit: int = 200) -> str:
    text = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_line(change: FieldChange) -> tuple[str, str]:
    """(symbol, text) for one field change."""
    drift = "  (drift: changed in the store)" if change.drift else ""
    if change.before is None:
        return "+", f"{change.path}: {value(change.after)}{drift}"
    if change.after is None:
        return "-", f"{change.path}: {value(change.before)}{drift}"
    return "~", f"{change.path}: {value(change.before)} -> {value(change.after)}{drift}"


def deletion_text(d: ChildDeletion) -> str:
    kind = d.kind.replace("_", " ")
    return f"deletes {kind} {d.name}" + (f" ({d.id})" if d.id else "")


def title(change: Change) -> str:
    name = change.handle
    if change.previous_handle:
        name = f"{change.previous_handle} -> {change.handle}"
    return f"{change.action} {name}"


def change_lines(change: Change) -> list[tuple[str, str]]:
    """(symbol, text) lines under a product: diffs, deletions, warnings."""
    lines = [field_line(c) for c in change.diff]
    lines += [("-", deletion_text(d)) for d in change.child_deletions]
    lines += [("!", f"warning: {w}") for w in change.warnings]
    return lines


def estimate_line(plan: Plan) -> str:
    e = plan.estimate
    return (
        f"Estimate: {e.points:g} points in {e.calls} calls, about {e.seconds:g} s at "
        f"{e.restore_rate:g} points/s; apply mode: {e.mode} ({e.mode_reason})."
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
    out = [f"Catalog {plan.catalog!r}, store {plan.store!r}, API {plan.api_version}", ""]
    shown = [c for c in plan.changes if c.action != "no-op" or c.warnings]
    for change in shown:
        symbol = SYMBOL[change.action] if change.action != "no-op" else "!"
        head = f"{symbol} {title(change)}"
        out.append(paint(symbol, head, bold=True))
        out.append(f"    # {change.reason}")
        out += [paint(sym, f"    {sym} {text}") for sym, text in change_lines(change)]
        out.append("")
    if plan.has_changes:
        out.append(paint("", summary_line(plan), bold=True))
        out.append(estimate_line(plan))
    else:
        out.append(paint("", NO_CHANGES, bold=True))
    out += footer_lines(plan)
    return "\n".join(out) + "\n"


def _painter(color: bool):
    def paint(symbol: str, text: str, bold: bool = False) -> str:
        if not color:
            return text
        codes = [c for c in (("1" if bold else ""), _COLOR.get(symbol, "")) if c]
        return f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes else text

    return paint
