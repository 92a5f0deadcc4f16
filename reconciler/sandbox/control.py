"""Control endpoints under /_sandbox/: reset, inspect, seed and reconfigure a running sandbox.

They are for tests and demos on this machine: not authenticated, never faulted, never charged.

  GET  /_sandbox/health    {"status": "ok", "versions": [...]}
  POST /_sandbox/reset     empty store, full bucket, minted tokens forgotten, start-up settings back
  GET  /_sandbox/state     the store's dump (the same JSON as the --state file)
  POST /_sandbox/seed      {"products": [ProductSetInput, ...]}: each through the real productSet
  POST /_sandbox/plan      {"plan": "plus"} or {"bucket": B, "restore_rate": R}
  POST /_sandbox/shop      {"currency_code": "JPY"}: the store's currency (until the next reset)
  POST /_sandbox/latency   {"latency_ms": N}
  POST /_sandbox/faults    {"rate": R, "seed": S, "kinds": [...], "stall_seconds": T,
                            "operations": [operationName, ...]}
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import web
from graphql import parse

from .resolvers import execute
from .schema import SUPPORTED_VERSIONS

SEED_MUTATION = """
mutation Seed($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id handle }
    userErrors { field message code }
  }
}
"""
SEED_DOCUMENT = parse(SEED_MUTATION)
Handler = Callable[[web.Request], Awaitable[web.Response]]


def _json(status: int, body: Any) -> web.Response:
    return web.json_response(body, status=status)


async def _body(request: web.Request) -> dict:
    raw = await request.read()
    if not raw:
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def add_routes(app: web.Application, sandbox: Any, state: Any) -> None:
    start_config = sandbox.config

    def persist() -> None:
        if state is not None:
            state.touch()

    async def health(request: web.Request) -> web.Response:
        return _json(200, {"status": "ok", "versions": list(SUPPORTED_VERSIONS)})

    async def reset(request: web.Request) -> web.Response:
        sandbox.reset(replace(start_config))
        persist()
        return _json(200, {"status": "reset"})

    async def dump(request: web.Request) -> web.Response:
        return _json(200, sandbox.store.dump())

    async def seed(request: web.Request) -> web.Response:
        products = (await _body(request)).get("products")
        if not isinstance(products, list):
            return _json(400, {"error": 'expected {"products": [ProductSetInput, ...]}'})
        version = max(SUPPORTED_VERSIONS)
        results = [seed_product(sandbox, version, p) for p in products]
        sandbox.after_request()  # media the products brought start processing
        persist()
        failed = [r for r in results if r.get("userErrors") or r.get("errors")]
        return _json(422 if failed else 200, {"products": results})

    async def plan(request: web.Request) -> web.Response:
        body = await _body(request)
        sandbox.set_plan(body.get("plan"), body.get("bucket"), body.get("restore_rate"))
        persist()
        return _json(200, {"plan": sandbox.config.plan, "throttleStatus": sandbox.bucket.status()})

    async def shop(request: web.Request) -> web.Response:
        code = (await _body(request)).get("currency_code")
        if not isinstance(code, str) or len(code) != 3 or not code.isalpha():
            return _json(400, {"error": 'expected {"currency_code": "USD"} (ISO 4217)'})
        sandbox.store.shop.currency_code = code.upper()
        persist()
        return _json(200, {"currency_code": sandbox.store.shop.currency_code})

    async def latency(request: web.Request) -> web.Response:
        sandbox.set_latency(float((await _body(request)).get("latency_ms", 0)))
        return _json(200, {"latency_ms": sandbox.config.latency_ms})

    async def faults(request: web.Request) -> web.Response:
        body = await _body(request)
        kinds = body.get("kinds")
        sandbox.set_faults(
            float(body.get("rate", 0)),
            body.get("seed"),
            tuple(kinds) if kinds else None,
            body.get("stall_seconds"),
            tuple(body.get("operations") or ()),
        )
        c = sandbox.config
        return _json(
            200,
            {
                "rate": c.faults,
                "seed": c.seed,
                "kinds": list(c.fault_kinds),
                "stall_seconds": c.stall_seconds,
                "operations": list(sandbox.faults.operations),
            },
        )

    app.router.add_get("/_sandbox/health", health)
    app.router.add_get("/_sandbox/state", dump)
    for name, handler in (
        ("reset", reset),
        ("seed", seed),
        ("plan", plan),
        ("shop", shop),
        ("latency", latency),
        ("faults", faults),
    ):
        app.router.add_post(f"/_sandbox/{name}", _bad_input_is_400(handler))


def _bad_input_is_400(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except (ValueError, TypeError, KeyError) as exc:
            return _json(400, {"error": str(exc)})

    return wrapped


def seed_product(sandbox: Any, version: str, product_input: dict) -> dict:
    """One product through the store's own productSet (upsert by handle when one is given)."""
    handle = product_input.get("handle")
    variables = {"identifier": {"handle": handle} if handle else None, "input": product_input}
    result = execute(
        sandbox.store, sandbox.schema(version), SEED_DOCUMENT, variables, "Seed", version
    )
    if result.errors:
        return {"handle": handle, "errors": [e.message for e in result.errors]}
    payload = (result.data or {}).get("productSet") or {}
    product = payload.get("product") or {}
    out = {"id": product.get("id"), "handle": product.get("handle", handle)}
    if payload.get("userErrors"):
        out["userErrors"] = payload["userErrors"]
    return out
