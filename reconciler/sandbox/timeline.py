"""Things that happen later: async product operations and media processing move on a timeline.

The sandbox advances the timeline before each request and from a background task while anything is
due (server.py), so a state change happens on time whether or not anybody polls, and a poll never
sees an event that is overdue.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable


class Timeline:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._events: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def at(self, delay: float, fn: Callable[[], None]) -> None:
        """Run fn `delay` seconds from now (at the next advance after that)."""
        heapq.heappush(self._events, (self.clock() + max(0.0, delay), next(self._seq), fn))

    def advance(self) -> int:
        """Run every event that is due, in order; the number run."""
        ran = 0
        now = self.clock()
        while self._events and self._events[0][0] <= now:
            _, _, fn = heapq.heappop(self._events)
            fn()
            ran += 1
        return ran

    def flush(self) -> None:
        """Run everything still pending, due or not (state loaded from a file, shutdown)."""
        while self._events:
            _, _, fn = heapq.heappop(self._events)
            fn()

    def next_due(self) -> float | None:
        return self._events[0][0] if self._events else None

    def clear(self) -> None:
        self._events.clear()
