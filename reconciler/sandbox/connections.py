"""Relay connections as Shopify serves them: `first`/`last` (one of them required, at most 250),
`after`/`before` opaque cursors, `edges`, `nodes`, `pageInfo`.

Cursors are base64 of `{"last_id": ..., "last_value": ...}`, the shape Shopify's cursors decode to,
so a cursor stays meaningful when the item it points at is deleted between pages.
"""

from __future__ import annotations

import base64
import bisect
import json
from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLError

MAX_PAGE = 250
NEED_FIRST_OR_LAST = "you must provide one of first or last"


def page_size_error(args: dict[str, Any], limit: int = MAX_PAGE) -> GraphQLError | None:
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        return GraphQLError(NEED_FIRST_OR_LAST)
    for name, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            return GraphQLError(f"Argument '{name}' must be a non-negative integer")
        if value is not None and value > limit:
            return GraphQLError(
                f"The '{name}' argument requested {value} records, "
                f"which exceeds the maximum of {limit}"
            )
    return None


def encode_cursor(item_id: int, value: Any) -> str:
    raw = json.dumps({"last_id": item_id, "last_value": value}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[Any, ...]:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
        return _as_key(data["last_value"], data["last_id"])
    except (ValueError, KeyError, TypeError):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor!r}") from None


def _as_key(value: Any, item_id: int) -> tuple[Any, ...]:
    if isinstance(value, list):
        return (*value, item_id)
    return (value, item_id) if value is not None else (item_id,)


class Edge:
    """One edge; its cursor is encoded only when asked for."""

    __slots__ = ("key", "node")

    def __init__(self, node: Any, key: Callable[[Any], tuple[Any, ...]]) -> None:
        self.node, self.key = node, key

    def cursor(self) -> str:
        k = self.key(self.node)
        return encode_cursor(k[-1], _cursor_value(k))


def connection(
    items: Sequence[Any],
    args: dict[str, Any],
    key: Callable[[Any], tuple[Any, ...]],
    reverse: bool = False,
    limit: int = MAX_PAGE,
) -> dict[str, Any]:
    """A page of `items` (already in ascending `key` order) as a connection dict."""
    problem = page_size_error(args, limit)
    if problem is not None:
        raise problem
    n = len(items)
    lo, hi = 0, n
    try:
        if args.get("after"):
            lo = _position(items, key, decode_cursor(args["after"]), after=True, reverse=reverse)
        if args.get("before"):
            hi = _position(items, key, decode_cursor(args["before"]), after=False, reverse=reverse)
    except TypeError:  # a cursor from another sort order
        raise GraphQLError("Invalid cursor for current pagination sort.") from None
    size = max(0, hi - lo)
    start, stop = 0, size
    if args.get("first") is not None:
        stop = min(stop, args["first"])
    if args.get("last") is not None:
        start = max(start, stop - args["last"])
    edges = [Edge(items[n - 1 - p if reverse else p], key) for p in range(lo + start, lo + stop)]
    return {
        "edges": edges,
        "nodes": [e.node for e in edges],
        "pageInfo": {
            # Shopify answers both flags in either direction: is anything beyond this page?
            "hasNextPage": lo + stop < n,
            "hasPreviousPage": lo + start > 0,
            "startCursor": edges[0].cursor() if edges else None,
            "endCursor": edges[-1].cursor() if edges else None,
        },
    }


def _cursor_value(k: tuple[Any, ...]) -> Any:
    if len(k) == 1:
        return None
    if len(k) == 2:
        return k[0]
    return list(k[:-1])


def _position(
    items: Sequence[Any], key: Callable[[Any], tuple], cursor: tuple, after: bool, reverse: bool
) -> int:
    """Position in iteration order just past (`after`) or just before the cursor's item.

    Keys are computed only where bisect looks (O(log n)), so paging a large store stays cheap."""
    n = len(items)
    if not reverse:
        if after:
            return bisect.bisect_right(items, cursor, key=key)
        return bisect.bisect_left(items, cursor, key=key)
    # iterating from the end: iteration position p is ascending index n-1-p
    if after:
        return n - bisect.bisect_left(items, cursor, key=key)
    return n - bisect.bisect_right(items, cursor, key=key)
