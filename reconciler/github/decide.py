"""Pure decisions over GitHub's JSON answers: no I/O here, so each is tested on recorded answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

COMMENT_LIMIT = 65_536  # GitHub refuses a longer comment or issue body
REMOVALS_LABEL = "catalog: removals"
DRIFT_LABEL = "catalog-drift"
ACTIONS_BOT = "github-actions[bot]"  # who GITHUB_TOKEN writes as; GET /user refuses that token
_CUT = "\n\n**Cut short at GitHub's limit:** the complete plan is in the JSON plan artifact.\n"


def marker(kind: str, catalog: str) -> str:
    """The hidden line that lets the next run find this comment or issue again."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in catalog)
    return f"<!-- catalog-{kind}:{safe} -->"


def with_marker(text: str, mark: str) -> str:
    """`text` under its marker, cut to fit GitHub's limit (render/markdown.py already aims below
    it; the marker and a summary heading could still push it over)."""
    body = f"{mark}\n{text}"
    if len(body) <= COMMENT_LIMIT:
        return body
    keep = COMMENT_LIMIT - len(_CUT)
    return body[:keep].rsplit("\n", 1)[0] + _CUT


def ours(item: dict[str, Any], mark: str, login: str) -> bool:
    """Our comment or issue: it starts with the marker and we wrote it. Someone else's comment that
    quotes the marker (or a reply that copies ours) is never ours to edit."""
    author = (item.get("user") or {}).get("login")
    body = item.get("body") or ""
    return author == login and body.startswith(mark)


def find_ours(items: list[dict[str, Any]], mark: str, login: str) -> dict[str, Any] | None:
    """The oldest of ours (the one the pull request's readers already know), else None."""
    mine = [x for x in items if ours(x, mark, login) and "pull_request" not in x]
    return min(mine, key=lambda x: x["id"]) if mine else None


@dataclass(frozen=True)
class Step:
    """One write to GitHub: what to do, to which item (None: a new one), with which body."""

    action: Literal["create", "update", "close", "nothing"]
    number: int | None = None
    body: str | None = None


def comment_step(existing: dict[str, Any] | None, body: str) -> Step:
    if existing is None:
        return Step("create", body=body)
    if existing.get("body") == body:
        return Step("nothing", existing["id"])
    return Step("update", existing["id"], body)


def drift_step(exit_code: int, existing: dict[str, Any] | None, body: str) -> Step:
    """From `plan --detailed-exitcode`: 2 drifted (open the issue, or refresh it), 0 in step (close
    an open one), 1 an error: decide nothing, so a failing run never closes a real drift issue."""
    if exit_code == 2:
        if existing is None:
            return Step("create", body=body)
        if existing.get("body") == body:
            return Step("nothing", existing["number"])
        return Step("update", existing["number"], body)
    if exit_code == 0 and existing is not None:
        return Step("close", existing["number"])
    if exit_code in (0, 2):
        return Step("nothing")
    raise ValueError(f"plan failed (exit code {exit_code}): no drift decision")


def has_removals(plan: dict[str, Any]) -> bool:
    """The plan archives or deletes a product (the reviewer's attention label)."""
    return any(c.get("action") in ("archive", "delete") for c in plan.get("changes", []))


LabelStep = Literal["add", "remove", None]


def label_step(plan: dict[str, Any], labels: list[dict[str, Any]]) -> LabelStep:
    """Add the label when the plan removes, take it off when a later push no longer does."""
    present = any(x.get("name") == REMOVALS_LABEL for x in labels)
    wanted = has_removals(plan)
    if wanted and not present:
        return "add"
    if present and not wanted:
        return "remove"
    return None


def read_plan(text: str) -> dict[str, Any]:
    data = json.loads(text)
    if not isinstance(data, dict) or "changes" not in data:
        raise ValueError("not a plan file: no changes")
    return data


def summary_text(title: str, markdown: str) -> str:
    """The job summary: a heading, then the same Markdown the comment shows."""
    return f"## {title}\n\n{markdown.rstrip()}\n"
