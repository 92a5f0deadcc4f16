"""The per-variant fields productSet writes: prices, SKU and the other scalars, the inventory item
and inventory quantities (ProductVariantSetInput, InventoryItemInput, ProductSetInventoryInput)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .gids import UserError, gid_number
from .handles import strip
from .state import Store, Variant

# ISO 4217 minor units other than 2, for the currencies a store can have (every other code: 2).
_MINOR_UNITS = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
         "VUV", "XAF", "XOF", "XPF"),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}  # fmt: skip


def currency_decimals(currency: str) -> int:
    return _MINOR_UNITS.get(currency.upper(), 2)


def money(value: Any, decimals: int = 2) -> str | None:
    """An amount as stored: rounded half-up to the store currency's minor unit ("10.005" is
    "10.01" in USD, "1000.4" is "1000" in JPY; docs/sandbox.md), read back with that many
    decimals ("10" -> "10.00"). None when not a non-negative decimal amount."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return str(amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _trimmed(value: Any) -> Any:
    """SKU and barcode as stored: trimmed, and an empty one is none (docs/sandbox.md)."""
    return (strip(value) or None) if isinstance(value, str) else value


_VARIANT_SCALARS = {
    "sku": "sku",
    "barcode": "barcode",
    "taxable": "taxable",
    "inventoryPolicy": "inventory_policy",
    "showUnitPrice": "show_unit_price",
    "requiresComponents": "requires_components",
    "taxCode": "tax_code",
}
_ITEM_SCALARS = {
    "sku": "sku",
    "tracked": "tracked",
    "requiresShipping": "requires_shipping",
    "countryCodeOfOrigin": "country_code_of_origin",
    "provinceCodeOfOrigin": "province_code_of_origin",
    "harmonizedSystemCode": "harmonized_system_code",
}


def patch_variant(
    store: Store,
    v: Variant,
    raw: dict[str, Any],
    path: list[str],
    is_new: bool,
    errors: list[UserError],
) -> None:
    decimals = currency_decimals(store.shop.currency_code)
    for name, attr in _VARIANT_SCALARS.items():
        if name in raw and (raw[name] is not None or attr in ("sku", "barcode", "tax_code")):
            setattr(v, attr, _trimmed(raw[name]) if attr in ("sku", "barcode") else raw[name])
    for name in ("price", "compareAtPrice"):
        if name in raw and (raw[name] is not None or name == "compareAtPrice"):
            amount = None if raw[name] is None else money(raw[name], decimals)
            if raw[name] is not None and amount is None:
                errors.append(
                    UserError(f"{name} must be a decimal amount", [*path, name], "INVALID_VARIANT")
                )
            elif name == "price":
                v.price = amount  # type: ignore[assignment]
            else:
                v.compare_at_price = amount
    if raw.get("inventoryItem") is not None:
        _patch_item(v, raw["inventoryItem"], [*path, "inventoryItem"], decimals, errors)
    if raw.get("inventoryQuantities") is not None:
        _quantities(store, v, raw["inventoryQuantities"], path, is_new, errors)


def _patch_item(
    v: Variant, item: dict[str, Any], path: list[str], decimals: int, errors: list[UserError]
) -> None:
    for name, attr in _ITEM_SCALARS.items():
        if name in item and (
            item[name] is not None or attr not in ("tracked", "requires_shipping")
        ):
            setattr(v, attr, _trimmed(item[name]) if attr == "sku" else item[name])
    if "cost" in item:
        cost = None if item["cost"] is None else money(item["cost"], decimals)
        if item["cost"] is not None and cost is None:
            errors.append(
                UserError("cost must be a decimal amount", [*path, "cost"], "INVALID_VARIANT")
            )
        v.unit_cost = cost
    weight = (item.get("measurement") or {}).get("weight")
    if weight is not None:
        if weight["value"] < 0:
            errors.append(
                UserError(
                    "Weight must be positive", [*path, "measurement", "weight"], "INVALID_VARIANT"
                )
            )
        v.weight_value, v.weight_unit = float(weight["value"]), weight["unit"]


def _quantities(
    store: Store,
    v: Variant,
    quantities: list[dict[str, Any]],
    path: list[str],
    is_new: bool,
    errors: list[UserError],
) -> None:
    if is_new:
        v.inventory = {}
    for k, q in enumerate(quantities):
        where = [*path, "inventoryQuantities", str(k)]
        loc = gid_number(q["locationId"], "Location")
        if q["name"] not in ("available", "on_hand"):
            errors.append(
                UserError(
                    "Name must be one of `available` or `on_hand`.",
                    [*where, "name"],
                    "INVALID_INPUT",
                )
            )
        elif loc not in store.locations:
            errors.append(
                UserError("Location does not exist.", [*where, "locationId"], "INVALID_INPUT")
            )
        elif not is_new and loc not in (v.inventory or {}):
            errors.append(
                UserError(
                    "You can only update quantities at locations where the variant is already "
                    "stocked.",
                    [*where, "locationId"],
                    "INVALID_VARIANT",
                )
            )
        else:
            assert v.inventory is not None
            # No orders exist in the sandbox, so nothing is committed: available == on_hand.
            v.inventory[loc] = [q["quantity"], q["quantity"]]
