"""A field change whose values are long or span lines, shown as a diff (text and Markdown).

Cutting both sides at the same length would show two different descriptions the same, so a long
or multi-line value is shown as a line-level diff with a little context (difflib), and a long
line as the changed stretches of it, word by word, with `…` for what is left out. Every shown
line is a JSON string (or a line of pretty JSON for lists and objects), so whitespace and control
characters are visible and a value never starts an output line. The JSON plan keeps full values.

Why two different values never look the same: the first shown stretch of a change begins with
the first character in which the two sides differ (common prefix and suffix are trimmed at
character level), so the `-` and `+` excerpts of it differ even when their middles are cut.
"""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from typing import Any

from reconciler.render.escape import json_safe

LIMIT = 200  # a value whose JSON is longer than this is shown as a diff
CONTEXT_LINES = 2
CONTEXT_CHARS = 40  # of unchanged text either side of a changed stretch
HEAD = 60  # a changed stretch longer than 2 * HEAD shows its first and last HEAD characters
LINE_LIMIT = 2_000  # lines per side diffed exactly (see WORD_LIMIT)
WORD_LIMIT = 1_000  # words in the differing middle of a line diffed exactly
MAX_LINES = 60  # shown diff lines per field; the JSON plan has the rest
_WORDS = re.compile(r"\S+\s*|\s+")


def as_json(v: Any) -> str:
    return json_safe(json.dumps(v, ensure_ascii=False, sort_keys=True))


def is_long(before: Any, after: Any) -> bool:
    """Both sides present and either too long for one line or holding a line break."""
    if before is None or after is None:
        return False
    return any(
        (isinstance(v, str) and "\n" in v) or len(as_json(v)) > LIMIT for v in (before, after)
    )


def summary(before: Any, after: Any) -> str:
    """What the diff is about: sizes in lines, or characters for one-line text."""
    (old, text), (new, _) = _lines(before, after)
    if not text:
        return f"{len(old):,} -> {len(new):,} lines of JSON"
    if len(old) == len(new) == 1:
        return f"{len(before):,} -> {len(after):,} characters"
    return f"{len(old):,} -> {len(new):,} lines"


def diff_lines(before: Any, after: Any) -> list[tuple[str, str]]:
    """(sign, text) lines: sign is `-` before, `+` after, ` ` context or `@` a hunk header."""
    (old, quoted), (new, _) = _lines(before, after)
    matcher = SequenceMatcher(None, old, new, autojunk=max(len(old), len(new)) > LINE_LIMIT)
    headers = len(old) > 1 or len(new) > 1
    out: list[tuple[str, str]] = []
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        if headers:
            out.append(("@", _hunk_header(group)))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [(" ", _show(line, quoted)) for line in old[i1:i2]]
            else:
                out += _replaced(old[i1:i2], new[j1:j2], quoted)
    if len(out) > MAX_LINES:
        left = len(out) - MAX_LINES
        out = [*out[:MAX_LINES], (" ", f"… {left} more diff lines: the JSON plan has the values")]
    return out


def _lines(before: Any, after: Any) -> tuple[tuple[list[str], bool], tuple[list[str], bool]]:
    """Both sides as lines, and whether the lines are raw text (to be shown quoted)."""
    if isinstance(before, str) and isinstance(after, str):
        return (before.split("\n"), True), (after.split("\n"), True)
    return (_pretty(before), False), (_pretty(after), False)


def _pretty(v: Any) -> list[str]:
    return json_safe(json.dumps(v, ensure_ascii=False, sort_keys=True, indent=2)).split("\n")


def _hunk_header(group: list[tuple[str, int, int, int, int]]) -> str:
    i1, i2 = group[0][1], group[-1][2]
    j1, j2 = group[0][3], group[-1][4]
    return f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@"


def _replaced(old: list[str], new: list[str], quoted: bool) -> list[tuple[str, str]]:
    """Lines that differ: long ones paired by position are shown as their changed stretches."""
    minus: list[str] = []
    plus: list[str] = []
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else None
        b = new[i] if i < len(new) else None
        if a is not None and b is not None and max(len(a), len(b)) > LIMIT:
            for x, y in stretches(a, b):
                minus.append(x)
                plus.append(y)
            continue
        if a is not None:
            minus.append(_show(a, quoted))
        if b is not None:
            plus.append(_show(b, quoted))
    return [("-", x) for x in minus] + [("+", y) for y in plus]


def _quote(text: str) -> str:
    return as_json(text)


def _show(line: str, quoted: bool) -> str:
    """One whole line; a long one keeps its start and end."""
    if len(line) <= LIMIT:
        return _quote(line) if quoted else line
    return f"{_quote(line[:HEAD])}…{_quote(line[-HEAD:])}"


def stretches(a: str, b: str) -> list[tuple[str, str]]:
    """(before, after) excerpts of each changed stretch of two different lines, word by word."""
    start = _common_prefix(a, b)
    end_a, end_b = _common_suffix_ends(a, b, start)
    spans = _word_spans(a[start:end_a], b[start:end_b], start)
    out = []
    for (a1, a2), (b1, b2) in _merge(spans):
        out.append((_excerpt(a, a1, a2), _excerpt(b, b1, b2)))
    return out


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix_ends(a: str, b: str, start: int) -> tuple[int, int]:
    i, j = len(a), len(b)
    while i > start and j > start and a[i - 1] == b[j - 1]:
        i, j = i - 1, j - 1
    return i, j


def _word_spans(a: str, b: str, offset: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Changed character ranges of a and b (as offsets in the whole lines), from a word diff."""
    wa, wb = _WORDS.findall(a), _WORDS.findall(b)
    pa, pb = _positions(wa, offset), _positions(wb, offset)
    spans = []
    # Exact word matching costs up to len(wa) * len(wb); past WORD_LIMIT words difflib's junk
    # heuristic keeps it fast: stretches then come out coarser, never wrong.
    exact = max(len(wa), len(wb)) <= WORD_LIMIT
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, wa, wb, autojunk=not exact).get_opcodes():
        if tag != "equal":
            spans.append(((pa[i1], pa[i2]), (pb[j1], pb[j2])))
    return spans or [((offset, offset + len(a)), (offset, offset + len(b)))]


def _positions(words: list[str], offset: int) -> list[int]:
    out = [offset]
    for w in words:
        out.append(out[-1] + len(w))
    return out


def _merge(spans):
    """Stretches closer than twice the context are shown as one."""
    merged = [spans[0]]
    for (a1, a2), (b1, b2) in spans[1:]:
        (pa1, pa2), (pb1, _pb2) = merged[-1]
        if a1 - pa2 <= 2 * CONTEXT_CHARS:
            merged[-1] = ((pa1, a2), (pb1, b2))
        else:
            merged.append(((a1, a2), (b1, b2)))
    return merged


def _excerpt(line: str, start: int, end: int) -> str:
    """The stretch line[start:end] with context; `…` outside the quotes marks what is left out."""
    left = max(0, start - CONTEXT_CHARS)
    right = min(len(line), end + CONTEXT_CHARS)
    if end - start > 2 * HEAD:
        shown = f"{_quote(line[left : start + HEAD])}…{_quote(line[end - HEAD : right])}"
    else:
        shown = _quote(line[left:right])
    return f"{'…' if left else ''}{shown}{'…' if right < len(line) else ''}"
