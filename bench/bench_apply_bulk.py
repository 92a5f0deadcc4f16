"""`catalog apply` in bulk mode at scale, and where bulk beats sync (not a test).

    .venv/bin/python bench/bench_apply_bulk.py                  # 50,000 end to end + the tiers
    .venv/bin/python bench/bench_apply_bulk.py --big 0          # the tiers only (~10 min)
    .venv/bin/python bench/bench_apply_bulk.py --big 5000 --tiers standard

1. End to end: N generated products (3 variants and a metafield each, as bench_plan.py writes
   them) applied to an empty sandbox with `catalog apply --mode bulk --auto-approve`, run as its
   own process; the sandbox runs in this process at the stated `--bulk-rate` (lines a second per
   operation) and Plus's bucket. Prints the wall time, then checks that `catalog plan
   --detailed-exitcode` exits 0 (nothing left to do).
2. For each plan tier (the sandbox's bucket and restore rate), the catalog size above which the
   plan's estimate says bulk is faster than sync (`CATALOG_BULK_RATE` set to the sandbox's rate).
   The sandbox's bulk start-up (one phase of one line, timed) is measured first and given to the
   estimate with CATALOG_BULK_START. Then, measured: catalogs of half and twice that size applied
   both ways on fresh sandboxes
   (`--latency-ms`, default 250, the round trip the estimate assumes), and the mode `--mode auto`
   picks (the plan's estimate) compared with the mode that was faster. Baseline and figure come
   from the same process, on the same machine, minutes apart.

Target (issue 10): auto picks the faster mode on both sides of each tier's line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_plan import CATALOG, data, model, write_catalog

from reconciler.apply import bulk
from reconciler.plan.estimate import BULK_PHASE_SECONDS, calls_cost, estimate
from reconciler.plan.model import Change
from reconciler.sandbox.testing import run_sandbox
from reconciler.shopify import documents
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.input import mutation_calls
from reconciler.shopify.store import ClientConfig, parse_store

TIERS = {  # the sandbox's --plan: (bucket, restore rate), as Shopify sets them
    "standard": (2000.0, 100.0),
    "advanced": (4000.0, 200.0),
    "plus": (20000.0, 1000.0),
    "enterprise": (40000.0, 2000.0),
}


def catalog(root: Path, n: int) -> Path:
    write_catalog(root, n, set())
    return root


def phase_start(url: str) -> float:
    """The seconds one bulk phase takes besides its lines on this sandbox: a one-line operation
    staged, uploaded, started, kept on the shop, polled to the end and forgotten (the median of
    five). The estimate is told it with CATALOG_BULK_START, as a user would tell it their
    store's."""

    async def once() -> float:
        async with ShopifyClient(ClientConfig(store=parse_store(url))) as client:
            line = json.dumps({"metafields": []})
            started = time.perf_counter()
            await bulk._run_file(client, documents.load("MetafieldsSetBulk").query, [line])
            return time.perf_counter() - started

    return statistics.median(asyncio.run(once()) for _ in range(5))


def apply(root: Path, url: str, mode: str, bulk_rate: int, start: float) -> tuple[float, str]:
    """Wall seconds of `catalog apply`, and its summary line."""
    env = {**os.environ, "CATALOG_BULK_RATE": str(bulk_rate), "CATALOG_BULK_START": f"{start:.3f}"}
    command = [
        sys.executable, "-m", "reconciler", "apply", "--auto-approve", "--mode", mode,
        "--catalog", str(root), "--store", url,
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    summary = next((x for x in done.stdout.splitlines() if x.startswith("Apply ")), "")
    if done.returncode != 0 or not summary.startswith("Apply complete"):
        raise SystemExit(f"apply --mode {mode} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds, summary


def plan_is_empty(root: Path, url: str) -> tuple[bool, float]:
    command = [
        sys.executable, "-m", "reconciler", "plan", "--detailed-exitcode",
        "--catalog", str(root), "--store", url,
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return done.returncode == 0, time.perf_counter() - started


def auto_mode(n: int, tier: str, bulk_rate: int, start: float) -> tuple[str, float, float]:
    """What the plan's estimate says for n of these products on an empty store of `tier`:
    (mode, sync seconds, bulk seconds). The changes are the plan's own calls."""
    bucket, rate = TIERS[tier]
    calls = mutation_calls(model(data(0)), None, None, catalog=CATALOG)
    change = Change(handle="p", action="create", reason="", mutation={"calls": calls},
                    cost=calls_cost(calls))  # fmt: skip
    e = estimate(
        [change] * n, restore_rate=rate, bucket=bucket, bulk_rate=bulk_rate, bulk_start=start
    )
    return e.mode, e.seconds, e.bulk_seconds


def line(tier: str, bulk_rate: int, start: float) -> int:
    """The smallest catalog size the estimate sends to bulk (binary search; it only grows)."""
    low, high = 1, 1
    while auto_mode(high, tier, bulk_rate, start)[0] == "sync":
        low, high = high, high * 2
        if high > 1_000_000:
            return 0  # bulk never wins
    while low < high:
        middle = (low + high) // 2
        if auto_mode(middle, tier, bulk_rate, start)[0] == "bulk":
            high = middle
        else:
            low = middle + 1
    return high


def end_to_end(n: int, bulk_rate: int, latency: float, tmp: Path) -> None:
    root = catalog(tmp / f"big-{n}", n)
    sandbox = run_sandbox(plan="plus", bulk_rate=bulk_rate, latency_ms=latency)
    try:
        seconds, summary = apply(root, sandbox.url, "bulk", bulk_rate, BULK_PHASE_SECONDS)
        empty, plan_seconds = plan_is_empty(root, sandbox.url)
    finally:
        sandbox.stop()
    print(f"bulk apply, {n:,} products, Plus bucket, --bulk-rate {bulk_rate}, {latency:g} ms:")
    print(f"  {seconds:.1f} s wall ({n / seconds:,.0f} products/s); {summary}")
    print(f"  next plan empty: {empty} ({plan_seconds:.1f} s)")


def tier(name: str, bulk_rate: int, latency: float, tmp: Path) -> bool:
    sandbox = run_sandbox(plan=name, bulk_rate=bulk_rate, latency_ms=latency)
    try:
        start = phase_start(sandbox.url)
    finally:
        sandbox.stop()
    n_star = line(name, bulk_rate, start)
    if not n_star:
        print(f"{name}: the estimate never prefers bulk at {bulk_rate} lines/s")
        return True
    print(f"{name}: a bulk phase starts in {start:.1f} s; bulk estimated faster from {n_star} up")
    ok = True
    for n in (max(2, n_star // 2), n_star * 2):
        root = catalog(tmp / f"{name}-{n}", n)
        measured = {}
        for mode in ("sync", "bulk"):
            sandbox = run_sandbox(plan=name, bulk_rate=bulk_rate, latency_ms=latency)
            try:
                measured[mode] = apply(root, sandbox.url, mode, bulk_rate, start)[0]
            finally:
                sandbox.stop()
        picked, sync_estimate, bulk_estimate = auto_mode(n, name, bulk_rate, start)
        faster = min(measured, key=measured.get)
        ok &= picked == faster
        print(
            f"  {n:>6} products: sync {measured['sync']:6.1f} s (est. {sync_estimate:6.1f}), "
            f"bulk {measured['bulk']:6.1f} s (est. {bulk_estimate:6.1f}); auto picks {picked}, "
            f"faster was {faster}: ratio bulk/sync {measured['bulk'] / measured['sync']:.2f}"
            f" {'OK' if picked == faster else 'WRONG'}"
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=50_000, help="end-to-end size (0: skip)")
    parser.add_argument("--bulk-rate", type=int, default=1000, help="sandbox lines/s per op")
    parser.add_argument("--latency-ms", type=float, default=250.0)
    parser.add_argument("--tiers", nargs="*", default=list(TIERS), choices=list(TIERS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-apply-bulk-") as tmp:
        if args.big:
            end_to_end(args.big, args.bulk_rate, args.latency_ms, Path(tmp))
        results = [tier(t, args.bulk_rate, args.latency_ms, Path(tmp)) for t in args.tiers]
    print(json.dumps({"auto_picks_the_faster_mode": all(results)}))


if __name__ == "__main__":
    main()
