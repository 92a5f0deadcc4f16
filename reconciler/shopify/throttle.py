"""A client-side model of Shopify's cost bucket, so that requests wait here instead of being
THROTTLED there (shopify-facts.md §1). Pure: the clock is injected; client.py does the waiting.

Shopify admits a request when the bucket holds its *requested* cost, deducts it, and refunds the
difference to the *actual* cost after execution; the bucket refills at `restoreRate` points per
second up to `maximumAvailable`. Every response reports `throttleStatus`, which resets the model.

Requests in flight at the same time share one model. A response's `currentlyAvailable` may not yet
include requests sent after it, so those are subtracted again: the model errs on the side of
waiting, and THROTTLED retries stay rare. Until the first response the bucket's size is unknown,
so only one request (a probe) is let through.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# A selection as client.py hands it over: (field name, page size or variable name or None,
# children). Inline fragments are named "..." and cost the most expensive of their alternatives.
Selection = tuple[str, "int | str | None", tuple["Selection", ...]]

MUTATION_COST = 10
MIN_IN_FLIGHT, MAX_IN_FLIGHT = 16, 64  # products a sync apply keeps in flight
FALLBACK_ESTIMATE = 50  # a document we cannot estimate (e.g. `first` left to a missing variable)


@dataclass(frozen=True)
class ThrottleStatus:
    maximum: float
    available: float
    restore_rate: float


@dataclass(frozen=True)
class Cost:
    """The `extensions.cost` of one response; `actual` is None when the request was not run."""

    requested: float | None
    actual: float | None
    status: ThrottleStatus | None


def parse_cost(extensions: Mapping[str, Any] | None) -> Cost:
    cost = (extensions or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    throttle = None
    if all(k in status for k in ("maximumAvailable", "currentlyAvailable", "restoreRate")):
        throttle = ThrottleStatus(
            maximum=float(status["maximumAvailable"]),
            available=float(status["currentlyAvailable"]),
            restore_rate=float(status["restoreRate"]),
        )
    requested, actual = cost.get("requestedQueryCost"), cost.get("actualQueryCost")
    return Cost(_float(requested), _float(actual), throttle)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


class CostModel:
    """The bucket as this process believes it to be, plus the requests it has let through."""

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._status: ThrottleStatus | None = None
        self._level = 0.0  # points available at self._stamp, net of reservations
        self._stamp = 0.0
        self._in_flight: dict[int, float] = {}  # ticket (send order) -> reserved cost
        self._tickets = itertools.count(1)

    @property
    def status(self) -> ThrottleStatus | None:
        """The last reported bucket (size and restore rate matter to estimates)."""
        return self._status

    def available(self) -> float:
        if self._status is None:
            return 0.0
        elapsed = max(0.0, self._clock() - self._stamp)
        return min(self._status.maximum, self._level + elapsed * self._status.restore_rate)

    def delay(self, cost: float) -> float | None:
        """Seconds to wait before a request of this cost may be sent: 0 means now; None means
        "wait for a response" (bucket unknown and the probe is in flight)."""
        if self._status is None:
            return None if self._in_flight else 0.0
        # A request bigger than the bucket can never fit: send it when the bucket is full and
        # let Shopify decide, instead of waiting forever.
        need = min(cost, self._status.maximum)
        short = need - self.available()
        if short <= 0:
            return 0.0
        if self._status.restore_rate <= 0:
            return None
        return short / self._status.restore_rate

    def reserve(self, cost: float) -> int:
        """Take the points now; call this in the same step as a `delay()` that returned 0."""
        ticket = next(self._tickets)
        if self._status is not None:
            self._level = self.available() - cost
            self._stamp = self._clock()
        self._in_flight[ticket] = cost
        return ticket

    def settle(self, ticket: int, cost: Cost | None) -> None:
        """A response (or a failure) for `ticket`; its throttle status resets the model."""
        self._in_flight.pop(ticket, None)
        if cost is None or cost.status is None:
            return  # no news: keep the reservation spent, the bucket refills on its own
        later = sum(c for t, c in self._in_flight.items() if t > ticket)
        self._status = cost.status
        self._level = cost.status.available - later
        self._stamp = self._clock()

    def throttled_wait(self, requested: float, status: ThrottleStatus | None) -> float:
        """Shopify's own advice for a THROTTLED answer: (requested − available) / restoreRate."""
        if status is None or status.restore_rate <= 0:
            return 1.0
        return max(0.0, (min(requested, status.maximum) - status.available) / status.restore_rate)


def in_flight_for(status: ThrottleStatus | None) -> int:
    """How many products a sync apply keeps in flight: enough that the bucket, not the number of
    slots, is the limit. A write costs at least MUTATION_COST points and takes a round trip (up
    to about a second on a slow link), so spending `restoreRate` points a second takes
    restoreRate / MUTATION_COST calls in flight; the cost model admits them, so more slots than
    the bucket can pay for only wait here. Capped: every waiter wakes on each answer."""
    if status is None:
        return MIN_IN_FLIGHT
    wanted = math.ceil(status.restore_rate / MUTATION_COST)
    return max(MIN_IN_FLIGHT, min(MAX_IN_FLIGHT, wanted))


def backoff(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, base × 2^attempt))."""
    ceiling = min(cap, base * (2**attempt))
    return (rng or random).uniform(0.0, ceiling)


def estimate(
    selections: tuple[Selection, ...], variables: Mapping[str, Any], mutation: bool = False
) -> float:
    """Requested cost of a document by Shopify's static rules (§1.1): scalars 0, objects 1,
    connections 2 + first × (cost of one node), mutations 10 for the call itself."""
    total = 0.0
    for name, first, children in selections:
        if mutation:
            total += MUTATION_COST + _children(children, variables)
        else:
            total += _field(name, first, children, variables)
    return total


def _field(name: str, first: int | str | None, children: tuple, variables: Mapping) -> float:
    if not children:
        return 0.0
    if name == "...":
        return _children(children, variables)
    if first is None:
        return 1.0 + _children(children, variables)
    size = variables.get(first) if isinstance(first, str) else first
    if not isinstance(size, int) or isinstance(size, bool):
        return math.inf
    per_node = 0.0
    for child, _, grandchildren in children:
        if child == "edges":
            per_node += sum(_field(n, f, c, variables) for n, f, c in grandchildren if n == "node")
        elif child == "nodes":
            per_node += _field(child, None, grandchildren, variables)
        # pageInfo and other connection-level fields are covered by the connection's 2
    return 2.0 + size * per_node


def _children(children: tuple, variables: Mapping) -> float:
    fragments = [c for c in children if c[0] == "..."]
    fields = [c for c in children if c[0] != "..."]
    common = sum(_field(n, f, c, variables) for n, f, c in fields)
    return common + max((_field(*frag, variables) for frag in fragments), default=0.0)


def product_set_cost(product_input: Mapping[str, Any] | None) -> float:
    """productSet's dynamic cost (shopify-facts.md §1.2): 10 + 0.2×variants + 0.6×variant files +
    0.4×variant metafields + 0.4×product metafields + 1.9×product files."""
    product_input = product_input or {}
    variants = product_input.get("variants") or []
    cost = 10.0 + 0.2 * len(variants)
    cost += 0.4 * len(product_input.get("metafields") or [])
    cost += 1.9 * len(product_input.get("files") or [])
    for variant in variants:
        cost += 0.6 * (variant.get("file") is not None)
        cost += 0.4 * len(variant.get("metafields") or [])
    return cost


# metafieldsSet's dynamic cost (shopify-facts.md §1.2, since Sept 2026): 10 + the weight of each
# distinct owner's type. The type weighing 2 was not named; a type not listed weighs 2 here, so
# the estimate errs high (an estimate too low lets requests in that the bucket cannot pay for).
METAFIELDS_SET_WEIGHTS = {"Order": 10, "Product": 4, "Collection": 1, "Customer": 1, "Shop": 1}
METAFIELDS_SET_MAX = 260


def product_update_cost(product: Any, media: Any) -> float:
    """productUpdate's dynamic cost (facts §1.2): 10 + 0.4×product metafields + 1.9×media."""
    product = product if isinstance(product, Mapping) else {}
    return MUTATION_COST + 0.4 * len(product.get("metafields") or ()) + 1.9 * len(media or ())


def metafields_set_cost(metafields: Any) -> float:
    """metafieldsSet's requested cost for these inputs, the call's own MUTATION_COST included."""
    owners = {m.get("ownerId") for m in metafields or () if isinstance(m, Mapping)}
    weight = 0
    for owner in owners:
        parts = owner.split("/") if isinstance(owner, str) else []
        kind = parts[3] if len(parts) > 4 and parts[0] == "gid:" else ""
        weight += METAFIELDS_SET_WEIGHTS.get(kind, 2)
    return float(min(METAFIELDS_SET_MAX, MUTATION_COST + weight))
