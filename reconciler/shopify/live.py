"""Reading the live store for plan: `read_live(client, catalog_name=..., handles=...)`.

Two ways to read (docs/marker.md, "How fetch reads"):

- **targeted**: paged `products(query:)` calls for exactly the handles that matter (paged_read.py).
  With `removals=True` a marker sweep (a light bulk export of every product's id, handle and
  marker) finds this catalog's products that are not among the handles; they are then read by id.
- **full**: one bulk export of every product with every field (bulk_read.py), reassembled as a
  stream; products that are neither asked for nor marked for this catalog are only counted.

`mode="auto"` picks the read it estimates faster (read_estimate.py): the targeted pages' requested
cost at the store's restore rate (less what the bucket holds) against the export of every product
(`productsCount` times the objects a catalog product makes) at Shopify's bulk pace. `desired`,
the catalog's products by handle, sizes the targeted pages to the data (paged_read.Shape) and
tells how many objects a product makes; without it both use defaults.

Removals may be computed only from a complete read (the completeness guard): a bulk export that
finished COMPLETED without errorCode or partial data, whose lines add up to its objectCount and
rootObjectCount, every product line with a handle, and `productsCount` before and after the
export equal to the products it held (one retry when they differ). Otherwise `complete=False`
and `incomplete_reason` says why; `removals=False` is never complete.

A full export cannot nest a variant's metafields (connections nest two levels deep at most), so
it reads on every variant the metafields named in `variant_metafields` (the `namespace.key`
the catalog sets on variants), and re-reads by the targeted path any returned product whose
marker names other variant metafields. compare looks at no other variant metafield.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from reconciler.errors import ShopifyError
from reconciler.model import LiveProduct, Marker, Product
from reconciler.shopify import bulk_read, documents, read_estimate
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.paged_read import (
    CONCURRENCY,
    MAX_QUERY_CHARS,
    PagedReader,
    Shape,
    quote,
)
from reconciler.shopify.read_estimate import ReadEstimate

MODES = ("auto", "targeted", "full")
FULL_THRESHOLD = 250  # auto: more of this catalog's dropped products than this, read them all
DEFAULT_OBJECTS = 12  # export lines of a product the catalog says nothing about
ATTEMPTS = 2  # a bulk export that does not add up is run once more
NOT_COMPUTED = "targeted plan: removals are not computed"
_EXTRAS = {
    "ProductExtras": "fragment ProductExtras on Product {\n  id\n}",
    "VariantExtras": "fragment VariantExtras on ProductVariant {\n  id\n}",
}


@dataclass(frozen=True)
class LiveRead:
    """What read_live found. `products`: by handle, every product asked for that exists plus
    every product whose marker names this catalog (fully read); `complete`: True only when
    removals may be computed; `unmanaged`: products read but not returned (0 when not known:
    targeted without removals)."""

    products: Mapping[str, LiveProduct]
    complete: bool
    incomplete_reason: str | None
    mode: str
    unmanaged: int = 0
    requests: int = 0  # HTTP requests sent to the Admin API (retries included)
    bulk_operations: int = 0
    store_products: int | None = None  # productsCount, when it was read
    seconds: float = 0.0
    estimate: ReadEstimate | None = None  # what auto / targeted chose by (None: mode="full")


async def read_live(
    client: ShopifyClient,
    *,
    catalog_name: str,
    handles: Collection[str],
    mode: str = "auto",
    removals: bool = True,
    full_threshold: int = FULL_THRESHOLD,
    variant_metafields: Collection[str] = (),
    desired: Mapping[str, Product] | None = None,
) -> LiveRead:
    """Read the products that matter for a plan of catalog `catalog_name` (module docstring).
    `desired`: the catalog's products by handle (their previous handles are looked up too)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    started, sent = time.monotonic(), client.requests
    wanted = frozenset(handles)
    asked = time.monotonic()
    publications = await _publications(client)
    latency = time.monotonic() - asked  # one round trip (or a few: publications are paged)
    reader = _Reader(client, catalog_name, wanted, publications, frozenset(variant_metafields))
    reader.shapes = shapes(reader.paged, desired or {})
    count, estimate = None, None
    auto = mode == "auto"
    if auto:
        asked = time.monotonic()
        count = await _count(client)
        latency = time.monotonic() - asked
    if mode != "full":
        estimate = _estimate(client, reader, count, latency, removals, desired)
        mode = estimate.mode if auto else mode
        reader.export_asked = estimate.by_export
    # auto also switches to full when the sweep finds more of this catalog's products to read
    # than full_threshold (a catalog that dropped most of its products).
    reader.switch_after = full_threshold if auto else None
    if mode == "full":
        read = await reader.full(removals)
    else:
        read = await reader.targeted(removals)
    return replace(
        read,
        requests=client.requests - sent,
        bulk_operations=reader.bulk_operations,
        store_products=read.store_products if read.store_products is not None else count,
        seconds=time.monotonic() - started,
        estimate=estimate,
    )


def search_queries(terms: list[str], max_chars: int = MAX_QUERY_CHARS) -> list[str]:
    """Search terms joined with OR into as few queries as keep each under `max_chars`."""
    out: list[str] = []
    for term in terms:
        if out and len(out[-1]) + 4 + len(term) <= max_chars:
            out[-1] += " OR " + term
        else:
            out.append(term)
    return out


def shapes(paged: PagedReader, desired: Mapping[str, Product]) -> dict[str, Shape]:
    """The first page each catalog product needs, by handle and by each previous handle."""
    out: dict[str, Shape] = {}
    for handle, product in desired.items():
        shape = paged.shape(product)
        for h in (*product.previous_handles, handle):
            out[h] = shape
    return out


def objects_per_product(desired: Mapping[str, Product]) -> float:
    """The export lines a catalog product makes on average: itself, its variants, metafields
    (with the marker) and media; DEFAULT_OBJECTS when the catalog is not known."""
    if not desired:
        return DEFAULT_OBJECTS
    lines = [
        1 + max(1, len(p.variants)) + len(p.metafields or ()) + 1 + len(p.media or ())
        for p in desired.values()
    ]
    return sum(lines) / len(lines)


def _estimate(
    client: ShopifyClient,
    reader: _Reader,
    count: int | None,
    latency: float,
    removals: bool,
    desired: Mapping[str, Product] | None,
) -> ReadEstimate:
    status = client.throttle_status
    requests = reader.paged.plan_handles(reader.handles, reader.shapes)
    return read_estimate.estimate(
        requested=[r.cost for r in requests],
        available=status.available if status else 0.0,
        restore_rate=status.restore_rate if status else 0.0,
        latency=latency,
        concurrency=CONCURRENCY,
        asked=len(reader.handles),
        store_products=count,
        objects_per_product=objects_per_product(desired or {}),
        removals=removals,
    )


def bulk_products_query(
    publication_ids: list[str], variant_metafields: list[str], query: str | None = None
) -> tuple[str, dict[str, str], tuple[str, ...]]:
    """BulkProducts' text with its extras filled in: one `publishedOnPublication` per
    publication, one `metafield(namespace:, key:)` per variant metafield ref; fragments inlined;
    with `query`, only the products that search query finds. Returns the text, the publication
    aliases and the variant metafield aliases."""
    text = documents.load("BulkProducts").query
    if query is not None:
        filtered = f"products(query: {json.dumps(query)}) {{"
        text, found = re.subn(r"\bproducts \{", lambda _: filtered, text, count=1)
        if not found:
            raise ShopifyError("BulkProducts.graphql must select `products {` without arguments")
    pubs = {f"pub{i}": pid for i, pid in enumerate(publication_ids)}
    product = "".join(
        f"\n  {alias}: publishedOnPublication(publicationId: {json.dumps(pid)})"
        for alias, pid in pubs.items()
    )
    refs = {f"vmf{i}": ref.split(".", 1) for i, ref in enumerate(variant_metafields)}
    variant = "".join(
        f"\n  {alias}: metafield(namespace: {json.dumps(ns)}, key: {json.dumps(key)}) "
        "{ ...MetafieldFields }"
        for alias, (ns, key) in refs.items()
    )
    for name, extra in (("ProductExtras", product), ("VariantExtras", variant)):
        fragment = _EXTRAS[name]
        if fragment not in text:
            raise ShopifyError(f"BulkProducts.graphql: fragment {name} must read `{{ id }}`")
        text = text.replace(fragment, fragment[:-2] + extra + "\n}")
    return documents.inline_fragments(text), pubs, tuple(refs)


class _Reader:
    def __init__(
        self,
        client: ShopifyClient,
        catalog: str,
        handles: frozenset[str],
        publications: dict[str, str],
        variant_metafields: frozenset[str],
    ):
        self.client, self.catalog, self.handles = client, catalog, handles
        self.publications = publications  # id -> name
        self.variant_metafields = frozenset(r for r in variant_metafields if "." in r)
        self.paged = PagedReader(client, len(publications))
        self.bulk_operations = 0
        self.switch_after: int | None = None
        self.shapes: dict[str, Shape] = {}  # handle -> its first page (the catalog's counts)
        self.export_asked = False  # read the asked handles by filtered bulk exports

    def ours(self, fields: Mapping[str, Any]) -> bool:
        value = (fields.get("marker") or {}).get("value")
        if not value or self.catalog not in value:
            return False
        marker, _ = Marker.from_json(value)
        return marker is not None and marker.catalog == self.catalog

    # -- targeted ------------------------------------------------------------------------------

    async def targeted(self, removals: bool) -> LiveRead:
        if not removals:
            products = await self._asked()
            return LiveRead(products, False, NOT_COMPUTED, "targeted")
        # The sweep's export runs on Shopify's side while the pages are read.
        async with asyncio.TaskGroup() as group:  # a failure cancels the other
            pages = group.create_task(self._asked())
            sweep = group.create_task(self._sweep())
        products, (found, problem, roots, count) = pages.result(), sweep.result()
        if problem:
            reason = f"the marker sweep did not add up: {problem}"
            return LiveRead(products, False, reason, "targeted", store_products=count)
        read_ids = {p.id for p in products.values()}
        missing = [i for i in found if i not in read_ids]
        if self.switch_after is not None and len(missing) > self.switch_after:
            # Many of this catalog's products are no longer in it: one full export reads them
            # faster than paging through them.
            return await self.full(removals)
        if missing:
            products = {**products, **await self.paged.by_ids(missing)}
        unmanaged = max(0, roots - len(products))
        return LiveRead(products, True, None, "targeted", unmanaged, store_products=count)

    async def _asked(self) -> dict[str, LiveProduct]:
        """The asked handles: by pages, or by bulk exports filtered to them when those are
        estimated faster (many products, a slow bucket); pages again if an export fails."""
        if self.export_asked:
            queries = search_queries([f"handle:{quote(h)}" for h in sorted(self.handles)])
            found = await asyncio.gather(*(self._export_query(q) for q in queries))
            if all(part is not None for part in found):
                products = {h: p for part in found for h, p in (part or {}).items()}
                return await self._reread_variant_metafields(products)
        return await self.paged.by_handles(self.handles, self.shapes)

    async def _export_query(self, query: str) -> dict[str, LiveProduct] | None:
        """The asked products a search query finds, read by one bulk export (None: it failed)."""
        text, pub_aliases, vmf_aliases = bulk_products_query(
            list(self.publications), sorted(self.variant_metafields), query=query
        )
        names = {alias: self.publications[pid] for alias, pid in pub_aliases.items()}
        assembler = bulk_read.ProductAssembler(
            lambda fields: fields.get("handle") in self.handles,
            publications=names,
            variant_metafields=vmf_aliases,
        )
        try:
            result = await self._export(text, assembler.feed)
            products = assembler.finish()
        except ShopifyError:
            return None
        if result.problem() or assembler.stats.problem(result):
            return None
        return products

    async def _sweep(self) -> tuple[dict[str, str], str | None, int, int | None]:
        text = documents.inline_fragments(documents.load("BulkMarkers").query)
        problem, count = None, None
        for _ in range(ATTEMPTS):
            sweep = bulk_read.MarkerSweep(self.ours)
            try:
                before = await _count(self.client)
                result = await self._export(text, sweep.feed)
                count = await _count(self.client)
            except ShopifyError as exc:
                problem = str(exc)
                continue
            problem = (
                result.problem()
                or sweep.stats.problem(result)
                or _count_problem(before, count, sweep.stats.roots)
            )
            if problem is None:
                return sweep.found, None, sweep.stats.roots, count
        return {}, problem, 0, count

    # -- full ----------------------------------------------------------------------------------

    async def full(self, removals: bool) -> LiveRead:
        ids = list(self.publications)
        refs = sorted(self.variant_metafields)
        text, pub_aliases, vmf_aliases = bulk_products_query(ids, refs)
        names = {alias: self.publications[pid] for alias, pid in pub_aliases.items()}
        problem, failed, count = None, True, None
        products: dict[str, LiveProduct] = {}
        skipped = 0
        for _ in range(ATTEMPTS):
            assembler = bulk_read.ProductAssembler(
                self._wanted, publications=names, variant_metafields=vmf_aliases
            )
            try:
                before = await _count(self.client)
                result = await self._export(text, assembler.feed)
                products = assembler.finish()
                count = await _count(self.client)
            except ShopifyError as exc:
                problem, failed = str(exc), True
                continue
            failed = result.problem() is not None
            problem = (
                result.problem()
                or assembler.stats.problem(result)
                or _count_problem(before, count, assembler.stats.roots)
            )
            skipped = assembler.skipped
            if problem is None:
                break
        if failed:
            return await self._fallback(problem or "the bulk export failed", count)
        products = await self._reread_variant_metafields(products)
        if not removals:
            problem = NOT_COMPUTED
        return LiveRead(products, problem is None, problem, "full", skipped, store_products=count)

    def _wanted(self, fields: Mapping[str, Any]) -> bool:
        return fields.get("handle") in self.handles or self.ours(fields)

    async def _fallback(self, problem: str, count: int | None) -> LiveRead:
        """The export failed twice: read the asked handles one by one; no removals."""
        products = await self.paged.by_handles(self.handles, self.shapes)
        reason = f"{problem}; the {len(self.handles)} catalog products were read one by one"
        return LiveRead(products, False, reason, "targeted", store_products=count)

    async def _reread_variant_metafields(
        self, products: dict[str, LiveProduct]
    ) -> dict[str, LiveProduct]:
        """Products whose marker names variant metafields the export did not read, re-read."""
        stale = [
            p.id
            for p in products.values()
            if p.marker is not None and not p.marker.variant_metafields <= self.variant_metafields
        ]
        if not stale:
            return products
        again = await self.paged.by_ids(stale)
        gone = set(stale)
        out = {h: p for h, p in products.items() if p.id not in gone}
        out.update(again)
        return out

    async def _export(self, text: str, feed: Any) -> bulk_read.BulkResult:
        self.bulk_operations += 1
        result = await bulk_read.run_query(self.client, text)
        async for line in bulk_read.lines_of(self.client, result):
            feed(line)
        return result


async def _publications(client: ShopifyClient) -> dict[str, str]:
    """The store's publications, id -> name (catalog title)."""
    out, after = {}, None
    while True:
        data = (await client.execute("Publications", {"after": after}))["publications"]
        for node in data["nodes"]:
            title = (node.get("catalog") or {}).get("title")
            if title:
                out[node["id"]] = title
        if not data["pageInfo"]["hasNextPage"]:
            return out
        after = data["pageInfo"]["endCursor"]


async def _count(client: ShopifyClient) -> int:
    data = (await client.execute("ProductsCount"))["productsCount"]
    if data.get("precision") != "EXACT":
        raise ShopifyError(f"productsCount is not exact ({data.get('precision')})")
    return int(data["count"])


def _count_problem(before: int, after: int, exported: int) -> str | None:
    if before != after:
        return f"the store changed during the export ({before} products before, {after} after)"
    if exported != after:
        return f"the export held {exported} products but the store has {after}"
    return None
