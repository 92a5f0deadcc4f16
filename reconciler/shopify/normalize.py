"""GraphQL product data -> LiveProduct, normalized exactly like the catalog side (pure).

The rules are docs/marker.md, "What fetch must produce": money, tags and HTML through the model
(`Product(...)` and `Variant(...)` normalize on construction), metafield values through
`metafield_values.from_shopify`, status and inventory policy in lower case, empty strings (never
None) for the text fields Shopify leaves empty, Shopify's "Title"/"Default Title" option read as
a product without options, the ownership marker kept out of the product's metafields.

Both readers feed this module: the paged read hands over whole product nodes (`live_product`), the
bulk read hands over the product line and its children as they stream in (`variant`, `metafield`,
`media`, then `assemble`), so that a full read keeps small model objects, not raw JSON.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from reconciler import model
from reconciler.metafield_values import from_shopify
from reconciler.model import (
    MARKER_KEY,
    MARKER_NAMESPACE,
    LiveMedia,
    LiveProduct,
    Marker,
    Metafield,
    Option,
    Product,
    Variant,
    Weight,
)

DEFAULT_OPTION = Option("Title", ("Default Title",))


def metafield(node: Mapping[str, Any]) -> Metafield:
    """One metafield; its value in the catalog's canonical form when the type is known."""
    type_, value = node["type"], node["value"]
    # A type or value the catalog cannot write is compared as Shopify returned it.
    with contextlib.suppress(ValueError):
        value = from_shopify(type_, value)
    return Metafield(_i(node["namespace"]), _i(node["key"]), _i(type_), value)


def is_marker(node: Mapping[str, Any]) -> bool:
    return node.get("namespace") == MARKER_NAMESPACE and node.get("key") == MARKER_KEY


def variant(node: Mapping[str, Any], metafields: Iterable[Mapping[str, Any]] = ()) -> Variant:
    """One variant with its options as Shopify names them (`assemble` drops "Default Title")."""
    item = node.get("inventoryItem") or {}
    weight = (item.get("measurement") or {}).get("weight")
    cost = (item.get("unitCost") or {}).get("amount")
    policy = node.get("inventoryPolicy")
    return Variant(
        options=_shared(tuple((o["name"], o["value"]) for o in node.get("selectedOptions") or ())),
        price=_money(node.get("price")),
        compare_at_price=_money(node.get("compareAtPrice")),
        sku=node.get("sku") or "",
        barcode=node.get("barcode") or "",
        taxable=node.get("taxable"),
        requires_shipping=item.get("requiresShipping"),
        tracked=item.get("tracked"),
        cost=_money(cost),
        inventory_policy=_i(policy.lower()) if policy else None,
        weight=_weight(weight),
        metafields=tuple(metafield(m) for m in metafields),
    )


def media(node: Mapping[str, Any]) -> LiveMedia:
    image = node.get("image") or {}
    # Shopify answers "" for media without alt text; the catalog writes no alt as None.
    return LiveMedia(id=node["id"], alt=node.get("alt") or None, url=image.get("url"))


def publication_names(nodes: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """Names of `resourcePublicationsV2` nodes: the publication's catalog title."""
    names = set()
    for node in nodes:
        title = (((node.get("publication") or {}).get("catalog")) or {}).get("title")
        if title:
            names.add(title)
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Head:
    """A product's own fields, normalized, without its children: what a bulk read keeps of a
    product line while the lines of its children stream in (much smaller than the JSON)."""

    id: str
    handle: str
    title: str
    status: str
    vendor: str
    product_type: str
    tags: frozenset[str]
    description_html: str
    seo_title: str
    seo_description: str
    options: tuple[Option, ...]
    publications: frozenset[str] | None
    updated_at: str | None
    marker_text: str | None
    marker_id: str | None


def head(fields: Mapping[str, Any], *, publications: frozenset[str] | None) -> Head:
    """The Head of a product node (its connections, if any, are ignored); the marker comes from
    the `marker` alias ({id, value})."""
    marker = fields.get("marker") or {}
    seo = fields.get("seo") or {}
    options = tuple(
        Option(_i(o["name"]), tuple(_i(v["name"]) for v in o.get("optionValues") or ()))
        for o in sorted(fields.get("options") or (), key=lambda o: o.get("position") or 0)
    )
    return Head(
        id=fields["id"],
        handle=fields["handle"],
        title=fields.get("title") or "",
        status=_i((fields.get("status") or "").lower()),
        vendor=_i(fields.get("vendor") or ""),
        product_type=_i(fields.get("productType") or ""),
        tags=model.tags(_i(t) for t in fields.get("tags") or ()),
        description_html=model.html(fields.get("descriptionHtml") or ""),
        seo_title=seo.get("title") or "",
        seo_description=seo.get("description") or "",
        options=options,
        publications=publications,
        updated_at=fields.get("updatedAt"),
        marker_text=marker.get("value"),
        marker_id=marker.get("id"),
    )


def assemble(
    top: Head,
    variants: Iterable[tuple[str, Variant]],
    metafields: Iterable[Metafield],
    media_items: Iterable[LiveMedia],
    *,
    complete: bool = True,
) -> LiveProduct:
    """The LiveProduct of a product's Head and its children, already normalized."""
    options = top.options
    pairs = list(variants)
    if options == (DEFAULT_OPTION,):
        options = ()
        pairs = [(gid, replace(v, options=())) for gid, v in pairs]
    product = Product(
        handle=top.handle,
        title=top.title,
        status=top.status,
        vendor=top.vendor,
        product_type=top.product_type,
        tags=top.tags,
        description_html=top.description_html,
        seo_title=top.seo_title,
        seo_description=top.seo_description,
        publications=top.publications,
        options=options,
        variants=tuple(v for _, v in pairs),
        metafields=tuple(m for m in metafields if (m.namespace, m.key) != _MARKER_REF),
    )
    marker, problem = Marker.from_json(top.marker_text)
    return LiveProduct(
        id=top.id,
        product=product,
        variant_ids={v.key: gid for gid, v in pairs},
        media=tuple(media_items),
        updated_at=top.updated_at,
        marker=marker,
        marker_problem=problem,
        marker_id=top.marker_id,
        complete=complete,
    )


def live_product(node: Mapping[str, Any], *, complete: bool = True) -> LiveProduct:
    """A whole product node of ProductsRead (connections as `{nodes: [...]}`, every page merged).
    `resourcePublicationsV2` absent means publications were not read."""
    fields = dict(node)
    metafields = []
    for m in _nodes(node.get("metafields")):
        if is_marker(m):
            fields["marker"] = {"id": m.get("id"), "value": m["value"]}
        else:
            metafields.append(metafield(m))
    variants = [
        (v["id"], variant(v, _nodes(v.get("metafields")))) for v in _nodes(node.get("variants"))
    ]
    pubs = node.get("resourcePublicationsV2")
    top = head(fields, publications=None if pubs is None else publication_names(_nodes(pubs)))
    media_items = [media(m) for m in _nodes(node.get("media"))]
    return assemble(top, variants, metafields, media_items, complete=complete)


_MARKER_REF = (MARKER_NAMESPACE, MARKER_KEY)


def _nodes(connection: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not connection:
        return []
    if "nodes" in connection:
        return list(connection["nodes"])
    return [edge["node"] for edge in connection.get("edges") or ()]


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return model.money(str(value))


def _weight(value: Mapping[str, Any] | None) -> Weight | None:
    if not value or value.get("value") is None or not value.get("unit"):
        return None
    key = (value["value"], value["unit"])
    weight = _WEIGHTS.get(key)
    if weight is None:
        weight = Weight(*key)  # Weight reads a float through its repr
        if len(_WEIGHTS) < _CACHE_SIZE:
            _WEIGHTS[key] = weight
    return weight


# A full read holds up to 100,000s of products: the same short strings (option names and
# values, metafield namespaces, keys and types, units) and weights are shared, not repeated.
_CACHE_SIZE = 10_000
_WEIGHTS: dict[tuple[Any, str], Weight] = {}
_OPTIONS: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}
_i = sys.intern


def _shared(options: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """One tuple object per distinct option combination ("Size"/"M" is in every product)."""
    known = _OPTIONS.get(options)
    if known is not None:
        return known
    options = tuple((_i(name), _i(value)) for name, value in options)
    if len(_OPTIONS) < _CACHE_SIZE:
        _OPTIONS[options] = options
    return options
