"""ProductVariant, SelectedOption and InventoryItem as GraphQL types (see views.py)."""

from __future__ import annotations

from typing import Any

from .connections import connection
from .gids import gid, iso
from .views import (
    InventoryItemView,
    OptionValueView,
    _default_cursor,
    _metafield,
    _metafields,
    _published_on,
    _quantity,
    _resource_publications,
    _storefront_id,
    _unpublished,
    _wrap,
    attr,
    const,
    count,
    empty_connection,
    table,
    variant_title,
)


def _product(v: Any, c: Any) -> Any:
    return c.store.products[v.product_id]


def _selected(v: Any, c: Any) -> list[dict[str, Any]]:
    p = _product(v, c)
    out = []
    for index, (option, value_id) in enumerate(zip(p.options, v.option_value_ids, strict=False)):
        for value in option.values:
            if value.id == value_id:
                break
        out.append(
            {
                "name": option.name,
                "value": value.name,
                "optionValue": OptionValueView(value, p, index),
            }
        )
    return out


def _available(v: Any, c: Any) -> bool:
    p = _product(v, c)
    if p.status not in ("ACTIVE", "UNLISTED"):
        return False
    return not v.tracked or v.inventory_policy == "CONTINUE" or _quantity(v) > 0


def _position(v: Any, c: Any) -> int:
    return next(i for i, x in enumerate(_product(v, c).variants, start=1) if x.id == v.id)


def _variant_media(v: Any, c: Any, args: dict[str, Any]) -> dict[str, Any]:
    items = [m for m in (_product(v, c).media or ()) if m.id == v.media_id]
    return connection(items, args, key=lambda m: (m.id,), reverse=args.get("reverse", False))


table(
    "ProductVariant",
    id=lambda v, _c, _a: gid("ProductVariant", v.id),
    legacyResourceId=lambda v, _c, _a: str(v.id),
    title=lambda v, c, _a: variant_title(_product(v, c), v),
    displayName=lambda v, c, _a: f"{_product(v, c).title} - {variant_title(_product(v, c), v)}",
    price=attr("price"),
    compareAtPrice=attr("compare_at_price"),
    sku=attr("sku"),
    barcode=attr("barcode"),
    taxable=attr("taxable"),
    taxCode=attr("tax_code"),
    inventoryPolicy=attr("inventory_policy"),
    inventoryQuantity=lambda v, _c, _a: _quantity(v),
    sellableOnlineQuantity=lambda v, _c, _a: max(0, _quantity(v)),
    availableForSale=lambda v, c, _a: _available(v, c),
    showUnitPrice=attr("show_unit_price"),
    requiresComponents=attr("requires_components"),
    unitPrice=const(None),
    position=lambda v, c, _a: _position(v, c),
    selectedOptions=lambda v, c, _a: _selected(v, c),
    product=lambda v, c, _a: _product(v, c),
    inventoryItem=lambda v, _c, _a: InventoryItemView(v),
    createdAt=lambda v, _c, _a: iso(v.created_at),
    updatedAt=lambda v, _c, _a: iso(v.updated_at),
    defaultCursor=lambda v, _c, _a: _default_cursor(v.id),
    metafield=_metafield,
    metafields=_metafields,
    media=_variant_media,
    # Before 2026-07 variants follow their product's publications (fact sheet §6).
    publishedOnPublication=lambda v, c, a: _published_on(_product(v, c), a["publicationId"]),
    publishedOnChannel=lambda v, c, a: _published_on(
        _product(v, c), a["channelId"].replace("/Channel/", "/Publication/")
    ),
    publishedOnCurrentPublication=const(False),
    publishedOnCurrentChannel=const(False),
    publicationCount=lambda v, c, _a: len(_product(v, c).publications or {}),
    resourcePublicationsCount=lambda v, c, _a: count(len(_product(v, c).publications or {})),
    availablePublicationsCount=lambda v, c, _a: count(len(c.store.publications)),
    sellingPlanGroupsCount=const({"count": 0, "precision": "EXACT"}),
    sellingPlanGroupCount=const(0),
    productParents=empty_connection,
    resourcePublicationsV2=lambda v, c, a: _resource_publications(_product(v, c), c, a),
    unpublishedPublications=lambda v, c, a: _unpublished(_product(v, c), c, a),
    storefrontId=lambda v, _c, _a: _storefront_id(gid("ProductVariant", v.id)),
)

# SelectedOption is a plain dict (resolved by key in resolvers.py).


def _item(view: InventoryItemView) -> Any:
    return view.variant


def _unit_cost(view: InventoryItemView, c: Any) -> dict[str, str] | None:
    cost = view.variant.unit_cost
    return None if cost is None else {"amount": cost, "currencyCode": c.store.shop.currency_code}


def _item_variants(view: InventoryItemView, _c: Any, args: dict[str, Any]) -> dict[str, Any]:
    page = connection([view.variant], args, key=lambda v: (v.id,))
    _wrap(page, lambda v: v)
    return page


table(
    "InventoryItem",
    id=lambda i, _c, _a: gid("InventoryItem", i.variant.inventory_item_id),
    legacyResourceId=lambda i, _c, _a: str(i.variant.inventory_item_id),
    sku=lambda i, _c, _a: i.variant.sku,
    tracked=lambda i, _c, _a: i.variant.tracked,
    requiresShipping=lambda i, _c, _a: i.variant.requires_shipping,
    countryCodeOfOrigin=lambda i, _c, _a: i.variant.country_code_of_origin,
    provinceCodeOfOrigin=lambda i, _c, _a: i.variant.province_code_of_origin,
    harmonizedSystemCode=lambda i, _c, _a: i.variant.harmonized_system_code,
    unitCost=lambda i, c, _a: _unit_cost(i, c),
    createdAt=lambda i, _c, _a: iso(i.variant.created_at),
    updatedAt=lambda i, _c, _a: iso(i.variant.updated_at),
    duplicateSkuCount=lambda i, c, _a: _duplicate_skus(i, c),
    inventoryHistoryUrl=const(None),
    locationsCount=lambda i, _c, _a: count(len(i.variant.inventory or {})),
    measurement=lambda i, _c, _a: {
        "id": gid("InventoryItemMeasurement", i.variant.inventory_item_id),
        "weight": {"value": i.variant.weight_value, "unit": i.variant.weight_unit},
    },
    variant=lambda i, _c, _a: i.variant,
    variants=_item_variants,
)


def _duplicate_skus(view: InventoryItemView, c: Any) -> int:
    sku = view.variant.sku
    if not sku:
        return 0
    return sum(1 for v in c.store.variants.values() if v.sku == sku and v.id != view.variant.id)
