"""The one pure function that turns a planned change into the exact calls apply will make.

`mutation_calls(desired, live, marker, catalog=...)` returns the calls in the order apply sends
them, each `{"operation": NAME, "variables": {...}}` with NAME a document in `graphql/`. Plan shows
and saves this list; apply sends it (or writes the productSet variables as a bulk JSONL line): what
was reviewed is what is sent.

Rules (design README; docs/marker.md):
- productSet carries scalars, tags, options and variants — never the product's `metafields` or
  `files` lists of an existing product, which would delete what other apps wrote. Existing
  products are addressed by id (update-only: a product deleted since the plan is not re-created
  half-empty); a create by handle (an upsert, safe to retry).
- Only what changes is sent: unchanged tags or variants are left out, so the write cannot race
  with an edit of them (the fingerprint also covers them).
- Managed metafields go through metafieldsSet (<= 25 a call), dropped ones through
  metafieldsDelete; the ownership marker is always the last metafieldsSet entry.
- A create whose variants have images carries the product's media in productSet `files` and
  each variant's image as its `file` (it must be among `files`); other creates and updates add
  media with productUpdate(media:). Updates never write variant images (compare warns).
- A create whose productSet would pass the 1000-point ceiling of one request is written in
  parts: variant (then product) metafields move to metafieldsSet calls after it.
- A media `src` that is a path inside the catalog directory stays that path in `originalSource`:
  apply uploads the file (staged upload) and sends the upload's resourceUrl in its place.
- Placeholders apply fills from earlier answers: `{{product.id}}` (a product being created),
  `{{variant:[[NAME, VALUE], ...]}}` (its variant with those options, once created),
  `{{publication:NAME}}` (a publication's id, looked up by name).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from reconciler.model import (
    MARKER_KEY,
    MARKER_NAMESPACE,
    MARKER_TYPE,
    LiveProduct,
    Marker,
    Media,
    Metafield,
    Product,
    Variant,
)
from reconciler.plan.threeway import Views, replaced_media, variant_label, views
from reconciler.shopify.throttle import product_set_cost

PRODUCT_ID = "{{product.id}}"
VARIANT_PREFIX = "{{variant:"
PUBLICATION_PREFIX = "{{publication:"
# What one productSet may cost (Shopify refuses a request over 1000 points, MAX_COST_EXCEEDED),
# less room for the selection it reads back.
PRODUCT_SET_BUDGET = 900.0
METAFIELDS_PER_CALL = 25
DEFAULT_OPTION = ("Title", "Default Title")  # Shopify's option of a product without options
_SCALAR_INPUT = {
    "title": "title",
    "status": "status",
    "vendor": "vendor",
    "product_type": "productType",
    "description_html": "descriptionHtml",
}


def publication_placeholder(name: str) -> str:
    return PUBLICATION_PREFIX + name + "}}"


def mutation_calls(
    desired: Product,
    live: LiveProduct | None,
    marker: Marker | None,
    *,
    catalog: str,
    v: Views | None = None,
) -> list[dict[str, Any]]:
    """Every call apply makes to bring `live` (None: absent) to `desired`, marker last."""
    if live is None:
        return _create_calls(desired, catalog)
    v = v or views(desired, live, marker)
    calls = []
    product_set = _product_set_update(desired, live, v)
    if product_set is not None:
        calls.append(_call("ProductSet", product_set))
    calls += _pending_media(_media_calls(desired, live.id, v), live.id, marker)
    calls += _metafield_delete_calls(live, v)
    calls += _publication_calls(live.id, v)
    new_marker = Marker.for_product(desired, catalog, v.media_ids)
    calls += _metafield_set_calls(_changed_metafields(live, v), live.id, new_marker)
    return calls


def _call(operation: str, variables: dict[str, Any]) -> dict[str, Any]:
    return {"operation": operation, "variables": variables}


def _create_calls(desired: Product, catalog: str) -> list[dict[str, Any]]:
    data: dict[str, Any] = {"handle": desired.handle}
    data.update(_scalars(desired, _SCALAR_INPUT))
    if desired.seo_title is not None or desired.seo_description is not None:
        data["seo"] = _seo(desired, None)
    if desired.tags is not None:
        data["tags"] = sorted(desired.tags)
    data.update(_options_and_variants(desired, None, with_metafields=True))
    if desired.metafields:
        # Safe on a create only: a product that does not exist has no one else's metafields.
        data["metafields"] = [_metafield_input(m) for m in desired.metafields]
    if variant_images_sent(desired):
        _with_files(desired, data)
    later = _fit_the_ceiling(data)
    calls = [_call("ProductSet", {"identifier": {"handle": desired.handle}, "input": data})]
    if "files" not in data:
        calls += _media_calls(desired, PRODUCT_ID, Views(before={}, after={}))
    publications = sorted(desired.publications or ())
    if publications:
        calls.append(_publish("PublishablePublish", PRODUCT_ID, publications))
    calls += _metafield_set_calls(later, PRODUCT_ID, Marker.for_product(desired, catalog))
    return calls


def _fit_the_ceiling(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A create whose productSet would cost more than one request may (2048 variants with
    metafields: facts §1.2) is written in parts: the variants' metafields, then if need be the
    product's, leave productSet for metafieldsSet calls after it (safe on a create: the product
    has no one else's metafields). Their owners are placeholders apply fills from the product's
    variants once productSet has made them. Returns the metafieldsSet inputs moved out."""
    moved: list[dict[str, Any]] = []
    if product_set_cost(data) <= PRODUCT_SET_BUDGET:
        return moved
    for item in data.get("variants") or ():
        owner = variant_placeholder([(o["optionName"], o["name"]) for o in item["optionValues"]])
        moved += [{"ownerId": owner, **mf} for mf in item.pop("metafields", ())]
    if product_set_cost(data) > PRODUCT_SET_BUDGET:
        moved += [{"ownerId": PRODUCT_ID, **mf} for mf in data.pop("metafields", ())]
    return moved


def variant_placeholder(options: list[tuple[str, str]]) -> str:
    """`{{variant:[["Size","XL"]]}}`: the id of the variant with these selected options."""
    return VARIANT_PREFIX + json.dumps([list(o) for o in options], ensure_ascii=False) + "}}"


def _with_files(desired: Product, data: dict[str, Any]) -> None:
    """A create setting variant images: each variant's `file` must also be in the product's
    `files` (facts §7), so the media travel in productSet, safe on a create only (a product
    that does not exist has no one else's files). Apply takes the new media ids from the
    product's media, in `files` order, for the marker (docs/marker.md)."""
    data["files"] = [_file_input(m) for m in desired.media or ()]
    by_src = {f["originalSource"]: f for f in data["files"]}
    for variant, item in zip(desired.variants, data["variants"], strict=True):
        if variant.image in by_src:
            item["file"] = dict(by_src[variant.image])


def _product_set_update(desired: Product, live: LiveProduct, v: Views) -> dict[str, Any] | None:
    changed = set(v.changed_keys)
    data: dict[str, Any] = {}
    rename = desired.handle != live.handle
    if rename:
        data["handle"] = desired.handle
        data["redirectNewHandle"] = True
    for key, name in _SCALAR_INPUT.items():
        if key in changed:
            value = v.after[key]
            data[name] = value.upper() if key == "status" else value
    if changed & {"seo_title", "seo_description"}:
        data["seo"] = _seo(desired, live.product, cleared=v.after)
    if "tags" in changed:
        # productSet overwrites tags: send ours merged with everyone else's (three-way).
        theirs = (live.product.tags or frozenset()) - set(v.before.get("tags", ()))
        data["tags"] = sorted(theirs | set(v.after["tags"]))
    if changed & {"options", "variants"} and _variants_change(v):
        cleared = {
            label: tuple(f for f, x in view.items() if x is None)
            for label, view in v.after["variants"].items()
        }
        data.update(
            _options_and_variants(
                desired, live, with_metafields=False, cleared_variant_fields=cleared
            )
        )
    if not data:
        return None
    return {"identifier": {"id": live.id}, "input": data}


def _variants_change(v: Views) -> bool:
    """Whether anything productSet writes on variants changed (metafields go elsewhere)."""
    if v.before.get("options") != v.after.get("options"):
        return True
    return _without_metafields(v.before["variants"]) != _without_metafields(v.after["variants"])


def _without_metafields(variants: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {k: {f: x for f, x in d.items() if f != "metafields"} for k, d in variants.items()}


def _scalars(product: Product, names: dict[str, str]) -> dict[str, Any]:
    out = {}
    for key, name in names.items():
        value = getattr(product, key)
        if value is not None:
            out[name] = value.upper() if key == "status" else value
    return out


def _seo(desired: Product, current: Product | None, cleared: dict[str, Any] | None = None) -> dict:
    out = {}
    for key, name in (("seo_title", "title"), ("seo_description", "description")):
        value = getattr(desired, key)
        if value is None and cleared is not None and key in cleared:
            value = cleared[key]  # dropped by the catalog after we set it: ""
        if value is None and current is not None:
            value = getattr(current, key)  # not ours: send the live value back unchanged
        out[name] = value
    return out


def _options_and_variants(
    desired: Product,
    live: LiveProduct | None,
    *,
    with_metafields: bool,
    cleared_variant_fields: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    if desired.options:
        options = [
            {"name": o.name, "position": i, "values": [{"name": x} for x in o.values]}
            for i, o in enumerate(desired.options, start=1)
        ]
    else:
        name, value = DEFAULT_OPTION
        options = [{"name": name, "position": 1, "values": [{"name": value}]}]
    ids = live.variant_ids if live is not None else {}
    cleared = cleared_variant_fields or {}
    variants = []
    for position, variant in enumerate(desired.variants, start=1):
        label = variant_label(variant.key, variant.options)
        item = _variant_input(variant, ids.get(variant.key), position, cleared.get(label, ()))
        # A new variant has no one else's metafields: its list is safe to send.
        if (with_metafields or variant.key not in ids) and variant.metafields:
            item["metafields"] = [_metafield_input(m) for m in variant.metafields]
        variants.append(item)
    return {"productOptions": options, "variants": variants}


def _variant_input(
    variant: Variant, variant_id: str | None, position: int, cleared: tuple[str, ...] = ()
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if variant_id:
        out["id"] = variant_id
    out["position"] = position
    if variant.options:
        out["optionValues"] = [{"optionName": n, "name": x} for n, x in variant.options]
    else:
        out["optionValues"] = [{"optionName": DEFAULT_OPTION[0], "name": DEFAULT_OPTION[1]}]
    for key, name in (("price", "price"), ("compare_at_price", "compareAtPrice")):
        value = getattr(variant, key)
        if value is not None:
            out[name] = str(value)
    if variant.barcode is not None:
        out["barcode"] = variant.barcode
    if variant.taxable is not None:
        out["taxable"] = variant.taxable
    if variant.inventory_policy is not None:
        out["inventoryPolicy"] = variant.inventory_policy.upper()
    item = _inventory_item(variant)
    # Fields the catalog set before and dropped now: cleared (docs/marker.md, "Absence").
    if "compare_at_price" in cleared:
        out["compareAtPrice"] = None
    if "barcode" in cleared:
        out["barcode"] = ""
    if "sku" in cleared:
        item["sku"] = ""
    if "cost" in cleared:
        item["cost"] = None
    if item:
        out["inventoryItem"] = item
    return out


def _inventory_item(variant: Variant) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if variant.sku is not None:
        item["sku"] = variant.sku
    if variant.tracked is not None:
        item["tracked"] = variant.tracked
    if variant.requires_shipping is not None:
        item["requiresShipping"] = variant.requires_shipping
    if variant.cost is not None:
        item["cost"] = str(variant.cost)
    if variant.weight is not None:
        # WeightInput.value is a GraphQL Float: the only place a number leaves Decimal.
        weight = {"value": float(variant.weight.value), "unit": variant.weight.unit}
        item["measurement"] = {"weight": weight}
    return item


def _metafield_input(metafield: Metafield) -> dict[str, str]:
    return {
        "namespace": metafield.namespace,
        "key": metafield.key,
        "type": metafield.type,
        "value": metafield.value,
    }


def _changed_metafields(live: LiveProduct, v: Views) -> list[dict[str, str]]:
    """metafieldsSet inputs for our metafields whose value or type is new or different."""
    out = []
    before, after = v.before.get("metafields", {}), v.after.get("metafields", {})
    for r in sorted(after):
        if before.get(r) != after[r]:
            out.append(_set_input(live.id, r, after[r]))
    variant_ids = {variant_label(x.key, x.options): x.key for x in live.product.variants}
    for label, view in sorted(v.after.get("variants", {}).items()):
        key = variant_ids.get(label)
        owner = live.variant_ids.get(key) if key is not None else None
        if owner is None:
            continue  # a new variant: its metafields travel inside productSet
        was = v.before["variants"].get(label, {}).get("metafields", {})
        for r, mf in sorted(view.get("metafields", {}).items()):
            if was.get(r) != mf:
                out.append(_set_input(owner, r, mf))
    return out


def _set_input(owner: str, metafield_ref: str, mf: dict[str, str]) -> dict[str, str]:
    namespace, _, key = metafield_ref.partition(".")
    return {
        "ownerId": owner,
        "namespace": namespace,
        "key": key,
        "type": mf["type"],
        "value": mf["value"],
    }


def _metafield_set_calls(
    items: list[dict[str, str]], owner: str, marker: Marker
) -> list[dict[str, Any]]:
    marker_input = {
        "ownerId": owner,
        "namespace": MARKER_NAMESPACE,
        "key": MARKER_KEY,
        "type": MARKER_TYPE,
        "value": marker.to_json(),
    }
    everything = [*items, marker_input]  # the marker last: it records a finished write
    return [
        _call("MetafieldsSet", {"metafields": everything[i : i + METAFIELDS_PER_CALL]})
        for i in range(0, len(everything), METAFIELDS_PER_CALL)
    ]


def _metafield_delete_calls(live: LiveProduct, v: Views) -> list[dict[str, Any]]:
    gone = []
    before, after = v.before.get("metafields", {}), v.after.get("metafields", {})
    for r in sorted(set(before) - set(after)):
        gone.append(_identifier(live.id, r))
    keys = {variant_label(x.key, x.options): x.key for x in live.product.variants}
    for label, view in sorted(v.before.get("variants", {}).items()):
        now = v.after.get("variants", {}).get(label)
        if now is None:
            continue  # the whole variant goes, with its metafields
        owner = live.variant_ids.get(keys[label])
        for r in sorted(set(view.get("metafields", {})) - set(now.get("metafields", {}))):
            gone.append(_identifier(owner, r))
    return [
        _call("MetafieldsDelete", {"metafields": gone[i : i + 250]})
        for i in range(0, len(gone), 250)
    ]


def _identifier(owner: str | None, metafield_ref: str) -> dict[str, Any]:
    namespace, _, key = metafield_ref.partition(".")
    return {"ownerId": owner, "namespace": namespace, "key": key}


def _publish(operation: str, owner: str, names: list[str]) -> dict[str, Any]:
    publications = [{"publicationId": publication_placeholder(n)} for n in names]
    return _call(operation, {"id": owner, "input": publications})


def _publication_calls(owner: str, v: Views) -> list[dict[str, Any]]:
    if "publications" not in v.after:
        return []
    before, after = set(v.before["publications"]), set(v.after["publications"])
    calls = []
    if after - before:
        calls.append(_publish("PublishablePublish", owner, sorted(after - before)))
    if before - after:
        calls.append(_publish("PublishableUnpublish", owner, sorted(before - after)))
    return calls


def variant_images_sent(desired: Product) -> bool:
    """Whether a create of `desired` sets variant images (its productSet then carries `files`)."""
    return any(v.image is not None for v in desired.variants)


def _file_input(media: Media) -> dict[str, Any]:
    return {"originalSource": media.src, "alt": media.alt or "", "contentType": "IMAGE"}


def _media_calls(desired: Product, owner: str, v: Views) -> list[dict[str, Any]]:
    if desired.media is None and "media" not in v.before:
        return []
    calls = []
    replaced = replaced_media(v)  # a local file changed since applied: another image
    new = [
        {"originalSource": m.src, "alt": m.alt or "", "mediaContentType": "IMAGE"}
        for m in desired.media or ()
        if m.src not in v.media_ids or m.src in replaced
    ]
    if new:
        variables = {"product": {"id": owner}, "media": new, "count": len(new)}
        calls.append(_call("ProductUpdateMedia", variables))
    files = []
    before, after = v.before.get("media", {}), v.after.get("media", {})
    for src, view in sorted(after.items()):
        if src in before and before[src] != view and src not in replaced:
            files.append({"id": v.media_ids[src], "alt": view["alt"] or ""})
    for src in sorted(set(before) - set(after) | replaced):
        # Detach, never delete: the file stays in the store's Files, restorable.
        files.append({"id": v.media_ids[src], "referencesToRemove": [owner]})
    if files:
        calls.append(_call("FileUpdate", {"files": files}))
    return calls


def _pending_media(
    calls: list[dict[str, Any]], owner: str, marker: Marker | None
) -> list[dict[str, Any]]:
    """Media added to a product this catalog already marked are announced first: the marker as
    it stands, plus the srcs about to be added. productUpdate(media:) is no upsert, and its ids
    reach the marker only after it; a run stopped in between (a kill) leaves media no marker
    names, which the next plan binds by file name only for these srcs (plan/threeway.py) instead
    of adding them again. An unmarked product needs none: all its media are bound by name."""
    adds = [c for c in calls if c["operation"] == "ProductUpdateMedia"]
    if marker is None or not adds:
        return calls
    srcs = tuple(sorted({m["originalSource"] for c in adds for m in c["variables"]["media"]}))
    pending = replace(marker, pending_media=srcs)
    entry = {
        "ownerId": owner,
        "namespace": MARKER_NAMESPACE,
        "key": MARKER_KEY,
        "type": MARKER_TYPE,
        "value": pending.to_json(),
    }
    return [_call("MetafieldsSet", {"metafields": [entry]}), *calls]


def removal_calls(live: LiveProduct, action: str) -> list[dict[str, Any]]:
    """archive: status ARCHIVED through productSet (by id); delete: productDelete."""
    if action == "archive":
        return [
            _call("ProductSet", {"identifier": {"id": live.id}, "input": {"status": "ARCHIVED"}})
        ]
    return [_call("ProductDelete", {"id": live.id})]
