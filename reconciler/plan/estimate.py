"""What a plan will cost in Shopify's calculated query cost points, and how long that takes.

A call costs what the client will request for it (shopify/documents.request_cost): the mutation's
published formula (facts §1.2) plus the selection it reads back. Shopify refunds the difference
to the actual cost after running it, so the figure is a ceiling of the points spent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.plan.bulkable import bulk_prefix
from reconciler.plan.model import REMOVALS, Change, Cost, Estimate
from reconciler.shopify import documents, throttle
from reconciler.shopify.input import PRODUCT_ID, VARIANT_PREFIX
from reconciler.shopify.throttle import ThrottleStatus, in_flight_for

STANDARD_RESTORE_RATE = 100.0  # points a second on a standard plan
# Shopify publishes no speed for bulk mutations: lines a second assumed per operation, and the
# seconds an operation takes to be staged, started and seen finished by polling (set the store's
# own figures with CATALOG_BULK_RATE and CATALOG_BULK_START; docs/apply.md).
BULK_RATE = 100.0
BULK_PHASE_SECONDS = 5.0
ROUND_TRIP = 0.25  # seconds a typical Admin API call takes
MAX_REQUEST_COST = documents.MAX_REQUEST_COST
# metafieldsSet weighs each owner by its type: the ids the owner placeholders stand for.
_OWNER_IDS = (
    (PRODUCT_ID, "gid://shopify/Product/0"),
    (VARIANT_PREFIX, "gid://shopify/ProductVariant/0"),
)


def product_set_cost(variables: dict[str, Any]) -> float:
    """10 + 0.2/variant + 0.6/variant file + 0.4/variant metafield + 0.4/metafield + 1.9/file."""
    return throttle.product_set_cost(variables.get("input"))


def call_cost(call: dict[str, Any]) -> float:
    """The requested cost the client will ask for: the mutation's formula (facts §1.2) plus the
    selection it reads back, by the same rules the client's pacer admits it by."""
    operation, variables = call["operation"], call["variables"]
    if operation == "MetafieldsSet":
        owners = [{**m, "ownerId": _owner_id(m.get("ownerId"))} for m in variables["metafields"]]
        variables = {**variables, "metafields": owners}
    return documents.request_cost(operation, variables)


def _owner_id(owner: Any) -> Any:
    if isinstance(owner, str):
        return next((gid for prefix, gid in _OWNER_IDS if owner.startswith(prefix)), owner)
    return owner


def calls_cost(calls: Iterable[dict[str, Any]]) -> Cost:
    calls = list(calls)
    return Cost(points=round(sum(call_cost(c) for c in calls), 1), calls=len(calls))


def sync_seconds(points: float, calls: int, restore_rate: float, bucket: float) -> float:
    """A sync apply's time: what the bucket does not cover, refilled at the restore rate, or the
    round trips of `calls` with as many in flight as apply keeps for this store, whichever is
    longer."""
    refill = max(0.0, points - bucket) / restore_rate if restore_rate > 0 else 0.0
    return max(refill, calls * ROUND_TRIP / sync_in_flight(restore_rate, bucket))


def sync_in_flight(restore_rate: float, bucket: float) -> int:
    """The products (so requests) a sync apply keeps in flight on this store (applying.py)."""
    return in_flight_for(ThrottleStatus(bucket, bucket, restore_rate))


def bulk_seconds(
    todo: Iterable[Change],
    restore_rate: float,
    bucket: float,
    bulk_rate: float,
    bulk_start: float = BULK_PHASE_SECONDS,
) -> float | None:
    """A bulk apply's time (apply/bulk.py): each phase's largest group of lines at `bulk_rate`
    lines a second plus `bulk_start`, then the calls left sync. None: no line to send."""
    phases: dict[tuple[int, str], int] = {}
    rest_points, rest_calls = 0.0, 0
    for change in todo:
        calls = (change.mutation or {}).get("calls") or ()
        count = 0 if change.action in REMOVALS else bulk_prefix(calls, change.product_id)
        for k, call in enumerate(calls[:count]):
            phases[k, call["operation"]] = phases.get((k, call["operation"]), 0) + 1
        rest_points += sum(call_cost(c) for c in calls[count:])
        rest_calls += len(calls) - count
    if not phases:
        return None
    per_phase: dict[int, int] = {}
    for (k, _operation), lines in phases.items():
        per_phase[k] = max(per_phase.get(k, 0), lines)
    rate = bulk_rate if bulk_rate > 0 else float("inf")
    bulk = sum(bulk_start + lines / rate for lines in per_phase.values())
    return bulk + sync_seconds(rest_points, rest_calls, restore_rate, bucket)


def estimate(
    changes: Iterable[Change],
    *,
    restore_rate: float = STANDARD_RESTORE_RATE,
    bucket: float = 0.0,
    bulk_rate: float = BULK_RATE,
    bulk_start: float = BULK_PHASE_SECONDS,
) -> Estimate:
    """Total points, the seconds a sync apply takes, the seconds a bulk apply takes, and which
    of the two `--mode auto` uses: the faster."""
    todo = [c for c in changes if c.action != "no-op"]
    points = round(sum(c.cost.points for c in todo), 1)
    calls = sum(c.cost.calls for c in todo)
    sync = round(sync_seconds(points, calls, restore_rate, bucket), 1)
    bulk = bulk_seconds(todo, restore_rate, bucket, bulk_rate, bulk_start)
    if bulk is None:
        mode, why, bulk = "sync", "nothing a bulk operation can carry", 0.0
    elif bulk < sync:
        mode, why = "bulk", f"bulk about {bulk:.1f} s < sync about {sync:g} s"
    else:
        mode, why = "sync", f"bulk would take about {bulk:.1f} s"
    return Estimate(
        points=points,
        calls=calls,
        restore_rate=restore_rate,
        seconds=sync,
        mode=mode,
        mode_reason=why,
        bulk_seconds=round(bulk, 1),
        bucket=bucket,
        bulk_rate=bulk_rate,
        bulk_start=bulk_start,
    )
