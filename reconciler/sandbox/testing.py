"""Run a sandbox in-process, over real HTTP, for tests and the embedded store.

`run_sandbox(**options)` starts the aiohttp app on a free port of 127.0.0.1 in a background thread
with its own event loop, so synchronous and asynchronous callers alike can talk to it over HTTP.
Options are `Config`'s fields (plan, bucket, restore_rate, latency_ms, faults, seed, fault_kinds,
stall_seconds, token, client_id, client_secret, token_ttl, bulk_rate, bulk_upload_limit,
bulk_result_ttl, processing_seconds) plus `state` (a file path) and `port` (default 0: any free
port).
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from .engine import Config, Sandbox
from .server import Running, start

T = TypeVar("T")


@dataclass
class HttpResult:
    """A raw HTTP answer: status, headers, body text (and .json for JSON bodies)."""

    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


def http(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> HttpResult:
    """One plain HTTP request (urllib); HTTP error statuses are returned, not raised."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HttpResult(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as exc:
        return HttpResult(exc.code, dict(exc.headers), exc.read().decode())


class SandboxHandle:
    """A sandbox running in a background thread. Use as a context manager or call stop()."""

    def __init__(
        self,
        running: Running,
        loop: asyncio.AbstractEventLoop,
        thread: threading.Thread,
        config: Config,
    ):
        self._running = running
        self._loop = loop
        self._thread = thread
        self._config = config
        self.url: str = running.url
        self.sandbox: Sandbox = running.sandbox

    def graphql_url(self, version: str = "2026-10") -> str:
        return f"{self.url}/admin/api/{version}/graphql.json"

    def graphql(
        self,
        query: str,
        variables: dict | None = None,
        *,
        version: str = "2026-10",
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> HttpResult:
        """POST a GraphQL request as a Shopify client would (JSON body)."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        return http("POST", self.graphql_url(version), body, all_headers, timeout)

    def control(self, name: str, body: dict | None = None) -> HttpResult:
        """Call a /_sandbox/ endpoint: GET without a body, POST with one."""
        url = f"{self.url}/_sandbox/{name}"
        if body is None and name in ("health", "state"):
            return http("GET", url)
        data = json.dumps(body or {}).encode()
        return http("POST", url, data, {"Content-Type": "application/json"})

    @property
    def state_path(self) -> Path | None:
        return self._running.state.path if self._running.state is not None else None

    def call(self, coro: Awaitable[T], timeout: float = 30.0) -> T:
        """Run a coroutine on the sandbox's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)  # type: ignore[arg-type]

    def run(self, fn: Any, *args: Any) -> Any:
        """Run a plain function on the sandbox's loop (where its state lives); return its result."""

        async def wrapper() -> Any:
            return fn(*args)

        return self.call(wrapper())

    def reset(self) -> None:
        """Empty store, full bucket, the settings it was started with."""

        def do() -> None:
            self.sandbox.reset(replace(self._config))
            if self._running.state is not None:
                self._running.state.touch()

        self.run(do)

    def save(self) -> None:
        """Write the state file now (if any)."""
        if self._running.state is not None:
            self.run(self._running.state.save)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self.call(self._running.stop(), timeout=30.0)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30.0)

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_sandbox(*, state: str | Path | None = None, port: int = 0, **options: Any) -> SandboxHandle:
    config = Config(**options)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sandbox", daemon=True)
    thread.start()
    state_path = Path(state) if state is not None else None
    try:
        future = asyncio.run_coroutine_threadsafe(start(config, port, state_path), loop)
        running = future.result(60.0)
    except BaseException:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10.0)
        loop.close()
        raise
    return SandboxHandle(running, loop, thread, config)
