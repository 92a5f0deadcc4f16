"""Shop, Location, Publication, MetafieldDefinition and media as GraphQL types (see views.py)."""

from __future__ import annotations

import time
from typing import Any

from . import media as media_rules
from . import metafield_types
from .connections import connection
from .gids import gid, iso
from .metafields import count_for
from .search import compile_query, sort_key
from .views import (
    PLAN_NAMES,
    _metafield,
    _metafields,
    _wrap,
    attr,
    const,
    count,
    empty_connection,
    table,
)


def _shop_url(s: Any, _c: Any, _a: Any) -> str:
    return f"https://{s.myshopify_domain}"


table(
    "Shop",
    id=lambda s, _c, _a: gid("Shop", s.id),
    name=attr("name"),
    myshopifyDomain=attr("myshopify_domain"),
    email=attr("email"),
    contactEmail=attr("email"),
    currencyCode=attr("currency_code"),
    enabledPresentmentCurrencies=lambda s, _c, _a: [s.currency_code],
    ianaTimezone=attr("iana_timezone"),
    timezoneAbbreviation=const("UTC"),
    timezoneOffset=const("+0000"),
    timezoneOffsetMinutes=const(0),
    weightUnit=attr("weight_unit"),
    unitSystem=const("METRIC_SYSTEM"),
    createdAt=lambda s, _c, _a: iso(s.created_at),
    updatedAt=lambda s, _c, _a: iso(s.created_at),
    description=const(None),
    url=_shop_url,
    storefrontUrl=_shop_url,
    richTextEditorUrl=lambda s, _c, _a: f"https://{s.myshopify_domain}/admin/rich_text_editor",
    shopOwnerName=const("Sandbox Owner"),
    orderNumberFormatPrefix=const("#"),
    orderNumberFormatSuffix=const(""),
    checkoutApiSupported=const(True),
    setupRequired=const(False),
    taxShipping=const(False),
    taxesIncluded=const(False),
    transactionalSmsDisabled=const(False),
    marketingSmsConsentEnabledAtCheckout=const(False),
    shipsToCountries=const(["US"]),
    publicationCount=lambda _s, c, _a: len(c.store.publications),
    plan=lambda s, _c, _a: {
        "displayName": PLAN_NAMES.get(s.plan, s.plan),
        "publicDisplayName": PLAN_NAMES.get(s.plan, s.plan),
        "partnerDevelopment": False,
        "shopifyPlus": s.plan in ("plus", "enterprise"),
    },
    metafield=_metafield,
    metafields=_metafields,
    # deprecated aliases of the QueryRoot connections
    products=lambda _s, c, a: _root("products", c, a),
    productVariants=lambda _s, c, a: _all_variants(c, a),
    locations=lambda _s, c, a: _root("locations", c, a),
)


def _root(name: str, c: Any, args: dict[str, Any]) -> Any:
    from .resolvers import ROOT

    return ROOT[name](c, args)


def _all_variants(c: Any, args: dict[str, Any]) -> dict[str, Any]:
    rows = sorted(c.store.variants.values(), key=lambda v: v.id)
    return connection(rows, args, key=lambda v: (v.id,), reverse=args.get("reverse", False))


table(
    "Location",
    id=lambda loc, _c, _a: gid("Location", loc.id),
    legacyResourceId=lambda loc, _c, _a: str(loc.id),
    name=attr("name"),
    createdAt=lambda loc, _c, _a: iso(loc.created_at),
    updatedAt=lambda loc, _c, _a: iso(loc.updated_at),
    isActive=const(True),
    activatable=const(False),
    deactivatable=const(False),
    deactivatedAt=const(None),
    deletable=const(False),
    addressVerified=const(False),
    fulfillsOnlineOrders=const(True),
    hasActiveInventory=lambda loc, c, _a: any(
        loc.id in (v.inventory or {}) for v in c.store.variants.values()
    ),
    hasUnfulfilledOrders=const(False),
    isFulfillmentService=const(False),
    isPrimary=lambda loc, c, _a: loc.id == c.store.default_location().id,
    shipsInventory=const(True),
    metafield=_metafield,
    metafields=_metafields,
)


def publication_products(pub: Any, c: Any, args: dict[str, Any]) -> dict[str, Any]:
    store = c.store
    match = compile_query(store, args.get("query"))
    items = [
        p
        for p in store.products.values()
        if pub.id in (p.publications or {}) and (match is None or match(p))
    ]
    key = sort_key(args.get("sortKey") or "ID")
    items.sort(key=key)
    return connection(items, args, key=key, reverse=args.get("reverse", False))


table(
    "Publication",
    id=lambda p, _c, _a: gid("Publication", p.id),
    name=attr("name"),
    autoPublish=attr("auto_publish"),
    supportsFuturePublishing=attr("supports_future_publishing"),
    hasCollection=const(False),
    # Every sandbox publication belongs to a sales-channel app; its catalog carries the title
    # ("Online Store") a client matches on (fact sheet §6).
    catalog=lambda p, _c, _a: {
        "__typename": "AppCatalog",
        "id": gid("AppCatalog", p.id),
        "title": p.name,
        "status": "ACTIVE",
        "publication": p,
    },
    products=publication_products,
    includedProducts=publication_products,
    includedProductsCount=lambda p, c, a: count(
        sum(1 for x in c.store.products.values() if p.id in (x.publications or {})), a.get("limit")
    ),
)


def _definition_metafields(d: Any, c: Any, args: dict[str, Any]) -> dict[str, Any]:
    from .views import MetafieldView

    owners = c.store.products.values() if d.owner_type == "PRODUCT" else c.store.variants.values()
    rows = [
        (mf, o)
        for o in owners
        for mf in (o.metafields or ())
        if mf.namespace == d.namespace and mf.key == d.key
    ]
    rows.sort(key=lambda r: r[0].id)
    page = connection(rows, args, key=lambda r: (r[0].id,), reverse=args.get("reverse", False))
    _wrap(page, lambda r: MetafieldView(r[0], r[1]))
    return page


def _category(type_name: str) -> str:
    base = type_name.removeprefix("list.")
    if base.endswith("_reference"):
        return "REFERENCE"
    if base.startswith("number") or base in ("rating",):
        return "NUMBER"
    if base in ("weight", "volume", "dimension"):
        return "MEASUREMENT"
    if base in ("date", "date_time"):
        return "DATE_TIME"
    return {
        "boolean": "TRUE_FALSE",
        "json": "JSON",
        "money": "MONEY",
        "url": "URL",
        "color": "COLOR",
        "link": "LINK",
    }.get(base, "TEXT")


table(
    "MetafieldDefinition",
    id=lambda d, _c, _a: gid("MetafieldDefinition", d.id),
    name=attr("name"),
    namespace=attr("namespace"),
    key=attr("key"),
    description=attr("description"),
    ownerType=attr("owner_type"),
    pinnedPosition=const(None),
    useAsCollectionCondition=const(False),
    validationStatus=const("ALL_VALID"),
    metafieldsCount=lambda d, c, _a: count_for(c.store, d),
    metafields=_definition_metafields,
    validations=lambda d, _c, _a: [
        {"name": v["name"], "value": v.get("value"), "type": "single_line_text_field"}
        for v in d.validations
    ],
    type=lambda d, _c, _a: {
        "name": d.type,
        "category": _category(d.type),
        "supportsDefinitionMigrations": True,
        "valueType": "JSON_STRING" if d.type.startswith("list.") else "STRING",
    },
    capabilities=lambda d, _c, _a: {
        "adminFilterable": {
            "enabled": d.admin_filterable,
            "eligible": d.type in metafield_types.ADMIN_FILTERABLE_TYPES,
            "status": "FILTERABLE" if d.admin_filterable else "NOT_FILTERABLE",
        },
        "uniqueValues": {
            "enabled": d.unique_values or d.type == "id",
            "eligible": d.type in ("single_line_text_field", "number_integer", "url", "id"),
        },
    },
)


def _image(m: Any, c: Any) -> dict[str, Any] | None:
    if m.status != "READY" or not m.original_source:
        return None
    url = media_rules.cdn_url(c.store, m)
    return {
        "id": gid("ImageSource", m.id),
        "url": url,
        "altText": m.alt,
        "width": None,
        "height": None,
        "src": url,
        "originalSrc": url,
        "thumbhash": None,
    }


table(
    "MediaImage",
    id=lambda m, _c, _a: gid("MediaImage", m.id),
    alt=attr("alt"),
    createdAt=lambda m, _c, _a: iso(m.created_at),
    updatedAt=lambda m, _c, _a: iso(max(m.updated_at, m.created_at)),
    status=attr("status"),
    fileStatus=attr("status"),
    mediaContentType=const("IMAGE"),
    mediaErrors=lambda m, _c, _a: media_rules.errors(m),
    mimeType=const(None),
    image=lambda m, c, _a: _image(m, c),
    originalSource=lambda m, c, _a: {
        "url": media_rules.original_url(c.store, m, int(time.time())),
        "fileSize": None,
    },
    metafield=const(None),
    metafields=empty_connection,
    preview=lambda m, c, _a: {"image": _image(m, c), "status": m.status},
)
