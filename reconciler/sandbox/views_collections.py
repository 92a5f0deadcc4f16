"""Collections as GraphQL types and root fields (see views.py): Collection, Product.collections,
Product.inCollection, and the root `collection`, `collectionByIdentifier`, `collections`,
`collectionsCount`.

Collections are unpublished when created and the sandbox does not publish them (publishablePublish
takes products only), so every publication field of a Collection reads as unpublished.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .connections import connection, page_size_error
from .gids import gid, gid_number, iso
from .manual_collections import (
    COLLECTION_SORT_KEYS,
    by_identifier,
    compile_collection_query,
    member_products,
)
from .state import Collection, Product
from .views import _plain_text, const, count, empty_connection, table

ZERO = {"count": 0, "precision": "EXACT"}


def collections_page(rows: list[Collection], args: dict[str, Any]) -> dict[str, Any]:
    problem = page_size_error(args)
    if problem is not None:
        raise problem
    key = COLLECTION_SORT_KEYS.get(args.get("sortKey") or "ID", COLLECTION_SORT_KEYS["ID"])
    rows = sorted(rows, key=key)
    return connection(rows, args, key=key, reverse=args.get("reverse", False))


def _matching(c: Any, query: str | None, rows: Any = None) -> list[Collection]:
    match = compile_collection_query(c.store, query)
    rows = c.store.collections.values() if rows is None else rows
    return [x for x in rows if match is None or match(x)]


def root_collections(c: Any, args: dict[str, Any]) -> dict[str, Any]:
    return collections_page(_matching(c, args.get("query")), args)


def root_collections_count(c: Any, args: dict[str, Any]) -> dict[str, Any]:
    return count(len(_matching(c, args.get("query"))), args.get("limit"))


ROOTS = {
    "collection": lambda c, a: c.store.collections.get(gid_number(a["id"], "Collection") or -1),
    "collectionByIdentifier": lambda c, a: by_identifier(c.store, a["identifier"]),
    "collections": root_collections,
    "collectionsCount": root_collections_count,
}


def _product_collections(p: Product, c: Any, args: dict[str, Any]) -> dict[str, Any]:
    rows = [c.store.collections[cid] for cid in p.collections if cid in c.store.collections]
    return collections_page(_matching(c, args.get("query"), rows), args)


def _min_price(p: Product) -> Decimal:
    return min((Decimal(v.price) for v in p.variants), default=Decimal(0))


# ProductCollectionSortKeys; with no sales, BEST_SELLING and RELEVANCE keep the manual order.
_BY_SORT_ORDER = {
    "ALPHA_ASC": ("TITLE", False),
    "ALPHA_DESC": ("TITLE", True),
    "CREATED": ("CREATED", False),
    "CREATED_DESC": ("CREATED", True),
    "PRICE_ASC": ("PRICE", False),
    "PRICE_DESC": ("PRICE", True),
}


def _collection_products(col: Collection, c: Any, args: dict[str, Any]) -> dict[str, Any]:
    sort = args.get("sortKey") or "COLLECTION_DEFAULT"
    reverse = args.get("reverse", False)
    if sort == "COLLECTION_DEFAULT":
        sort, flip = _BY_SORT_ORDER.get(col.sort_order, ("MANUAL", False))
        reverse = reverse != flip
    position = {pid: i for i, pid in enumerate(col.members)}
    keys = {
        "ID": lambda p: (p.id,),
        "TITLE": lambda p: (p.title.lower(), p.id),
        "CREATED": lambda p: (p.created_at, p.id),
        "PRICE": lambda p: (str(_min_price(p)).zfill(24), p.id),
    }
    key = keys.get(sort, lambda p: (position[p.id], p.id))
    rows = sorted(member_products(c.store, col), key=key)
    return connection(rows, args, key=key, reverse=reverse)


table(
    "Collection",
    id=lambda x, _c, _a: gid("Collection", x.id),
    legacyResourceId=lambda x, _c, _a: str(x.id),
    title=lambda x, _c, _a: x.title,
    handle=lambda x, _c, _a: x.handle,
    descriptionHtml=lambda x, _c, _a: x.description_html,
    description=lambda x, _c, a: _plain_text(x.description_html, a.get("truncateAt")),
    sortOrder=lambda x, _c, _a: x.sort_order,
    templateSuffix=lambda x, _c, _a: x.template_suffix,
    updatedAt=lambda x, _c, _a: iso(x.updated_at),
    seo=lambda x, _c, _a: {"title": x.seo_title, "description": x.seo_description},
    storefrontId=lambda x, _c, _a: _storefront_id(gid("Collection", x.id)),
    hasProduct=lambda x, _c, a: gid_number(a["id"], "Product") in x.members,
    products=_collection_products,
    productsCount=lambda x, c, _a: count(len(member_products(c.store, x))),
    image=const(None),
    metafield=const(None),
    metafields=empty_connection,
    availablePublicationsCount=const(ZERO),
    resourcePublicationsCount=const(ZERO),
    publicationCount=const(0),
    publishedOnChannel=const(False),
    publishedOnCurrentChannel=const(False),
    publishedOnCurrentPublication=const(False),
    publishedOnPublication=const(False),
    resourcePublicationsV2=empty_connection,
    unpublishedPublications=lambda _x, c, a: connection(
        list(c.store.publications.values()), a, key=lambda p: (p.id,), reverse=a.get("reverse")
    ),
)


def _storefront_id(global_id: str) -> str:
    import base64

    return base64.b64encode(global_id.encode()).decode()


table(
    "Product",
    collections=_product_collections,
    inCollection=lambda p, _c, a: gid_number(a["id"], "Collection") in p.collections,
)
# Collections are never published in the sandbox, so no publication lists any.
table("Publication", collections=empty_connection)
table("Shop", collections=lambda _s, c, a: root_collections(c, a))
