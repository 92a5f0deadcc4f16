"""The plan as a pull-request comment: summary table, removals first, a collapsible diff each.

Always shorter than GitHub's 65,536-character comment limit: products that do not fit are left out
with a pointer to the JSON plan artifact, and one product's block is cut short the same way.
"""

from __future__ import annotations

from reconciler.plan.model import REMOVALS, Change, Plan
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

GITHUB_LIMIT = 65_536
BLOCK_LIMIT = 12_000  # one product's diff; beyond it the JSON plan has the rest
_ORDER = ("archive", "delete", "create", "rename", "update", "adopt", "no-op")


def render_markdown(
    plan: Plan, *, artifact: str = "the JSON plan artifact", limit: int = GITHUB_LIMIT
) -> str:
    head = _head(plan)
    notes = [x for x in footer_lines(plan) if x != _blocked(plan)]
    tail = "\n" + "\n".join(f"> {line}" for line in notes) + "\n" if notes else ""
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


def _head(plan: Plan) -> str:
    s = plan.summary
    lines = [f"### Catalog plan: `{plan.catalog}` → `{plan.store}` (API {plan.api_version})", ""]
    if not plan.has_changes:
        lines += [f"**{NO_CHANGES}**", ""]
    else:
        lines += [f"**{summary_line(plan)}**", "", estimate_line(plan), ""]
    lines += ["| action | products |", "| --- | ---: |"]
    for action in ("create", "update", "rename", "adopt", "archive", "delete", "no-op"):
        lines.append(f"| {action} | {s[action.replace('-', '_')]} |")
    if plan.removals_blocked_reason:
        lines += ["", f"> **{_blocked(plan)}**"]
    return "\n".join(lines) + "\n"


def _block(change: Change, artifact: str) -> str:
    summary = (
        f"<code>{SYMBOL[change.action]} {_escape(title(change))}</code> — {_escape(change.reason)}"
    )
    body = "\n".join(_diff_lines(change))
    if len(body) > BLOCK_LIMIT:
        body = body[:BLOCK_LIMIT].rsplit("\n", 1)[0] + f"\n# … cut short: see {artifact}"
    fence = "```"
    while fence in body:
        fence += "`"
    inner = f"\n{fence}diff\n{body}\n{fence}\n" if body else "\n"
    return f"\n<details><summary>{summary}</summary>\n{inner}\n</details>\n"


def _diff_lines(change: Change) -> list[str]:
    """GitHub colours diff lines by their first character: before in red, after in green."""
    out = []
    for c in change.diff:
        drift = "  # drift: changed in the store" if c.drift else ""
        if c.before is not None:
            out.append(f"- {c.path}: {value(c.before)}{drift if c.after is None else ''}")
        if c.after is not None:
            out.append(f"+ {c.path}: {value(c.after)}{drift}")
    out += [f"- {deletion_text(d)}" for d in change.child_deletions]
    out += [f"! warning: {w}" for w in change.warnings]
    return out


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
