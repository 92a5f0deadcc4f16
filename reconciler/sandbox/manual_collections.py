"""Manual collections: `collectionCreate` and the membership productSet's `collections` list sets.

Only manual (custom) collections exist in the sandbox. A smart collection's membership comes from
rules (`CollectionInput.ruleSet`, 2025-10) or conditions (`CollectionCreateInput.sources`, 2026-10)
that Shopify evaluates against every product; the sandbox does not evaluate them, so such inputs
answer a GraphQL error naming the field instead of creating a collection that would hold the wrong
products. Readings taken (docs/sandbox.md): a new collection's `sortOrder` is BEST_SELLING (the
admin's default; with no sales it lists products in the order they joined); an explicit handle that
another collection has is refused; creating a collection with `products` does not move those
products' `updatedAt`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

from . import handles
from .gids import UserError, UserErrors, gid_number, parse_gid
from .state import Collection, Product, Store

NOT_EMULATED = "{field} is not implemented by the sandbox (smart collections are not emulated)"


def collection_create(store: Store, data: dict[str, Any], arg: str) -> Collection:
    """Create a manual collection from `input` (CollectionInput) or `collection`
    (CollectionCreateInput); `arg` names the argument for error paths. Atomic."""
    type_name = "CollectionInput" if arg == "input" else "CollectionCreateInput"
    for name in ("ruleSet", "image", "metafields", "publications"):
        if data.get(name):
            raise GraphQLError(NOT_EMULATED.format(field=f"{type_name}.{name}"))
    if arg == "input" and data.get("id") is not None:
        raise UserErrors([UserError("Cannot specify id on create", [arg, "id"])])
    product_ids = data.get("products") or []
    if arg == "collection":
        product_ids = _selected_products(data.get("sources") or [])
    errors: list[UserError] = []
    title = data.get("title")
    if not title or not str(title).strip():
        errors.append(UserError("Title can't be blank", [arg, "title"]))
    handle = _handle(store, data, title or "", errors, arg)
    members: dict[int, None] = {}
    for i, value in enumerate(product_ids):
        number = gid_number(value, "Product")
        if number is None or number not in store.products:
            errors.append(UserError("Product does not exist", [arg, "products", str(i)]))
        else:
            members.setdefault(number, None)
    if errors:
        raise UserErrors(errors)
    now = store.clock.now()
    seo = data.get("seo") or {}
    collection = Collection(
        id=store.new_id("Collection"),
        title=title,
        handle=handle,
        created_at=now,
        updated_at=now,
        description_html=data.get("descriptionHtml") or "",
        sort_order=data.get("sortOrder") or "BEST_SELLING",
        template_suffix=data.get("templateSuffix"),
        seo_title=seo.get("title"),
        seo_description=seo.get("description"),
    )
    store.collections[collection.id] = collection
    for pid in members:
        product = store.products[pid]
        product.collections = tuple(sorted({*product.collections, collection.id}))
        collection.members[pid] = None
    return collection


def _selected_products(sources: list[dict[str, Any]]) -> list[Any]:
    """The manual selections of 2026-10 `sources`; anything rule-based is not emulated."""
    out: list[Any] = []
    for target in sources:
        source = target.get("source")
        if source is None:
            kind = "shareableSource" if target.get("shareableSource") else "subCollections"
            field = f"CollectionCreateSourceTargetInput.{kind}"
            raise GraphQLError(NOT_EMULATED.format(field=field))
        inclusion = source.get("inclusion") or {}
        for name, value in (
            ("CollectionCreateConditionsSourceInput.exclusion", source.get("exclusion")),
            ("CollectionCreateSourceInclusionInput.conditions", inclusion.get("conditions")),
        ):
            if value:
                raise GraphQLError(NOT_EMULATED.format(field=name))
        for selection in inclusion.get("selections") or ():
            if selection.get("variantIds"):
                raise GraphQLError(
                    NOT_EMULATED.format(field="CollectionInclusionProductSelectionInput.variantIds")
                )
            out.append(selection["productId"])
    return out


def _handle(
    store: Store, data: dict[str, Any], title: str, errors: list[UserError], arg: str
) -> str:
    taken = {c.handle for c in store.collections.values()}
    if not data.get("handle"):
        base = handles.normalize(title) or "collection"
        handle, n = base, 0
        while handle in taken:
            n += 1
            handle = f"{base}-{n}"
        return handle
    handle = handles.normalize(data["handle"])
    if handle in taken:
        errors.append(UserError(f"Handle '{handle}' has already been taken", [arg, "handle"]))
    return handle


def product_collections(store: Store, ids: list[Any], errors: list[UserError]) -> tuple[int, ...]:
    """productSet's `collections`: exactly these collections (ascending, duplicates merged).

    An id that names no collection of this store is NOT_FOUND ("Resource matching the identifier
    was not found", ProductSetUserErrorCode); an id of another kind is INVALID_INPUT."""
    out: set[int] = set()
    for i, value in enumerate(ids):
        number = gid_number(value, "Collection")
        if number is not None and number in store.collections:
            out.add(number)
            continue
        code = "NOT_FOUND" if number is not None else "INVALID_INPUT"
        errors.append(
            UserError("Collection does not exist", ["input", "collections", str(i)], code)
        )
    return tuple(sorted(out))


def by_identifier(store: Store, ident: dict[str, Any]) -> Collection | None:
    if ident.get("id") is not None:
        return store.collections.get(gid_number(ident["id"], "Collection") or -1)
    if ident.get("handle") is not None:
        return next((c for c in store.collections.values() if c.handle == ident["handle"]), None)
    return None  # customId: collections hold no metafields in the sandbox


# -- search (`collections(query:)`, `collectionsCount(query:)`, `Product.collections(query:)`) --

_TERM = re.compile(r"""(-?)(?:([a-z_]+):)?("[^"]*"|'[^']*'|\S+)""")
CollectionPredicate = Callable[[Collection], bool]


def compile_collection_query(store: Store, query: str | None) -> CollectionPredicate | None:
    """Implicit AND of terms: `handle:`, `title:`, `id:`, `collection_type:` (custom / smart),
    `product_id:`, bare words (in the title) and `-term`; an unknown field is dropped, as
    Shopify does. (QueryRoot.collections `query` table.)"""
    if not query or not query.strip():
        return None
    tests: list[CollectionPredicate] = []
    for negate, name, raw in _TERM.findall(query):
        if raw.upper() in ("AND", "OR") and not name:
            continue  # OR is not emulated: terms always combine with AND
        test = _term(name, raw.strip("'\""))
        if test is not None:
            tests.append((lambda t: lambda c: not t(c))(test) if negate else test)
    if not tests:
        return None
    return lambda c: all(t(c) for t in tests)


def _term(name: str, value: str) -> CollectionPredicate | None:
    low = value.lower()
    if name == "handle":
        return lambda c: c.handle == value
    if name == "title":
        return lambda c: low in c.title.lower()
    if name == "id":
        number = _number(value, "Collection")
        return lambda c: c.id == number
    if name == "collection_type":
        return lambda _c: low == "custom"  # every sandbox collection is manual
    if name == "product_id":
        number = _number(value, "Product")
        return lambda c: number in c.members
    if not name:
        return lambda c: low in c.title.lower()
    return None


def _number(value: str, kind: str) -> int | None:
    if value.isdigit():
        return int(value)
    parsed = parse_gid(value, kind)
    return parsed[1] if parsed else None


COLLECTION_SORT_KEYS: dict[str, Callable[[Collection], tuple[Any, ...]]] = {
    "ID": lambda c: (c.id,),
    "RELEVANCE": lambda c: (c.id,),
    "TITLE": lambda c: (c.title.lower(), c.id),
    "UPDATED_AT": lambda c: (c.updated_at, c.id),
}


def member_products(store: Store, collection: Collection) -> list[Product]:
    return [store.products[pid] for pid in collection.members if pid in store.products]
