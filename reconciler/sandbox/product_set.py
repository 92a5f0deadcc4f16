"""productSet (synchronous), as the fact sheet (§2) and the schema's descriptions define it.

The rule builds a complete new `Product` beside the stored one and swaps it in only when every check
passed, so a call with any user error writes nothing (ids issued while building are handed back).
When the new product equals the stored one the call is a no-op and `updatedAt` does not move.

Readings taken where Shopify is unconfirmed (docs/sandbox.md): `identifier.id` that does not exist
is NOT_FOUND; a variant sent without `id` is a new variant (the old ones not listed are deleted);
`metafields`, `collections` and `files` replace every entry of the product when sent; a value a
variant names must be listed in its option's `values`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from . import handles
from . import media as media_rules
from .gids import UserError, UserErrors, gid_number, refuse
from .manual_collections import product_collections
from .metafields import resolve_namespace
from .product_metafields import product_metafields
from .products import MAX_TAG_LENGTH, MAX_TAGS
from .state import Media, Product, Store
from .variants import build_options_and_variants, default_options_and_variants


def product_set(store: Store, data: dict[str, Any], identifier: dict[str, Any] | None) -> Product:
    """Create or update one product; raises UserErrors (nothing written) when refused."""
    saved_ids = dict(store.next_ids)
    try:
        old, creating_handle = _target(store, data, identifier)
        new = _build(store, old, data, creating_handle, identifier)
    except UserErrors:
        store.next_ids = saved_ids
        raise
    if old is not None and new == old:
        store.next_ids = saved_ids
        return old
    _commit(store, old, new, data)
    return new


def _target(
    store: Store, data: dict[str, Any], identifier: dict[str, Any] | None
) -> tuple[Product | None, str | None]:
    """The stored product to update (or None to create) and the handle a create must take."""
    if identifier:
        if "id" in data:
            raise refuse(
                "The id field is not allowed if identifier is provided.",
                ["input", "id"],
                "ID_NOT_ALLOWED",
            )
        if identifier.get("id") is not None:
            return _by_id(store, identifier["id"], ["identifier", "id"], "NOT_FOUND"), None
        if identifier.get("handle") is not None:
            return _by_handle(store, data, identifier["handle"])
        if identifier.get("customId") is not None:
            return _by_custom_id(store, data, identifier["customId"]), None
    if data.get("id") is not None:
        return _by_id(store, data["id"], ["input", "id"], "PRODUCT_DOES_NOT_EXIST"), None
    return None, None


def _by_id(store: Store, value: Any, path: list[str], code: str) -> Product:
    product = store.products.get(gid_number(value, "Product") or -1)
    if product is None:
        raise refuse("Product does not exist", path, code)
    return product


def _by_handle(
    store: Store, data: dict[str, Any], handle: str
) -> tuple[Product | None, str | None]:
    if "handle" in data and data["handle"] != handle:
        raise refuse(
            "The identifier value does not match the value of the corresponding field in the "
            "input.",
            ["input", "handle"],
            "INPUT_MISMATCH",
        )
    product = store.product_by_handle(handle)
    return (product, None) if product is not None else (None, handle)


def _by_custom_id(store: Store, data: dict[str, Any], custom: dict[str, Any]) -> Product | None:
    ns, key, value = resolve_namespace(custom.get("namespace")), custom["key"], custom["value"]
    definition = store.definition_for("PRODUCT", ns, key)
    if definition is None or not (definition.type == "id" or definition.unique_values):
        raise refuse(
            "No metafield definition with unique values found for the custom id.",
            ["identifier", "customId"],
            "NOT_FOUND",
        )
    if "metafields" in data:
        listed = [
            m
            for m in data["metafields"] or ()
            if resolve_namespace(m.get("namespace")) == ns and m.get("key") == key
        ]
        if not listed or listed[-1].get("value") != value:
            raise refuse(
                "The input argument `metafields` (if present) must contain the `customId` value.",
                ["input", "metafields"],
                "METAFIELD_MISMATCH",
            )
    for product in store.products.values():
        for mf in product.metafields or ():
            if mf.namespace == ns and mf.key == key and mf.value == value:
                return product
    return None


def _build(
    store: Store,
    old: Product | None,
    data: dict[str, Any],
    creating_handle: str | None,
    identifier: dict[str, Any] | None,
) -> Product:
    errors: list[UserError] = []
    new = _scalars(store, old, data, creating_handle, errors)
    if "productOptions" in data or "variants" in data or old is None:
        _options_and_variants(store, old, new, data, errors)
    if "metafields" in data and data["metafields"] is not None:
        new.metafields = product_metafields(
            store, old, data["metafields"], errors, ["input", "metafields"]
        )
    elif old is None and identifier and identifier.get("customId"):
        custom = identifier["customId"]
        new.metafields = product_metafields(
            store, None, [custom], errors, ["identifier", "customId"]
        )
    if "collections" in data and data["collections"] is not None:
        # "The IDs of collections that this product will be a member of" (ProductSetInput):
        # exactly these, the others left (Mutation.productSet: list fields replace).
        new.collections = product_collections(store, data["collections"], errors)
    if "files" in data and data["files"] is not None:
        new.media = _files(store, old, data["files"], errors)
    if errors:
        raise UserErrors(errors)
    _resolve_variant_media(new)
    return new


def _scalars(
    store: Store,
    old: Product | None,
    data: dict[str, Any],
    creating_handle: str | None,
    errors: list[UserError],
) -> Product:
    if old is None:
        title = data.get("title")
        if not title or not handles.strip(str(title)):
            raise refuse("Title can't be blank", ["input", "title"], "INVALID_PRODUCT")
        new = Product(id=0, handle="", title=handles.strip(title), created_at=0, updated_at=0)
    else:
        new = dataclasses.replace(
            old,
            options=list(old.options),
            variants=list(old.variants),
            metafields=None if old.metafields is None else list(old.metafields),
        )
        if "title" in data and (not data["title"] or not handles.strip(str(data["title"]))):
            errors.append(UserError("Title can't be blank", ["input", "title"], "INVALID_PRODUCT"))
    _patch(new, data, errors)
    if old is not None and "giftCard" in data and bool(data["giftCard"]) != old.gift_card:
        errors.append(
            UserError(
                "The product gift_card attribute cannot be changed after creation.",
                ["input", "giftCard"],
                "GIFT_CARD_ATTRIBUTE_CANNOT_BE_CHANGED",
            )
        )
    _handle(store, old, new, data, creating_handle, errors)
    return new


_SCALARS = {
    "title": "title",
    "descriptionHtml": "description_html",
    "vendor": "vendor",
    "productType": "product_type",
    "status": "status",
    "templateSuffix": "template_suffix",
    "giftCardTemplateSuffix": "gift_card_template_suffix",
    "requiresSellingPlan": "requires_selling_plan",
    "category": "category",
}


# Stored trimmed (the reading in docs/sandbox.md, "Text Shopify trims").
_TRIMMED = ("title", "vendor", "product_type")


def _patch(new: Product, data: dict[str, Any], errors: list[UserError]) -> None:
    for name, attr in _SCALARS.items():
        if name in data:
            value = data[name]
            if value is None and attr in ("description_html", "vendor", "product_type"):
                value = ""
            if value is None and attr in ("status", "requires_selling_plan", "title"):
                continue
            if attr in _TRIMMED and isinstance(value, str):
                value = handles.strip(value)
            setattr(new, attr, value)
    if "tags" in data:
        new.tags = handles.normalize_tags(data["tags"] or ())
        errors.extend(_tag_errors(new.tags))
    if data.get("seo") is not None:
        seo = data["seo"]
        # Trimmed, and an empty one is none: the product's title and description stand in.
        if "title" in seo:
            new.seo_title = handles.strip(seo["title"] or "") or None
        if "description" in seo:
            new.seo_description = handles.strip(seo["description"] or "") or None
    if new.id == 0:
        new.gift_card = bool(data.get("giftCard") or False)
        new.combined_listing_role = data.get("combinedListingRole")


def _tag_errors(tags: tuple[str, ...]) -> list[UserError]:
    """Shopify's tag limits: "A product can have up to 250 tags. Each tag can have up to 255
    characters." (REST Admin API, Product resource, `tags`; docs/sandbox.md)."""
    out = []
    if len(tags) > MAX_TAGS:
        message = f"Tags cannot be more than {MAX_TAGS}."
        out.append(UserError(message, ["input", "tags"], "INVALID_PRODUCT"))
    if any(len(t) > MAX_TAG_LENGTH for t in tags):
        message = f"Tag is too long (maximum is {MAX_TAG_LENGTH} characters)."
        out.append(UserError(message, ["input", "tags"], "INVALID_PRODUCT"))
    return out


def _handle(
    store: Store,
    old: Product | None,
    new: Product,
    data: dict[str, Any],
    creating_handle: str | None,
    errors: list[UserError],
) -> None:
    wanted = data.get("handle") or creating_handle
    if wanted is None:
        if old is None:
            new.handle = handles.unique_from_title(store, new.title)
        return
    handle = handles.normalize(wanted) if "handle" in data else wanted
    owner = store.by_handle.get(handle)
    if owner is not None and (old is None or owner != old.id):
        errors.append(
            UserError(
                f"Handle '{handle}' already in use. Please provide a new handle.",
                ["input", "handle"],
                "HANDLE_NOT_UNIQUE",
            )
        )
    new.handle = handle


def _options_and_variants(
    store: Store, old: Product | None, new: Product, data: dict[str, Any], errors: list[UserError]
) -> None:
    has_options, has_variants = "productOptions" in data, "variants" in data
    if has_variants and not has_options:
        errors.append(
            UserError(
                "Must specify product options when updating variants.",
                ["input", "productOptions"],
                "PRODUCT_OPTIONS_INPUT_MISSING",
            )
        )
        return
    if has_options and not has_variants:
        errors.append(
            UserError(
                "Must specify variants when updating options.",
                ["input", "variants"],
                "VARIANTS_INPUT_MISSING",
            )
        )
        return
    options_in, variants_in = data.get("productOptions") or [], data.get("variants") or []
    if not options_in and not variants_in:
        if old is None:
            new.options, new.variants = default_options_and_variants(store, new)
        return
    result = build_options_and_variants(store, old, new, options_in, variants_in, errors)
    if result is not None:
        new.options = result[0]
        new.variants = [v for _, v in result[1]]
        for i, variant in result[1]:
            raw = variants_in[i]
            if raw.get("metafields") is not None:
                path = ["input", "variants", str(i), "metafields"]
                was = store.variants.get(variant.id) if old is not None else None
                variant.metafields = product_metafields(store, was, raw["metafields"], errors, path)
        _variant_files(new, data, result[1], errors)


def _variant_files(
    new: Product, data: dict[str, Any], variants: list, errors: list[UserError]
) -> None:
    """`ProductVariantSetInput.file`: "must also be specified in the `files` input"."""
    files = data.get("files") or []
    for i, variant in variants:
        raw = data["variants"][i]
        if "file" not in raw:
            continue
        if raw["file"] is None:
            variant.media_id = None
            continue
        wanted = raw["file"]
        match = next(
            (
                k
                for k, f in enumerate(files)
                if (wanted.get("id") and f.get("id") == wanted["id"])
                or (
                    wanted.get("originalSource")
                    and f.get("originalSource") == wanted["originalSource"]
                )
            ),
            None,
        )
        if match is None:
            errors.append(
                UserError(
                    "The variant file must also be specified in the product's files input.",
                    ["input", "variants", str(i), "file"],
                    "INVALID_VARIANT",
                )
            )
        else:
            variant.media_id = -(match + 1)  # resolved to the media id once files are built


def _resolve_variant_media(new: Product) -> None:
    media = new.media or []
    kept = {m.id for m in media}
    for v in new.variants:
        if v.media_id is not None and v.media_id < 0:
            index = -v.media_id - 1
            v.media_id = media[index].id if index < len(media) else None
        elif v.media_id is not None and v.media_id not in kept:
            v.media_id = None  # its file left the product's files


def _files(
    store: Store, old: Product | None, files: list[dict[str, Any]], errors: list[UserError]
) -> list[Media]:
    # Copies: the shared file objects are updated only at commit (productSet is atomic).
    out: list[Media] = []
    for i, f in enumerate(files):
        if f.get("id"):
            found = store.files.get(gid_number(f["id"], "MediaImage") or -1)
            if found is None:
                errors.append(
                    UserError(
                        "File does not exist", ["input", "files", str(i), "id"], "INVALID_INPUT"
                    )
                )
                continue
            out.append(dataclasses.replace(found, alt=f.get("alt", found.alt)))
        elif f.get("originalSource"):
            out.append(
                media_rules.create(
                    store,
                    f["originalSource"],
                    f.get("alt"),
                    f.get("contentType") or "IMAGE",
                    f.get("filename"),
                )
            )
        else:
            errors.append(
                UserError(
                    "Either id or originalSource is required",
                    ["input", "files", str(i)],
                    "INVALID_INPUT",
                )
            )
    return out


def _commit(store: Store, old: Product | None, new: Product, data: dict[str, Any]) -> None:
    now = store.clock.now()
    if old is None:
        new.id = store.new_id("Product")
        new.created_at = now
    new.updated_at = now
    old_variants = {v.id: v for v in old.variants} if old else {}
    for v in new.variants:
        v.product_id = new.id
        before = old_variants.pop(v.id, None)
        if before is None or before != v:
            v.updated_at = now
            v.created_at = v.created_at or now
        for mf in v.metafields or ():
            mf.created_at, mf.updated_at = mf.created_at or now, mf.updated_at or now
    for mf in new.metafields or ():
        mf.created_at, mf.updated_at = mf.created_at or now, mf.updated_at or now
    if new.media:
        new.media = [_shared(store, m, now) for m in new.media]
    for gone in old_variants.values():
        store.drop_variant(gone)
    if old is not None and old.handle != new.handle and data.get("redirectNewHandle"):
        store.redirects[f"/products/{old.handle}"] = f"/products/{new.handle}"
    store.put_product(new, old_handle=old.handle if old else None)


def _shared(store: Store, copy: Media, now: int) -> Media:
    """The registry's file object, with the alt text this call sent."""
    media = store.files.setdefault(copy.id, copy)
    if media is not copy and media.alt != copy.alt:
        media.alt, media.updated_at = copy.alt, now
    media.created_at = media.created_at or now
    return media
