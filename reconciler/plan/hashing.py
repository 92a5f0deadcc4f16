"""Fast hashes for compare: the content hash (equal to `Product.content_hash()`) and fingerprints.

compare must settle >= 20,000 unchanged products a second; `Product.content_hash()` walks the
dataclasses through `dataclasses.fields()` on every call, which costs more than the rest of compare
together. `content_hash` here produces the identical string (a test holds them equal) with the
field names looked up once per class.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any

from reconciler.model import LiveProduct, Media, Metafield, Option, Product, Variant, Weight

_FIELDS: dict[type, tuple[tuple[str, ...], attrgetter]] = {}
_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
# For plain() output only: its dicts are already in key order (see _fields_of).
# plain() builds a tree (no shared or cyclic containers), so the cycle check is skipped: it costs
# as much as the encoding itself.
_dumps_ordered = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, check_circular=False
).encode


def _fields_of(cls: type) -> tuple[tuple[str, ...], attrgetter] | None:
    known = _FIELDS.get(cls)
    if known is None:
        if not is_dataclass(cls):
            return None
        # Sorted, so that the dicts come out in key order and the encoder need not sort them.
        names = tuple(sorted(f.name for f in fields(cls)))
        known = _FIELDS[cls] = (names, attrgetter(*names))
    return known


def plain(value: Any) -> Any:
    """The same JSON-ready form as `Product.to_dict()` gives, for any model value."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or value is None:
        return value
    leaf = _LEAVES.get(kind)
    if leaf is not None:
        return leaf(value)
    if kind is tuple:
        return [v if type(v) is str else plain(v) for v in value]
    if kind is Decimal:
        return str(value)
    if kind is frozenset:
        return sorted(value)
    known = _FIELDS.get(kind) or _fields_of(kind)
    return value if known is None else _generic(value, known)


def _generic(value: Any, known: tuple[tuple[str, ...], attrgetter]) -> dict[str, Any]:
    names, get = known
    out = {}
    # One C call fetches every field; scalars are converted inline (a call each would cost
    # more than the rest of the walk).
    for name, item in zip(names, get(value), strict=True):
        if item is None:
            continue
        kind = type(item)
        if kind is str or kind is bool or kind is int:
            out[name] = item
        elif kind is Decimal:
            out[name] = str(item)
        elif name == "variants":
            out[name] = [_variant(v) for v in item]
        else:
            out[name] = plain(item)
    return out


# The small value types, written out (keys in sorted order); any unexpected None goes the
# generic way so that the result stays exactly `to_dict()`'s.
def _metafield(m: Metafield) -> dict[str, Any]:
    if m.namespace is None or m.key is None or m.type is None or m.value is None:
        return _generic(m, _fields_of(Metafield))
    return {"key": m.key, "namespace": m.namespace, "type": m.type, "value": m.value}


def _option(o: Option) -> dict[str, Any]:
    if o.name is None or o.values is None or type(o.values) is not tuple:
        return _generic(o, _fields_of(Option))
    return {"name": o.name, "values": [v if type(v) is str else plain(v) for v in o.values]}


def _weight(w: Weight) -> dict[str, Any]:
    if w.unit is None or type(w.value) is not Decimal:
        return _generic(w, _fields_of(Weight))
    return {"unit": w.unit, "value": str(w.value)}


def _media(m: Media) -> dict[str, Any]:
    if m.src is None:
        return _generic(m, _fields_of(Media))
    if m.sha256 is not None:  # keys in sorted order, as _generic gives them
        return (
            {"alt": m.alt, "sha256": m.sha256, "src": m.src}
            if m.alt is not None
            else {
                "sha256": m.sha256,
                "src": m.src,
            }
        )
    return {"src": m.src} if m.alt is None else {"alt": m.alt, "src": m.src}


def _variant(variant: Variant) -> dict[str, Any]:
    names, get = _VARIANT
    out = {}
    for name, item in zip(names, get(variant), strict=True):
        if item is None:
            continue
        kind = type(item)
        if kind is Decimal:
            out[name] = str(item)
        elif kind is str or kind is bool:
            out[name] = item
        elif name == "options":
            out[name] = [list(pair) for pair in item]  # (option name, value) string pairs
        else:
            out[name] = plain(item)
    return out


_VARIANT = _fields_of(Variant)
_LEAVES: dict[type, Any] = {
    Metafield: _metafield,
    Option: _option,
    Weight: _weight,
    Media: _media,
    Variant: _variant,
}


def content_hash(product: Product) -> str:
    data = plain(product)
    data.pop("previous_handles", None)
    return "sha256:" + hashlib.sha256(_dumps_ordered(data).encode()).hexdigest()


def digest(data: Any) -> str:
    return "sha256:" + hashlib.sha256(_dumps(data).encode()).hexdigest()


ABSENT = "absent"


def fingerprint(live: LiveProduct | None, scope: tuple[str, ...]) -> str:
    """A hash of the live product's fields in `scope`, taken at plan time and again by apply.

    `scope` names what the planned write depends on: top-level keys ("title", "tags", "variants"
    ...), "metafields.NS.KEY" / "variant_metafields.NS.KEY" for the metafields it sets or deletes,
    "media", and always "marker". A product that does not exist fingerprints as "absent".
    """
    if live is None:
        return ABSENT
    product = live.product
    out: dict[str, Any] = {"id": live.id, "handle": product.handle}
    for entry in scope:
        if entry == "marker":
            out[entry] = live.marker.to_json() if live.marker else live.marker_problem
        elif entry == "media":
            out[entry] = [[m.id, m.alt] for m in live.media]
        elif entry == "variants":
            out[entry] = [[live.variant_ids.get(v.key), plain(v)] for v in product.variants]
        elif entry.startswith("metafields."):
            ref = entry.partition(".")[2]
            out[entry] = [plain(m) for m in product.metafields or () if _ref(m) == ref]
        elif entry.startswith("variant_metafields."):
            ref = entry.partition(".")[2]
            out[entry] = [
                [v.key, plain(m)]
                for v in product.variants
                for m in v.metafields or ()
                if _ref(m) == ref
            ]
        else:
            out[entry] = plain(getattr(product, entry, None))
    return digest(out)


def _ref(metafield: Any) -> str:
    return f"{metafield.namespace}.{metafield.key}"


def catalog_hash(content_hashes: Mapping[str, str], settings: Mapping[str, object]) -> str:
    """One hash of the desired catalog a plan covers: each product's content hash (by handle)
    and the settings. Stable across machines: no paths, no file layout."""
    digest = hashlib.sha256()
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    for handle in sorted(content_hashes):
        digest.update(f"\n{handle}\t{content_hashes[handle]}".encode())
    return "sha256:" + digest.hexdigest()
