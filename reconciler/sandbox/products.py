"""productDelete, tagsAdd/tagsRemove, publishablePublish/Unpublish (fact sheet §5, §6, §10).

Readings (docs/sandbox.md): publishing does not move the product's `updatedAt` (a publication is a
separate resource); productSet never publishes (pitfall 8); a product's `publishedAt` is its
Online Store publish date.
"""

from __future__ import annotations

from typing import Any

from . import handles
from .gids import UserErrors, gid_number, parse_iso, refuse
from .state import Product, Store

# Products can't carry more than 250 tags (changelog "Product tags now have a limit of 250").
MAX_TAGS = 250
MAX_TAG_LENGTH = 255


def product_delete(store: Store, product_id: Any) -> str:
    product = store.products.get(gid_number(product_id, "Product") or -1)
    if product is None:
        raise refuse("Product does not exist", ["id"])
    store.drop_product(product)
    return product_id


def _taggable(store: Store, resource_id: Any) -> Product:
    product = store.products.get(gid_number(resource_id, "Product") or -1)
    if product is None:
        raise refuse("Resource not found", ["id"])
    return product


def tags_add(store: Store, resource_id: Any, tags: list[str] | str) -> Product:
    product = _taggable(store, resource_id)
    merged = handles.normalize_tags([*product.tags, *handles.split_tags(tags)])
    if len(merged) > MAX_TAGS:
        raise refuse(f"Tags cannot be more than {MAX_TAGS}.", ["tags"])
    if merged != product.tags:
        product.tags = merged
        product.updated_at = store.clock.now()
    return product


def tags_remove(store: Store, resource_id: Any, tags: list[str] | str) -> Product:
    product = _taggable(store, resource_id)
    gone = {t.lower() for t in handles.split_tags(tags)}
    kept = tuple(t for t in product.tags if t.lower() not in gone)
    if kept != product.tags:
        product.tags = kept
        product.updated_at = store.clock.now()
    return product


def _publication_ids(store: Store, inputs: list[dict[str, Any]]) -> list[tuple[int, Any]]:
    out = []
    errors = []
    for i, item in enumerate(inputs):
        ref = item.get("publicationId") or item.get("channelId")
        number = gid_number(ref, "Publication")
        if number not in store.publications:
            errors.extend(
                refuse("Publication does not exist", ["input", str(i), "publicationId"]).errors
            )
        else:
            out.append((number, item.get("publishDate")))
    if errors:
        raise UserErrors(errors)
    return out


def publish(store: Store, resource_id: Any, inputs: list[dict[str, Any]]) -> Product:
    product = _taggable(store, resource_id)
    chosen = _publication_ids(store, inputs)
    for number, when in chosen:
        at = parse_iso(when) if isinstance(when, str) else None
        if product.publications is None:
            product.publications = {}
        product.publications.setdefault(number, at or store.clock.last)
    return product


def unpublish(store: Store, resource_id: Any, inputs: list[dict[str, Any]]) -> Product:
    product = _taggable(store, resource_id)
    for number, _ in _publication_ids(store, inputs):
        if product.publications:
            product.publications.pop(number, None)
    return product
