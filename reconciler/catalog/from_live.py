"""A live product -> a minimal catalog product document (a dict for write.py), for `catalog import`.

Minimal: a key is written only when the store holds something other than what Shopify gives a
product that never set it (an empty text, no tags, taxable, requires shipping, not tracked, deny,
no weight). Absence in the catalog means "not managed" (docs/catalog.md), so leaving a key out
never makes the first plan change anything; `handle`, `title`, `status` and every variant's
`price` are always written (a product without a status is one whose publishing nobody manages,
which is rarely what an import means). A flag, the inventory policy or the weight is written on
every variant of a product as soon as one variant differs from the default, so that the catalog
manages the field for the whole product, not for some variants (an empty SKU or barcode is
absence either way, so those are written only where set).

What the catalog cannot hold as the store has it is left out and named: media Shopify gives no
image URL for (still processing, or a video or 3D model: the catalog's media are images),
metafields of a type the catalog does not know or whose value it would refuse. Variant images are
not read from the store (docs/marker.md, "Gaps") and so are never imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reconciler import metafield_values
from reconciler.catalog.settings import Settings
from reconciler.model import LiveMedia, LiveProduct, Metafield, Product, Variant

# Shopify's value for a variant that never set the field (shopify-facts.md §2.1; sandbox state).
VARIANT_DEFAULTS: dict[str, Any] = {
    "taxable": True,
    "requires_shipping": True,
    "tracked": False,
    "inventory_policy": "deny",
}
_VARIANT_TEXT = ("sku", "barcode")
_STRUCTURED = ("json", *metafield_values.OBJECT_TYPES)


@dataclass(frozen=True)
class Skipped:
    handle: str
    reason: str


def product_document(
    live: LiveProduct, settings: Settings
) -> tuple[dict[str, Any], list[str]] | Skipped:
    """(the document, what was left out) for one live product, or why it is not imported."""
    skip = _not_importable(live, settings.name)
    if skip is not None:
        return Skipped(live.handle, skip)
    product, left_out = live.product, []
    doc: dict[str, Any] = {"handle": product.handle, "title": product.title or product.handle}
    doc["status"] = product.status or "active"
    for key in ("vendor", "product_type", "description_html"):
        if getattr(product, key):
            doc[key] = getattr(product, key)
    if product.tags:
        doc["tags"] = sorted(product.tags)
    seo = {"title": product.seo_title, "description": product.seo_description}
    if any(seo.values()):
        doc["seo"] = {k: v for k, v in seo.items() if v}
    publications = _publications(product, settings)
    if publications is not None:
        doc["publications"] = publications
    if product.options:
        doc["options"] = [{"name": o.name, "values": list(o.values)} for o in product.options]
    doc["variants"] = _variants(product, left_out)
    metafields = _metafields(product.metafields or (), "", left_out)
    if metafields:
        doc["metafields"] = metafields
    media = [m for m in live.media if m.url]
    if len(media) < len(live.media):
        gone = len(live.media) - len(media)
        left_out.append(
            f"{gone} media without an image URL (still processing, or not an image) not imported"
        )
    if media:
        doc["media"] = [{"src": _src(m, live), **({"alt": m.alt} if m.alt else {})} for m in media]
    return doc, left_out


def _src(media: LiveMedia, live: LiveProduct) -> str:
    """The src the catalog knows a media by: for media this catalog created (its marker names
    them), the src it was created from; else the URL Shopify serves it at (its file name is how
    a product without a marker is matched: docs/plan.md)."""
    if live.marker is not None:
        for src, media_id in live.marker.media_ids:
            if media_id == media.id:
                return src
    return media.url or ""


def _not_importable(live: LiveProduct, catalog: str) -> str | None:
    owner = live.marker.catalog if live.marker is not None else None
    if owner not in (None, catalog):
        return f"it belongs to catalog {owner!r} (its marker says so)"
    problem = live.marker_problem or ""
    if owner is None and problem.startswith("marker format"):
        return f"{problem} (a newer version of the tool wrote it)"
    if not live.complete:
        return "the store's answer for it was truncated (too many variants, metafields or media)"
    if not live.product.variants:
        return "it has no variant"
    return None


def _publications(product: Product, settings: Settings) -> list[str] | None:
    """The product's sales channels when they differ from what the catalog gives a product that
    names none (catalog.yaml's `publications`, or not managed)."""
    live = product.publications
    if live is None:
        return None
    default = frozenset(settings.publications)
    if settings.publications:
        return None if live == default else sorted(live)
    return sorted(live) if live else None


def _variants(product: Product, left_out: list[str]) -> list[dict[str, Any]]:
    variants = product.variants
    flags = [k for k, default in VARIANT_DEFAULTS.items() if _differs(variants, k, default)]
    out = []
    for variant in variants:
        doc: dict[str, Any] = {}
        if variant.options:
            doc["options"] = dict(variant.options)
        if variant.price is not None:
            doc["price"] = str(variant.price)
        for key in ("compare_at_price", "cost"):
            if getattr(variant, key) is not None:
                doc[key] = str(getattr(variant, key))
        for key in _VARIANT_TEXT:
            if getattr(variant, key):
                doc[key] = getattr(variant, key)
        for key in flags:
            value = getattr(variant, key)
            doc[key] = value if value is not None else VARIANT_DEFAULTS[key]
        weight = _weight(variant)
        if weight is not None or any(_weight(v) is not None for v in variants):
            doc["weight"] = weight or {"value": 0, "unit": "GRAMS"}
        label = " / ".join(v for _, v in variant.options) or "the variant"
        metafields = _metafields(variant.metafields or (), f"{label}: ", left_out)
        if metafields:
            doc["metafields"] = metafields
        out.append(doc)
    return out


def _differs(variants: tuple[Variant, ...], key: str, default: Any) -> bool:
    return any(getattr(v, key) not in (None, default) for v in variants)


def _weight(variant: Variant) -> dict[str, Any] | None:
    if variant.weight is None or not variant.weight.value:
        return None
    return {"value": variant.weight.value, "unit": variant.weight.unit}


def _metafields(items: Any, where: str, left_out: list[str]) -> list[dict[str, Any]]:
    out = []
    for m in items:
        value = _value(m)
        if value is None:
            left_out.append(
                f"{where}metafield {m.namespace}.{m.key} ({m.type}) not imported: "
                "the catalog cannot hold its type or value"
            )
            continue
        out.append({"namespace": m.namespace, "key": m.key, "type": m.type, "value": value})
    return out


def _value(m: Metafield) -> Any:
    """The metafield's value as a catalog writes it, or None when the catalog would refuse it
    (an unknown type, a value that does not fit its type) or read it back as another value."""
    if not metafield_values.is_known(m.type):
        return None
    try:
        canonical = metafield_values.from_shopify(m.type, m.value)
    except ValueError:
        return None
    if m.type in _STRUCTURED or m.type.startswith("list."):
        value: Any = json.loads(canonical, parse_float=Decimal)
    elif m.type == "boolean":
        value = canonical == "true"
    else:
        value = canonical
    try:
        same = metafield_values.canonical(m.type, value) == canonical
    except ValueError:
        same = False
    return value if same else None
