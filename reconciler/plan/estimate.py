"""What a plan will cost in Shopify's calculated query cost points, and how long that takes.

Mutation costs follow Shopify's published formulas (shopify-facts.md §1.2); the selection a
mutation asks back for is not counted (a few points each), so the figure is a floor, not a bound.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.plan.model import Change, Cost, Estimate

STANDARD_RESTORE_RATE = 100.0  # points a second on a standard plan
BULK_CHANGES = 500  # more changes than this: apply uses a bulk operation
BULK_SECONDS = 300.0  # or a sync apply would take longer than this
MUTATION_BASE = 10.0
MAX_REQUEST_COST = 1000  # Shopify refuses a single request whose cost is over this
METAFIELDS_SET_MAX = 260.0
# metafieldsSet: 10 + a weight per distinct owner (Product 4). The variant weight is not
# published; 4 is taken so the estimate does not undershoot.
OWNER_WEIGHT = {"Product": 4.0, "ProductVariant": 4.0}


def product_set_cost(variables: dict[str, Any]) -> float:
    """10 + 0.2/variant + 0.6/variant file + 0.4/variant metafield + 0.4/metafield + 1.9/file."""
    data = variables.get("input", {})
    variants = data.get("variants") or []
    points = MUTATION_BASE + 0.2 * len(variants)
    points += sum(
        0.6 * (v.get("file") is not None) + 0.4 * len(v.get("metafields") or ()) for v in variants
    )
    points += 0.4 * len(data.get("metafields") or ()) + 1.9 * len(data.get("files") or ())
    return points


def call_cost(call: dict[str, Any]) -> float:
    operation, variables = call["operation"], call["variables"]
    if operation == "ProductSet":
        return product_set_cost(variables)
    if operation == "MetafieldsSet":
        owners = {m["ownerId"] for m in variables["metafields"]}
        weight = sum(
            OWNER_WEIGHT["ProductVariant" if "Variant" in o else "Product"] for o in owners
        )
        return min(MUTATION_BASE + weight, METAFIELDS_SET_MAX)
    if operation == "ProductUpdateMedia":
        return MUTATION_BASE + 1.9 * len(variables.get("media") or ())
    return MUTATION_BASE


def calls_cost(calls: Iterable[dict[str, Any]]) -> Cost:
    calls = list(calls)
    return Cost(points=round(sum(call_cost(c) for c in calls), 1), calls=len(calls))


def estimate(
    changes: Iterable[Change],
    *,
    restore_rate: float = STANDARD_RESTORE_RATE,
    bulk_changes: int = BULK_CHANGES,
    bulk_seconds: float = BULK_SECONDS,
) -> Estimate:
    """Total points, the seconds they take at `restore_rate`, and sync or bulk apply."""
    todo = [c for c in changes if c.action != "no-op"]
    points = round(sum(c.cost.points for c in todo), 1)
    calls = sum(c.cost.calls for c in todo)
    seconds = round(points / restore_rate, 1) if restore_rate > 0 else 0.0
    n = f"{len(todo)} change{'' if len(todo) == 1 else 's'}"
    if len(todo) > bulk_changes:
        mode, why = "bulk", f"{n} > {bulk_changes}"
    elif seconds > bulk_seconds:
        mode, why = "bulk", f"{seconds:g} s > {bulk_seconds:g} s"
    else:
        mode, why = (
            "sync",
            f"{n} <= {bulk_changes}, {seconds:g} s <= {bulk_seconds:g} s",
        )
    return Estimate(
        points=points,
        calls=calls,
        restore_rate=restore_rate,
        seconds=seconds,
        mode=mode,
        mode_reason=why,
    )
