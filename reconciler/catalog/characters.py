"""Characters a stranger can hide in catalog text, and handles that only look alike.

- NUL and the bidirectional controls (the "Trojan Source" characters, CVE-2021-42574) make a
  value display as something other than what it is, in a pull request's diff as in the admin:
  an error in any text of a document.
- Two handles that look the same (a Cyrillic `а` in `cаnvas-tote` beside `canvas-tote`,
  full-width letters) are two products that a reviewer takes for one: a warning at each, naming
  the other. Their likeness is a skeleton in the spirit of Unicode TR39: NFKC (which folds
  full-width and other compatibility forms), then each remaining non-ASCII character replaced
  by the ASCII character it is confusable with, from Unicode's confusables data as the
  confusable_homoglyphs package ships it (the only module importing it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from typing import Any

from reconciler.catalog.nodes import Path_, where_text
from reconciler.errors import Problem

_FORBIDDEN = re.compile(r"[\x00\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def forbidden_characters(data: Any) -> Iterator[tuple[Path_, bool, str]]:
    """(path, at the key?, message) for each text (key or value) holding a refused character."""
    stack: list[tuple[Path_, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            reason = text_problem(value)
            if reason:
                yield path, False, reason
        elif isinstance(value, dict):
            for key, item in value.items():
                reason = text_problem(key) if isinstance(key, str) else None
                if reason:
                    yield (*path, key), True, reason
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))


def text_problem(text: str) -> str | None:
    """Why `text` cannot be catalog text (NUL, a bidirectional control), or None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "a NUL character (U+0000) is not allowed in text"
    return (
        f"the bidirectional control U+{ord(char):04X} ({unicodedata.name(char)}) is not allowed"
        " in text: it makes text display in another order than it is stored"
    )


# (handle, file, line, col, path) for every handle and previous handle of the catalog
Claim = tuple[str, str, int, int, str]


def lookalike_handles(claims: list[Claim]) -> list[Problem]:
    """A warning at each handle that looks like another handle of the catalog without being it."""
    if all(handle.isascii() for handle, *_ in claims):
        return []  # the common case: nothing to look up
    groups: dict[str, list[Claim]] = {}
    for claim in claims:
        groups.setdefault(skeleton(claim[0]), []).append(claim)
    out: list[Problem] = []
    for group in groups.values():
        if len({handle for handle, *_ in group}) < 2:
            continue
        for handle, file, line, col, path in group:
            others = [c for c in group if c[0] != handle]
            places = ", ".join(f"{o[0]!r} at {o[1]}:{o[2]}" for o in others)
            message = f"handle {handle!r} looks the same as {places}{_detail(handle, others[0][0])}"
            out.append(Problem(file, line, col, where_text(path), message, "warning"))
    return out


def _detail(handle: str, other: str) -> str:
    """Which character tells them apart: the first non-ASCII one, here or there."""
    for text, where in ((handle, "here"), (other, "there")):
        char = next((c for c in text if not c.isascii()), None)
        if char is not None:
            name = unicodedata.name(char, "unnamed")
            return f" ({char!r} {where} is U+{ord(char):04X} {name})"
    return ""


def skeleton(text: str) -> str:
    """What `text` looks like: equal skeletons, confusable texts."""
    folded = unicodedata.normalize("NFKC", text)
    return folded if folded.isascii() else "".join(_prototype(c) for c in folded)


@cache
def _prototype(char: str) -> str:
    if char.isascii():
        return char
    from confusable_homoglyphs import confusables  # loads its table (80 ms) only when needed

    found = confusables.is_confusable(char, greedy=True)
    glyphs = [h["c"] for h in found[0]["homoglyphs"] if len(h["c"]) == 1] if found else []
    ascii_ones = sorted((c for c in glyphs if c.isascii()), key=_ascii_rank)
    if ascii_ones:
        return ascii_ones[0]
    return min([char, *glyphs])  # one spelling for a set of lookalikes outside ASCII


def _ascii_rank(char: str) -> tuple[int, str]:
    # handles are lowercase: a lowercase letter is the likeliest reading, then a digit
    return (0 if char.islower() else 1 if char.isdigit() else 2, char)
