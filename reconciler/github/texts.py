"""Markdown the workflows write besides the plan: the apply report's job summary and the note that
replaces a plan comment when planning failed. Pure functions of their inputs.

Handles and error messages in a report come from the catalog and the store, so they go through
render/escape.py like everything else rendered as Markdown: no value can become a link, a mention,
HTML or a workflow command.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reconciler.render.escape import code_span, markdown_text

_MAX_LISTED = 50  # products listed by name in the summary; the artifact has them all


def run_url(env: Mapping[str, str]) -> str | None:
    """The link to this workflow run, from the variables the runner sets (not from the catalog)."""
    parts = [env.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    if not all(parts):
        return None
    server, repo, run = parts
    return f"{server}/{repo}/actions/runs/{run}"


def plan_failed(env: Mapping[str, str]) -> str:
    """What a pull request shows when this push could not be planned: no earlier plan may stand
    in for it."""
    url = run_url(env)
    log = f"[the job's log]({url})" if url else "the job's log"
    return (
        "### Plan failed\n\n"
        f"The plan for the latest push could not be made: see {log}. "
        "A plan shown here earlier no longer describes this pull request.\n"
    )


def report_summary(text: str | None, code: int) -> str:
    """The apply's job summary from its JSON report (`text`), or, when apply stopped before it
    wrote one, the exit code and where to look."""
    if text is None:
        return (
            f"**Apply failed before it wrote a report** (exit code {code}): nothing was applied "
            "or the run stopped early; see the job's log.\n"
        )
    report = json.loads(text)
    if not isinstance(report, dict) or "summary" not in report:
        raise ValueError("not an apply report: no summary")
    state = "complete" if report.get("ok") else "incomplete"
    if report.get("interrupted"):
        state = "interrupted"
    counts = {k: int(v) for k, v in report["summary"].items()}
    lines = [
        f"**Apply {state}** for catalog {code_span(str(report.get('catalog', '')))}.",
        "",
        "| " + " | ".join(counts) + " |",
        "|" + "---:|" * len(counts),
        "| " + " | ".join(str(n) for n in counts.values()) + " |",
        "",
        f"{int(report.get('requests', 0))} requests, {float(report.get('duration_s', 0)):.1f} s.",
    ]
    problems = [p for p in report.get("products", []) if not p.get("ok")]
    if problems:
        lines += ["", "Not applied:", ""]
        lines += [_problem_line(p) for p in problems[:_MAX_LISTED]]
        if len(problems) > _MAX_LISTED:
            more = len(problems) - _MAX_LISTED
            lines.append(f"- … and {more} more: the report artifact lists them all.")
    return "\n".join(lines) + "\n"


def _problem_line(product: dict[str, Any]) -> str:
    word = "skipped" if product.get("skipped") else "failed"
    where = f" at {code_span(str(product['source']))}" if product.get("source") else ""
    error = markdown_text(str(product.get("error") or "no message"))
    handle = code_span(str(product.get("handle", "")))
    action = markdown_text(str(product.get("action", "")))
    return f"- {word} {handle} ({action}){where}: {error}"
