"""Bulk operations: the registry, their lifecycle and result files (facts §3, pitfalls 9-11).

An operation is CREATED by bulkOperationRunQuery / bulkOperationRunMutation, then RUNNING in a
background task on the server's event loop that does its work in chunks (yielding between them, so
the server keeps answering), paced at `--bulk-rate` objects per second (0: as fast as possible),
then COMPLETED (or FAILED with an errorCode, or CANCELING -> CANCELED after bulkOperationCancel).
Bulk work is not charged to the cost bucket: only the GraphQL calls that create, poll or cancel.

Results are JSONL files in a private temporary directory, written as the work goes (never held in
memory), served at signed URLs that expire `bulk_result_ttl` seconds (7 days) after completion;
after that the operation reads as EXPIRED.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from graphql import GraphQLError

from .gids import gid, gid_number, iso

log = logging.getLogger("reconciler.sandbox")
RESULTS_PATH = "/_sandbox/bulk/"
RESULT_TTL = 7 * 24 * 3600
DEFAULT_RATE = 1000  # objects per second when --bulk-rate is not given
ACTIVE = ("CREATED", "RUNNING", "CANCELING")
Work = Callable[["BulkOperation", BinaryIO], Iterator[int]]


class FileChanged(Exception):
    """The staged JSONL file was uploaded again while the operation read it."""


@dataclass
class BulkOperation:
    number: int
    type: str  # QUERY | MUTATION
    query: str
    version: str
    created_at: int
    client_identifier: str | None = None
    status: str = "CREATED"
    error_code: str | None = None
    completed_at: int | None = None
    object_count: int = 0
    root_object_count: int = 0
    file_size: int | None = None
    path: Path | None = None
    has_url: bool = False
    has_partial: bool = False
    expires: float = 0.0
    cancel_requested: bool = False
    task: Any = field(default=None, repr=False)
    work: Any = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return gid("BulkOperation", self.number)


def limit_for(version: str) -> int:
    """Concurrent operations per type: 5 from 2026-01, one before (facts §3.4)."""
    return 5 if version >= "2026-01" else 1


class BulkOperations:
    def __init__(
        self,
        directory: Path,
        rate: int | None = None,
        result_ttl: float = RESULT_TTL,
        clock: Any = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.directory = Path(directory)
        self.rate = DEFAULT_RATE if rate is None else int(rate)
        self.result_ttl = result_ttl
        self.clock = clock  # the store's Clock (DateTime seconds)
        self.wall = wall
        self.secret = secrets.token_bytes(32)
        self.ops: dict[int, BulkOperation] = {}
        self._next = 1
        self.base_url = "http://127.0.0.1"
        self.on_write: Callable[[], None] | None = None  # state file touch
        self.after_chunk: Callable[[], None] | None = None  # start what the chunk scheduled

    # -- registry ---------------------------------------------------------------------------

    @property
    def next_number(self) -> int:
        return self._next

    def get(self, value: Any) -> BulkOperation | None:
        return self.ops.get(gid_number(value, "BulkOperation") or -1)

    def active(self, kind: str) -> int:
        return sum(1 for op in self.ops.values() if op.type == kind and op.status in ACTIVE)

    def create(
        self, kind: str, query: str, version: str, work: Work, **extra: Any
    ) -> BulkOperation:
        op = BulkOperation(self._next, kind, query, version, self.clock.now(), **extra)
        self._next += 1
        op.work = work
        self.ops[op.number] = op
        return op

    def status(self, op: BulkOperation) -> str:
        if op.status == "COMPLETED" and op.has_url and self.wall() > op.expires:
            return "EXPIRED"
        return op.status

    def cancel(self, op: BulkOperation) -> None:
        if op.status in ("CREATED", "RUNNING"):
            op.status = "CANCELING"
            op.cancel_requested = True

    def reset(self) -> None:
        for op in self.ops.values():
            if op.task is not None:
                op.task.cancel()
        self.ops.clear()
        self._next = 1
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- running ----------------------------------------------------------------------------

    def kick(self) -> None:
        """Start a task for every operation created since the last call (on the running loop)."""
        for op in self.ops.values():
            if op.task is None and op.status == "CREATED":
                op.task = asyncio.get_running_loop().create_task(self._run(op))

    async def _run(self, op: BulkOperation) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        op.path = self.directory / f"{op.number}.jsonl"
        started, done = time.monotonic(), 0
        try:
            await asyncio.sleep(0)  # CREATED is visible to the creating request's answer
            if op.cancel_requested:
                return self._finish(op, "CANCELED")
            op.status = "RUNNING"
            with open(op.path, "wb") as out:
                for n in op.work(op, out):
                    done += n
                    if self.on_write is not None and op.type == "MUTATION":
                        self.on_write()
                    if self.after_chunk is not None:
                        self.after_chunk()
                    await self._pace(started, done)
                    if op.cancel_requested:
                        break
            self._finish(op, "CANCELED" if op.cancel_requested else "COMPLETED")
        except asyncio.CancelledError:
            raise
        except FileChanged:
            self._finish(op, "FAILED", "INTERNAL_SERVER_ERROR")
        except GraphQLError as exc:  # e.g. a field the sandbox does not implement
            log.warning("bulk operation %s failed: %s", op.id, exc.message)
            self._finish(op, "FAILED", "INTERNAL_SERVER_ERROR")
        except Exception:
            log.exception("bulk operation %s failed", op.id)
            self._finish(op, "FAILED", "INTERNAL_SERVER_ERROR")
        finally:
            op.work = None

    async def _pace(self, started: float, done: int) -> None:
        if self.rate <= 0:
            await asyncio.sleep(0)
            return
        await asyncio.sleep(max(0.0, started + done / self.rate - time.monotonic()))

    def chunk(self, default: int) -> int:
        """Objects per chunk: small enough for the rate to show, big enough to be cheap."""
        if self.rate <= 0:
            return default
        return max(1, min(default, self.rate // 20))

    def _finish(self, op: BulkOperation, status: str, error: str | None = None) -> None:
        op.status, op.error_code = status, error
        op.completed_at = self.clock.now()
        size = op.path.stat().st_size if op.path is not None and op.path.exists() else 0
        if status == "COMPLETED":
            op.has_url = size > 0  # "If there are no results, url is null"
            op.file_size = size if size else None
        else:
            op.has_partial = size > 0
        op.expires = self.wall() + self.result_ttl

    # -- result files -----------------------------------------------------------------------

    def url(self, op: BulkOperation, partial: bool = False) -> str | None:
        if not (op.has_partial if partial else op.has_url):
            return None
        expires = int(op.expires)
        name = f"{op.number}.jsonl"
        return (
            f"{self.base_url}{RESULTS_PATH}{name}?GoogleAccessId=sandbox-bulk%40shopify-sandbox"
            f".iam.gserviceaccount.com&Expires={expires}&Signature={self._sign(name, expires)}"
        )

    def _sign(self, name: str, expires: int) -> str:
        return hmac.new(self.secret, f"{name}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def download(self, name: str, query: dict[str, str]) -> tuple[int, str, Path | None]:
        """(HTTP status, GCS-style error code or "", file) for a result URL."""
        number = name.removesuffix(".jsonl")
        op = self.ops.get(int(number)) if number.isdigit() else None
        if op is None or op.path is None or not (op.has_url or op.has_partial):
            return 404, "NoSuchKey", None
        expires = query.get("Expires", "")
        signature = query.get("Signature", "")
        if not expires.isdigit() or not hmac.compare_digest(
            self._sign(name, int(expires)), signature
        ):
            return 403, "SignatureDoesNotMatch", None
        if self.wall() > int(expires):
            return 400, "ExpiredToken", None
        return 200, "", op.path


def view(ops: BulkOperations, op: BulkOperation) -> dict[str, Any]:
    """A BulkOperation as its GraphQL fields (counts and sizes as UnsignedInt64 strings)."""
    return {
        "__typename": "BulkOperation",
        "id": op.id,
        "type": op.type,
        "status": ops.status(op),
        "errorCode": op.error_code,
        "createdAt": iso(op.created_at),
        "completedAt": iso(op.completed_at) if op.completed_at is not None else None,
        "objectCount": str(op.object_count),
        "rootObjectCount": str(op.root_object_count),
        "fileSize": str(op.file_size) if op.file_size is not None else None,
        "url": ops.url(op),
        "partialDataUrl": ops.url(op, partial=True),
        "query": op.query,
    }


def remove_directory(path: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(path)
