"""The Plan: an immutable value that compare produces, renderers show and apply executes.

A Plan is data only (frozen dataclasses, tuples); it never holds a token. Its JSON form is the
versioned plan file of the contract (render/json.py writes and reads it back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = "1"
ACTIONS = ("create", "update", "rename", "adopt", "archive", "delete", "no-op")
REMOVALS = ("archive", "delete")
# What --detailed-exitcode counts as a change: everything that writes product content.
# adopt writes only the marker and no-op nothing, so neither counts (contract, "Ownership").
CHANGING = ("create", "update", "rename", "archive", "delete")
# The summary line's four counters; rename counts as an update (same product, new handle).
SUMMARY_BUCKET = {
    "create": "create",
    "update": "update",
    "rename": "update",
    "archive": "archive",
    "delete": "delete",
}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field's before and after. `before`/`after` are JSON values; None means absent."""

    path: str  # e.g. "title", "variants[Size=M].price", "metafields.custom.material", "tags"
    before: Any = None
    after: Any = None
    drift: bool = False  # the store differs from what the catalog last applied, not the catalog


@dataclass(frozen=True, slots=True)
class ChildDeletion:
    """Something the write removes from the store: reviewers must see every one."""

    kind: str  # variant | metafield | variant_metafield | media | tag | publication | product
    name: str  # variant key label, "ns.key", media src, tag, publication name
    id: str | None = None  # Shopify id when known


@dataclass(frozen=True, slots=True)
class Cost:
    points: float = 0.0
    calls: int = 0


@dataclass(frozen=True, slots=True)
class Change:
    handle: str
    action: str
    reason: str
    diff: tuple[FieldChange, ...] = ()
    child_deletions: tuple[ChildDeletion, ...] = ()
    warnings: tuple[str, ...] = ()
    # The exact calls apply makes, in order (see shopify/input.py): JSON values only.
    mutation: dict[str, Any] | None = None
    fingerprint: str | None = None
    fingerprint_scope: tuple[str, ...] = ()
    previous_handle: str | None = None
    product_id: str | None = None
    cost: Cost = Cost()

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r}")

    @property
    def is_change(self) -> bool:
        return self.action in CHANGING


@dataclass(frozen=True, slots=True)
class Estimate:
    points: float = 0.0
    calls: int = 0
    restore_rate: float = 100.0
    seconds: float = 0.0
    mode: str = "sync"  # sync | bulk
    mode_reason: str = ""
    bulk_seconds: float = 0.0  # what a bulk apply would take (0: nothing it could carry)
    bucket: float = 0.0  # the store's bucket, points (0: not known when planned)
    bulk_rate: float = 0.0  # bulk lines a second the bulk figure assumes
    bulk_start: float = 0.0  # seconds a bulk phase takes besides its lines, assumed


@dataclass(frozen=True, slots=True)
class Plan:
    catalog: str
    store: str
    api_version: str
    created_at: str
    changes: tuple[Change, ...] = ()
    estimate: Estimate = field(default_factory=Estimate)
    removals_blocked_reason: str | None = None
    unmanaged_count: int = 0
    format_version: str = FORMAT_VERSION
    catalog_hash: str | None = None  # plan/hashing.catalog_hash of what the plan was made from

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.changes, key=lambda c: c.handle))
        object.__setattr__(self, "changes", ordered)

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for change in self.changes:
            counts[change.action] += 1
        return {
            **{a.replace("-", "_"): n for a, n in counts.items()},
            "unmanaged": self.unmanaged_count,
        }

    @property
    def has_changes(self) -> bool:
        """For --detailed-exitcode: adopt and no-op are not changes."""
        return any(c.is_change for c in self.changes)

    def actionable(self) -> tuple[Change, ...]:
        """Changes apply will execute (everything but no-op)."""
        return tuple(c for c in self.changes if c.action != "no-op")
