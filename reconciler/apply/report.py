"""The report of one apply: what happened to each product, and what it cost. A value, like the plan;
`summary_lines` is the text the CLI prints, `to_json` the `--report FILE` document.

`stats` holds the client's figures over the send phase (shopify/stats.py `ClientStats.figures`:
requests, points spent and requested, THROTTLED answers, HTTP 429s, throttle waits, retries,
errors by kind, error rate, mean and p95 response time); `session` the same for everything the
client did in this run, the plan's reads and the lease included, with `window_s` from its first
request to its last answer. docs/apply.md lists every field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.apply.sync import Outcome

# The summary's words for each action, in the order they are listed.
DONE_WORDS = {
    "create": "created",
    "update": "updated",
    "rename": "renamed",
    "adopt": "adopted",
    "archive": "archived",
    "delete": "deleted",
}
REPORT_FORMAT = "1"


@dataclass(frozen=True)
class Report:
    catalog: str
    store: str
    outcomes: tuple[Outcome, ...] = ()
    unchanged: int = 0  # no-op products of the plan
    seconds: float = 0.0
    requests: int = 0
    stats: dict[str, Any] = field(default_factory=dict)  # the client's, over the send phase
    session: dict[str, Any] = field(default_factory=dict)  # the client's, over the whole run
    interrupted: bool = False
    # handle -> (catalog file, line) of its document: a failure names where to fix it
    sources: Mapping[str, tuple[str, int]] = field(default_factory=dict)

    def where(self, handle: str) -> str | None:
        source = self.sources.get(handle)
        return f"{source[0]}:{source[1]}" if source else None

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok and not o.skipped)

    @property
    def skipped(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.skipped)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped and not self.interrupted

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(DONE_WORDS.values(), 0)
        for outcome in self.outcomes:
            if outcome.ok:
                counts[DONE_WORDS[outcome.action]] += 1
        counts["unchanged"] = self.unchanged
        counts["failed"] = len(self.failed)
        counts["skipped"] = len(self.skipped)
        return counts

    def rates(self) -> dict[str, float]:
        """Products finished (written, failed or removed; not skipped) and points per second."""
        if self.seconds <= 0:
            return {"products_per_s": 0.0, "points_per_s": 0.0}
        finished = len(self.outcomes) - len(self.skipped)
        points = float(self.stats.get("points_spent") or 0.0)
        return {
            "products_per_s": round(finished / self.seconds, 2),
            "points_per_s": round(points / self.seconds, 1),
        }

    def summary_lines(self) -> list[str]:
        counts = self.counts()
        if not counts["skipped"]:
            del counts["skipped"]
        head = ", ".join(f"{n} {word}" for word, n in counts.items())
        lines = [f"Apply {'complete' if self.ok else 'incomplete'}: {head}."]
        stats = self.stats
        waits = f"{stats.get('throttle_waits', 0)} throttle waits"
        if stats.get("throttle_wait_s"):
            waits += f" ({stats['throttle_wait_s']:.1f} s)"
        figures = [
            f"{_number(stats.get('points_spent', 0))} points spent",
            waits,
            f"{stats.get('retries', 0)} retries",
            f"{self.requests} requests in {self.seconds:.1f} s",
        ]
        if self.outcomes:
            figures.append(f"{self.rates()['products_per_s']:g} products/s")
        lines.append(f"Cost: {', '.join(figures)}.")
        for outcome in self.failed:
            at = self.where(outcome.handle)
            where = f" at {at}" if at else ""
            lines.append(f"failed {outcome.handle} ({outcome.action}){where}: {outcome.error}")
        for outcome in self.skipped:
            lines.append(f"skipped {outcome.handle} ({outcome.action}): {outcome.error}")
        return lines

    def to_json(self) -> str:
        document = {
            "format_version": REPORT_FORMAT,
            "catalog": self.catalog,
            "store": self.store,
            "ok": self.ok,
            "interrupted": self.interrupted,
            "summary": self.counts(),
            "duration_s": round(self.seconds, 3),
            **{k: v for k, v in sorted(self.stats.items())},
            "requests": self.requests,
            **self.rates(),
            "session": self.session,
            "products": [_outcome_json(o, self.where(o.handle)) for o in self.outcomes],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _outcome_json(outcome: Outcome, where: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "handle": outcome.handle,
        "action": outcome.action,
        "ok": outcome.ok,
        "calls": outcome.calls,
        "seconds": round(outcome.seconds, 3),
    }
    if outcome.product_id:
        data["product_id"] = outcome.product_id
    if outcome.error:
        data["error"] = outcome.error
        if where:
            data["source"] = where
    if outcome.codes:
        data["codes"] = list(outcome.codes)
    if outcome.skipped:
        data["skipped"] = True
    return data


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
