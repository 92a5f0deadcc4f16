"""Bulk mode: every product's productSet as one line of a bulk mutation (facts §3.1-3.4).

The plan's productSet variables become JSONL lines (files split under 100 MB, up to 5 operations
at once: the 2026-01+ limit per app); each file is staged (stagedUploadsCreate, resource
BULK_MUTATION_VARIABLES), uploaded without the token, run with bulkOperationRunMutation and polled.
Results come back out of order: each is mapped to its product by `__lineNumber`. A line with
userErrors is that product's failure only. The rest of each product's calls (metafields, media,
publications, the marker last) then go through sync mode with the id the line returned, so a
marker is only ever written after its productSet succeeded; removals only follow when no write
failed.

A running operation's id is kept on the shop (`catalog_reconciler.bulk_operation`, written like
the lease) before it is awaited, and cleared when it has finished: the next apply (after a kill,
or in another CI job) finds it with `resume_pending` and awaits it instead of starting it again.
Its productSet lines are upserts by handle, and the products it touched have no new marker, so
the plan made after it shows them again and this run finishes them.

Changes that need what a bulk line cannot return (a create whose productSet carries `files`: their
media ids go in the marker) are sent sync, whole.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from reconciler.apply import sync
from reconciler.apply.media import LocalMedia
from reconciler.apply.sync import Outcome
from reconciler.errors import ReconcilerError, ShopifyError
from reconciler.model import MARKER_NAMESPACE
from reconciler.plan.model import REMOVALS, Change
from reconciler.shopify import bulk_read, documents

OPERATION_KEY = "bulk_operation"
FILE_LIMIT = 90 * 1024 * 1024  # under Shopify's 100 MB per JSONL file, with room to spare
MAX_OPERATIONS = 5  # bulk mutations per app at once, 2026-01+ (facts §3.4)


async def run_changes(
    client: Any,
    changes: Iterable[Change],
    *,
    concurrency: int = sync.DEFAULT_CONCURRENCY,
    stop: Callable[[], bool] | None = None,
    file_limit: int = FILE_LIMIT,
    max_operations: int = MAX_OPERATIONS,
    local_media: LocalMedia | None = None,
) -> list[Outcome]:
    todo = [c for c in changes if c.action != "no-op"]
    writes = [c for c in todo if c.action not in REMOVALS]
    removals = [c for c in todo if c.action in REMOVALS]
    bulked = [c for c in writes if _bulkable(c)]
    whole = [c for c in writes if not _bulkable(c)]
    lines = [json.dumps(_first_call(c)["variables"], separators=(",", ":")) for c in bulked]
    results = await _run_files(client, lines, file_limit, max_operations) if lines else {}
    outcomes: list[Outcome] = []
    rest: list[Change] = []
    for n, change in enumerate(bulked):
        outcome, product_id = _line_outcome(change, results.get(n))
        if outcome is not None:
            outcomes.append(outcome)
            continue
        calls = change.mutation["calls"][1:]
        rest.append(replace(change, product_id=product_id, mutation={"calls": calls}))
    failed = bool(outcomes)
    later = rest + whole + ([] if failed else removals)
    done = await sync.run_changes(
        client, later, concurrency=concurrency, stop=stop, local_media=local_media
    )
    bulked_handles = {c.handle for c in rest}
    for outcome in done:
        if outcome.handle in bulked_handles and outcome.action not in REMOVALS:
            outcome.calls += 1  # its productSet went in the bulk file
    outcomes += done
    if failed:
        why = "not run: a write failed, and removals never follow a failed write"
        outcomes += [sync._skipped(c, why) for c in removals]
    return outcomes


def _first_call(change: Change) -> dict[str, Any]:
    return ((change.mutation or {}).get("calls") or [{}])[0]


def _bulkable(change: Change) -> bool:
    call = _first_call(change)
    if call.get("operation") != "ProductSet":
        return False
    text = json.dumps(call["variables"])
    return "{{" not in text and not (call["variables"].get("input") or {}).get("files")


def _line_outcome(change: Change, result: dict | None) -> tuple[Outcome | None, str | None]:
    """(the failure of this product's line, or None; the product id it returned)."""
    failed = Outcome(change.handle, change.action, calls=1, product_id=change.product_id)
    if result is None:
        failed.error = "the bulk operation returned no result for this product"
        return failed, None
    if result.get("errors"):
        failed.error = "; ".join(str(e.get("message")) for e in result["errors"])
        return failed, None
    payload = (result.get("data") or {}).get("productSet") or {}
    errors = payload.get("userErrors") or []
    if errors:
        failed.error = "Shopify refused productSet: " + "; ".join(
            f"{'.'.join(map(str, e.get('field') or ()))}: {e.get('message')}" for e in errors
        )
        failed.codes = tuple(str(e["code"]) for e in errors if e.get("code"))
        return failed, None
    product = payload.get("product") or {}
    if not product.get("id"):
        failed.error = "productSet returned no product"
        return failed, None
    return None, product["id"]


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
    client: Any, lines: list[str], limit: int, max_operations: int
) -> dict[int, dict]:
    """Every line's result, by its index in `lines`."""
    slots = asyncio.Semaphore(max(1, max_operations))
    results: dict[int, dict] = {}

    async def one(indexes: list[int]) -> None:
        async with slots:
            got = await _run_file(client, [lines[i] for i in indexes])
            results.update({indexes[k]: v for k, v in got.items() if 0 <= k < len(indexes)})

    await asyncio.gather(*(one(part) for part in split(lines, limit)))
    return results


async def _run_file(client: Any, lines: list[str]) -> dict[int, dict]:
    with tempfile.TemporaryDirectory(prefix="catalog-bulk-") as tmp:
        path = Path(tmp) / "product_set.jsonl"
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        key = await _stage(client, path)
    data = await client.execute(
        "BulkOperationRunMutation",
        {"mutation": documents.load("ProductSetBulk").query, "stagedUploadPath": key},
        check_user_errors=False,
    )
    payload = data["bulkOperationRunMutation"]
    errors = payload.get("userErrors") or []
    if errors or not payload.get("bulkOperation"):
        text = "; ".join(f"{e.get('message')} ({e.get('code')})" for e in errors)
        raise ShopifyError(f"Shopify refused the bulk apply: {text or 'no operation'}")
    operation_id = payload["bulkOperation"]["id"]
    await _keep(client, operation_id, add=True)
    result = await bulk_read.wait(client, operation_id)
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

_lock = asyncio.Lock()


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
    async with _lock:
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
