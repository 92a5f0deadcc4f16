"""The sandbox's state file: loaded at start, saved atomically after writes and at shutdown.

A save writes a temporary file in the same directory, fsyncs it, renames it over the state file
(`os.replace`, atomic on POSIX and Windows) and fsyncs the directory, so a crash at any moment
leaves either the old complete state or the new one, never a torn file. Saves after mutations are
debounced, and spaced so that saving never takes more than about a tenth of the server's time even
when the store is large.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

from .media import settle
from .state import Store

MIN_INTERVAL = 0.25  # seconds between a write and its save, at least
DUTY = 10  # wait at least DUTY x (duration of the last save) between saves


def write_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
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


def load_store(path: Path) -> Store | None:
    """The store saved at path, or None when there is no file yet. A bad file is an error (we never
    overwrite state we could not read)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read sandbox state {path}: {exc}") from exc
    store = Store.load(data)
    settle(store)  # files saved mid-processing finish now (the timeline is not saved)
    return store


def dump_bytes(store: Store) -> bytes:
    return json.dumps(store.dump(), separators=(",", ":"), ensure_ascii=False).encode()


class StateFile:
    """Debounced saving of one sandbox's store; all methods run on the server's event loop."""

    def __init__(self, path: Path, sandbox: Any):
        self.path = Path(path)
        self.sandbox = sandbox
        self._handle: asyncio.TimerHandle | None = None
        self._last_duration = 0.0
        self.saves = 0

    def touch(self) -> None:
        if self._handle is None:
            delay = max(MIN_INTERVAL, DUTY * self._last_duration)
            self._handle = asyncio.get_running_loop().call_later(delay, self._save_scheduled)

    def _save_scheduled(self) -> None:
        self._handle = None
        self.save()

    def save(self) -> None:
        started = time.perf_counter()
        write_atomic(self.path, dump_bytes(self.sandbox.store))
        self._last_duration = time.perf_counter() - started
        self.saves += 1

    def close(self) -> None:
        """Final save (shutdown): cancel any pending one and write now."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.save()
