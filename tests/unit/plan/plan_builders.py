"""Small builders for compare tests: a desired product and the same product as fetch reads it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reconciler.model import LiveMedia, LiveProduct, Marker, Metafield, Option, Product, Variant

CATALOG = "main"
_APPLIED = object()


def product(handle: str = "tee", **changes: Any) -> Product:
    base = Product(
        handle=handle,
        title="Classic Tee",
        status="active",
        vendor="Acme",
        tags=frozenset({"cotton", "summer"}),
        options=(Option("Size", ("S", "M")),),
        variants=(
            Variant(options=(("Size", "S"),), price="19.00", sku="TEE-S"),
            Variant(options=(("Size", "M"),), price="19.00", sku="TEE-M"),
        ),
        metafields=(Metafield("custom", "material", "single_line_text_field", "Cotton"),),
    )
    return replace(base, **changes)


def live(
    desired: Product,
    *,
    marker: Any = _APPLIED,
    applied: Product | None = None,
    pid: str = "1",
    extra_tags: tuple[str, ...] = (),
    extra_metafields: tuple[Metafield, ...] = (),
    media: tuple[LiveMedia, ...] = (),
    complete: bool = True,
    **changes: Any,
) -> LiveProduct:
    """`desired` as the store holds it after an apply of `applied` (default: `desired` itself).

    Fields the catalog does not set are filled as fetch fills them (empty strings, empty sets);
    `changes` then edit the live product (as someone in the admin would).
    """
    full = replace(
        desired,
        previous_handles=(),
        vendor=desired.vendor if desired.vendor is not None else "",
        product_type=desired.product_type if desired.product_type is not None else "",
        description_html=desired.description_html or "",
        seo_title=desired.seo_title or "",
        seo_description=desired.seo_description or "",
        tags=(desired.tags or frozenset()) | set(extra_tags),
        publications=desired.publications or frozenset(),
        metafields=(*(desired.metafields or ()), *extra_metafields),
        media=None,
    )
    full = replace(full, **changes)
    if marker is _APPLIED:
        marker = Marker.for_product(applied or desired, CATALOG)
    return LiveProduct(
        id=f"gid://shopify/Product/{pid}",
        product=full,
        variant_ids={
            v.key: f"gid://shopify/ProductVariant/{pid}{i}" for i, v in enumerate(full.variants)
        },
        media=media,
        marker=marker,
        marker_problem=None if marker is not None else "no marker",
        complete=complete,
    )


def calls(change: Any, operation: str) -> list[dict[str, Any]]:
    every = change.mutation["calls"] if change.mutation else []
    return [c["variables"] for c in every if c["operation"] == operation]
