"""The plan file (contract.md, "Plan file"): a versioned JSON document, and reading it back.

Every change is written with all its keys, except plain no-ops (nothing to do, no warning), which
keep only handle, action and reason so that a plan of a 100,000-product store stays small. A plan
holds no token: nothing here reads settings or the environment.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from reconciler.plan.model import (
    FORMAT_VERSION,
    Change,
    ChildDeletion,
    Cost,
    Estimate,
    FieldChange,
    Plan,
)
from reconciler.render.escape import json_safe


class PlanFileError(ValueError):
    """A plan file this version cannot read (wrong format version, not a plan, bad JSON)."""


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": plan.format_version,
        "catalog": plan.catalog,
        "store": plan.store,
        "api_version": plan.api_version,
        "created_at": plan.created_at,
        "changes": [_change(c) for c in plan.changes],
        "summary": plan.summary,
        "estimate": asdict(plan.estimate),
        "catalog_hash": plan.catalog_hash,
        "removals_blocked_reason": plan.removals_blocked_reason,
        "unmanaged_count": plan.unmanaged_count,
    }


def render_json(plan: Plan) -> str:
    text = json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False, sort_keys=False)
    return json_safe(text) + "\n"  # U+2028 and the like as \u escapes: no raw line break


def _change(change: Change) -> dict[str, Any]:
    if change.action == "no-op" and not change.warnings:
        return {"handle": change.handle, "action": change.action, "reason": change.reason}
    return {
        "handle": change.handle,
        "action": change.action,
        "reason": change.reason,
        "previous_handle": change.previous_handle,
        "product_id": change.product_id,
        "diff": [asdict(d) for d in change.diff],
        "child_deletions": [asdict(d) for d in change.child_deletions],
        "warnings": list(change.warnings),
        "mutation": change.mutation,
        "fingerprint": change.fingerprint,
        "fingerprint_scope": list(change.fingerprint_scope),
        "cost": asdict(change.cost),
    }


def plan_from_json(text: str) -> Plan:
    """The Plan a plan file holds; PlanFileError when it is not one this version reads."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PlanFileError(f"not a plan file: {exc}") from None
    if not isinstance(data, dict) or "changes" not in data:
        raise PlanFileError("not a plan file: no changes")
    if data.get("format_version") != FORMAT_VERSION:
        raise PlanFileError(
            f"plan file format {data.get('format_version')!r} is not {FORMAT_VERSION!r}"
        )
    try:
        return Plan(
            catalog=data["catalog"],
            store=data["store"],
            api_version=data["api_version"],
            created_at=data["created_at"],
            changes=tuple(_change_from(c) for c in data["changes"]),
            estimate=Estimate(**data.get("estimate", {})),
            removals_blocked_reason=data.get("removals_blocked_reason"),
            unmanaged_count=data.get("unmanaged_count", 0),
            catalog_hash=data.get("catalog_hash"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileError(f"plan file is malformed: {exc}") from None


def _change_from(data: dict[str, Any]) -> Change:
    return Change(
        handle=data["handle"],
        action=data["action"],
        reason=data["reason"],
        diff=tuple(FieldChange(**d) for d in data.get("diff", ())),
        child_deletions=tuple(ChildDeletion(**d) for d in data.get("child_deletions", ())),
        warnings=tuple(data.get("warnings", ())),
        mutation=data.get("mutation"),
        fingerprint=data.get("fingerprint"),
        fingerprint_scope=tuple(data.get("fingerprint_scope", ())),
        previous_handle=data.get("previous_handle"),
        product_id=data.get("product_id"),
        cost=Cost(**data.get("cost", {})),
    )
