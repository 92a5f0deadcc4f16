"""What a failed request means, by the rules of shopify-facts.md §1 and §9: which of the project's
errors it is, whether another attempt may help, whether the server may have executed it anyway
(ambiguous: a non-idempotent mutation must then not be retried), and how long the server asked us
to wait. Pure: client.py turns gql's and aiohttp's exceptions into calls to these functions.

The daily variant-creation limit (after 50,000 variants, 1,000 new ones a day on non-Plus stores)
answers HTTP 429 like a rate limit, but waiting seconds cannot help. Rule: a 429 whose body
mentions "variant" is that limit (Shopify's text: "Daily variant creation limit reached"); the
ordinary API rate limit's 429 ("Exceeded 2 calls per second ...") never does.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from reconciler.errors import (
    AuthError,
    QueryError,
    RedirectError,
    ShopifyError,
    ThrottledError,
    TransportError,
    VariantLimitError,
)
from reconciler.logs import redact

VARIANT_LIMIT = re.compile(r"variant", re.IGNORECASE)
RETRY_AFTER_CAP = 120.0


@dataclass
class Failure:
    """What went wrong with one attempt, and what may be done about it."""

    error: ShopifyError
    retry: bool = False  # worth another attempt
    ambiguous: bool = False  # the server may have executed it
    wait: float | None = None  # a wait the server asked for (or derived from throttleStatus)
    reauth: bool = False  # 401: mint a new token, then try again
    offline: str | None = None  # why the server was not reached at all (refused, DNS, timeout)
    timed_out: bool = False  # the attempt waited the whole timeout for an answer
    # GraphQL THROTTLED with the bucket's status: refused before running, and the bucket refills,
    # so it is waited out without spending one of max_retries (up to MAX_THROTTLED_WAITS)
    bucket_wait: bool = False


def from_status(name: str, status: int, body: str, retry_after: str | None = None) -> Failure:
    """A non-2xx HTTP answer."""
    body = redact(body)
    if status == 401:
        message = f"{name}: HTTP 401: the access token was refused (invalid, revoked or expired)"
        return Failure(AuthError(message), reauth=True)
    if status == 403:
        message = f"{name}: HTTP 403: access denied (missing scope?): {body[:300]}"
        return Failure(AuthError(message))
    if status == 429:
        if VARIANT_LIMIT.search(body):
            return Failure(
                VariantLimitError(
                    f"{name}: Shopify refused to create more variants today (HTTP 429: "
                    f"{body[:300]}); stores past 50,000 variants may create only 1,000 new ones a "
                    "day. Apply the rest tomorrow."
                )
            )
        wait = parse_retry_after(retry_after)
        return Failure(ThrottledError(f"{name}: HTTP 429 Too Many Requests"), True, False, wait)
    if status >= 500:
        return Failure(TransportError(f"{name}: HTTP {status} from the server"), True, True)
    hint = " (check the store and the API version)" if status == 404 else ""
    return Failure(TransportError(f"{name}: HTTP {status}{hint}: {body[:300]}"))


def redirected(name: str, store: str, status: int, target: str, carrying: str) -> Failure:
    """A 3xx answer to a request that carries a secret: never followed, never retried.

    aiohttp would follow it and strip only Authorization and Cookie on a cross-origin redirect,
    so the token header (or the client secret in a re-posted form) would reach `target`; the
    Admin API does not redirect GraphQL or token requests, so a redirect means a wrong address.
    """
    return Failure(
        RedirectError(
            f"{name}: {store} answered HTTP {status}, a redirect to {target or 'an unnamed host'}: "
            f"not followed, because it would carry {carrying}; check the store address"
        )
    )


def redirect_target(url: str, location: str | None) -> str:
    """host[:port] of a redirect's Location (relative to the request's `url`), "" if none."""
    if not location:
        return ""
    try:
        parts = urlsplit(urljoin(url, location))
        port = parts.port
    except ValueError:
        return "an unreadable address"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port is not None else host


def retry_notice(
    store: str, failure: Failure, retries: int, timeout: float, base: float, cap: float
) -> str:
    """The warning after a first attempt that did not reach the store: why, and how long the
    retries may go on at most (the backoff ceilings min(cap, base × 2^k), plus each attempt's
    timeout when the store does not answer at all)."""
    budget = sum(min(cap, base * 2**k) for k in range(retries))
    settings = f"SHOPIFY_MAX_RETRIES={retries}"
    if failure.timed_out:
        budget += retries * timeout
        settings += f", SHOPIFY_TIMEOUT={timeout:g}"
    return (
        f"cannot reach {store} ({failure.offline}); retrying for up to ~{math.ceil(budget)} s "
        f"({settings})"
    )


def from_graphql_errors(name: str, errors: list) -> Failure:
    first = errors[0] if errors and isinstance(errors[0], Mapping) else {"message": str(errors)}
    code = (first.get("extensions") or {}).get("code")
    messages = "; ".join(
        str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in errors
    )
    if code == "THROTTLED":
        return Failure(ThrottledError(f"{name}: still throttled"), retry=True)
    if code == "ACCESS_DENIED":
        return Failure(AuthError(f"{name}: access denied: {messages}"))
    if code == "INTERNAL_SERVER_ERROR":
        return Failure(QueryError(f"{name}: {messages}", errors), retry=True, ambiguous=True)
    return Failure(QueryError(f"{name}: {messages}", errors))


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (a number or an HTTP date), capped; None when absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(0.0, seconds), RETRY_AFTER_CAP)


def timed_out(name: str, timeout: float) -> Failure:
    reason = f"no answer within {timeout:g}s"
    return Failure(TransportError(f"{name}: {reason}"), True, True, offline=reason, timed_out=True)


def unreachable(name: str, reason: object, short: str, slow: bool = False) -> Failure:
    # Never reached the server: always safe to try again. `short` says why in a few words.
    return Failure(
        TransportError(f"{name}: cannot connect: {reason}"), True, False, offline=short,
        timed_out=slow,
    )  # fmt: skip


def dropped(name: str, reason: str) -> Failure:
    return Failure(TransportError(f"{name}: connection dropped ({reason})"), True, True)


def bad_answer(name: str, text: str) -> Failure:
    # A 200 that is not a GraphQL answer: the server may have executed the request.
    return Failure(TransportError(f"{name}: bad answer: {redact(text)[:300]}"), True, True)
