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
    keys = [key(i) for i in items]
    lo, hi = 0, len(items)
    if args.get("after"):
        lo = _position(keys, decode_cursor(args["after"]), after=True, reverse=reverse, n=len(keys))
    if args.get("before"):
        hi = _position(
            keys, decode_cursor(args["before"]), after=False, reverse=reverse, n=len(keys)
        )
    window = list(range(lo, max(lo, hi)))
    start, stop = 0, len(window)
    if args.get("first") is not None:
        stop = min(stop, args["first"])
    if args.get("last") is not None:
        start = max(start, stop - args["last"])
    chosen = window[start:stop]
    order = (lambda i: len(items) - 1 - i) if reverse else (lambda i: i)
    edges = []
    for i in chosen:
        item = items[order(i)]
        k = keys[order(i)]
        edges.append({"cursor": encode_cursor(k[-1], _cursor_value(k)), "node": item})
    return {
        "edges": edges,
        "nodes": [e["node"] for e in edges],
        "pageInfo": {
            # Shopify answers both flags in either direction: is anything beyond this page?
            "hasNextPage": lo + stop < len(items),
            "hasPreviousPage": lo + start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _cursor_value(k: tuple[Any, ...]) -> Any:
    if len(k) == 1:
        return None
    if len(k) == 2:
        return k[0]
    return list(k[:-1])


def _position(keys: list, cursor: tuple, after: bool, reverse: bool, n: int) -> int:
    """Index in the (possibly reversed) iteration order just past / just before `cursor`."""
    if not reverse:
        return bisect.bisect_right(keys, cursor) if after else bisect.bisect_left(keys, cursor)
    # iterating from the end: position p in reversed order is index n-1-p ascending
    if after:
        return n - bisect.bisect_left(keys, cursor)
    return n - bisect.bisect_right(keys, cursor)
