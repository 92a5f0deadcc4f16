"""Bulk exports (shopify-facts.md §3): start one, poll it to the end, stream its JSONL result and
put the products back together from `__parentId` links.

Shopify writes each node of each connection as its own line and gives a nested connection's
nodes a `__parentId`; the order of lines is only promised to put children after their parents
(facts §3.6; with `groupObjects: false`, the 2026-01+ default, not next to them). So the
assembler never relies on adjacency: it keeps the products it wants, in small model objects,
until the file ends, and skips the children of every other product without parsing them. A child
seen before its parent is held until the parent appears (never observed; counted if it stays).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import ShopifyError
from reconciler.model import LiveMedia, LiveProduct, Metafield, Variant
from reconciler.shopify import normalize
from reconciler.shopify.client import ShopifyClient

FINISHED = frozenset({"COMPLETED", "FAILED", "CANCELED", "EXPIRED"})
BUSY_CODES = frozenset({"LIMIT_REACHED", "OPERATION_IN_PROGRESS"})
POLL_FIRST, POLL_MAX, POLL_GROWTH = 0.05, 2.0, 1.5
BUSY_WAIT = 120.0  # how long to wait for another app's (or run's) bulk query to finish
_PARENT = b'"__parentId":"'


@dataclass(frozen=True)
class BulkResult:
    """A finished bulk operation, as `BulkOperationStatus` last reported it."""

    id: str
    status: str
    error_code: str | None
    object_count: int
    root_object_count: int
    url: str | None
    partial_data_url: str | None

    @classmethod
    def from_node(cls, node: Mapping[str, Any]) -> BulkResult:
        return cls(
            id=node["id"],
            status=node["status"],
            error_code=node.get("errorCode"),
            object_count=int(node.get("objectCount") or 0),  # UnsignedInt64: a string
            root_object_count=int(node.get("rootObjectCount") or 0),
            url=node.get("url"),
            partial_data_url=node.get("partialDataUrl"),
        )

    def problem(self) -> str | None:
        """Why this operation's output cannot be trusted as a whole read, or None."""
        if self.status != "COMPLETED":
            code = f" ({self.error_code})" if self.error_code else ""
            return f"the bulk export ended {self.status}{code}"
        if self.error_code:
            return f"the bulk export reported an error ({self.error_code})"
        if self.partial_data_url:
            return "the bulk export returned partial data only"
        return None


async def run_query(
    client: ShopifyClient, text: str, *, busy_wait: float = BUSY_WAIT, poll_max: float = POLL_MAX
) -> BulkResult:
    """Start a bulk query with `text` and wait until it has finished (whatever its status).

    Shopify runs a limited number of bulk queries per app at once (one before 2026-01, five
    after; facts §3.4): a refusal with LIMIT_REACHED / OPERATION_IN_PROGRESS is retried for
    `busy_wait` seconds, then raised as a ShopifyError that says so."""
    waited, delay = 0.0, 1.0
    while True:
        # Starting an export twice only costs a second export: safe to retry after a lost answer.
        data = await client.execute(
            "BulkOperationRunQuery", {"query": text}, idempotent=True, check_user_errors=False
        )
        payload = data["bulkOperationRunQuery"]
        errors = payload.get("userErrors") or []
        if not errors and payload.get("bulkOperation"):
            break
        busy = [e for e in errors if e.get("code") in BUSY_CODES]
        if not busy:
            text_errors = "; ".join(f"{e.get('message')} ({e.get('code')})" for e in errors)
            raise ShopifyError(f"Shopify refused the bulk export: {text_errors or 'no operation'}")
        if waited >= busy_wait:
            raise ShopifyError(
                f"another bulk query is running for this app ({busy[0].get('code')}: "
                f"{busy[0].get('message')}); waited {waited:.0f}s. Let it finish, or cancel it "
                "(bulkOperationCancel), then plan again."
            )
        await asyncio.sleep(delay)
        waited += delay
        delay = min(delay * 2, 15.0)
    return await wait(client, payload["bulkOperation"]["id"], poll_max=poll_max)


async def wait(
    client: ShopifyClient,
    operation_id: str,
    *,
    poll_max: float = POLL_MAX,
    on_poll: Callable[[BulkResult], None] | None = None,
) -> BulkResult:
    """Poll a bulk operation until it has finished, backing off up to `poll_max` seconds;
    `on_poll` hears each answer (its objectCount: progress)."""
    delay = POLL_FIRST
    while True:
        node = (await client.execute("BulkOperationStatus", {"id": operation_id}))["node"]
        if node is None:
            raise ShopifyError(f"the bulk operation {operation_id} disappeared")
        if on_poll is not None:
            on_poll(BulkResult.from_node(node))
        if node["status"] in FINISHED:
            return BulkResult.from_node(node)
        await asyncio.sleep(delay)
        delay = min(delay * POLL_GROWTH, poll_max)


@dataclass
class LineStats:
    """What parsing an export's lines found: the completeness guard's inputs."""

    lines: int = 0
    roots: int = 0
    unreadable: int = 0
    without_handle: int = 0
    orphans: int = 0

    def product(self, line: bytes) -> dict[str, Any] | None:
        """A product line's fields, counted; None (and counted as a read error) when the line
        cannot be parsed or lacks an id or a handle."""
        self.roots += 1
        try:
            fields = json.loads(line)
        except ValueError:
            self.unreadable += 1
            return None
        if not fields.get("handle") or not fields.get("id"):
            self.without_handle += 1
            return None
        return fields

    def problem(self, result: BulkResult) -> str | None:
        if self.unreadable:
            return f"{self.unreadable} lines of the bulk export could not be read"
        if self.without_handle:
            return f"{self.without_handle} products in the bulk export have no handle"
        if self.orphans:
            return f"{self.orphans} lines of the bulk export name a parent it does not hold"
        if self.lines != result.object_count or self.roots != result.root_object_count:
            return (
                f"the bulk export reported {result.object_count} objects "
                f"({result.root_object_count} products) but its file held {self.lines} "
                f"({self.roots} products)"
            )
        return None


async def lines_of(client: ShopifyClient, result: BulkResult) -> AsyncIterator[bytes]:
    """The non-empty lines of a finished export (none when Shopify wrote no file)."""
    if result.url is None:
        return
    async for line in client.download_lines(result.url):
        if line.strip():
            yield line


def _parent_of(line: bytes) -> str | None:
    """The `__parentId` of a line, found without parsing it (GIDs hold no quotes)."""
    start = line.rfind(_PARENT)
    if start < 0:
        return None
    start += len(_PARENT)
    end = line.find(b'"', start)
    return line[start:end].decode() if end > start else None


@dataclass
class _Pending:
    head: normalize.Head
    variants: list[tuple[str, Variant]] = field(default_factory=list)
    metafields: list[Metafield] = field(default_factory=list)
    media: list[LiveMedia] = field(default_factory=list)


class ProductAssembler:
    """Rebuilds LiveProducts from a BulkProducts export, keeping only the wanted ones.

    `wanted(fields)` decides on a product's own line (handle, marker) whether it is kept;
    `publications` maps the aliases of `publishedOnPublication` fields to publication names (None:
    publications not read); `variant_metafields` lists the aliases of variant metafields.
    """

    def __init__(
        self,
        wanted: Callable[[Mapping[str, Any]], bool],
        *,
        publications: Mapping[str, str] | None,
        variant_metafields: tuple[str, ...] = (),
    ):
        self._wanted = wanted
        self._publications = publications
        self._variant_metafields = variant_metafields
        self._kept: dict[str, _Pending] = {}
        self._seen: set[str] = set()
        self._early: dict[str, list[bytes]] = {}
        self.stats = LineStats()
        self.skipped = 0  # products read but not wanted

    def feed(self, line: bytes) -> None:
        self.stats.lines += 1
        parent = _parent_of(line)
        if parent is None:
            self._root(line)
        elif parent in self._kept:
            self._child(self._kept[parent], line)
        elif parent not in self._seen:
            self._early.setdefault(parent, []).append(line)

    def _root(self, line: bytes) -> None:
        fields = self.stats.product(line)
        if fields is None:
            return
        product_id = fields["id"]
        self._seen.add(product_id)
        early = self._early.pop(product_id, ())
        if not self._wanted(fields):
            self.skipped += 1
            return
        pubs = None
        if self._publications is not None:
            pubs = frozenset(n for a, n in self._publications.items() if fields.get(a))
        pending = _Pending(normalize.head(fields, publications=pubs))
        self._kept[product_id] = pending
        for child in early:
            self._child(pending, child)

    def _child(self, pending: _Pending, line: bytes) -> None:
        try:
            node = json.loads(line)
        except ValueError:
            self.stats.unreadable += 1
            return
        kind = str(node.get("id", "")).split("/")[3:4]
        if kind == ["ProductVariant"]:
            extras = [m for a in self._variant_metafields if (m := node.get(a))]
            pending.variants.append((node["id"], normalize.variant(node, extras)))
        elif kind == ["Metafield"]:
            if not normalize.is_marker(node):  # the marker came with the product's own line
                pending.metafields.append(normalize.metafield(node))
        else:
            pending.media.append(normalize.media(node))

    def finish(self) -> dict[str, LiveProduct]:
        """The kept products by handle, once every line has been fed."""
        self.stats.orphans = sum(len(lines) for lines in self._early.values())
        self._early.clear()
        out: dict[str, LiveProduct] = {}
        while self._kept:  # popped one by one: the pieces go as the products are made
            _, pending = self._kept.popitem()
            live = normalize.assemble(
                pending.head, pending.variants, pending.metafields, pending.media
            )
            out[live.handle] = live
        self._seen.clear()
        return out


class MarkerSweep:
    """Reads a BulkMarkers export (one line per product): keeps the id and handle of the products
    `wanted(fields)` picks (their marker names this catalog), counts the rest."""

    def __init__(self, wanted: Callable[[Mapping[str, Any]], bool]):
        self._wanted = wanted
        self.stats = LineStats()
        self.found: dict[str, str] = {}  # product id -> handle

    def feed(self, line: bytes) -> None:
        self.stats.lines += 1
        if _parent_of(line) is not None:
            self.stats.orphans += 1  # the sweep has no nested connection
            return
        fields = self.stats.product(line)
        if fields is not None and self._wanted(fields):
            self.found[fields["id"]] = fields["handle"]
