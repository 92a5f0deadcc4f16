"""The sandbox's HTTP face: an aiohttp app bound to 127.0.0.1 that answers as Shopify's Admin API.

Routes:
  POST /admin/api/{version}/graphql.json   GraphQL (a version Shopify no longer supports, or an
  POST /admin/api/graphql.json             omitted one, is served as the oldest supported version)
  POST /admin/oauth/access_token           client-credentials grant (--client-id/--client-secret)
  /_sandbox/uploads/, /_sandbox/bulk/      staged uploads and bulk results (server_files.py)
  /_sandbox/...                            control endpoints (control.py), never faulted or authed
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from . import control, server_files
from .engine import Config, Reply, Sandbox
from .faults import RETRY_AFTER_SECONDS, TRANSPORT_KINDS, gateway_body, too_many_requests_body
from .persist import StateFile, StateWriteError, load_store

HOST = "127.0.0.1"
SANDBOX = web.AppKey("sandbox", Sandbox)
STATE = web.AppKey("state", object)  # StateFile | None
SHUTDOWN = web.AppKey("shutdown", asyncio.Event)
INVALID_TOKEN = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
log = logging.getLogger("reconciler.sandbox")


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers=headers,
        content_type="application/json",
    )


def to_response(reply: Reply, version: str | None = None) -> web.Response:
    headers = dict(reply.headers)
    if version:
        headers["X-Shopify-API-Version"] = version
    if isinstance(reply.body, str):
        return web.Response(
            status=reply.status, text=reply.body, headers=headers, content_type="text/html"
        )
    return _json(reply.status, reply.body, headers)


async def _read_graphql_body(request: web.Request) -> Any:
    raw = await request.read()
    if request.content_type == "application/graphql":
        return raw.decode("utf-8", "replace")
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


async def graphql_handler(request: web.Request) -> web.StreamResponse:
    sandbox = request.app[SANDBOX]
    version = sandbox.resolve_version(request.match_info.get("version"))
    if version is None:
        return _json(404, {"errors": "Not Found"})
    if not sandbox.authorized(request.headers.get("X-Shopify-Access-Token")):
        return _json(401, INVALID_TOKEN)
    body = await _read_graphql_body(request)
    operation = body.get("operationName") if isinstance(body, dict) else None
    fault = sandbox.faults.pick(operation if isinstance(operation, str) else None)
    if fault in TRANSPORT_KINDS:
        return await _transport_fault(request, fault)
    debug = request.headers.get("Shopify-GraphQL-Cost-Debug") == "1"
    started = time.perf_counter()
    reply = await sandbox.graphql(version, body, debug_cost=debug, fault=fault)
    if log.isEnabledFor(logging.DEBUG):
        _log_request(version, body, reply, time.perf_counter() - started, fault)
    if reply.mutated:
        state = request.app[STATE]
        if state is not None:
            state.touch()
    if fault == "commit_then_504":
        return web.Response(status=504, text=gateway_body(504), content_type="text/html")
    return to_response(reply, version)


def _log_request(version: str, body: Any, reply: Reply, seconds: float, fault: str | None) -> None:
    name = body.get("operationName") if isinstance(body, dict) else None
    cost = reply.body.get("extensions", {}).get("cost", {}) if isinstance(reply.body, dict) else {}
    status = cost.get("throttleStatus", {})
    log.debug(
        "%s %s requested=%s actual=%s available=%s/%s %.1f ms%s",
        version,
        name or "-",
        cost.get("requestedQueryCost"),
        cost.get("actualQueryCost"),
        status.get("currentlyAvailable"),
        status.get("maximumAvailable"),
        seconds * 1000,
        f" fault={fault}" if fault else "",
    )


async def _transport_fault(request: web.Request, kind: str) -> web.StreamResponse:
    if kind == "stall":
        shutdown = request.app[SHUTDOWN]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(shutdown.wait(), request.app[SANDBOX].config.stall_seconds)
        if not shutdown.is_set():
            return web.Response(status=504, text=gateway_body(504), content_type="text/html")
        kind = "drop"
    if kind == "drop":
        _drop(request)
        raise asyncio.CancelledError  # nothing may be written on the closed transport
    if kind == "http_429":
        return _json(429, too_many_requests_body(), {"Retry-After": str(RETRY_AFTER_SECONDS)})
    status = int(kind.removeprefix("http_"))
    return web.Response(status=status, text=gateway_body(status), content_type="text/html")


def _drop(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


async def oauth_handler(request: web.Request) -> web.Response:
    """Client-credentials grant. Errors use OAuth 2.0's shape (RFC 6749 §5.2), HTTP 400."""
    sandbox = request.app[SANDBOX]
    if request.content_type == "application/json":
        try:
            params = dict(await request.json())
        except ValueError:
            params = {}
    else:
        params = dict(await request.post())
    if params.get("grant_type") != "client_credentials":
        return _json(
            400,
            {
                "error": "unsupported_grant_type",
                "error_description": "The authorization grant type is not supported "
                "by the authorization server.",
            },
        )
    minted = sandbox.mint_token(
        str(params.get("client_id", "")), str(params.get("client_secret", ""))
    )
    if minted is None:
        return _json(
            400,
            {
                "error": "invalid_client",
                "error_description": "Client authentication failed due to unknown "
                "client, no client authentication included, or unsupported "
                "authentication method.",
            },
        )
    return _json(200, minted)


def create_app(sandbox: Sandbox, state: StateFile | None = None) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[SANDBOX] = sandbox
    app[STATE] = state
    app[SHUTDOWN] = asyncio.Event()
    app.router.add_post("/admin/api/{version}/graphql.json", graphql_handler)
    app.router.add_post("/admin/api/graphql.json", graphql_handler)
    app.router.add_post("/admin/oauth/access_token", oauth_handler)
    control.add_routes(app, sandbox, state)
    server_files.add_routes(app, sandbox, _transport_fault)
    if state is not None:
        sandbox.bulk.on_write = sandbox.on_write = state.touch
    app.on_shutdown.append(_on_shutdown)
    return app


async def _on_shutdown(app: web.Application) -> None:
    app[SHUTDOWN].set()  # wakes stalled requests so shutdown does not wait for them


@dataclass
class Running:
    """A started server: its runner, URL and sandbox."""

    runner: web.AppRunner
    url: str
    sandbox: Sandbox
    state: StateFile | None

    async def stop(self) -> None:
        await self.runner.cleanup()
        self.sandbox.close()
        if self.state is not None:
            self.state.close()


def build_sandbox(config: Config, state_path: Path | None) -> tuple[Sandbox, StateFile | None]:
    store = load_store(state_path) if state_path is not None else None
    sandbox = Sandbox(config, store=store)
    return sandbox, (StateFile(state_path, sandbox) if state_path is not None else None)


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: a free one); OSError if the port is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


async def start(
    config: Config, port: int = 0, state_path: Path | None = None, sock: socket.socket | None = None
) -> Running:
    sandbox, state = build_sandbox(config, state_path)
    if state is not None and not state.path.exists():
        try:
            state.save()  # the file exists from the start: a crash before any write leaves one
        except OSError as exc:
            raise StateWriteError(
                f"cannot write the sandbox state file {state.path}: {exc.strerror or exc}"
            ) from exc
    sock = sock or bind(port)
    runner = web.AppRunner(
        create_app(sandbox, state), access_log=None, shutdown_timeout=5.0, handle_signals=False
    )
    await runner.setup()
    await web.SockSite(runner, sock).start()
    url = f"http://{HOST}:{sock.getsockname()[1]}"
    sandbox.set_base_url(url)
    return Running(runner, url, sandbox, state)


def serve_forever(
    config: Config, port: int, state_path: Path | None, announce: Callable[[str], None]
) -> None:
    """Run in the foreground until SIGINT/SIGTERM; announce(url) once listening."""
    sock = bind(port)  # fail fast, before the loop, if the port is taken

    async def main() -> None:
        running = await start(config, state_path=state_path, sock=sock)
        announce(running.url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for name in ("SIGINT", "SIGTERM"):
            with contextlib.suppress(NotImplementedError, AttributeError):  # e.g. Windows
                loop.add_signal_handler(getattr(signal, name), stop.set)
        try:
            await stop.wait()
        finally:
            await running.stop()

    try:
        asyncio.run(main())
    finally:
        sock.close()  # already closed after a clean stop; not when the start failed (bad state)
