"""Validated product data -> the shared `reconciler.model.Product`."""

from __future__ import annotations

from typing import Any

from reconciler import metafield_values
from reconciler.catalog.nodes import Located, Path_
from reconciler.catalog.rules import metafield_input
from reconciler.model import Media, Metafield, Option, Product, Variant, Weight

_TEXT = ("title", "status", "vendor", "product_type", "description_html")
# Variant keys passed on as written: text, flags, and money as text (the model makes it Decimal)
_VARIANT_PLAIN = (
    "sku", "barcode", "inventory_policy", "image", "taxable", "requires_shipping", "tracked",
    "price", "compare_at_price", "cost",
)  # fmt: skip


def build_product(located: Located) -> Product:
    """The model of a product whose document has no errors. Unset keys stay None (unmanaged)."""
    data = located.data
    options = tuple(Option(o["name"], tuple(o["values"])) for o in data.get("options", ()))
    fields: dict[str, Any] = {k: data[k] for k in _TEXT if k in data}
    seo = data.get("seo", {})
    if "title" in seo:
        fields["seo_title"] = seo["title"]
    if "description" in seo:
        fields["seo_description"] = seo["description"]
    for key in ("tags", "publications"):
        if key in data:
            fields[key] = data[key]
    if "metafields" in data:
        fields["metafields"] = _metafields(located, data["metafields"], ("metafields",))
    if "media" in data:
        fields["media"] = tuple(Media(m["src"], m.get("alt")) for m in data["media"])
    variants = tuple(
        _variant(located, v, ("variants", i), options) for i, v in enumerate(data["variants"])
    )
    return Product(
        handle=data["handle"],
        previous_handles=tuple(data.get("previous_handles", ())),
        options=options,
        variants=variants,
        **fields,
    )


def _variant(located: Located, data: dict, path: Path_, options: tuple[Option, ...]) -> Variant:
    chosen = data.get("options") or {}
    fields: dict[str, Any] = {k: data[k] for k in _VARIANT_PLAIN if k in data}
    if "weight" in data:
        fields["weight"] = Weight(data["weight"]["value"], data["weight"]["unit"])
    if "metafields" in data:
        fields["metafields"] = _metafields(located, data["metafields"], (*path, "metafields"))
    pairs = tuple((o.name, chosen[o.name]) for o in options)
    return Variant(options=pairs, **fields)


def _metafields(located: Located, items: list[dict], path: Path_) -> tuple[Metafield, ...]:
    out = []
    for index, item in enumerate(items):
        value_path = (*path, index, "value")
        value = located.canonical.get(value_path)
        if value is None:
            value = metafield_values.canonical(
                item["type"], metafield_input(located, item["type"], value_path)
            )
        out.append(Metafield(item["namespace"], item["key"], item["type"], value))
    return tuple(out)
