"""Catalog problems as text, JSON, and GitHub Actions annotations.

Locations and messages carry raw YAML keys and values, so every control character in them is
escaped (escape.py): no output line, in any format, can be a workflow command the runner executes
(only the annotations themselves are, by design, with their data %-encoded).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from reconciler.errors import Problem
from reconciler.render.escape import json_safe, safe_file, visible


def _counts(problems: list[Problem]) -> tuple[int, int]:
    errors = sum(1 for p in problems if p.severity == "error")
    return errors, len(problems) - errors


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def as_text(problems: Iterable[Problem]) -> str:
    """One line per problem (sorted; warnings marked), then `N errors, M warnings`."""
    ordered = sorted(problems)
    lines = [as_line(p) for p in ordered]
    errors, warnings = _counts(ordered)
    lines.append(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}")
    return "\n".join(lines) + "\n"


def as_line(problem: Problem) -> str:
    """`file:line:col: where: message` (as str(problem)), escaped; `(warning)` for warnings."""
    where = f" {visible(problem.where)}:" if problem.where else ""
    text = (
        f"{safe_file(problem.file)}:{problem.line}:{problem.col}:{where} {visible(problem.message)}"
    )
    return text if problem.severity == "error" else f"{text} (warning)"


def as_json(problems: Iterable[Problem]) -> str:
    ordered = sorted(problems)
    errors, warnings = _counts(ordered)
    items = [
        {
            "file": p.file,
            "line": p.line,
            "col": p.col,
            "where": p.where,
            "message": p.message,
            "severity": p.severity,
        }
        for p in ordered
    ]
    document = {"problems": items, "errors": errors, "warnings": warnings}
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def as_github(problems: Iterable[Problem]) -> str:
    """GitHub's workflow commands, so problems show on the pull request's diff."""
    lines = []
    for p in sorted(problems):
        message = f"{p.where}: {p.message}" if p.where else p.message
        lines.append(
            f"::{p.severity} file={_property(p.file)},line={p.line},col={p.col}::{_data(message)}"
        )
    return "".join(line + "\n" for line in lines)


def _data(text: str) -> str:
    """GitHub's own encoding for CR and LF; other control characters are escaped visibly."""
    text = visible(text, keep="\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
