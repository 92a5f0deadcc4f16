"""Shopify's leaky bucket of query-cost points, per (app, store) pair.

Admission takes the *requested* cost up front; when the request has run, the server refunds the
difference to the *actual* cost. A request that does not fit is THROTTLED and nothing is taken.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# plan -> (maximumAvailable, restoreRate). Standard/Advanced/Plus are observed values; the
# Enterprise bucket follows their 20 x restore-rate pattern (unconfirmed, fact sheet §1.1).
PLANS: dict[str, tuple[float, float]] = {
    "standard": (2000.0, 100.0),
    "advanced": (4000.0, 200.0),
    "plus": (20000.0, 1000.0),
    "enterprise": (40000.0, 2000.0),
}


class Bucket:
    """A bucket that refills continuously at `restore_rate` points per second up to `maximum`."""

    def __init__(
        self,
        maximum: float,
        restore_rate: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if maximum <= 0 or restore_rate < 0:
            raise ValueError("bucket maximum must be > 0 and restore rate >= 0")
        self._maximum = float(maximum)
        self._rate = float(restore_rate)
        self._clock = clock
        self._level = self._maximum
        self._at = clock()
        # The embedded sandbox may serve from a thread other than the one that reconfigures it.
        self._lock = threading.Lock()

    @classmethod
    def for_plan(cls, plan: str, clock: Callable[[], float] = time.monotonic) -> Bucket:
        maximum, rate = PLANS[plan]
        return cls(maximum, rate, clock)

    def _restore(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._at)
        self._level = min(self._maximum, self._level + elapsed * self._rate)
        self._at = now

    def take(self, cost: float) -> bool:
        """Deduct `cost` if that many points are available now; otherwise deduct nothing."""
        with self._lock:
            self._restore()
            if cost > self._level:
                return False
            self._level -= cost
            return True

    def refund(self, points: float) -> None:
        """Give back points (requested minus actual); never above the maximum nor below zero."""
        with self._lock:
            self._restore()
            self._level = max(0.0, min(self._maximum, self._level + points))

    def available(self) -> float:
        with self._lock:
            self._restore()
            return self._level

    @property
    def maximum(self) -> float:
        return self._maximum

    @property
    def restore_rate(self) -> float:
        return self._rate

    def status(self) -> dict[str, float | int]:
        """`extensions.cost.throttleStatus` as Shopify shapes it: floats, except an int level."""
        with self._lock:
            self._restore()
            return {
                "maximumAvailable": self._maximum,
                "currentlyAvailable": int(self._level),
                "restoreRate": self._rate,
            }

    def reconfigure(self, maximum: float, restore_rate: float) -> None:
        """Change plan at run time; points already in the bucket stay, capped at the new size."""
        if maximum <= 0 or restore_rate < 0:
            raise ValueError("bucket maximum must be > 0 and restore rate >= 0")
        with self._lock:
            self._restore()
            self._maximum = float(maximum)
            self._rate = float(restore_rate)
            self._level = min(self._level, self._maximum)
