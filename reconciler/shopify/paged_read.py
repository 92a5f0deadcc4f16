"""The targeted read: only the products asked for, through paged `products(query:)` calls.

Handles (or ids) are cut into chunks, one search query each (`handle:"a" OR handle:"b"`); a page
holds a whole chunk, its size chosen so that the requested cost stays under Shopify's 1000-point
ceiling (`documents.estimate_cost`, with a margin for Shopify charging some lists more dearly than
the static rules say). Chunks run concurrently; the client paces them by the cost bucket. A
product whose variants, metafields, media or publications do not fit in the first page is
completed with follow-up page queries (*Page documents), so every LiveProduct is read whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from typing import Any

from reconciler.model import LiveProduct
from reconciler.shopify import documents, normalize
from reconciler.shopify.client import ShopifyClient

MAX_REQUESTED = 900  # points per request: Shopify refuses over 1000 (facts §1.1)
MAX_QUERY_CHARS = 4000  # a search string this long is far from any limit we know of
CONCURRENCY = 8
INNER = {"variants": 10, "variantMetafields": 3, "metafields": 10, "media": 5}
FOLLOW_UPS = {
    # connection key -> (document, path to the connection in its answer)
    "variants": ("ProductVariantsPage", ("product", "variants")),
    "metafields": ("ProductMetafieldsPage", ("product", "metafields")),
    "media": ("ProductMediaPage", ("product", "media")),
    "resourcePublicationsV2": ("ProductPublicationsPage", ("product", "resourcePublicationsV2")),
}
VARIANT_METAFIELDS = ("VariantMetafieldsPage", ("productVariant", "metafields"))


def quote(value: str) -> str:
    """A search-syntax value in double quotes (backslash escapes)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_size(name: str, variables: Mapping[str, Any], key: str = "first") -> int:
    """The largest `key` (<= 250) whose requested cost stays under MAX_REQUESTED."""
    document = documents.load(name)
    one = documents.estimate_cost(document, {**variables, key: 1})
    two = documents.estimate_cost(document, {**variables, key: 2})
    per = max(two - one, 1.0)
    return max(1, min(250, int((MAX_REQUESTED - one) // per) + 1))


class PagedReader:
    """Reads products by handle or id; `publications`: how many publications the store has
    (sizes the page so that a product's publications fit; None: a small default and follow-ups)."""

    def __init__(self, client: ShopifyClient, publications: int | None = None):
        self.client = client
        self.inner = {**INNER, "publications": max(1, min(publications or 4, 250))}
        self.first = page_size("ProductsRead", self.inner)
        self._gate = asyncio.Semaphore(CONCURRENCY)

    async def by_handles(self, handles: Collection[str]) -> dict[str, LiveProduct]:
        wanted = set(handles)
        terms = [f"handle:{quote(h)}" for h in sorted(wanted)]
        found = await self._read_all(terms)
        return {p.handle: p for p in found if p.handle in wanted}

    async def by_ids(self, ids: Collection[str]) -> dict[str, LiveProduct]:
        """Products by GID (numeric `id:` search terms); keyed by handle."""
        wanted = set(ids)
        terms = [f"id:{i.rsplit('/', 1)[-1]}" for i in sorted(wanted)]
        found = await self._read_all(terms)
        return {p.handle: p for p in found if p.id in wanted}

    async def _read_all(self, terms: list[str]) -> list[LiveProduct]:
        chunks = list(_chunks(terms, self.first))
        pages = await asyncio.gather(*(self._read_query(" OR ".join(c)) for c in chunks))
        return [p for page in pages for p in page]

    async def _read_query(self, query: str) -> list[LiveProduct]:
        out, after = [], None
        while True:
            variables = {**self.inner, "query": query, "first": self.first, "after": after}
            data = await self._execute("ProductsRead", variables)
            connection = data["products"]
            nodes = connection["nodes"]
            done = await asyncio.gather(*(self._complete(n) for n in nodes))
            out.extend(p for p in done if p is not None)
            if not connection["pageInfo"]["hasNextPage"]:
                return out
            after = connection["pageInfo"]["endCursor"]

    async def _execute(self, name: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        async with self._gate:
            return await self.client.execute(name, variables)

    async def _complete(self, node: dict[str, Any]) -> LiveProduct | None:
        """Follow every truncated connection of one product node, then normalize it (None: the
        product was deleted while its pages were read)."""
        try:
            return normalize.live_product(await self._whole(node))
        except _Gone:
            return None

    async def _whole(self, node: dict[str, Any]) -> dict[str, Any]:
        node = dict(node)
        for key in FOLLOW_UPS:
            if key in node:
                node[key] = await self._rest(node["id"], key, node[key])
        variants = []
        for v in node["variants"]["nodes"]:
            v = dict(v)
            v["metafields"] = await self._variant_metafields(v["id"], v["metafields"])
            variants.append(v)
        node["variants"] = {"nodes": variants}
        return node

    async def _rest(self, owner: str, key: str, connection: dict[str, Any]) -> dict[str, Any]:
        if not connection["pageInfo"]["hasNextPage"]:
            return connection  # the common case: no page size to work out
        name, path = FOLLOW_UPS[key]
        extra = {"variantMetafields": self.inner["variantMetafields"]} if key == "variants" else {}
        extra["first"] = page_size(name, extra)
        return await self._follow(name, path, owner, connection, extra)

    async def _variant_metafields(self, variant_id: str, connection: dict[str, Any]) -> dict:
        name, path = VARIANT_METAFIELDS
        return await self._follow(name, path, variant_id, connection, {})

    async def _follow(
        self,
        name: str,
        path: tuple[str, ...],
        owner: str,
        connection: dict[str, Any],
        extra: Mapping[str, Any],
    ) -> dict[str, Any]:
        """`connection` with the nodes of its further pages appended (read with `name`)."""
        nodes = list(connection["nodes"])
        info = connection["pageInfo"]
        while info["hasNextPage"]:
            variables = {"id": owner, "after": info["endCursor"], **extra}
            page = _dig(await self._execute(name, variables), path)
            nodes.extend(page["nodes"])
            info = page["pageInfo"]
        return {"nodes": nodes, "pageInfo": info}


def _dig(data: Mapping[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    value: Any = data
    for part in path:
        value = (value or {}).get(part)
    if value is None:
        raise _Gone  # the product (or variant) was deleted between two pages
    return value


class _Gone(Exception):
    pass


def _chunks(terms: list[str], size: int):
    chunk: list[str] = []
    length = 0
    for term in terms:
        if chunk and (len(chunk) >= size or length + len(term) + 4 > MAX_QUERY_CHARS):
            yield chunk
            chunk, length = [], 0
        chunk.append(term)
        length += len(term) + 4
    if chunk:
        yield chunk
