"""The plan as a pull-request comment: summary table, removals first, a collapsible diff each.

Always shorter than GitHub's 65,536-character comment limit: products that do not fit are left out
with a pointer to the JSON plan artifact, and one product's block is cut short the same way.
Every name, handle, reason and value comes from the catalog or the store and reaches GitHub as
literal text (escape.py): in code spans and fences sized to it, HTML-escaped inside <summary>,
on one line, mentioning nobody. Long and multi-line values are diffs (valuediff.py).
"""

from __future__ import annotations

from reconciler.plan.model import REMOVALS, Change, FieldChange, Plan
from reconciler.render.escape import (
    code_fence,
    code_span,
    html_text,
    markdown_text,
    shorten,
    visible,
)
from reconciler.render.text import (
    NO_CHANGES,
    SYMBOL,
    deletion_text,
    estimate_line,
    footer_lines,
    summary_line,
    title,
    value,
)
from reconciler.render.valuediff import diff_lines, is_long, summary

GITHUB_LIMIT = 65_536
BLOCK_LIMIT = 12_000  # one product's diff; beyond it the JSON plan has the rest
NAME_LIMIT = 200  # a catalog name, store or handle shown in a heading or summary
REASON_LIMIT = 1_000
_ORDER = ("archive", "delete", "create", "rename", "update", "adopt", "no-op")


def render_markdown(
    plan: Plan, *, artifact: str = "the JSON plan artifact", limit: int = GITHUB_LIMIT
) -> str:
    head = _head(plan)
    notes = [x for x in footer_lines(plan) if x != _blocked(plan)]
    tail = "\n" + "\n".join(f"> {_text(line)}" for line in notes) + "\n" if notes else ""
    shown = [c for c in plan.changes if c.action != "no-op" or c.warnings]
    shown.sort(key=lambda c: (_ORDER.index(c.action), c.handle))
    blocks, used = [], len(head) + len(tail)
    reserve = 300  # room for the truncation note
    for i, change in enumerate(shown):
        block = _block(change, artifact)
        if used + len(block) + reserve > limit:
            rest = len(shown) - i
            note = f"**{rest} more product(s) not shown here:** the complete plan is in {artifact}."
            blocks.append(f"\n{note}\n")
            break
        if change.action in REMOVALS and (i == 0 or shown[i - 1].action not in REMOVALS):
            blocks.append("\n#### Removals\n")
        elif change.action not in REMOVALS and (i == 0 or shown[i - 1].action in REMOVALS):
            blocks.append("\n#### Changes\n")
        blocks.append(block)
        used += len(block)
    return head + "".join(blocks) + tail


def _blocked(plan: Plan) -> str | None:
    reason = plan.removals_blocked_reason
    return f"{reason[:1].upper()}{reason[1:]}." if reason else None


def _text(line: str) -> str:
    return markdown_text(shorten(line, REASON_LIMIT))


def _code(name: str) -> str:
    return code_span(shorten(name, NAME_LIMIT))


def _head(plan: Plan) -> str:
    s = plan.summary
    names = f"{_code(plan.catalog)} → {_code(plan.store)} (API {_code(plan.api_version)})"
    lines = [f"### Catalog plan: {names}", ""]
    if not plan.has_changes:
        lines += [f"**{NO_CHANGES}**", ""]
    else:
        lines += [f"**{summary_line(plan)}**", "", estimate_line(plan), ""]
    lines += ["| action | products |", "| --- | ---: |"]
    for action in ("create", "update", "rename", "adopt", "archive", "delete", "no-op"):
        lines.append(f"| {action} | {s[action.replace('-', '_')]} |")
    if plan.removals_blocked_reason:
        lines += ["", f"> **{_text(_blocked(plan) or '')}**"]
    return "\n".join(lines) + "\n"


def _block(change: Change, artifact: str) -> str:
    name = html_text(shorten(title(change), 2 * NAME_LIMIT))
    reason = html_text(shorten(change.reason, REASON_LIMIT))
    head = f"<code>{SYMBOL[change.action]} {name}</code> — {reason}"
    body = "\n".join(visible(line) for line in _diff_lines(change))
    if len(body) > BLOCK_LIMIT:
        body = body[:BLOCK_LIMIT].rsplit("\n", 1)[0] + f"\n# … cut short: see {artifact}"
    fence = code_fence(body)
    inner = f"\n{fence}diff\n{body}\n{fence}\n" if body else "\n"
    return f"\n<details><summary>{head}</summary>\n{inner}\n</details>\n"


def _diff_lines(change: Change) -> list[str]:
    """GitHub colours diff lines by their first character: before in red, after in green."""
    out = [line for c in change.diff for line in _field_lines(c)]
    out += [f"- {deletion_text(d)}" for d in change.child_deletions]
    out += [f"! warning: {w}" for w in change.warnings]
    return out


def _field_lines(c: FieldChange) -> list[str]:
    drift = "  # drift: changed in the store" if c.drift else ""
    if is_long(c.before, c.after):
        lines = [f"  {c.path}: {summary(c.before, c.after)}{drift}"]
        for sign, text in diff_lines(c.before, c.after):
            lines.append(text if sign == "@" else f"{sign}    {text}")
        return lines
    out = []
    if c.before is not None:
        out.append(f"- {c.path}: {value(c.before)}{drift if c.after is None else ''}")
    if c.after is not None:
        out.append(f"+ {c.path}: {value(c.after)}{drift}")
    return out
