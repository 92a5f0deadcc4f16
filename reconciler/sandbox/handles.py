"""Handles and tags as Shopify forms them.

Handles: lowercase; any run of characters that are not letters (of any script), digits, `-` or `_`
becomes one `-`; leading and trailing `-` dropped. Generated from the title when absent, with `-1`,
`-2`, ... appended while taken (fact sheet pitfall 7; the `potion`, `potion-1` example).

Tags: split on commas (Shopify keeps tags as one comma-joined list), trimmed, empty ones dropped,
unique case-insensitively (the first spelling wins), read back sorted case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_NOT_HANDLE = re.compile(r"[^\w-]+", re.UNICODE)
_DASHES = re.compile(r"-{2,}")
MAX_HANDLE = 255
# Shopify is a Rails application: its trimming is Ruby's String#strip, which removes NUL and ASCII
# whitespace only ("null, horizontal tab, line feed, vertical tab, form feed, carriage return,
# space": ruby-doc.org String#strip), not Unicode spaces such as U+00A0 or U+2028.
RUBY_WHITESPACE = "\x00\t\n\v\f\r "


def strip(text: str) -> str:
    """`text` trimmed as Shopify trims it."""
    return text.strip(RUBY_WHITESPACE)


def normalize(text: str) -> str:
    handle = _NOT_HANDLE.sub("-", text.strip().lower())
    return _DASHES.sub("-", handle).strip("-")[:MAX_HANDLE]


def unique_from_title(store: Any, title: str) -> str:
    base = normalize(title) or "product"
    if base not in store.by_handle:
        return base
    n = 1
    while f"{base}-{n}" in store.by_handle:
        n += 1
    return f"{base}-{n}"


def split_tags(values: Iterable[str] | str) -> list[str]:
    items = [values] if isinstance(values, str) else list(values)
    return [strip(part) for item in items for part in item.split(",") if strip(part)]


def normalize_tags(values: Iterable[str] | str) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for tag in split_tags(values):
        seen.setdefault(tag.lower(), tag)
    return tuple(sorted(seen.values(), key=lambda t: (t.lower(), t)))
