"""Simple productSet calls per second against the sandbox over real HTTP.

Usage: .venv/bin/python bench/bench_sandbox_http.py [--calls N] [--concurrency C] [--in-process]

By default the sandbox runs as `python -m reconciler sandbox serve` in its own process (as users and
the embedded store run it: the client's work does not share its interpreter); `--in-process` runs
it in a thread of this process instead. The bucket is made large enough never to throttle, and no
latency is configured. Prints calls/s for productSet (one product, one variant, upserted by handle
over a rotating set of handles) and for the trivial `{ shop { name } }`, and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import aiohttp

PRODUCT_SET = """
mutation Set($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id handle updatedAt }
    userErrors { field message code }
  }
}
"""
SHOP = "{ shop { name } }"


def product_set_body(i: int) -> bytes:
    handle = f"bench-{i % 500}"
    product = {
        "handle": handle,
        "title": f"Bench {i}",
        "productOptions": [{"name": "Title", "values": [{"name": "Default Title"}]}],
        "variants": [
            {"optionValues": [{"optionName": "Title", "name": "Default Title"}], "price": "9.99"}
        ],
    }
    variables = {"identifier": {"handle": handle}, "input": product}
    return json.dumps({"query": PRODUCT_SET, "variables": variables}).encode()


def shop_body(i: int) -> bytes:
    return json.dumps({"query": SHOP}).encode()


async def run(url: str, make_body, calls: int, concurrency: int) -> float:
    headers = {"Content-Type": "application/json"}
    counter = iter(range(calls))
    failures = []

    async def worker(session: aiohttp.ClientSession) -> None:
        for i in counter:
            async with session.post(url, data=make_body(i), headers=headers) as response:
                body = await response.json()
                data = body.get("data") or {}
                user_errors = (data.get("productSet") or {}).get("userErrors")
                if response.status != 200 or body.get("errors") or user_errors:
                    failures.append(body)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} calls failed, first: {failures[0]}")
    return calls / elapsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def subprocess_sandbox():
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "reconciler",
        "sandbox",
        "serve",
        "--port",
        str(port),
        "--bucket",
        "1000000000",
        "--restore-rate",
        "1000000000",
    ]
    proc = subprocess.Popen(args, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/_sandbox/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def thread_sandbox():
    from reconciler.sandbox.testing import run_sandbox

    with run_sandbox(bucket=1e9, restore_rate=1e9) as handle:
        yield handle.url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()
    start = thread_sandbox if args.in_process else subprocess_sandbox
    with start() as base:
        url = f"{base}/admin/api/2026-10/graphql.json"
        asyncio.run(run(url, product_set_body, 200, args.concurrency))  # warm-up
        shop = asyncio.run(run(url, shop_body, args.calls, args.concurrency))
        product_set = asyncio.run(run(url, product_set_body, args.calls, args.concurrency))
    where = "in-process thread" if args.in_process else "separate process"
    print(f"sandbox ({where}), {args.calls} calls, concurrency {args.concurrency}")
    print(f"shop {{ name }}:      {shop:8.0f} calls/s")
    print(f"productSet (simple): {product_set:8.0f} calls/s")
    print(f"ratio productSet/shop: {product_set / shop:.2f}")


if __name__ == "__main__":
    main()
