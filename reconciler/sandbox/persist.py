"""The sandbox's state file: loaded at start, saved atomically after writes and at shutdown.

A save writes a temporary file in the same directory, fsyncs it, renames it over the state file
(`os.replace`, atomic on POSIX and Windows) and fsyncs the directory, so a crash at any moment
leaves either the old complete state or the new one, never a torn file. Saves after mutations are
debounced, and spaced so that saving never takes more than about a tenth of the server's time even
when the store is large.

A scheduled save takes the store's JSON-safe snapshot on the event loop (the only place the store
may be read) in chunks of products, yielding to the loop between chunks; every write to the store
touches the state file, so a snapshot during which nothing was written is consistent, and one that
saw a write is taken again (at the second miss, in one go). It is then encoded and written in a
worker thread, one product at a time so that the loop keeps serving requests meanwhile; saves are
numbered from the start of their snapshot, and a save never replaces the file with an older
snapshot than the last one written, whichever finishes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .media import settle
from .state import Store

MIN_INTERVAL = 0.25  # seconds between a write and its save, at least
DUTY = 10  # wait at least DUTY x (duration of the last save) between saves
CHUNK = 500  # products per snapshot step


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows: directories cannot be opened; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class StateFileError(ValueError):
    """The state file exists but is not one this sandbox wrote: unreadable, not JSON, or JSON of
    another shape. `reason` says which, in a few words."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path} is not a sandbox state file ({reason})")


class StateWriteError(ValueError):
    """The state file cannot be written (the directory is read-only, the disk is full...)."""


def load_store(path: Path) -> Store | None:
    """The store saved at path, or None when there is no file yet. A bad file is a StateFileError
    (we never overwrite state we could not read)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StateFileError(path, f"cannot read it: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise StateFileError(path, f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise StateFileError(path, f"a JSON {type(data).__name__}, not an object")
    try:
        store = Store.load(data)
        settle(store)  # files saved mid-processing finish now (the timeline is not saved)
    except KeyError as exc:
        raise StateFileError(path, f"no {exc} entry") from exc
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        raise StateFileError(path, f"unexpected content: {exc}") from exc
    return store


def dump_bytes(store: Store) -> bytes:
    return encode(store.dump())


_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class Encoded(str):
    """An item of a snapshot list that is already JSON text."""


def encode(snapshot: dict[str, Any]) -> bytes:
    return b"".join(encode_chunks(snapshot))


def encode_chunks(snapshot: dict[str, Any]) -> Iterator[bytes]:
    """The snapshot as compact JSON, in pieces of one list item each (a worker thread writing
    them gives the event loop the interpreter between pieces, and no huge string is built)."""
    for n, (key, value) in enumerate(snapshot.items()):
        yield f"{'{' if n == 0 else ','}{_dumps(key)}:".encode()
        if not isinstance(value, list):
            yield _dumps(value).encode()
            continue
        for i, item in enumerate(value):
            text = item if type(item) is Encoded else _dumps(item)
            yield (("[" if i == 0 else ",") + text).encode()
        yield b"]" if value else b"[]"
    yield b"}" if snapshot else b"{}"


class StateFile:
    """Debounced saving of one sandbox's store; all methods run on the server's event loop."""

    def __init__(self, path: Path, sandbox: Any):
        self.path = Path(path)
        self.sandbox = sandbox
        self._handle: asyncio.TimerHandle | None = None
        self._last_duration = 0.0
        self.saves = 0
        self._numbers = itertools.count(1)
        self._written = 0  # number of the newest snapshot on disk
        self._lock = threading.Lock()
        self._pending: asyncio.Task | None = None  # a scheduled save in progress
        self.touches = 0  # writes seen (a snapshot spanning one is retaken)

    def touch(self) -> None:
        self.touches += 1
        if self._handle is None:
            delay = max(MIN_INTERVAL, DUTY * self._last_duration)
            self._handle = asyncio.get_running_loop().call_later(delay, self._save_scheduled)

    def _save_scheduled(self) -> None:
        self._handle = None
        if self._pending is not None and not self._pending.done():
            self.touch()  # one save at a time; this one comes after
            return
        self._pending = asyncio.get_running_loop().create_task(self._save_async())

    async def _save_async(self) -> None:
        started = time.perf_counter()
        for _ in range(2):
            mark, number = self.touches, next(self._numbers)
            snapshot = await self._snapshot()
            if self.touches == mark:
                break
        else:  # writes kept coming: take it in one go
            number, snapshot = next(self._numbers), self.sandbox.store.dump()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._write, number, snapshot, started)

    async def _snapshot(self) -> dict[str, Any]:
        store = self.sandbox.store
        products = list(store.products.values())
        # Encoded at once: a copy of the store as dicts would double the heap and set off full
        # garbage collections that stop the loop for seconds.
        dumped: list[Any] = []
        for start in range(0, len(products), CHUNK):
            dumped.extend(
                Encoded(_dumps(store.dump_product(p))) for p in products[start : start + CHUNK]
            )
            await asyncio.sleep(0)
        return store.dump(products=dumped)

    def _write(self, number: int, snapshot: dict[str, Any], started: float) -> None:
        with self._lock:
            if number > self._written:
                write_atomic(self.path, encode_chunks(snapshot))
                self._written = number
        self._last_duration = time.perf_counter() - started
        self.saves += 1

    def save(self) -> None:
        """Save now, on the calling thread."""
        self._write(next(self._numbers), self.sandbox.store.dump(), time.perf_counter())

    def close(self) -> None:
        """Final save (shutdown): cancel any pending one and write now."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.save()
