"""Bulk mode: the plan's calls as lines of bulk mutations (facts §3.1-3.4), in phases.

Each product's calls run in the plan's order, the marker last, as in sync mode. The leading calls
that a bulk line can carry — productSet (without `files`: a create that sets variant images needs
the media ids its answer lists), metafieldsSet and metafieldsDelete, whose only placeholder is the
product's id — are sent in phases: phase k holds the k-th such call of every product whose earlier
phases succeeded. One phase is one bulk operation per operation type (files split under 100 MB,
up to 5 operations at once where the API version allows: 2026-01+; one before). Each file is
staged (stagedUploadsCreate, resource BULK_MUTATION_VARIABLES), uploaded without the token, run
with bulkOperationRunMutation and polled. Results come back out of order: each is mapped to its
product by `__lineNumber`. A line with errors or userErrors is that product's failure only: its
later calls, the marker among them, are never sent. The calls left after a product's bulk prefix
(media, publications) go through sync mode with the id its productSet line returned. Removals run
sync, last, and only when no write failed.

A running operation's id is kept on the shop (`catalog_reconciler.bulk_operation`, written with
compareDigest like the lease) before it is awaited, and cleared when it has finished: the next
apply (after a kill, or in another CI job) finds it with `resume_pending` and awaits it instead of
starting it again. Every line is an upsert by handle or a metafield write by owner and key, and a
product without its new marker is planned again, so the run after an interruption finishes it.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reconciler.apply import sync
from reconciler.apply.media import LocalMedia
from reconciler.apply.sync import Outcome
from reconciler.errors import ReconcilerError, ShopifyError
from reconciler.model import MARKER_NAMESPACE
from reconciler.plan.bulkable import BULK_DOCUMENTS, bulk_prefix
from reconciler.plan.model import REMOVALS, Change
from reconciler.shopify import bulk_read, documents

OPERATION_KEY = "bulk_operation"
FILE_LIMIT = 90 * 1024 * 1024  # under Shopify's 100 MB per JSONL file, with room to spare
MAX_OPERATIONS = 5  # bulk mutations per app at once, 2026-01+ (facts §3.4)
FIVE_AT_ONCE_SINCE = "2026-01"  # before it: one bulk mutation at a time


def max_operations(api_version: str) -> int:
    """Bulk mutations that may run at once with this API version."""
    return MAX_OPERATIONS if api_version >= FIVE_AT_ONCE_SINCE else 1


@dataclass
class _Product:
    """One change on its way through the phases."""

    change: Change
    prefix: int  # its leading calls sent as bulk lines
    product_id: str | None
    failure: Outcome | None = None
    sent: int = 0  # bulk calls that succeeded


async def run_changes(
    client: Any,
    changes: Iterable[Change],
    *,
    concurrency: int = sync.DEFAULT_CONCURRENCY,
    stop: Callable[[], bool] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
    file_limit: int = FILE_LIMIT,
    max_operations: int = MAX_OPERATIONS,
    local_media: LocalMedia | None = None,
) -> list[Outcome]:
    stop = stop or (lambda: False)
    todo = [c for c in changes if c.action != "no-op"]
    writes = [c for c in todo if c.action not in REMOVALS]
    removals = [c for c in todo if c.action in REMOVALS]
    products = [_Product(c, bulk_prefix(_calls(c), c.product_id), c.product_id) for c in writes]
    bulked = [p for p in products if p.prefix]
    phases = max((p.prefix for p in bulked), default=0)
    phase = 0
    while True:
        batch = [p for p in bulked if p.failure is None and p.prefix > phase]
        if not batch:
            break
        if stop():
            for p in batch:
                p.failure = sync._skipped(p.change, "not run: apply was interrupted")
            break
        counted = _Counted(on_stage, f"bulk phase {phase + 1}/{phases}", len(batch))
        await _run_phase(client, batch, phase, file_limit, max_operations, counted)
        phase += 1
    if on_stage is not None:
        on_stage("")
    outcomes: list[Outcome] = []
    later: list[Change] = []
    for p in products:
        if p.failure is not None:
            outcomes.append(p.failure)
        elif p.prefix == len(_calls(p.change)):
            outcomes.append(_done(p))
        else:
            rest = {"calls": _calls(p.change)[p.prefix :]}
            later.append(replace(p.change, product_id=p.product_id, mutation=rest))
    for outcome in outcomes:
        (on_done or (lambda _o: None))(outcome)
    failed = any(not o.ok for o in outcomes)
    sent_in_bulk = {p.change.handle: p.prefix for p in bulked if p.failure is None}
    done = await sync.run_changes(
        client,
        later + ([] if failed else removals),
        concurrency=concurrency,
        stop=stop,
        on_done=on_done,
        local_media=local_media,
    )
    for outcome in done:
        if outcome.action not in REMOVALS:
            outcome.calls += sent_in_bulk.get(outcome.handle, 0)
    outcomes += done
    if failed:
        why = "not run: a write failed, and removals never follow a failed write"
        outcomes += [sync._skipped(c, why) for c in removals]
    return outcomes


def _calls(change: Change) -> list[dict[str, Any]]:
    return list((change.mutation or {}).get("calls") or ())


def _done(p: _Product) -> Outcome:
    return Outcome(p.change.handle, p.change.action, ok=True, calls=p.prefix,
                   product_id=p.product_id)  # fmt: skip


class _Counted:
    """The lines a phase's operations have run, as their polls report (objectCount), told to
    `on_stage`: products finish only when their phase does, so this is the progress to show."""

    def __init__(self, on_stage: Callable[[str], None] | None, name: str, total: int):
        self.on_stage, self.name, self.total = on_stage, name, total
        self.counts: dict[Any, int] = {}
        self.tell()

    def poll(self, key: Any) -> Callable[[bulk_read.BulkResult], None]:
        def heard(result: bulk_read.BulkResult) -> None:
            self.counts[key] = result.object_count
            self.tell()

        return heard

    def tell(self) -> None:
        if self.on_stage is not None:
            done = min(self.total, sum(self.counts.values()))
            self.on_stage(f"{self.name}: {done:,}/{self.total:,} lines")


async def _run_phase(
    client: Any,
    batch: list[_Product],
    phase: int,
    file_limit: int,
    max_operations: int,
    counted: _Counted,
) -> None:
    """The `phase`-th bulk call of every product in `batch`: one operation per mutation."""
    groups: dict[str, list[tuple[_Product, dict[str, Any]]]] = {}
    for p in batch:
        call = _calls(p.change)[phase]
        try:
            variables = sync._Fill(p.product_id, {}).variables(call)
        except ReconcilerError as exc:
            p.failure = _failed(p, str(exc))
            continue
        groups.setdefault(call["operation"], []).append((p, variables))
    slots = asyncio.Semaphore(max(1, max_operations))

    async def group(operation: str, members: list[tuple[_Product, dict[str, Any]]]) -> None:
        lines = [json.dumps(v, separators=(",", ":"), ensure_ascii=False) for _, v in members]
        try:
            results = await _run_files(client, operation, lines, file_limit, slots, counted)
        except ReconcilerError as exc:
            results, error = {}, str(exc)
        else:
            error = "the bulk operation returned no result for this product"
        for n, (p, _variables) in enumerate(members):
            _learn(p, operation, results.get(n), error)

    await asyncio.gather(*(group(op, members) for op, members in groups.items()))


def _failed(p: _Product, error: str, codes: tuple[str, ...] = ()) -> Outcome:
    return Outcome(p.change.handle, p.change.action, error=error, codes=codes,
                   calls=p.sent + 1, product_id=p.product_id)  # fmt: skip


def _learn(p: _Product, operation: str, result: dict | None, missing: str) -> None:
    """Record one line's result on its product: the next phase, or its failure."""
    if result is None:
        p.failure = _failed(p, missing)
        return
    if result.get("errors"):
        p.failure = _failed(p, "; ".join(str(e.get("message")) for e in result["errors"]))
        return
    payload = (result.get("data") or {}).get(BULK_DOCUMENTS[operation][1]) or {}
    errors = payload.get("userErrors") or []
    if errors:
        text = "; ".join(
            f"{'.'.join(map(str, e.get('field') or ()))}: {e.get('message')}" for e in errors
        )
        codes = tuple(str(e["code"]) for e in errors if e.get("code"))
        p.failure = _failed(p, f"Shopify refused {operation[0].lower()}{operation[1:]}: {text}",
                            codes)  # fmt: skip
        return
    if operation == "ProductSet":
        product_id = (payload.get("product") or {}).get("id")
        if not product_id:
            p.failure = _failed(p, "productSet returned no product")
            return
        p.product_id = product_id
    p.sent += 1


def split(lines: list[str], limit: int) -> list[list[int]]:
    """Line indexes grouped into files of at most `limit` bytes each."""
    files: list[list[int]] = [[]]
    size = 0
    for n, line in enumerate(lines):
        length = len(line.encode()) + 1
        if files[-1] and size + length > limit:
            files.append([])
            size = 0
        files[-1].append(n)
        size += length
    return files


async def _run_files(
    client: Any,
    operation: str,
    lines: list[str],
    limit: int,
    slots: asyncio.Semaphore,
    counted: _Counted | None = None,
) -> dict[int, dict]:
    """Every line's result, by its index in `lines`."""
    results: dict[int, dict] = {}
    document = documents.load(BULK_DOCUMENTS[operation][0]).query

    async def one(indexes: list[int]) -> None:
        async with slots:
            heard = counted.poll((operation, indexes[0])) if counted is not None else None
            got = await _run_file(client, document, [lines[i] for i in indexes], heard)
            results.update({indexes[k]: v for k, v in got.items() if 0 <= k < len(indexes)})

    parts = split(lines, limit)
    # Every part runs to its end (none left running unawaited) and every error is taken (none
    # left for asyncio to print at exit); the first one is raised.
    done = await asyncio.gather(*(one(part) for part in parts), return_exceptions=True)
    failed = next((d for d in done if isinstance(d, BaseException)), None)
    if failed is not None:
        raise failed
    return results


async def _run_file(
    client: Any,
    mutation: str,
    lines: list[str],
    on_poll: Callable[[bulk_read.BulkResult], None] | None = None,
) -> dict[int, dict]:
    with tempfile.TemporaryDirectory(prefix="catalog-bulk-") as tmp:
        path = Path(tmp) / "variables.jsonl"
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        key = await _stage(client, path)
    data = await client.execute(
        "BulkOperationRunMutation",
        {"mutation": mutation, "stagedUploadPath": key},
        check_user_errors=False,
    )
    payload = data["bulkOperationRunMutation"]
    errors = payload.get("userErrors") or []
    if errors or not payload.get("bulkOperation"):
        text = "; ".join(f"{e.get('message')} ({e.get('code')})" for e in errors)
        raise ShopifyError(f"Shopify refused the bulk apply: {text or 'no operation'}")
    operation_id = payload["bulkOperation"]["id"]
    await _keep(client, operation_id, add=True)
    result = await bulk_read.wait(client, operation_id, on_poll=on_poll)
    out: dict[int, dict] = {}
    url = result.url or result.partial_data_url
    if url:
        async for line in client.download_lines(url):
            if line.strip():
                item = json.loads(line)
                out[int(item.get("__lineNumber", -1))] = item
    await _keep(client, operation_id, add=False)
    if result.status != "COMPLETED":
        code = f" ({result.error_code})" if result.error_code else ""
        if not out:
            raise ShopifyError(f"the bulk apply ended {result.status}{code}")
    return out


async def _stage(client: Any, path: Path) -> str:
    data = await client.execute(
        "StagedUploadsCreate",
        {"input": [_staged_input(path)]},
    )
    target = data["stagedUploadsCreate"]["stagedTargets"][0]
    await client.upload_staged(target["url"], target["parameters"], path)
    key = next((p["value"] for p in target["parameters"] if p["name"] == "key"), None)
    if key is None:
        raise ShopifyError("stagedUploadsCreate returned a target without a key")
    return key


def _staged_input(path: Path) -> dict[str, str]:
    return {
        "resource": "BULK_MUTATION_VARIABLES",
        "filename": path.name,
        "mimeType": "text/jsonl",
        "httpMethod": "POST",
    }


# -- the running operations' ids, kept on the shop --------------------------------------------

# One writer of the list at a time: a lock per event loop (tests run many loops in one process).
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    if loop not in _locks:
        _locks[loop] = asyncio.Lock()
    return _locks[loop]


async def pending(client: Any) -> tuple[str, list[str], str | None]:
    """(shop id, the ids of the bulk applies left running, the metafield's digest)."""
    data = await client.execute("ShopLease", {"namespace": MARKER_NAMESPACE, "key": OPERATION_KEY})
    shop = data.get("shop") or {}
    field = shop.get("metafield")
    if not field:
        return shop["id"], [], None
    try:
        ids = [str(i) for i in json.loads(field.get("value") or "{}").get("ids", [])]
    except (ValueError, AttributeError):
        ids = []
    return shop["id"], ids, field.get("compareDigest")


async def _keep(client: Any, operation_id: str, *, add: bool) -> None:
    """Add or remove `operation_id` in the shop's list (one writer: the lease holder)."""
    async with _lock():
        shop_id, ids, digest = await pending(client)
        ids = [i for i in ids if i != operation_id] + ([operation_id] if add else [])
        entry = {
            "ownerId": shop_id,
            "namespace": MARKER_NAMESPACE,
            "key": OPERATION_KEY,
            "type": "json",
            "value": json.dumps({"ids": ids}),
            "compareDigest": digest,
        }
        await client.execute("MetafieldsSet", {"metafields": [entry]})


async def resume_pending(client: Any, notify: Callable[[str], None]) -> int:
    """Await the bulk applies an earlier run left running, then forget them: how many."""
    _shop, ids, _digest = await pending(client)
    for operation_id in ids:
        notify(f"Waiting for bulk apply {operation_id}, left running by an earlier apply.")
        try:
            await bulk_read.wait(client, operation_id)
        except ReconcilerError as exc:
            notify(f"Bulk apply {operation_id} cannot be followed ({exc}): forgotten.")
        await _keep(client, operation_id, add=False)
    return len(ids)
