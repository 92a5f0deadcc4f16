"""Reading the sandbox back in scenario tests, as a second client would, right after an apply."""

from __future__ import annotations

import time


def unthrottled(store, query: str, variables: dict | None = None) -> dict:
    """The data of `query`, waiting for the bucket when an apply just spent it (this read costs
    more than an apply leaves; the sandbox answers THROTTLED as Shopify would)."""
    for _ in range(60):
        body = store.graphql(query, variables).json
        errors = body.get("errors") or []
        if not any(e.get("extensions", {}).get("code") == "THROTTLED" for e in errors):
            assert not errors, body
            return body["data"]
        time.sleep(0.5)
    raise AssertionError(f"still throttled after 30 s: {body}")
