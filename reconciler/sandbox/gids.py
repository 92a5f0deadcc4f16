"""Shopify global ids (`gid://shopify/Product/1`) and the user errors the rules raise."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_GID = re.compile(r"^gid://shopify/([A-Za-z]+)/(\d+)$")


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def parse_gid(value: Any, kind: str | None = None) -> tuple[str, int] | None:
    """(kind, number) for a well-formed GID (of `kind`, when given), else None."""
    if not isinstance(value, str):
        return None
    m = _GID.match(value)
    if m is None or (kind is not None and m.group(1) != kind):
        return None
    return m.group(1), int(m.group(2))


def gid_number(value: Any, kind: str) -> int | None:
    parsed = parse_gid(value, kind)
    return parsed[1] if parsed else None


@functools.lru_cache(maxsize=8192)
def iso(seconds: int) -> str:
    """Shopify's DateTime form: whole seconds, UTC, `Z` suffix."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> int | None:
    text = value.strip().strip("'\"")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    for candidate in (text, text + "-01-01" if len(text) == 4 else text):
        try:
            moment = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp())
    return None


@dataclass
class UserError:
    message: str
    field: list[str] | None = None
    code: str | None = None
    element_index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "field": self.field,
            "code": self.code,
            "elementIndex": self.element_index,
        }


@dataclass
class UserErrors(Exception):
    """Raised by a rule when the input is refused; nothing has been written."""

    errors: list[UserError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{e.code}: {e.message}" for e in self.errors)


def refuse(message: str, path: list[str] | None, code: str | None = None) -> UserErrors:
    return UserErrors([UserError(message, path, code)])
