"""What the client did, counted as it goes: requests, points, throttling, retries, errors and
response times. client.py updates one `ClientStats` per client; apply's report takes the figures of
its send phase as the difference of two snapshots (`stats.copy()` before, `.minus(before)` after).

Memory is bounded whatever the number of requests: response times go into a histogram of
logarithmic buckets (each 2% wider than the last), so the mean is exact and the p95 is over by at
most 2% (`Timings.percentile` returns the bucket's upper edge, never more than the slowest seen).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

_STEP = 1.02  # each histogram bucket is 2% wider than the one before
_LOG_STEP = math.log(_STEP)
_FLOOR = 1e-5  # seconds: faster answers share the first bucket


@dataclass
class Timings:
    """Response times in seconds: count, sum, slowest, and a log-bucket histogram."""

    count: int = 0
    total: float = 0.0
    slowest: float = 0.0
    buckets: Counter[int] = field(default_factory=Counter)

    def add(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.count += 1
        self.total += seconds
        self.slowest = max(self.slowest, seconds)
        self.buckets[math.floor(math.log(max(seconds, _FLOOR)) / _LOG_STEP)] += 1

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0

    def percentile(self, share: float) -> float:
        """The `share` (0..1) percentile by nearest rank, as its bucket's upper edge."""
        if not self.count:
            return 0.0
        rank = max(1, math.ceil(share * self.count))
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen >= rank:
                return min(self.slowest, _STEP ** (index + 1))
        return self.slowest

    def minus(self, before: Timings) -> Timings:
        buckets = Counter(self.buckets)
        buckets.subtract(before.buckets)
        return Timings(
            self.count - before.count,
            self.total - before.total,
            self.slowest,  # the slowest of the whole run: an upper bound for the phase's
            +buckets,  # unary plus drops the empty buckets
        )


@dataclass
class ClientStats:
    """Counters of one client. Throttle waits add up each request's wait, so with many requests
    in flight their seconds may exceed the wall time."""

    requests: int = 0  # HTTP requests sent (GraphQL and token)
    points_spent: float = 0.0  # sum of actualQueryCost
    points_requested: float = 0.0  # sum of requestedQueryCost
    throttled: int = 0  # THROTTLED answers (HTTP 200)
    http_429: int = 0  # HTTP 429 answers
    throttle_waits: int = 0  # times a request waited for the bucket (ours or Shopify's word)
    throttle_wait_s: float = 0.0
    retries: int = 0  # attempts repeated after an error other than throttling
    errors: Counter[str] = field(default_factory=Counter)  # failed answers by kind
    timings: Timings = field(default_factory=Timings)
    first_sent: float | None = None  # clock of the first request sent
    last_answer: float | None = None  # clock of the last answer (or failure) received

    def sent(self, now: float) -> None:
        self.requests += 1
        if self.first_sent is None:
            self.first_sent = now

    def settled(self, now: float, started: float, spent: Any, *, answered: bool) -> None:
        """One attempt over: `spent` is its throttle.Cost (None when nothing came back);
        not `answered` when it was cancelled before an answer came."""
        if answered:
            self.last_answer = now
            self.timings.add(now - started)
        if spent is not None:
            self.points_requested += spent.requested or 0.0
            self.points_spent += spent.actual or 0.0

    def waited(self, seconds: float) -> None:
        if seconds > 0:
            self.throttle_waits += 1
            self.throttle_wait_s += seconds

    def before_retry(self, seconds: float, *, throttled: bool) -> None:
        """Waiting for the bucket (THROTTLED, HTTP 429) is pacing; anything else a retry."""
        if throttled:
            self.waited(seconds)
        else:
            self.retries += 1

    def failed(self, kind: str, *, throttled: bool = False, status: int | None = None) -> None:
        """A failed answer: THROTTLED and HTTP 429 are rate-limit hits, the rest errors."""
        if throttled:
            self.throttled += 1
        elif status == 429:
            self.http_429 += 1
        else:
            self.errors[kind] += 1

    @property
    def window_s(self) -> float:
        """From the first request sent to the last answer received."""
        if self.first_sent is None or self.last_answer is None:
            return 0.0
        return max(0.0, self.last_answer - self.first_sent)

    def copy(self) -> ClientStats:
        return self.minus(ClientStats())

    def minus(self, before: ClientStats) -> ClientStats:
        """What happened since `before` (a copy taken earlier); the window is left as is."""
        errors = Counter(self.errors)
        errors.subtract(before.errors)
        return ClientStats(
            requests=self.requests - before.requests,
            points_spent=self.points_spent - before.points_spent,
            points_requested=self.points_requested - before.points_requested,
            throttled=self.throttled - before.throttled,
            http_429=self.http_429 - before.http_429,
            throttle_waits=self.throttle_waits - before.throttle_waits,
            throttle_wait_s=self.throttle_wait_s - before.throttle_wait_s,
            retries=self.retries - before.retries,
            errors=+errors,
            timings=self.timings.minus(before.timings),
            first_sent=self.first_sent,
            last_answer=self.last_answer,
        )

    def figures(self) -> dict[str, Any]:
        """The figures as the report prints and saves them (rounded, JSON-ready)."""
        errors = sum(self.errors.values())
        return {
            "requests": self.requests,
            "points_spent": round(self.points_spent, 1),
            "points_requested": round(self.points_requested, 1),
            "throttled": self.throttled,
            "http_429": self.http_429,
            "rate_limit_hits": self.throttled + self.http_429,
            "throttle_waits": self.throttle_waits,
            "throttle_wait_s": round(self.throttle_wait_s, 3),
            "retries": self.retries,
            "errors": dict(sorted(self.errors.items())),
            "error_rate": round(errors / self.requests, 4) if self.requests else 0.0,
            "response_mean_s": round(self.timings.mean, 4),
            "response_p95_s": round(self.timings.percentile(0.95), 4),
        }
