"""productSet's options and variants (fact sheet §2.1, §2.4, pitfall 4).

Options are matched to the stored ones by `id`, else by name; values by `id`, else by name, so
their ids survive a resend. Variants keep their id (and inventory item) only when the input names
it; a variant without `id` is a new variant (the documented reading of "create a new variant if
absent", docs/sandbox.md).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .gids import UserError, gid_number
from .handles import strip
from .state import Option, OptionValue, Product, Store, Variant
from .variant_fields import patch_variant

MAX_OPTIONS = 3
MAX_VARIANTS = 2048
MAX_INVENTORY_QUANTITIES = 50_000
DEFAULT_OPTION, DEFAULT_VALUE = "Title", "Default Title"


def new_variant(store: Store, product_id: int, value_ids: tuple[int, ...]) -> Variant:
    loc = store.default_location().id
    return Variant(
        id=store.new_id("ProductVariant"),
        product_id=product_id,
        option_value_ids=value_ids,
        inventory_item_id=store.new_id("InventoryItem"),
        inventory={loc: [0, 0]},
    )


def default_options_and_variants(store: Store, product: Product) -> tuple[list, list]:
    value = OptionValue(store.new_id("ProductOptionValue"), DEFAULT_VALUE)
    option = Option(store.new_id("ProductOption"), DEFAULT_OPTION, [value])
    return [option], [new_variant(store, product.id, (value.id,))]


def build_options_and_variants(
    store: Store,
    old: Product | None,
    new: Product,
    options_in: list[dict[str, Any]],
    variants_in: list[dict[str, Any]],
    errors: list[UserError],
) -> tuple[list[Option], list[tuple[int, Variant]]] | None:
    """The new options and the new variants in position order, each with its input index."""
    before = len(errors)
    if len(options_in) > MAX_OPTIONS:
        errors.append(
            UserError("Options over limit.", ["input", "productOptions"], "OPTIONS_OVER_LIMIT")
        )
    if len(variants_in) > MAX_VARIANTS:
        errors.append(
            UserError(
                "Number of product variants exceeds shop limit.",
                ["input", "variants"],
                "VARIANTS_OVER_LIMIT",
            )
        )
    if len(errors) > before:
        return None
    options = _options(store, old, options_in, errors)
    if options is None:
        return None
    variants = _variants(store, old, new, options, variants_in, errors)
    return (options, variants) if len(errors) == before else None


def _options(
    store: Store, old: Product | None, options_in: list[dict[str, Any]], errors: list[UserError]
) -> list[Option] | None:
    stored = {o.id: o for o in old.options} if old else {}
    by_name = {o.name.lower(): o for o in stored.values()}
    out: list[tuple[int, int, Option]] = []
    names: set[str] = set()
    start = len(errors)
    for i, raw in enumerate(options_in):
        path = ["input", "productOptions", str(i)]
        was = (
            stored.get(gid_number(raw.get("id"), "ProductOption") or -1) if raw.get("id") else None
        )
        if raw.get("id") and was is None:
            errors.append(
                UserError("Option does not exist.", [*path, "id"], "OPTION_DOES_NOT_EXIST")
            )
            continue
        name = strip(raw.get("name") or (was.name if was else ""))
        if not name:
            errors.append(
                UserError("Option name can't be blank.", [*path, "name"], "INVALID_INPUT")
            )
            continue
        if name.lower() in names:
            errors.append(
                UserError("Duplicated option name.", [*path, "name"], "DUPLICATED_OPTION_NAME")
            )
            continue
        names.add(name.lower())
        was = was or by_name.get(name.lower())
        values = _values(store, was, raw.get("values"), path, errors)
        if values is not None:
            option = Option(was.id if was else store.new_id("ProductOption"), name, values)
            out.append((raw.get("position") or i + 1, i, option))
    if len(errors) > start:
        return None
    return [o for _, _, o in sorted(out, key=lambda t: (t[0], t[1]))]


def _values(
    store: Store,
    was: Option | None,
    values_in: list[dict[str, Any]] | None,
    path: list[str],
    errors: list[UserError],
) -> list[OptionValue] | None:
    if not values_in:
        errors.append(
            UserError(
                "Each option must have at least one option value specified.",
                [*path, "values"],
                "OPTION_VALUES_MISSING",
            )
        )
        return None
    stored = {v.id: v for v in was.values} if was else {}
    by_name = {v.name.lower(): v for v in stored.values()}
    out: list[OptionValue] = []
    seen: set[str] = set()
    for j, raw in enumerate(values_in):
        where = [*path, "values", str(j)]
        hit = stored.get(gid_number(raw.get("id"), "ProductOptionValue") or -1)
        if raw.get("id") and hit is None:
            errors.append(
                UserError(
                    "Option value does not exist.", [*where, "id"], "OPTION_VALUE_DOES_NOT_EXIST"
                )
            )
            return None
        name = strip(raw.get("name") or (hit.name if hit else ""))
        if not name:
            errors.append(
                UserError("Option value can't be blank.", [*where, "name"], "INVALID_INPUT")
            )
            return None
        if name.lower() in seen:
            errors.append(
                UserError("Duplicated option value.", [*where, "name"], "DUPLICATED_OPTION_VALUE")
            )
            return None
        seen.add(name.lower())
        hit = hit or by_name.get(name.lower())
        out.append(OptionValue(hit.id if hit else store.new_id("ProductOptionValue"), name))
    return out


def _variants(
    store: Store,
    old: Product | None,
    new: Product,
    options: list[Option],
    variants_in: list[dict[str, Any]],
    errors: list[UserError],
) -> list[tuple[int, Variant]]:
    stored = {v.id: v for v in old.variants} if old else {}
    total_quantities = sum(len(v.get("inventoryQuantities") or ()) for v in variants_in)
    if total_quantities > MAX_INVENTORY_QUANTITIES:
        errors.append(
            UserError(
                "Inventory quantity input exceeds the limit of 50000. Consider using separate "
                "`inventorySetQuantities` mutations.",
                ["input", "variants"],
                "INVENTORY_QUANTITIES_LIMIT_EXCEEDED",
            )
        )
        return []
    out: list[tuple[int, int, Variant]] = []
    combos: dict[tuple[int, ...], int] = {}
    used_ids: set[int] = set()
    for i, raw in enumerate(variants_in):
        path = ["input", "variants", str(i)]
        variant = _variant(store, stored, new, options, raw, path, used_ids, errors)
        if variant is None:
            continue
        if variant.option_value_ids in combos:
            errors.append(
                UserError(
                    f"The variant '{_title(options, variant)}' already exists.",
                    [*path, "optionValues"],
                    "INVALID_VARIANT",
                )
            )
            continue
        combos[variant.option_value_ids] = i
        out.append((raw.get("position") or i + 1, i, variant))
    return [(i, v) for _, i, v in sorted(out, key=lambda t: (t[0], t[1]))]


def _title(options: list[Option], variant: Variant) -> str:
    names = {v.id: v.name for o in options for v in o.values}
    return " / ".join(names[i] for i in variant.option_value_ids)


def _variant(
    store: Store,
    stored: dict[int, Variant],
    new: Product,
    options: list[Option],
    raw: dict[str, Any],
    path: list[str],
    used_ids: set[int],
    errors: list[UserError],
) -> Variant | None:
    value_ids = _option_values(options, raw.get("optionValues") or [], path, errors)
    if value_ids is None:
        return None
    if raw.get("id"):
        was = stored.get(gid_number(raw["id"], "ProductVariant") or -1)
        if was is None or was.id in used_ids:
            errors.append(
                UserError(
                    "Product variant does not exist.",
                    [*path, "id"],
                    "PRODUCT_VARIANT_DOES_NOT_EXIST",
                )
            )
            return None
        used_ids.add(was.id)
        variant = dataclasses.replace(
            was,
            option_value_ids=value_ids,
            inventory=None
            if was.inventory is None
            else {k: list(q) for k, q in was.inventory.items()},
            metafields=None if was.metafields is None else list(was.metafields),
        )
        is_new = False
    else:
        variant, is_new = new_variant(store, new.id, value_ids), True
    patch_variant(store, variant, raw, path, is_new, errors)
    return variant


def _option_values(
    options: list[Option], values_in: list[dict[str, Any]], path: list[str], errors: list[UserError]
) -> tuple[int, ...] | None:
    chosen: dict[int, int] = {}
    for j, raw in enumerate(values_in):
        where = [*path, "optionValues", str(j)]
        option = _pick_option(options, raw)
        if option is None:
            errors.append(UserError("Option does not exist.", where, "OPTION_DOES_NOT_EXIST"))
            return None
        value = _pick_value(option, raw)
        if value is None:
            errors.append(
                UserError("Option value does not exist.", where, "OPTION_VALUE_DOES_NOT_EXIST")
            )
            return None
        if option.id in chosen:
            errors.append(
                UserError("A variant can name each option once.", where, "INVALID_VARIANT")
            )
            return None
        chosen[option.id] = value.id
    if len(chosen) != len(options):
        errors.append(
            UserError(
                "The variant must have a value for each option.",
                [*path, "optionValues"],
                "INVALID_VARIANT",
            )
        )
        return None
    return tuple(chosen[o.id] for o in options)


def _pick_option(options: list[Option], raw: dict[str, Any]) -> Option | None:
    if raw.get("optionId"):
        number = gid_number(raw["optionId"], "ProductOption")
        return next((o for o in options if o.id == number), None)
    name = (raw.get("optionName") or "").strip().lower()
    return next((o for o in options if o.name.lower() == name), None)


def _pick_value(option: Option, raw: dict[str, Any]) -> OptionValue | None:
    if raw.get("id"):
        number = gid_number(raw["id"], "ProductOptionValue")
        return next((v for v in option.values if v.id == number), None)
    name = (raw.get("name") or "").strip().lower()
    return next((v for v in option.values if v.name.lower() == name), None)
