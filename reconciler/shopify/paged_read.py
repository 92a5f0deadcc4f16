"""The targeted read: only the products asked for, through paged `products(query:)` calls.

Pages are sized to the data, so that the requested cost (what Shopify holds in the bucket while a
request runs) tracks what is used: each handle may come with a `Shape`, the counts of variants,
variant metafields, metafields, media and publications the catalog expects it to hold (plus a
little slack for what others added). Handles of like shapes are grouped into one search query
(`handle:"a" OR handle:"b"`) whose nested page sizes fit the largest shape of the group, as many
per request as keep the requested cost under MAX_REQUESTED (`documents.estimate_cost`; Shopify
refuses over 1000). Requests run concurrently; the client paces them by the cost bucket. A
product that holds more than its first page is completed with follow-up page queries (*Page
documents), each sized to what is still expected, or, past that, to as much again as was read
(never a fixed 250, which asks for hundreds of points to fetch a handful). `plan()` returns the
first requests without sending them: live.py's auto rule prices a targeted read with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from dataclasses import astuple, dataclass, fields, replace
from typing import Any

from reconciler.model import LiveProduct, Product
from reconciler.shopify import documents, normalize
from reconciler.shopify.client import ShopifyClient

MAX_REQUESTED = 900  # points per request: Shopify refuses over 1000 (facts §1.1)
MAX_QUERY_CHARS = 4000  # a search string this long is far from any limit we know of
MAX_PAGE = 250  # Shopify's largest `first`
CONCURRENCY = 8
BUCKET_SHARE = 0.5  # of a small bucket one request may hold, so that others run meanwhile
SLACK = 1  # entries per list beyond what the catalog expects (another app's metafield, a photo)
FOLLOW_MIN = 5  # the smallest follow-up page
FOLLOW_UPS = {
    # connection key -> (document, path to the connection in its answer, Shape field)
    "variants": ("ProductVariantsPage", ("product", "variants"), "variants"),
    "metafields": ("ProductMetafieldsPage", ("product", "metafields"), "metafields"),
    "media": ("ProductMediaPage", ("product", "media"), "media"),
    "resourcePublicationsV2": (
        "ProductPublicationsPage",
        ("product", "resourcePublicationsV2"),
        "publications",
    ),
}
VARIANT_METAFIELDS = ("VariantMetafieldsPage", ("productVariant", "metafields"))


@dataclass(frozen=True, order=True)
class Shape:
    """How many entries of each list one product is expected to hold: the first page's sizes.
    The defaults are for a product the catalog says nothing about (read by id, or no catalog)."""

    variants: int = 10
    variant_metafields: int = 3
    metafields: int = 10
    media: int = 5
    publications: int = 4

    def variables(self) -> dict[str, int]:
        """ProductsRead's nested page sizes."""
        return {
            "variants": self.variants,
            "variantMetafields": self.variant_metafields,
            "metafields": self.metafields,
            "media": self.media,
            "publications": self.publications,
        }

    def union(self, other: Shape) -> Shape:
        """The smallest shape that holds both (one request's sizes cover all its products)."""
        return Shape(*(max(a, b) for a, b in zip(astuple(self), astuple(other), strict=True)))


def shape_of(product: Product, publications: int) -> Shape:
    """The first page a catalog product needs: its lists as the catalog has them. Variants (and
    their metafields) belong to the catalog: no slack; metafields and media may hold others'
    entries too: SLACK more (metafields also count the marker). A list the catalog does not manage
    (None) gets the default; publications default to the store's `publications`."""
    default = Shape(publications=publications)
    variant_fields = [len(v.metafields or ()) for v in product.variants]
    return Shape(
        variants=_size(max(1, len(product.variants))),
        variant_metafields=_size(max(variant_fields, default=0)),
        metafields=(
            default.metafields
            if product.metafields is None
            else _size(len(product.metafields) + 1 + SLACK)  # + the marker, a metafield too
        ),
        media=default.media if product.media is None else _size(len(product.media) + SLACK),
        publications=(
            publications
            if product.publications is None
            else min(publications, _size(len(product.publications)))
        ),
    )


def _size(expected: int) -> int:
    return max(1, min(MAX_PAGE, expected))


def fit(shape: Shape, max_requested: float = MAX_REQUESTED) -> Shape:
    """`shape`, with its dearest list halved until one product's page costs at most
    `max_requested` (the rest comes in follow-up pages)."""
    document = documents.load("ProductsRead")

    def cost(s: Shape) -> float:
        return documents.estimate_cost(document, {**s.variables(), "query": "", "first": 1})

    names = [f.name for f in fields(Shape)]
    while cost(shape) > max_requested:
        dearest = max(names, key=lambda n: cost(shape) - cost(replace(shape, **{n: 1})))
        if getattr(shape, dearest) <= 1:
            break
        shape = replace(shape, **{dearest: getattr(shape, dearest) // 2})
    return shape


@dataclass(frozen=True)
class Request:
    """One planned ProductsRead call: its search query, variables and requested cost."""

    query: str
    terms: int
    variables: Mapping[str, Any]
    cost: float


def quote(value: str) -> str:
    """A search-syntax value in double quotes (backslash escapes)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_size(
    name: str,
    variables: Mapping[str, Any],
    key: str = "first",
    max_requested: float = MAX_REQUESTED,
) -> int:
    """The largest `key` (<= 250) whose requested cost stays under `max_requested`."""
    document = documents.load(name)
    one = documents.estimate_cost(document, {**variables, key: 1})
    two = documents.estimate_cost(document, {**variables, key: 2})
    per = max(two - one, 1.0)
    return max(1, min(MAX_PAGE, int((max_requested - one) // per) + 1))


def plan(
    terms: Mapping[str, Shape],
    *,
    max_requested: float = MAX_REQUESTED,
    max_chars: int = MAX_QUERY_CHARS,
) -> list[Request]:
    """The ProductsRead requests for search terms of given shapes (pure): terms sorted by shape
    so that like products share a request, each request as full as its requested cost allows."""
    document = documents.load("ProductsRead")
    out: list[Request] = []
    group: list[str] = []
    shape: Shape | None = None
    chars = 0

    def request(group: list[str], shape: Shape) -> Request:
        variables = {**shape.variables(), "query": " OR ".join(group), "first": len(group)}
        cost = documents.estimate_cost(document, variables)
        return Request(variables["query"], len(group), variables, cost)

    terms = {term: fit(shape, max_requested) for term, shape in terms.items()}

    for term, own in sorted(terms.items(), key=lambda item: (item[1], item[0])):
        wider = own if shape is None else shape.union(own)
        candidate = [*group, term]
        too_long = chars + len(term) + 4 > max_chars
        if group and (
            too_long or len(candidate) > MAX_PAGE or request(candidate, wider).cost > max_requested
        ):
            out.append(request(group, shape))  # type: ignore[arg-type]
            group, shape, chars = [], None, 0
            wider, candidate = own, [term]
        group, shape = candidate, wider
        chars += len(term) + 4
    if group and shape is not None:
        out.append(request(group, shape))
    return out


class PagedReader:
    """Reads products by handle or id; `publications`: how many publications the store has
    (the default first page holds them all; None: 4 and follow-ups)."""

    def __init__(self, client: ShopifyClient, publications: int | None = None):
        self.client = client
        self.default = Shape(publications=max(1, min(publications or 4, MAX_PAGE)))
        self._gate = asyncio.Semaphore(CONCURRENCY)
        self._expected: dict[str, Shape] = {}  # handle -> what its follow-ups aim for

    def shape(self, product: Product) -> Shape:
        return shape_of(product, self.default.publications)

    def ceiling(self) -> float:
        """Points one request may ask for: under Shopify's ceiling, and within the store's
        bucket (a request larger than the bucket is never admitted)."""
        status = self.client.throttle_status
        if status is None or status.maximum <= 0:
            return MAX_REQUESTED
        return min(MAX_REQUESTED, status.maximum * BUCKET_SHARE)

    def plan_handles(
        self, handles: Collection[str], shapes: Mapping[str, Shape] | None = None
    ) -> list[Request]:
        """The first requests `by_handles` will send (for pricing a targeted read)."""
        return plan(self._handle_terms(handles, shapes or {}), max_requested=self.ceiling())

    async def by_handles(
        self, handles: Collection[str], shapes: Mapping[str, Shape] | None = None
    ) -> dict[str, LiveProduct]:
        """Products by handle; `shapes`: the expected shape of some handles (first pages)."""
        wanted = set(handles)
        self._expected.update(shapes or {})
        found = await self._read_all(self.plan_handles(wanted, shapes))
        return {p.handle: p for p in found if p.handle in wanted}

    async def by_ids(self, ids: Collection[str]) -> dict[str, LiveProduct]:
        """Products by GID (numeric `id:` search terms); keyed by handle."""
        wanted = set(ids)
        terms = {f"id:{i.rsplit('/', 1)[-1]}": self.default for i in wanted}
        found = await self._read_all(plan(terms, max_requested=self.ceiling()))
        return {p.handle: p for p in found if p.id in wanted}

    def _handle_terms(self, handles: Collection[str], shapes: Mapping[str, Shape]) -> dict:
        return {f"handle:{quote(h)}": shapes.get(h, self.default) for h in handles}

    async def _read_all(self, requests: list[Request]) -> list[LiveProduct]:
        pages = await asyncio.gather(*(self._read_query(r) for r in requests))
        return [p for page in pages for p in page]

    async def _read_query(self, request: Request) -> list[LiveProduct]:
        out, after = [], None
        shape = Shape(**_shape_args(request.variables))
        while True:
            variables = {**request.variables, "after": after}
            data = await self._execute("ProductsRead", variables)
            connection = data["products"]
            nodes = connection["nodes"]
            done = await asyncio.gather(*(self._complete(n, shape) for n in nodes))
            out.extend(p for p in done if p is not None)
            if not connection["pageInfo"]["hasNextPage"]:
                return out
            after = connection["pageInfo"]["endCursor"]

    async def _execute(self, name: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        async with self._gate:
            return await self.client.execute(name, variables)

    async def _complete(self, node: dict[str, Any], shape: Shape) -> LiveProduct | None:
        """Follow every truncated connection of one product node, then normalize it (None: the
        product was deleted while its pages were read)."""
        try:
            return normalize.live_product(await self._whole(node, shape))
        except _Gone:
            return None

    async def _whole(self, node: dict[str, Any], shape: Shape) -> dict[str, Any]:
        node = dict(node)
        expected = self._expected.get(node.get("handle") or "", shape)
        for key in FOLLOW_UPS:
            if key in node:
                node[key] = await self._rest(node["id"], key, node[key], shape, expected)
        variants = []
        for v in node["variants"]["nodes"]:
            v = dict(v)
            v["metafields"] = await self._variant_metafields(v["id"], v["metafields"])
            variants.append(v)
        node["variants"] = {"nodes": variants}
        return node

    async def _rest(
        self, owner: str, key: str, connection: dict[str, Any], shape: Shape, expected: Shape
    ) -> dict[str, Any]:
        if not connection["pageInfo"]["hasNextPage"]:
            return connection  # the common case: the first page held it all
        name, path, field = FOLLOW_UPS[key]
        extra = {"variantMetafields": shape.variant_metafields} if key == "variants" else {}
        want = getattr(expected, field)
        return await self._follow(name, path, owner, connection, extra, want)

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
        want: int = 0,
    ) -> dict[str, Any]:
        """`connection` with the nodes of its further pages appended (read with `name`). Each
        page asks for what is still expected (`want`, the catalog's count plus slack, when the
        first page could not hold it), and past that for as many again as were read: doubling
        keeps both the number of pages (logarithmic) and the points asked for but unused (at
        most what was read) small."""
        nodes = list(connection["nodes"])
        info = connection["pageInfo"]
        ceiling = page_size(name, extra, max_requested=self.ceiling())
        while info["hasNextPage"]:
            missing = want - len(nodes)
            first = max(FOLLOW_MIN, min(ceiling, missing if missing > 0 else len(nodes)))
            variables = {"id": owner, "after": info["endCursor"], **extra, "first": first}
            page = _dig(await self._execute(name, variables), path)
            nodes.extend(page["nodes"])
            info = page["pageInfo"]
        return {"nodes": nodes, "pageInfo": info}


def _shape_args(variables: Mapping[str, Any]) -> dict[str, int]:
    return {
        "variants": variables["variants"],
        "variant_metafields": variables["variantMetafields"],
        "metafields": variables["metafields"],
        "media": variables["media"],
        "publications": variables["publications"],
    }


def _dig(data: Mapping[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    value: Any = data
    for part in path:
        value = (value or {}).get(part)
    if value is None:
        raise _Gone  # the product (or variant) was deleted between two pages
    return value


class _Gone(Exception):
    pass
