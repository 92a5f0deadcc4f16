"""Progress while apply sends: a bar on a terminal, plain periodic lines elsewhere (CI logs).

The formatting is pure (`line`, `bar` take a `Snapshot`); `Ticker` counts finished products
(sync.py's `on_done`), and `Ticker.every(interval)` is the small task that redraws the bar or
writes a line every `interval` seconds; `finish()` writes the last one. Nothing here prints a
value from the catalog or the store, only counts and rates, so no line can carry a secret or
start with `::` (a GitHub Actions command).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_INTERVAL = 10.0  # seconds between plain lines (CATALOG_PROGRESS_INTERVAL overrides)
BAR_INTERVAL = 0.5  # seconds between redraws of the bar
BAR_WIDTH = 24


@dataclass(frozen=True)
class Snapshot:
    done: int  # products finished (written, failed or removed)
    total: int
    failed: int
    seconds: float  # since the send phase started
    points: float  # points spent since then
    stage: str = ""  # what runs now when products finish only in batches (a bulk phase)

    @property
    def per_s(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    @property
    def points_per_s(self) -> float:
        return self.points / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far; None before the first product finished."""
        if self.done >= self.total:
            return 0.0
        return (self.total - self.done) / self.per_s if self.per_s > 0 else None


def duration(seconds: float) -> str:
    """45 s, 3 min 20 s, 1 h 05 min."""
    seconds = max(0, round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02} s"
    return f"{minutes // 60} h {minutes % 60:02} min"


def line(snap: Snapshot, final: bool = False) -> str:
    """`Applied 120/800 products (15.2/s, 480 points/s), about 45 s left`."""
    failed = f", {snap.failed} failed" if snap.failed else ""
    rates = f"({snap.per_s:.1f}/s, {snap.points_per_s:.0f} points/s)"
    text = f"Applied {snap.done}/{snap.total} products{failed} {rates}"
    if final:
        return f"{text} in {duration(snap.seconds)}"
    if snap.stage:
        return f"{text}; {snap.stage}"
    eta = snap.eta
    return f"{text}, {'about ' + duration(eta) + ' left' if eta is not None else 'starting'}"


def bar(snap: Snapshot, width: int = BAR_WIDTH) -> str:
    """`[#########...............] 120/800  15.2/s  480 points/s  ETA 45 s` (no newline)."""
    share = snap.done / snap.total if snap.total else 1.0
    filled = min(width, int(share * width))
    eta = snap.eta
    left = "ETA " + (duration(eta) if eta is not None else "-")
    failed = f"  {snap.failed} failed" if snap.failed else ""
    if snap.stage:
        left = snap.stage
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {snap.done}/{snap.total}{failed}  "
        f"{snap.per_s:.1f}/s  {snap.points_per_s:.0f} points/s  {left}"
    )


class Ticker:
    """Counts finished products and shows them: `tty` redraws one bar line with `\\r`, otherwise
    one plain line per `interval` seconds and a last one at `finish()`."""

    def __init__(
        self,
        total: int,
        write: Callable[[str], None],
        *,
        tty: bool,
        interval: float = DEFAULT_INTERVAL,
        points: Callable[[], float] = lambda: 0.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.total, self.write, self.tty = total, write, tty
        self.interval = BAR_INTERVAL if tty else max(0.01, interval)
        self.points, self.clock = points, clock
        self.started = clock()
        self.done = self.failed = 0
        self.stage = ""  # set by bulk mode while a phase runs (on_stage)
        self._width = 0  # of the bar last drawn, to blank what a shorter one leaves

    def on_done(self, outcome: Any) -> None:
        """sync.run_changes's `on_done`: one product finished (or was skipped)."""
        self.done += 1
        if not getattr(outcome, "ok", True) and not getattr(outcome, "skipped", False):
            self.failed += 1

    def on_stage(self, text: str) -> None:
        """bulk.run_changes's `on_stage`: what runs now ("" when products finish one by one)."""
        self.stage = text

    def snapshot(self) -> Snapshot:
        seconds = self.clock() - self.started
        return Snapshot(self.done, self.total, self.failed, seconds, self.points(), self.stage)

    def show(self) -> None:
        if self.tty:
            text = bar(self.snapshot())
            self.write("\r" + text.ljust(self._width))
            self._width = len(text)
        else:
            self.write(line(self.snapshot()) + "\n")

    def finish(self) -> None:
        if self.tty:
            self.show()
            self.write("\n")
        else:
            self.write(line(self.snapshot(), final=True) + "\n")

    async def every(self) -> None:
        """Show progress every `interval` seconds until cancelled."""
        while True:
            await asyncio.sleep(self.interval)
            self.show()
