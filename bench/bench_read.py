"""Reading the live store (fetch) against the sandbox (not a test).

A sandbox runs in its own process (`catalog sandbox serve --bulk-rate 0`: bulk exports as fast
as it can go); it is seeded over /_sandbox/seed with N products (5 variants, 3 metafields, tags,
this catalog's marker; not timed). Then, in this process:

1. full read: `read_live(mode="full")` of all N handles (as a plan of the whole catalog);
   wall time, the bulk export's own time measured apart (the sandbox writing the file), peak RSS;
2. targeted read of 50 handles, `removals=False` (`plan --target`): wall time, requests;
3. targeted read of 50 handles with removals (marker sweep + the 50): wall time.
2 and 3 run on the standard plan (100 points/s: the actual cost of the 50 products, about 56
points each, is most of the time) and on Plus (1000 points/s), each from a full bucket.

    .venv/bin/python bench/bench_read.py [N ...]        # default: 10000 100000

Each size runs in a fresh process so that peak RSS belongs to that size.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from reconciler.model import Marker, Product
from reconciler.sandbox.testing import http
from reconciler.shopify import bulk_read
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.live import bulk_products_query, read_live
from reconciler.shopify.store import ClientConfig, Credentials, parse_store

CATALOG = "bench"
SIZES = ("XS", "S", "M", "L", "XL")


def product_input(i: int, marked: bool) -> dict:
    handle = f"product-{i}"
    marker = Marker.for_product(Product(handle=handle, title=f"Product {i}"), CATALOG).to_json()
    extra = (
        [{"namespace": "catalog_reconciler", "key": "marker", "type": "json", "value": marker}]
        if marked
        else []
    )
    return {
        "handle": handle,
        "title": f"Product {i}",
        "vendor": "Acme",
        "productType": "Shirts",
        "tags": ["bench", f"group-{i % 10}"],
        "descriptionHtml": f"<p>Product {i}, a soft cotton shirt.</p>",
        "productOptions": [{"name": "Size", "values": [{"name": s} for s in SIZES]}],
        "variants": [
            {"optionValues": [{"optionName": "Size", "name": s}], "price": "19.99",
             "sku": f"S-{i}-{s}"}
            for s in SIZES
        ],
        "metafields": [
            {"namespace": "custom", "key": "material", "type": "single_line_text_field",
             "value": "cotton"},
            {"namespace": "custom", "key": "weight_g", "type": "number_integer", "value": "180"},
            *extra,
        ],
    }  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def start_sandbox(*options: str) -> tuple[subprocess.Popen, str]:
    """`catalog sandbox serve OPTIONS` as its own process, once it answers; (process, URL)."""
    port = free_port()
    command = [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", str(port),
               *options]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if http("GET", f"{url}/_sandbox/health", timeout=1).status == 200:
                return proc, url
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("the sandbox did not start")


def fifty(n: int) -> list[int]:
    return list(range(0, n, max(1, n // 50)))[:50]


def seed(url: str, n: int, batch: int = 1000) -> None:
    """N products; the 50 a targeted plan asks for carry this catalog's marker."""
    marked = set(fifty(n))
    for start in range(0, n, batch):
        numbers = range(start, min(n, start + batch))
        body = {"products": [product_input(i, i in marked) for i in numbers]}
        answer = http(
            "POST", f"{url}/_sandbox/seed", json.dumps(body).encode(),
            {"Content-Type": "application/json"}, 600,
        )  # fmt: skip
        assert answer.status == 200, answer.text[:300]


async def measure(url: str, n: int) -> None:
    config = ClientConfig(
        store=parse_store(url), credentials=Credentials(access_token=None), timeout=120
    )
    handles = [f"product-{i}" for i in range(n)]
    asked = [handles[i] for i in fifty(n)]
    async with ShopifyClient(config) as client:
        text, _, _ = bulk_products_query(["gid://shopify/Publication/1"], [])
        started = time.perf_counter()
        op = await bulk_read.run_query(client, text)
        export = time.perf_counter() - started
        print(f"  bulk export alone (sandbox writes {op.object_count} lines): {export:.1f} s")

        full = await read_live(client, catalog_name=CATALOG, handles=handles, mode="full")
        assert full.complete and len(full.products) == n, full.incomplete_reason
        print(
            f"  full read of {n} products: {full.seconds:.1f} s wall "
            f"({n / full.seconds:.0f} products/s), {full.requests} requests, "
            f"peak RSS {peak_rss() / 2**20:.0f} MiB"
        )
        del full

        for plan in ("standard", "plus"):
            http("POST", f"{url}/_sandbox/plan", json.dumps({"plan": plan}).encode(),
                 {"Content-Type": "application/json"})  # fmt: skip
            await asyncio.sleep(25 if plan == "standard" else 3)  # the bucket refills
            target = await read_live(
                client, catalog_name=CATALOG, handles=asked, mode="auto", removals=False
            )
            assert target.mode == "targeted" and len(target.products) == 50
            how = "a filtered bulk export" if target.bulk_operations else "pages, no bulk export"
            print(
                f"  [{plan} plan] targeted read of 50 handles (--target, no removals): "
                f"{target.seconds:.2f} s, {target.requests} requests, by {how}"
            )
            await asyncio.sleep(25 if plan == "standard" else 3)
            swept = await read_live(client, catalog_name=CATALOG, handles=asked)
            assert swept.complete and swept.mode == "targeted", swept.incomplete_reason
            print(
                f"  [{plan} plan] targeted read of 50 handles with removals (marker sweep of "
                f"{n}): {swept.seconds:.1f} s, {swept.requests} requests"
            )


def one(n: int) -> None:
    proc, url = start_sandbox("--bulk-rate", "0", "--plan", "standard")
    try:
        started = time.perf_counter()
        seed(url, n)
        print(f"{n} products seeded in {time.perf_counter() - started:.0f} s (not timed below)")
        asyncio.run(measure(url, n))
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--one":
        one(int(args[1]))
        return
    for n in [int(a) for a in args] or [10_000, 100_000]:
        subprocess.run([sys.executable, __file__, "--one", str(n)], check=True)


if __name__ == "__main__":
    main()
