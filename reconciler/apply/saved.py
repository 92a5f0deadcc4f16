"""Applying a saved plan file: what was reviewed is what is sent, or nothing is.

`catalog apply plan.json` sends the file's own calls, but only after checking, inside the store's
lease, that they are still the right ones (contract.md, "Plan file"):

- the file is for this store, this catalog name and this API version;
- the store has not changed since planning: each product the plan touches is read again and its
  fingerprint (of the live managed fields) must be the one in the file — a changed one is
  *stale*: the whole plan is refused naming them, or with `--skip-stale` the rest is applied;
- the catalog on disk still produces the same change for each of those products (same action,
  same calls): a hand-edited plan file, or a catalog edited after planning, is refused whole.
  The plan also records `catalog_hash` (plan/hashing.py: the desired content of every product
  it covers, plus the settings), shown when a refusal is about the catalog.

These are pure functions over two plans: the saved one and a fresh one made the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.plan.model import REMOVALS, Change, Plan


@dataclass(frozen=True)
class Checked:
    """The saved plan's changes to send, and those left out."""

    send: tuple[Change, ...]
    stale: tuple[str, ...]  # handles whose store product changed since planning
    differing: tuple[str, ...]  # handles the catalog on disk no longer plans the same way


def mismatch(saved: Plan, catalog: str, store: str, api_version: str) -> str | None:
    """Why the saved plan is not for this store, catalog and API version (None: it is)."""
    for what, theirs, ours in (
        ("catalog", saved.catalog, catalog),
        ("store", saved.store, store),
        ("API version", saved.api_version, api_version),
    ):
        if theirs != ours:
            return f"the plan file is for {what} {theirs!r}, not {ours!r}: nothing was written"
    return None


def check(saved: Plan, fresh: Plan) -> Checked:
    """Compare each change the saved plan would make with the fresh plan's for that handle."""
    now = {c.handle: c for c in fresh.changes}
    send, stale, differing = [], [], []
    for change in saved.actionable():
        current = now.get(change.handle)
        if current is None or current.fingerprint != change.fingerprint:
            stale.append(change.handle)
        elif (current.action, _calls(current)) != (change.action, _calls(change)):
            differing.append(change.handle)
        else:
            send.append(change)
    return Checked(tuple(send), tuple(stale), tuple(differing))


def replan_targets(saved: Plan, catalog_handles: Iterable[str]) -> tuple[str, ...] | None:
    """The handles a fresh plan must cover: the saved plan's changes, or None (the whole
    catalog) when it removes products (removals are found only by a full read)."""
    changes = saved.actionable()
    if any(c.action in REMOVALS for c in changes):
        return None
    known = set(catalog_handles)
    return tuple(c.handle for c in changes if c.handle in known)


def _calls(change: Change) -> str:
    return json.dumps(change.mutation, sort_keys=True)
