"""Sync apply at Shopify's speed limit (not a test; issue 10, "Speed").

N generated products (default 800; 3 variants and 3 metafields each) applied by
`catalog apply --auto-approve --mode sync` to an empty store: a sandbox in its own process at
250 ms latency, a 1,000-point bucket and 500 points/s (`catalog sandbox serve --latency-ms 250
--bucket 1000 --restore-rate 500`). From the apply's `--report` (the client's own counters, every
request of the run: lease, reads, writes):

- points spent from its first request to its last answer, against what the bucket allows in that
  window (bucket + restore rate x window): target >= 0.90;
- the share of replies THROTTLED: target <= 1%;
- products/s.

Against it, in this process, "the usual hand-written integration": one request at a time at a
fixed 2 requests/s, sending the same calls (the plan's, placeholders filled by apply/sync.py) for
the first B products (default 40) with our client, on an empty store too. Printed: its products/s
and the ratio.

    .venv/bin/python bench/bench_apply_sync.py [N] [B]     # default: 800 40
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_read import start_sandbox

from reconciler.apply.sync import run_changes
from reconciler.plan.model import Plan
from reconciler.planning import PlanOptions, make_plan
from reconciler.sandbox.testing import http
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.store import ClientConfig, Credentials, parse_store

LATENCY_MS, BUCKET, RESTORE_RATE = 250, 1000, 500
BASELINE_RATE = 2.0  # requests per second, one at a time
SIZES = ("S", "M", "L")


def product_yaml(i: int) -> str:
    variants = "\n".join(
        f'  - {{options: {{Size: {s}}}, price: "{19 + n}.99", sku: B-{i}-{s}}}'
        for n, s in enumerate(SIZES)
    )
    return f"""handle: product-{i}
title: Product {i}
vendor: Acme
product_type: Shirts
tags: [bench, batch-{i % 10}]
description_html: <p>Product number {i}.</p>
options:
  - name: Size
    values: [{", ".join(SIZES)}]
variants:
{variants}
metafields:
  - {{namespace: custom, key: material, type: single_line_text_field, value: cotton {i}}}
  - {{namespace: custom, key: weight_g, type: number_integer, value: "{100 + i}"}}
  - {{namespace: custom, key: care, type: single_line_text_field, value: wash cold}}
"""


def write_catalog(root: Path, n: int, name: str) -> Path:
    (root / "products").mkdir(parents=True)
    (root / "catalog.yaml").write_text(f'name: {name}\napi_version: "2026-10"\n')
    for start in range(0, n, 100):
        docs = [product_yaml(i) for i in range(start, min(n, start + 100))]
        (root / "products" / f"batch-{start // 100}.yaml").write_text("---\n".join(docs))
    return root


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "CI"))}


class FixedRate:
    """The hand-written integration: one request at a time, at most `rate` requests per second."""

    def __init__(self, client: ShopifyClient, rate: float):
        self.client, self.gap, self.next = client, 1.0 / rate, 0.0

    async def execute(self, name: str, variables: dict | None = None, **kw: object) -> dict:
        wait = self.next - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self.next = time.monotonic() + self.gap
        return await self.client.execute(name, variables, **kw)


async def baseline(url: str, plan: Plan) -> tuple[int, float, int]:
    """(products, seconds from first request to last answer, requests) of the fixed-rate loop."""
    config = ClientConfig(
        store=parse_store(url), credentials=Credentials(access_token=None), timeout=60
    )
    async with ShopifyClient(config) as client:
        outcomes = await run_changes(FixedRate(client, BASELINE_RATE), plan.changes, concurrency=1)
        stats = client.stats
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok][:3]
    return len(outcomes), stats.window_s, stats.requests


def apply(url: str, catalog: Path, report: Path) -> dict:
    command = [sys.executable, "-m", "reconciler", "apply", "--catalog", str(catalog), "--store",
               url, "--auto-approve", "--mode", "sync", "--report", str(report)]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, env=env(), stdout=subprocess.DEVNULL, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"catalog apply failed (exit {done.returncode})")
    data = json.loads(report.read_text())
    data["wall_s"] = time.perf_counter() - started
    return data


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 800
    b = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    proc, url = start_sandbox(
        "--latency-ms",
        str(LATENCY_MS),
        "--bucket",
        str(BUCKET),
        "--restore-rate",
        str(RESTORE_RATE),
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            small = write_catalog(Path(tmp) / "small", b, "bench")
            plan = make_plan(PlanOptions(small, url), env()).plan
            done, seconds, requests = asyncio.run(baseline(url, plan))
            base_rate = done / seconds
            print(
                f"baseline: {done} products in {seconds:.1f} s ({requests} requests, one at a "
                f"time at {BASELINE_RATE:g}/s): {base_rate:.2f} products/s"
            )
            assert http("POST", f"{url}/_sandbox/reset", b"{}").status == 200
            catalog = write_catalog(Path(tmp) / "big", n, "bench")
            data = apply(url, catalog, Path(tmp) / "report.json")
        report(data, n, base_rate)
    finally:
        proc.terminate()
        proc.wait(30)


def report(data: dict, n: int, base_rate: float) -> None:
    session = data["session"]
    window = session["window_s"]
    allowed = BUCKET + RESTORE_RATE * window
    share = session["throttled"] / session["requests"] if session["requests"] else 0.0
    rate = data["summary"]["created"] / window
    print(
        f"catalog apply: {data['summary']['created']}/{n} created; {session['requests']} "
        f"requests in {window:.1f} s from the first to the last (process {data['wall_s']:.1f} s;"
        f" writes {data['duration_s']:.1f} s at {data['products_per_s']:.1f} products/s)"
    )
    print(
        f"  points spent {session['points_spent']:.0f} of {allowed:.0f} allowed "
        f"({BUCKET} + {RESTORE_RATE} x {window:.1f} s): {session['points_spent'] / allowed:.2f}"
        f" (target >= 0.90); requested {session['points_requested']:.0f}"
    )
    print(
        f"  THROTTLED {session['throttled']} of {session['requests']} replies: {share:.2%} "
        f"(target <= 1%); throttle waits {data['throttle_waits']} "
        f"({data['throttle_wait_s']:.0f} s summed); retries {data['retries']}; "
        f"response mean {data['response_mean_s']:.3f} s, p95 {data['response_p95_s']:.3f} s"
    )
    print(f"  {rate:.2f} products/s vs baseline {base_rate:.2f}: {rate / base_rate:.1f}x")


if __name__ == "__main__":
    main()
