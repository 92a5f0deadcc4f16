"""Injected failures: which request fails, and how, reproducibly from a seed.

With rate R and seed S, the n-th GraphQL request draws from `random.Random(S)` as it would in any
other run, so a failing scenario replays identically. Control endpoints never draw. Kinds:

- `http_502`, `http_503`, `http_504`: that status with an HTML body; nothing written.
- `drop`: the connection is closed without any response; nothing written.
- `stall`: no answer for `stall_seconds` (default 60 s), then HTTP 504; nothing written.
- `throttled`: HTTP 200 THROTTLED body, as a real throttle (no points taken); nothing written.
- `http_429`: HTTP 429 with `Retry-After: 2`; nothing written.
- `internal_error`: HTTP 200, a GraphQL `INTERNAL_SERVER_ERROR` error and no data; nothing written.
- `commit_then_504`: the request runs and commits, then HTTP 504 replaces its answer.

`operations` (empty: every request) narrows the faults to requests whose `operationName` is listed,
so that a test can fail exactly one kind of call (say the media add); other requests draw nothing.
"""

from __future__ import annotations

import random

ALL_KINDS = (
    "http_502",
    "http_503",
    "http_504",
    "drop",
    "stall",
    "throttled",
    "http_429",
    "internal_error",
    "commit_then_504",
)
# Kinds decided by the HTTP layer before the request reaches the engine.
TRANSPORT_KINDS = frozenset({"http_502", "http_503", "http_504", "drop", "stall", "http_429"})
RETRY_AFTER_SECONDS = 2

_STATUS_TEXT = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


class Faults:
    """Decides, per GraphQL request, whether it fails and how."""

    def __init__(
        self, rate: float = 0.0, seed: int | None = None, kinds: tuple[str, ...] = ALL_KINDS
    ):
        self.configure(rate, seed, kinds)

    def configure(
        self,
        rate: float,
        seed: int | None = None,
        kinds: tuple[str, ...] = ALL_KINDS,
        operations: tuple[str, ...] = (),
    ) -> None:
        rate = float(rate)
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {rate}")
        unknown = [k for k in kinds if k not in ALL_KINDS]
        if unknown or not kinds:
            raise ValueError(f"unknown fault kinds {unknown} (known: {', '.join(ALL_KINDS)})")
        self.rate = rate
        self.seed = seed
        self.kinds = tuple(kinds)
        self.operations = tuple(operations)
        self._random = random.Random(seed)
        self.drawn = 0

    def pick(self, operation: str | None = None) -> str | None:
        """The fault for the next request, or None. Two draws per request whatever the outcome,
        so that the n-th request's fate does not depend on earlier outcomes."""
        if self.rate <= 0.0 or (self.operations and operation not in self.operations):
            return None
        self.drawn += 1
        roll = self._random.random()
        choice = self.kinds[self._random.randrange(len(self.kinds))]
        return choice if roll < self.rate else None


def gateway_body(status: int) -> str:
    text = _STATUS_TEXT.get(status, "Error")
    return (
        f"<!DOCTYPE html><html><head><title>{status} {text}</title></head>"
        f"<body><h1>{status} {text}</h1><p>There was a problem loading this website. "
        "Please try again.</p></body></html>"
    )


def too_many_requests_body() -> dict:
    return {
        "errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume "
        "uninterrupted service."
    }
