"""How the store's objects read back as GraphQL types: one small function per served field.

`FIELDS[type name][field name](obj, ctx, args)` gives the field's value. A field the schema keeps
but this table lacks is answered with a GraphQL error naming it (resolvers.py), never a silent null.

Canonical read-back forms (docs/sandbox.md): Money with two decimals ("10.00"), DateTime in whole
seconds with `Z`, tags sorted case-insensitively, descriptionHtml exactly as written,
legacyResourceId / UnsignedInt64 as a string of digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import metafield_types
from .connections import connection
from .gids import gid, iso
from .metafields import OWNER_TYPES, digest
from .search import total_inventory
from .state import (
    Metafield,
    Option,
    OptionValue,
    Product,
    Shop,
    Store,
    Variant,
)

Resolver = Callable[[Any, Any, dict[str, Any]], Any]
FIELDS: dict[str, dict[str, Resolver]] = {}
_TAG = re.compile(r"<[^>]*>")
PLAN_NAMES = {
    "standard": "Basic",
    "advanced": "Advanced",
    "plus": "Shopify Plus",
    "enterprise": "Commerce Components",
}


class InventoryItemView:
    """A variant seen as its InventoryItem (same object, a different GraphQL type)."""

    __slots__ = ("variant",)

    def __init__(self, variant: Variant) -> None:
        self.variant = variant


class MetafieldView:
    __slots__ = ("mf", "owner")

    def __init__(self, mf: Metafield, owner: Any) -> None:
        self.mf, self.owner = mf, owner


class OptionView:
    __slots__ = ("option", "position", "product")

    def __init__(self, option: Option, position: int, product: Product) -> None:
        self.option, self.position, self.product = option, position, product


class OptionValueView:
    __slots__ = ("option_index", "product", "value")

    def __init__(self, value: OptionValue, product: Product, option_index: int) -> None:
        self.value, self.product, self.option_index = value, product, option_index


def table(type_name: str, **resolvers: Resolver) -> None:
    FIELDS.setdefault(type_name, {}).update(resolvers)


def attr(name: str) -> Resolver:
    fn = lambda o, _c, _a: getattr(o, name)  # noqa: E731
    fn.attr_name = name  # type: ignore[attr-defined]  # bulk exports read it directly
    return fn


def const(value: Any) -> Resolver:
    return lambda _o, _c, _a: value


def count(n: int, limit: int | None = None) -> dict[str, Any]:
    if limit is not None and n > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return {"count": n, "precision": "EXACT"}


def empty_connection(_o: Any, _c: Any, args: dict[str, Any]) -> dict[str, Any]:
    return connection([], args, key=lambda x: (0,))


# -- metafields (shared by every HasMetafields owner) -----------------------------------------


def _metafield(o: Any, _c: Any, args: dict[str, Any]) -> MetafieldView | None:
    from .metafields import resolve_namespace

    ns = resolve_namespace(args.get("namespace"))
    for mf in getattr(o, "metafields", None) or ():
        if mf.namespace == ns and mf.key == args["key"]:
            return MetafieldView(mf, o)
    return None


def _metafields(o: Any, _c: Any, args: dict[str, Any]) -> dict[str, Any]:
    items = list(getattr(o, "metafields", None) or ())
    if args.get("namespace") is not None:
        items = [m for m in items if m.namespace == args["namespace"]]
    if args.get("keys") is not None:
        wanted = set(args["keys"])
        items = [m for m in items if f"{m.namespace}.{m.key}" in wanted]
    items.sort(key=lambda m: m.id)
    page = connection(items, args, key=lambda m: (m.id,), reverse=args.get("reverse", False))
    _wrap(page, lambda m: MetafieldView(m, o))
    return page


def _wrap(page: dict[str, Any], fn: Callable[[Any], Any]) -> None:
    """Present each node as `fn(node)`; cursors still come from the unwrapped item."""
    for edge in page["edges"]:
        raw, key = edge.node, edge.key
        edge.node = fn(raw)
        edge.key = (lambda k, r: lambda _n: k(r))(key, raw)
    page["nodes"] = [e.node for e in page["edges"]]


def _mf_owner_type(v: MetafieldView) -> str:
    kind = {Product: "Product", Variant: "ProductVariant", Shop: "Shop"}.get(type(v.owner), "Shop")
    return OWNER_TYPES[kind]


table(
    "Metafield",
    id=lambda v, _c, _a: gid("Metafield", v.mf.id),
    legacyResourceId=lambda v, _c, _a: str(v.mf.id),
    namespace=lambda v, _c, _a: v.mf.namespace,
    key=lambda v, _c, _a: v.mf.key,
    type=lambda v, _c, _a: v.mf.type,
    value=lambda v, _c, _a: v.mf.value,
    jsonValue=lambda v, _c, _a: metafield_types.jsonish(v.mf.type, v.mf.value),
    compareDigest=lambda v, _c, _a: digest(v.mf),
    createdAt=lambda v, _c, _a: iso(v.mf.created_at),
    updatedAt=lambda v, _c, _a: iso(v.mf.updated_at),
    ownerType=lambda v, _c, _a: _mf_owner_type(v),
    owner=lambda v, _c, _a: v.owner,
    sizeInBytes=lambda v, _c, _a: len(v.mf.value.encode()),
    description=const(None),
    definition=lambda v, c, _a: c.store.definition_for(_mf_owner_type(v), v.mf.namespace, v.mf.key),
)

# -- products -----------------------------------------------------------------------------


def product_status(p: Product, ctx: Any) -> str:
    # UNLISTED exists from 2025-10; older versions see ACTIVE (ProductStatus.UNLISTED description)
    if p.status == "UNLISTED" and ctx.api_version < "2025-10":
        return "ACTIVE"
    return p.status


def _plain_text(html: str, truncate: int | None) -> str:
    text = re.sub(r"\s+", " ", _TAG.sub(" ", html)).strip()
    if truncate is not None and len(text) > truncate:
        return text[: max(0, truncate - 1)].rstrip() + "…"
    return text


def variant_title(p: Product, v: Variant) -> str:
    names = {val.id: val.name for o in p.options for val in o.values}
    return " / ".join(names.get(i, "") for i in v.option_value_ids)


def _variants(p: Product, _c: Any, args: dict[str, Any]) -> dict[str, Any]:
    sort = args.get("sortKey") or "POSITION"
    items = list(enumerate(p.variants, start=1))
    keys = {
        "ID": lambda t: (t[1].id,),
        "SKU": lambda t: ((t[1].sku or "").lower(), t[1].id),
        "TITLE": lambda t: (variant_title(p, t[1]).lower(), t[1].id),
        "INVENTORY_QUANTITY": lambda t: (_quantity(t[1]), t[1].id),
    }
    key = keys.get(sort, lambda t: (t[0], t[1].id))
    items.sort(key=key)
    page = connection(items, args, key=key, reverse=args.get("reverse", False), limit=2048)
    _wrap(page, lambda t: t[1])
    return page


def _quantity(v: Variant) -> int:
    return sum(q[0] for q in (v.inventory or {}).values())


def _published_on(p: Product, pub_id: Any) -> bool:
    from .gids import gid_number

    return bool(p.publications) and gid_number(pub_id, "Publication") in p.publications


def _resource_publications(p: Product, c: Any, args: dict[str, Any]) -> dict[str, Any]:
    store: Store = c.store
    only = args.get("onlyPublished", True)
    rows = [
        (pub, (p.publications or {}).get(pub.id))
        for pub in store.publications.values()
        if not only or pub.id in (p.publications or {})
    ]
    page = connection(rows, args, key=lambda r: (r[0].id,), reverse=args.get("reverse", False))
    _wrap(
        page,
        lambda r: {
            "isPublished": r[1] is not None and r[1] <= store.clock.last,
            "publication": r[0],
            "publishDate": iso(r[1]) if r[1] is not None else None,
            "publishable": p,
        },
    )
    return page


def _online_store_url(p: Product, c: Any) -> str | None:
    store: Store = c.store
    if p.status != "ACTIVE" or not _published_on(p, gid("Publication", store.online_store().id)):
        return None
    return f"https://{store.shop.myshopify_domain}/products/{p.handle}"


def _media(p: Any, _c: Any, args: dict[str, Any]) -> dict[str, Any]:
    items = list(enumerate(p.media or (), start=1))
    page = connection(items, args, key=lambda t: (t[0],), reverse=args.get("reverse", False))
    _wrap(page, lambda t: t[1])
    return page


def _options(p: Product, _c: Any, args: dict[str, Any]) -> list[OptionView]:
    views = [OptionView(o, i, p) for i, o in enumerate(p.options, start=1)]
    return views[: args["first"]] if args.get("first") is not None else views


table(
    "Product",
    id=lambda p, _c, _a: gid("Product", p.id),
    legacyResourceId=lambda p, _c, _a: str(p.id),
    handle=attr("handle"),
    title=attr("title"),
    descriptionHtml=attr("description_html"),
    bodyHtml=attr("description_html"),
    description=lambda p, _c, a: _plain_text(p.description_html, a.get("truncateAt")),
    descriptionPlainSummary=lambda p, _c, _a: _plain_text(p.description_html, None),
    vendor=attr("vendor"),
    productType=attr("product_type"),
    customProductType=const(None),
    status=lambda p, c, _a: product_status(p, c),
    tags=lambda p, _c, _a: list(p.tags),
    templateSuffix=attr("template_suffix"),
    giftCardTemplateSuffix=attr("gift_card_template_suffix"),
    isGiftCard=attr("gift_card"),
    requiresSellingPlan=attr("requires_selling_plan"),
    combinedListingRole=attr("combined_listing_role"),
    createdAt=lambda p, _c, _a: iso(p.created_at),
    updatedAt=lambda p, _c, _a: iso(p.updated_at),
    publishedAt=lambda p, c, _a: _online_published_at(p, c),
    defaultCursor=lambda p, _c, _a: _default_cursor(p.id),
    seo=lambda p, _c, _a: {"title": p.seo_title, "description": p.seo_description},
    options=_options,
    variants=_variants,
    variantsCount=lambda p, _c, _a: count(len(p.variants)),
    totalVariants=lambda p, _c, _a: len(p.variants),
    hasOnlyDefaultVariant=lambda p, _c, _a: _only_default(p),
    hasOutOfStockVariants=lambda p, _c, _a: any(_quantity(v) <= 0 for v in p.variants),
    hasVariantsThatRequiresComponents=lambda p, _c, _a: any(
        v.requires_components for v in p.variants
    ),
    totalInventory=lambda p, _c, _a: total_inventory(p),
    tracksInventory=lambda p, _c, _a: any(v.tracked for v in p.variants),
    metafield=_metafield,
    metafields=_metafields,
    media=_media,
    mediaCount=lambda p, _c, _a: count(len(p.media or ())),
    featuredMedia=lambda p, _c, _a: (p.media or [None])[0],
    onlineStoreUrl=lambda p, c, _a: _online_store_url(p, c),
    onlineStorePreviewUrl=lambda p, c, _a: (
        f"https://{c.store.shop.myshopify_domain}/products/{p.handle}"
    ),
    publishedOnPublication=lambda p, _c, a: _published_on(p, a["publicationId"]),
    publishedOnChannel=lambda p, _c, a: _published_on(
        p, a["channelId"].replace("/Channel/", "/Publication/")
    ),
    publishedOnCurrentPublication=const(False),
    publishedOnCurrentChannel=const(False),
    resourcePublicationsV2=_resource_publications,
    resourcePublicationsCount=lambda p, c, a: count(
        len(p.publications or {}) if a.get("onlyPublished", True) else len(c.store.publications)
    ),
    availablePublicationsCount=lambda p, c, _a: count(len(c.store.publications)),
    publicationCount=lambda p, _c, _a: len(p.publications or {}),
    unpublishedPublications=lambda p, c, a: _unpublished(p, c, a),
    productComponentsCount=const({"count": 0, "precision": "EXACT"}),
    sellingPlanGroupsCount=const({"count": 0, "precision": "EXACT"}),
    sellingPlanGroupCount=const(0),
    productParents=empty_connection,
    priceRangeV2=lambda p, c, _a: _price_range(p, c),
    storefrontId=lambda p, _c, _a: _storefront_id(gid("Product", p.id)),
    # Variant-level membership (selections with variantIds) is not emulated: always empty.
    variantsInCollection=empty_connection,
    variantsInCollectionCount=const({"count": 0, "precision": "EXACT"}),
)


def _storefront_id(global_id: str) -> str:
    import base64

    return base64.b64encode(global_id.encode()).decode()


def _price_range(p: Product, c: Any) -> dict[str, Any]:
    from decimal import Decimal

    prices = sorted((v.price for v in p.variants), key=Decimal) or ["0.00"]
    code = c.store.shop.currency_code
    return {
        "minVariantPrice": {"amount": prices[0], "currencyCode": code},
        "maxVariantPrice": {"amount": prices[-1], "currencyCode": code},
    }


def _online_published_at(p: Product, c: Any) -> str | None:
    at = (p.publications or {}).get(c.store.online_store().id)
    return iso(at) if at is not None else None


def _default_cursor(item_id: int) -> str:
    from .connections import encode_cursor

    return encode_cursor(item_id, None)


def _only_default(p: Product) -> bool:
    return (
        len(p.options) == 1
        and p.options[0].name == "Title"
        and [v.name for v in p.options[0].values] == ["Default Title"]
    )


def _unpublished(p: Product, c: Any, args: dict[str, Any]) -> dict[str, Any]:
    pubs = [x for x in c.store.publications.values() if x.id not in (p.publications or {})]
    return connection(pubs, args, key=lambda x: (x.id,), reverse=args.get("reverse", False))


# -- options --------------------------------------------------------------------------------

table(
    "ProductOption",
    id=lambda v, _c, _a: gid("ProductOption", v.option.id),
    name=lambda v, _c, _a: v.option.name,
    position=lambda v, _c, _a: v.position,
    values=lambda v, _c, _a: [x.name for x in v.option.values if _has_variants(v.product, x)],
    optionValues=lambda v, _c, _a: [
        OptionValueView(x, v.product, v.position - 1) for x in v.option.values
    ],
)


def _has_variants(p: Product, value: OptionValue) -> bool:
    return any(value.id in var.option_value_ids for var in p.variants)


table(
    "ProductOptionValue",
    id=lambda v, _c, _a: gid("ProductOptionValue", v.value.id),
    name=lambda v, _c, _a: v.value.name,
    hasVariants=lambda v, _c, _a: _has_variants(v.product, v.value),
    linkedMetafieldValue=const(None),
)
