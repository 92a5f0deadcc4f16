"""Three-way views of one product: what the store holds of ours (before) and must hold (after).

Both views carry only what this catalog manages now or managed at the last apply (the marker), so
what others added — tags, metafields, media, publications — never appears in either and can never
show as a change or be removed (contract.md, "What absence means"). The views are JSON values
(strings, lists, dicts), ready for the differ and the plan file.

Used by compare (is there a change, which, drift) and by shopify/input.py (what to send), so that
what the plan shows and what apply sends come from one reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from reconciler.model import (
    MARKER_KEY,
    MARKER_NAMESPACE,
    LiveMedia,
    LiveProduct,
    Marker,
    Media,
    Metafield,
    Product,
    Variant,
    field_hash,
)
from reconciler.plan.hashing import plain
from reconciler.plan.media_names import same_file
from reconciler.plan.model import ChildDeletion

SCALARS = (
    "title", "status", "vendor", "product_type", "description_html", "seo_title", "seo_description",
)  # fmt: skip
# Dropped from the catalog after we set them: cleared. The others (title, status) cannot be
# empty: they keep their live value and stop being managed.
CLEARABLE = frozenset(
    {"vendor", "product_type", "description_html", "seo_title", "seo_description"}
)
VARIANT_FIELDS = (
    "price", "compare_at_price", "sku", "barcode", "taxable", "requires_shipping", "tracked",
    "cost", "inventory_policy", "weight",
)  # fmt: skip
_variant_values = attrgetter(*VARIANT_FIELDS)
_scalar_values = attrgetter(*SCALARS)
# Variant images (`Variant.image`) are set by a create only, never compared: docs/marker.md, "Gaps".
VARIANT_CLEARABLE = frozenset({"compare_at_price", "sku", "barcode", "cost"})
MARKER_REF = f"{MARKER_NAMESPACE}.{MARKER_KEY}"
_NO_MARKER = Marker(catalog="", last_applied="")


@dataclass(frozen=True)
class Views:
    before: dict[str, Any]
    after: dict[str, Any]
    released: tuple[str, ...] = ()  # dropped keys that cannot be cleared: left as they are
    media_ids: dict[str, str] = field(default_factory=dict)  # src -> live media id, ours
    warnings: tuple[str, ...] = ()

    @property
    def changed_keys(self) -> tuple[str, ...]:
        keys = sorted(set(self.before) | set(self.after))
        return tuple(k for k in keys if self.before.get(k) != self.after.get(k))


def variant_label(key: tuple[str, ...], options: tuple[tuple[str, str], ...] = ()) -> str:
    """`Size=M,Color=Red` (the variant's identity as people read it); `Default` without options."""
    if options:
        return ",".join(f"{n}={v}" for n, v in options)
    return ",".join(key) if key else "Default"


def ref(metafield: Metafield) -> str:
    return f"{metafield.namespace}.{metafield.key}"


def views(desired: Product, live: LiveProduct, marker: Marker | None) -> Views:
    """Before/after of everything `desired` manages now or `marker` says was managed before."""
    was = marker or _NO_MARKER
    now, current = desired, live.product
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    released = []
    for key in SCALARS:
        value = getattr(now, key)
        if value is not None:
            after[key], before[key] = value, _scalar(current, key)
        elif key in was.keys:
            if key in CLEARABLE:
                after[key], before[key] = "", _scalar(current, key) or ""
            else:
                released.append(key)
    after["options"] = [plain(o) for o in now.options]
    before["options"] = [plain(o) for o in current.options]
    before["variants"], after["variants"] = _variant_views(now, current, was)
    warnings = []
    if current.tags is None:
        # productSet overwrites tags: never send them without knowing everyone else's.
        if now.tags is not None or was.tags:
            warnings.append("tags were not read: left as they are")
    else:
        _element_set(
            before, after, "tags", _spelled(now.tags, current.tags), current.tags,
            _spelled(was.tags, current.tags), "tags" in was.keys,
        )  # fmt: skip
    if current.publications is None:
        if now.publications is not None or was.publications:
            warnings.append("publications were not read: left as they are")
    else:
        _element_set(
            before, after, "publications", now.publications, current.publications,
            was.publications, "publications" in was.keys,
        )  # fmt: skip
    _metafield_views(before, after, now.metafields, current.metafields, was)
    media_ids = _media_views(before, after, now, live, marker, warnings)
    return Views(before, after, tuple(released), media_ids, tuple(warnings))


def _scalar(product: Product, key: str) -> Any:
    value = getattr(product, key)
    return "" if value is None and key in CLEARABLE else value


def _element_set(
    before: dict[str, Any],
    after: dict[str, Any],
    key: str,
    now: frozenset[str] | None,
    current: frozenset[str] | None,
    ours_before: frozenset[str],
    was_managed: bool,
) -> None:
    if now is None and not was_managed:
        return
    ours = now or frozenset()
    after[key] = sorted(ours)
    before[key] = sorted((current or frozenset()) & (ours | ours_before))


def _spelled(tags: frozenset[str] | None, live: frozenset[str]) -> frozenset[str] | None:
    """`tags` in the store's spelling where it holds one: Shopify keeps one spelling per tag,
    whatever the case (docs/plan.md, "How each field is compared")."""
    if not tags or tags <= live:
        return tags
    spelling = {t.casefold(): t for t in live}
    return frozenset(spelling.get(t.casefold(), t) for t in tags)


def _metafield_views(
    before: dict[str, Any],
    after: dict[str, Any],
    now: tuple[Metafield, ...] | None,
    current: tuple[Metafield, ...] | None,
    was: Marker,
) -> None:
    if now is None and not was.metafields:
        return
    ours = {ref(m): m for m in now or ()}
    scope = set(ours) | set(was.metafields)
    after["metafields"] = {r: _mf(m) for r, m in ours.items()}
    before["metafields"] = {
        ref(m): _mf(m) for m in current or () if ref(m) in scope and ref(m) != MARKER_REF
    }


def _mf(metafield: Metafield) -> dict[str, str]:
    return {"type": metafield.type, "value": metafield.value}


def _variant_views(
    now: Product, current: Product, was: Marker
) -> tuple[dict[str, Any], dict[str, Any]]:
    managed = {f for v in now.variants for f in VARIANT_FIELDS if getattr(v, f) is not None}
    cleared = (was.variant_keys & VARIANT_CLEARABLE) - managed
    shown = sorted(managed | cleared | {f for f in was.variant_keys if f in VARIANT_CLEARABLE})
    mf_scope = {ref(m) for v in now.variants for m in v.metafields or ()} | was.variant_metafields
    after = {}
    for v in now.variants:
        view = {f: plain(getattr(v, f)) for f in shown if getattr(v, f) is not None or f in cleared}
        for f in shown:
            if f in VARIANT_CLEARABLE and view.get(f) == "":
                view[f] = None  # an empty SKU or barcode is stored as none, as `before` reads it
        if mf_scope:
            view["metafields"] = {ref(m): _mf(m) for m in v.metafields or ()}
        after[variant_label(v.key, v.options)] = view
    before = {}
    for v in current.variants:
        view = {f: plain(getattr(v, f)) for f in shown}
        for f in shown:
            if f in VARIANT_CLEARABLE and view[f] == "":
                view[f] = None
        if mf_scope:
            view["metafields"] = {ref(m): _mf(m) for m in v.metafields or () if ref(m) in mf_scope}
        before[variant_label(v.key, v.options)] = view
    # Fields the catalog does not set on a variant are left alone: keep them out of its before
    # view so that they never show as a difference.
    for label, view in after.items():
        if label in before:
            before[label] = {k: before[label][k] for k in view if k in before[label]}
    return before, after


def _media_views(
    before: dict[str, Any],
    after: dict[str, Any],
    now: Product,
    live: LiveProduct,
    marker: Marker | None,
    warnings: list[str],
) -> dict[str, str]:
    was = marker or _NO_MARKER
    if now.media is None and not was.media:
        return {}
    live_media = {m.id: m for m in live.media}
    ids = {src: i for src, i in was.media_ids if i in live_media}
    if marker is not None and marker.pending_media and now.media:
        # An add an earlier apply announced but never recorded (stopped before the marker): the
        # unrecorded media of those file names are its, not someone else's.
        pending = tuple(m for m in now.media if m.src in marker.pending_media and m.src not in ids)
        recorded = {i for _src, i in was.media_ids}
        unrecorded = tuple(m for m in live.media if m.id not in recorded)
        ids.update(adopted_media(pending, unrecorded))
    if marker is None and now.media:
        ids = adopted_media(now.media, live.media)
        unmatched = len(ids) < len({m.src for m in now.media})
        if unmatched and any(m.url is None for m in live.media if m.id not in ids.values()):
            warnings.append("live media without an image URL (still processing) were not matched")
    after["media"] = {m.src: _media_view(m.alt, m.sha256) for m in now.media or ()}
    scope = set(after["media"]) | set(was.media)
    # A local file's hash as last applied (the marker's); one never recorded (adopted by name)
    # is taken to be the catalog's file.
    applied = was.media_sha256_map
    hashes = {m.src: applied.get(m.src, m.sha256) for m in now.media or () if m.sha256}
    before["media"] = {
        src: _media_view(live_media[i].alt, hashes.get(src))
        for src, i in ids.items()
        if src in scope
    }
    return {src: i for src, i in ids.items() if src in scope}


def _media_view(alt: str | None, sha256: str | None) -> dict[str, Any]:
    return {"alt": alt} if sha256 is None else {"alt": alt, "sha256": sha256}


def replaced_media(v: Views) -> set[str]:
    """Local media whose file changed since it was applied: the old one detached, the new added."""
    before, after = v.before.get("media", {}), v.after.get("media", {})
    return {
        src
        for src in set(before) & set(after)
        if before[src].get("sha256") != after[src].get("sha256")
    }


def adopted_media(desired: tuple[Media, ...], current: tuple[LiveMedia, ...]) -> dict[str, str]:
    """src -> live media id for a product never applied: by file name (media_names), a tie
    broken by position, then alt. A live media no catalog media names stays unbound (not ours:
    never changed or removed); a catalog media without a match is added."""
    bound: dict[str, str] = {}
    for position, m in enumerate(desired):
        free = [
            (i, lm)
            for i, lm in enumerate(current)
            if lm.id not in bound.values() and same_file(m.src, lm.url)
        ]
        if free:
            free.sort(key=lambda x: (x[0] != position, x[1].alt != m.alt, x[0]))
            bound[m.src] = free[0][1].id
    return bound


_ELEMENT_KINDS = (("metafield", "metafields"), ("tag", "tags"), ("publication", "publications"))


def child_deletions(v: Views, live: LiveProduct) -> tuple[ChildDeletion, ...]:
    """Every entry of ours the write removes from the store, by kind."""
    out: list[ChildDeletion] = []
    b_var, a_var = v.before.get("variants", {}), v.after.get("variants", {})
    ids = {
        variant_label(x.key, x.options): live.variant_ids.get(x.key) for x in live.product.variants
    }
    for label in sorted(set(b_var) - set(a_var)):
        out.append(ChildDeletion("variant", label, ids.get(label)))
    for label in sorted(set(b_var) & set(a_var)):
        gone = set(b_var[label].get("metafields", {})) - set(a_var[label].get("metafields", {}))
        out += [
            ChildDeletion("variant_metafield", f"{label}: {r}", ids.get(label))
            for r in sorted(gone)
        ]
    for kind, key in _ELEMENT_KINDS:
        gone = set(v.before.get(key, ())) - set(v.after.get(key, ()))
        out += [ChildDeletion(kind, name) for name in sorted(gone)]
    gone = set(v.before.get("media", {})) - set(v.after.get("media", {})) | replaced_media(v)
    out += [ChildDeletion("media", src, v.media_ids.get(src)) for src in sorted(gone)]
    return tuple(out)


def drifted(v: Views, desired: Product, marker: Marker | None) -> tuple[str, ...]:
    """Managed keys that differ live although the catalog did not change them since last apply."""
    if marker is None:
        return ()
    hashes = marker.field_hashes
    return tuple(
        k
        for k in v.changed_keys
        if k in hashes and getattr(desired, k, None) is not None
        and hashes[k] == field_hash(getattr(desired, k))
    )  # fmt: skip


def fast_unchanged(desired: Product, live: LiveProduct, marker: Marker) -> bool:
    """True only if the live product surely holds everything `desired` sets (conservative).

    Valid only when `marker.last_applied` is the content hash of `desired` (so nothing was
    dropped since the last apply); anything it cannot settle cheaply returns False.
    """
    current = live.product
    for value, other in zip(_scalar_values(desired), _scalar_values(current), strict=True):
        if value is not None and value != other:
            return False
    if desired.options != current.options or len(desired.variants) != len(current.variants):
        return False
    for key in ("tags", "publications"):
        value = getattr(desired, key)
        if value and (getattr(current, key) is None or not value <= getattr(current, key)):
            return False
    if desired.metafields and not set(desired.metafields) <= set(current.metafields or ()):
        return False
    if desired.media is not None and not _media_same(desired, live, marker):
        return False
    # Same hash as last applied: no variant field was dropped since, so none needs clearing.
    return all(_variant_same(d, c) for d, c in zip(desired.variants, current.variants, strict=True))


def _variant_same(d: Variant, c: Variant) -> bool:
    if d.options != c.options:
        return False
    for value, other in zip(_variant_values(d), _variant_values(c), strict=True):
        if value is not None and value != other:
            return False
    return not d.metafields or set(d.metafields) <= set(c.metafields or ())


def _media_same(desired: Product, live: LiveProduct, marker: Marker) -> bool:
    ids, hashes = marker.media_id_map, marker.media_sha256_map
    alts = {m.id: m.alt for m in live.media}
    for m in desired.media or ():
        media_id = ids.get(m.src)
        if media_id not in alts or alts[media_id] != m.alt:
            return False
        if m.sha256 is not None and hashes.get(m.src, m.sha256) != m.sha256:
            return False
    return True
