"""`catalog plan` end to end at scale, against the sandbox over HTTP (not a test).

    .venv/bin/python bench/bench_plan.py            # 10,000 (1% changed), 100,000, targeted 50
    .venv/bin/python bench/bench_plan.py --quick    # 2,000 and 20,000: a couple of minutes

The sandbox runs in this process (a thread, `run_sandbox`, bulk exports unthrottled:
`bulk_rate=0`, so no time is "told" to the export and none is subtracted). Its store is seeded
through the control endpoint (`POST /_sandbox/seed`, each product through the store's own
productSet) with exactly the create calls plan itself would make (`mutation_calls`, marker
included), so an unchanged product is a no-op. Then the catalog's YAML is written with a fraction
of the prices changed, and the real command runs as its own process:

    python -m reconciler -v --log-format json plan --catalog DIR --store URL --out plan.json

timed from start to exit (wall), with its peak RSS (its own, from wait4, and the peak of the sum
over its process tree, sampled, which includes the forked catalog reader). The plan's summary is
checked (no-op and update counts), the JSON log gives the requests made, the read mode and the
phases.

Targets (issue 5): 10,000 products with 1% changed <= 15 s; 100,000 <= 120 s and <= 2 GB peak;
a targeted plan of 50 changed handles in a 100,000-product store reads only those 50 products.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import psutil

from reconciler.model import MARKER_KEY, MARKER_NAMESPACE, Metafield, Option, Product, Variant
from reconciler.sandbox.testing import SandboxHandle, run_sandbox
from reconciler.shopify.input import mutation_calls

CATALOG = "bench"
SIZES = ("S", "M", "L")
SEED_BATCH = 500
PER_FILE = 100  # product documents per YAML file


def data(i: int, changed: bool = False) -> dict[str, Any]:
    """One product in catalog form: 3 variants, tags, HTML, a metafield."""
    price = f"{19 + i % 7 + (5 if changed else 0)}.00"
    return {
        "handle": f"product-{i}",
        "title": f"Product {i}",
        "status": "active",
        "vendor": "Acme",
        "product_type": "Shirts",
        "tags": ["cotton", f"group-{i % 50}"],
        "description_html": f"<p>Product {i}, soft cotton.</p>",
        "options": [{"name": "Size", "values": list(SIZES)}],
        "variants": [
            {"options": {"Size": s}, "price": price, "sku": f"SKU-{i}-{s}"} for s in SIZES
        ],
        "metafields": [
            {
                "namespace": "custom",
                "key": "material",
                "type": "single_line_text_field",
                "value": "Cotton",
            }
        ],
    }


def model(d: dict[str, Any]) -> Product:
    """The same product as the catalog reader builds it (the plan's summary checks it)."""
    return Product(
        handle=d["handle"],
        title=d["title"],
        status=d["status"],
        vendor=d["vendor"],
        product_type=d["product_type"],
        tags=frozenset(d["tags"]),
        description_html=d["description_html"],
        options=(Option("Size", SIZES),),
        variants=tuple(
            Variant(
                options=(("Size", v["options"]["Size"]),), price=Decimal(v["price"]), sku=v["sku"]
            )
            for v in d["variants"]
        ),
        metafields=tuple(Metafield(**m) for m in d["metafields"]),
    )


def seed_input(product: Product) -> dict[str, Any]:
    """plan's own create calls folded into one productSet input (the marker as a metafield)."""
    calls = mutation_calls(product, None, None, catalog=CATALOG)
    product_set = calls[0]["variables"]["input"]
    marker = next(
        m
        for c in calls
        if c["operation"] == "MetafieldsSet"
        for m in c["variables"]["metafields"]
        if (m["namespace"], m["key"]) == (MARKER_NAMESPACE, MARKER_KEY)
    )
    extra = {k: marker[k] for k in ("namespace", "key", "type", "value")}
    return {**product_set, "metafields": [*product_set.get("metafields", ()), extra]}


def seed(sandbox: SandboxHandle, n: int) -> float:
    started = time.perf_counter()
    for start in range(0, n, SEED_BATCH):
        batch = [seed_input(model(data(i))) for i in range(start, min(n, start + SEED_BATCH))]
        answer = sandbox.control("seed", {"products": batch})
        assert answer.status == 200, answer.text[:500]
    return time.perf_counter() - started


def write_catalog(root: Path, n: int, changed: set[int]) -> None:
    products = root / "products"
    products.mkdir(parents=True)
    (root / "catalog.yaml").write_text(json.dumps({"name": CATALOG}))
    for start in range(0, n, PER_FILE):
        docs = [json.dumps(data(i, i in changed)) for i in range(start, min(n, start + PER_FILE))]
        (products / f"p{start:07d}.yaml").write_text("\n---\n".join(docs) + "\n")


def run_plan(root: Path, url: str, *extra: str) -> dict[str, Any]:
    out = root.parent / "plan.json"
    command = [
        sys.executable, "-m", "reconciler", "-v", "--log-format", "json", "plan",
        "--catalog", str(root), "--store", url, "--out", str(out), *extra,
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = {"tree": 0}
    sampler = threading.Thread(target=_sample, args=(process, peak), daemon=True)
    sampler.start()
    stderr = process.stderr.read().decode() if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    sampler.join()
    assert process.returncode == 0, stderr[-3000:]
    records = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    plan = json.loads(out.read_text())
    shown = command[1:]
    targets = shown.count("--target")
    if targets > 2:  # the command as a person would read it
        first = shown.index("--target")
        shown = [*shown[: first + 2], f"... ({targets} --target flags in all)"]
    return {
        "command": " ".join(shown),
        "wall": wall,
        "rss_own_mb": usage.ru_maxrss / 1024,
        "rss_tree_mb": peak["tree"] / 2**20,
        "summary": plan["summary"],
        "requests": [r["operation"] for r in records if "operation" in r],
        "points": sum(r.get("actual_cost") or 0 for r in records if "operation" in r),
        "phases": next((r for r in records if r.get("message", "").startswith("plan:")), {}),
    }


def _sample(process: subprocess.Popen, peak: dict[str, int]) -> None:
    try:
        root = psutil.Process(process.pid)
        while process.returncode is None and root.is_running():
            tree = [root, *root.children(recursive=True)]
            total = 0
            for p in tree:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            peak["tree"] = max(peak["tree"], total)
            time.sleep(0.05)
    except psutil.Error:
        pass


def report(label: str, result: dict[str, Any], target: str) -> None:
    s, phases = result["summary"], result["phases"]
    ops: dict[str, int] = {}
    for name in result["requests"]:
        ops[name] = ops.get(name, 0) + 1
    print(f"\n{label}")
    print(f"  $ {result['command']}")
    print(
        f"  wall {result['wall']:.1f} s (target {target}); peak RSS {result['rss_own_mb']:.0f} MB "
        f"(plan process), {result['rss_tree_mb']:.0f} MB (its process tree, sampled)"
    )
    print(
        f"  phases: load {phases.get('load_s', 0):.1f} s, read {phases.get('read_s', 0):.1f} s "
        f"({phases.get('read_mode')}), compare {phases.get('compare_s', 0):.2f} s; products read "
        f"{phases.get('live_products')}, unmanaged {phases.get('unmanaged')}"
    )
    print(
        f"  requests: {len(result['requests'])} {dict(sorted(ops.items()))}, "
        f"{result['points']:g} cost points"
    )
    print(f"  plan: no-op {s['no_op']}, update {s['update']}, create {s['create']}, "
          f"archive {s['archive']}")  # fmt: skip


def scenario(n: int, fraction: float, targeted: int, tmp: Path) -> None:
    with run_sandbox(bulk_rate=0) as sandbox:
        took = seed(sandbox, n)
        print(f"\nseeded {n:,} products through /_sandbox/seed in {took:.1f} s")
        step = max(1, int(1 / fraction)) if fraction else 0
        changed = set(range(0, n, step)) if step else set()
        root = tmp / f"catalog-{n}"
        write_catalog(root, n, changed)
        result = run_plan(root, sandbox.url)
        assert result["summary"]["update"] == len(changed), result["summary"]
        assert result["summary"]["no_op"] == n - len(changed), result["summary"]
        target = "<= 15 s" if n <= 10_000 else "<= 120 s, <= 2 GB"
        report(f"full plan: {n:,} products, {len(changed):,} changed", result, target)
        if targeted:
            picked = sorted(changed)[:targeted]
            flags = [x for i in picked for x in ("--target", f"product-{i}")]
            result = run_plan(root, sandbox.url, *flags)
            assert result["summary"]["update"] == len(picked), result["summary"]
            assert result["phases"].get("live_products") == len(picked), result["phases"]
            label = f"targeted plan: {len(picked)} changed handles in a {n:,}-product store"
            report(label, result, "reads only those products")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 products")
    parser.add_argument("--sizes", type=int, nargs="*", help="store sizes to plan")
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument("--targeted", type=int, default=50)
    args = parser.parse_args()
    sizes = args.sizes or ([2_000, 20_000] if args.quick else [10_000, 100_000])
    with tempfile.TemporaryDirectory(prefix="bench-plan-") as tmp:
        for n in sizes:
            scenario(n, args.changed, args.targeted if n == max(sizes) else 0, Path(tmp))


if __name__ == "__main__":
    main()
