"""compare(desired, live) -> Plan: key-set arithmetic on handles, each outcome an operation value.

- desired − live: create, or rename when one of the product's `previous_handles` is live and
  ours (this catalog's marker) or unmarked; a previous handle owned by another catalog is never
  taken (the product is created, with a warning).
- desired ∩ live: no-op when the content hash equals the marker's last_applied and the live
  product still holds it (the fast path: no views, no diff); otherwise three-way views decide:
  update (drift named in the reason), adopt (no marker, already matching: only the marker is
  written), or no-op.
- live − desired: archive/delete (on_remove) only with this catalog's marker and only from a
  complete read; others are never touched and only counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from reconciler.model import LiveProduct, Marker, Product
from reconciler.plan import hashing
from reconciler.plan.diff import field_changes
from reconciler.plan.estimate import (
    BULK_PHASE_SECONDS,
    BULK_RATE,
    MAX_REQUEST_COST,
    STANDARD_RESTORE_RATE,
    call_cost,
    calls_cost,
    estimate,
)
from reconciler.plan.model import Change, ChildDeletion, FieldChange, Plan
from reconciler.plan.threeway import (
    Views,
    adopted_media,
    child_deletions,
    drifted,
    fast_unchanged,
    variant_label,
    views,
)
from reconciler.shopify.input import mutation_calls, removal_calls

ON_REMOVE = ("archive", "delete", "ignore")
PROCESSING_REASON = (
    "its media are still being processed in the store, so they cannot be matched yet: "
    "left alone by this plan; plan again in a minute"
)


def compare(
    desired: Mapping[str, Product],
    live: Mapping[str, LiveProduct],
    *,
    catalog_name: str,
    on_remove: str = "archive",
    complete: bool = True,
    incomplete_reason: str | None = None,
    store: str = "",
    api_version: str = "2026-10",
    created_at: str | None = None,
    restore_rate: float = STANDARD_RESTORE_RATE,
    bucket: float = 0.0,
    bulk_rate: float = BULK_RATE,
    bulk_start: float = BULK_PHASE_SECONDS,
    desired_hashes: Mapping[str, str] | None = None,
) -> Plan:
    """The plan that makes `live` match `desired` for catalog `catalog_name` (pure).

    `complete`: whether `live` holds every product of the store carrying this catalog's marker
    (docs/marker.md); without it no removal is planned and `incomplete_reason` says why.
    `restore_rate`, `bulk_changes`, `bulk_seconds`: for the estimate (plan/estimate.py).
    `desired_hashes`: `Product.content_hash()` of desired products computed beforehand (e.g.
    while the live read waits on the network); a missing one is computed here.
    """
    if on_remove not in ON_REMOVE:
        raise ValueError(f"on_remove must be one of {', '.join(ON_REMOVE)}")
    changes: list[Change] = []
    taken: set[str] = set()  # live handles a rename moves away
    foreign = 0
    for handle, product in desired.items():
        current = live.get(handle)
        if current is None:
            change = _create_or_rename(product, live, desired, catalog_name, taken)
        else:
            known = desired_hashes.get(handle) if desired_hashes else None
            change = _settle(product, current, catalog_name, known_hash=known)
            foreign += _owner(current) not in (None, catalog_name)
        changes.append(change)
    blocked = None
    if on_remove != "ignore" and not complete:
        blocked = incomplete_reason or "the live read was incomplete"
        blocked = f"no removal planned: {blocked}"
    for handle, current in live.items():
        if handle in desired or handle in taken:
            continue
        if _owner(current) != catalog_name:
            foreign += 1
        elif on_remove != "ignore" and complete:
            removal = _removal(current, on_remove)
            if removal is not None:
                changes.append(removal)
    return Plan(
        catalog=catalog_name,
        store=store,
        api_version=api_version,
        created_at=created_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        changes=tuple(changes),
        estimate=estimate(
            changes,
            restore_rate=restore_rate,
            bucket=bucket,
            bulk_rate=bulk_rate,
            bulk_start=bulk_start,
        ),
        removals_blocked_reason=blocked,
        unmanaged_count=foreign,
    )


def _owner(live: LiveProduct) -> str | None:
    return live.marker.catalog if live.marker is not None else None


def _create_or_rename(
    product: Product,
    live: Mapping[str, LiveProduct],
    desired: Mapping[str, Product],
    catalog: str,
    taken: set[str],
) -> Change:
    warnings = []
    for old in product.previous_handles:
        source = live.get(old)
        if source is None or old in desired or old in taken:
            continue
        owner = _owner(source)
        if owner not in (None, catalog):
            warnings.append(f"previous handle {old!r} belongs to catalog {owner!r}: not renamed")
            continue
        taken.add(old)
        return _rename(product, source, catalog)
    calls = mutation_calls(product, None, None, catalog=catalog)
    warnings += _ceiling_warnings(calls)
    diff = field_changes({}, _created_view(product))
    return Change(
        handle=product.handle,
        action="create",
        reason="not in the store",
        diff=diff,
        warnings=tuple(warnings),
        mutation={"calls": calls},
        fingerprint=hashing.fingerprint(None, ()),
        cost=calls_cost(calls),
    )


def _created_view(product: Product) -> dict:
    data = hashing.plain(product)
    data.pop("previous_handles", None)
    data.pop("handle", None)
    if not data.get("options"):
        data.pop("options", None)  # a product without options: nothing to show
    if "variants" in data:
        data["variants"] = {
            variant_label(v.key, v.options): _without_options(hashing.plain(v))
            for v in product.variants
        }
    if "metafields" in data:
        data["metafields"] = {f"{m['namespace']}.{m['key']}": m for m in data["metafields"]}
    if "media" in data:
        data["media"] = {m["src"]: {"alt": m.get("alt")} for m in data["media"]}
    return data


def _without_options(view: dict) -> dict:
    view.pop("options", None)
    return view


def _rename(product: Product, source: LiveProduct, catalog: str) -> Change:
    change = _settle(product, source, catalog, force=True)
    if change.action == "no-op":  # left alone (truncated read, newer marker): not renamed either
        return change
    renamed = FieldChange("handle", source.handle, product.handle)
    reason = f"renamed from {source.handle!r} (a redirect is kept)"
    if change.action == "update":
        reason += "; " + change.reason
    return replace(
        change,
        action="rename",
        reason=reason,
        diff=(renamed, *change.diff),
        previous_handle=source.handle,
    )


def _settle(
    product: Product,
    live: LiveProduct,
    catalog: str,
    force: bool = False,
    known_hash: str | None = None,
) -> Change:
    """One handle in both: no-op, adopt or update (force: a rename always writes)."""
    owner, problem = _owner(live), live.marker_problem
    if owner not in (None, catalog):
        return _noop(product.handle, f"owned by catalog {owner!r}: left alone", warn=True)
    if owner is None and problem and problem.startswith("marker format"):
        return _noop(product.handle, f"{problem}: left alone (a newer tool wrote it)", warn=True)
    if not live.complete:
        return _noop(product.handle, "the live read of this product was truncated", warn=True)
    marker = live.marker if owner == catalog else None
    if marker is None and _media_unknowable(product, live):
        return _noop(product.handle, PROCESSING_REASON, warn=True)
    if (
        marker is not None
        and not force
        and marker.last_applied == (known_hash or hashing.content_hash(product))
        and fast_unchanged(product, live, marker)
    ):
        return _noop(product.handle, "unchanged")
    return _slow(product, live, marker, catalog, force)


def _slow(
    product: Product, live: LiveProduct, marker: Marker | None, catalog: str, force: bool
) -> Change:
    v = views(product, live, marker)
    warnings = list(v.warnings)
    if marker is None and live.marker_problem not in (None, "no marker"):
        warnings.append(f"{live.marker_problem}: it will be replaced")
    if any(x.image is not None for x in product.variants):
        warnings.append(
            "variant images are not compared or written on an existing product "
            "(only a create sets them)"
        )
    drift = drifted(v, product, marker)
    diff = field_changes(v.before, v.after, drift)
    deletions = child_deletions(v, live)
    warnings += _variant_warnings(deletions, v)
    same = not diff and not force
    if same and marker is not None and marker.last_applied == hashing.content_hash(product):
        return Change(product.handle, "no-op", "unchanged", warnings=tuple(warnings))
    calls = mutation_calls(product, live, marker, catalog=catalog, v=v)
    warnings += _ceiling_warnings(calls)
    if same:
        action = "adopt" if marker is None else "update"
        reason = (
            "already matches; not yet marked as this catalog's: only the marker is written"
            if marker is None
            else _marker_only_reason(v)
        )
    else:
        action = "update"
        reason = _update_reason(diff, drift, marker)
    scope = _scope(v)
    return Change(
        handle=product.handle,
        action=action,
        reason=reason,
        diff=diff,
        child_deletions=deletions,
        warnings=tuple(warnings),
        mutation={"calls": calls},
        fingerprint=hashing.fingerprint(live, scope),
        fingerprint_scope=scope,
        product_id=live.id,
        cost=calls_cost(calls),
    )


def _marker_only_reason(v: Views) -> str:
    released = v.released
    if released:
        return f"the store already matches; the catalog stopped managing {', '.join(released)}"
    return "the store already matches; only the marker is brought up to date"


def _update_reason(
    diff: tuple[FieldChange, ...], drift: tuple[str, ...], marker: Marker | None
) -> str:
    fields = sorted({c.path.split("[")[0].split(".")[0] for c in diff})
    reason = f"{len(diff)} field change{'s' if len(diff) != 1 else ''} ({', '.join(fields)})"
    if drift:
        reason += f"; drift: {', '.join(drift)} changed in the store since the last apply"
    if marker is None:
        reason += "; not yet marked as this catalog's"
    return reason


def _ceiling_warnings(calls: list[dict]) -> list[str]:
    return [
        f"{c['operation']} costs about {call_cost(c):g} points, over Shopify's "
        f"{MAX_REQUEST_COST}-point ceiling for one request: apply must write it in parts"
        for c in calls
        if call_cost(c) > MAX_REQUEST_COST
    ]


def _variant_warnings(deletions: tuple[ChildDeletion, ...], v: Views) -> list[str]:
    gone = [d for d in deletions if d.kind == "variant"]
    before, after = v.before.get("variants", {}), v.after.get("variants", {})
    new = sorted(set(after) - set(before))
    out = []
    for d in gone:
        what = f"variant [{d.name}]" + (f" ({d.id})" if d.id else "")
        if new:
            out.append(
                f"{what} cannot keep its id: its option values are not in the catalog "
                f"(new: {', '.join(new)}); it is deleted with its inventory and a new variant "
                "is created"
            )
        else:
            out.append(f"{what} is deleted with its inventory")
    return out


def _scope(v: Views) -> tuple[str, ...]:
    before, after = v.before, v.after
    keys = set(before) | set(after)
    scope = {k for k in keys if k not in ("metafields", "variants")}
    scope.add("variants")
    refs = set(before.get("metafields", {})) | set(after.get("metafields", {}))
    scope |= {f"metafields.{r}" for r in refs}
    for view in (*before.get("variants", {}).values(), *after.get("variants", {}).values()):
        scope |= {f"variant_metafields.{r}" for r in view.get("metafields", {})}
    scope.add("marker")
    return tuple(sorted(scope))


def _media_unknowable(product: Product, live: LiveProduct) -> bool:
    """An unmarked product's media are known only by file name, which Shopify shows once an
    image is processed: while one the catalog names may be among those still processing,
    adding it could add the image twice (an apply killed before it wrote the marker)."""
    if not product.media or all(m.url is not None for m in live.media):
        return False
    return len(adopted_media(product.media, live.media)) < len({m.src for m in product.media})


def _noop(handle: str, reason: str, warn: bool = False) -> Change:
    return Change(handle=handle, action="no-op", reason=reason, warnings=(reason,) if warn else ())


def _removal(live: LiveProduct, on_remove: str) -> Change | None:
    if on_remove == "archive" and live.product.status == "archived":
        return None
    calls = removal_calls(live, on_remove)
    scope = ("marker", "status", "variants")
    if on_remove == "archive":
        diff = (FieldChange("status", live.product.status, "archived"),)
        deletions: tuple[ChildDeletion, ...] = ()
        reason = "no longer in the catalog (on_remove: archive, reversible)"
    else:
        diff = ()
        variants = tuple(
            ChildDeletion("variant", variant_label(x.key, x.options), live.variant_ids.get(x.key))
            for x in live.product.variants
        )
        deletions = (ChildDeletion("product", live.handle, live.id), *variants)
        reason = "no longer in the catalog (on_remove: delete, irreversible)"
    return Change(
        handle=live.handle,
        action=on_remove,
        reason=reason,
        diff=diff,
        child_deletions=deletions,
        mutation={"calls": calls},
        fingerprint=hashing.fingerprint(live, scope),
        fingerprint_scope=scope,
        product_id=live.id,
        cost=calls_cost(calls),
    )
