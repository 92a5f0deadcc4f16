"""Benchmark: load and validate 10,000 generated products, one file each and 100 per file.

Each product is a typical one: 3 variants (one option), weights, SKUs, tags, an HTML
description, two metafields (text and json) and an image: 32 lines, about 900 bytes.

    .venv/bin/python bench/bench_validate.py [--products N] [--repeat R]

Each layout runs in a fresh child process so that its peak RSS is its own. The baseline is plain
`yaml.load_all` of the same files with libyaml's CSafeLoader, measured in the same process, so the
ratio says what our line marks, schema and rules cost on top of parsing. The machine is shared, so
each layout runs several times and the best run counts. Large catalogs are read in two processes;
"CPU" is the processor time both spent (user + system), which other load on the machine barely
changes: it says what the work costs when the wall-clock time is noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRODUCT = """\
handle: bench-{n}
title: Bench product {n}
status: active
vendor: Acme
product_type: Shirts
tags: [cotton, summer, "{n}"]
description_html: <p>Product {n}.</p>
options:
  - name: Size
    values: [S, M, L]
variants:
{variants}
metafields:
  - {{namespace: custom, key: material, type: single_line_text_field, value: Cotton}}
  - {{namespace: custom, key: care, type: json, value: {{wash: 30, dry: false}}}}
media:
  - src: https://cdn.example.com/bench-{n}.jpg
    alt: Front
"""
VARIANT = """\
  - options: {{Size: {size}}}
    price: "19.{cents:02d}"
    sku: B-{n}-{size}
    weight: {{value: 0.2, unit: KILOGRAMS}}
"""


def product_text(n: int) -> str:
    variants = "".join(VARIANT.format(size=size, n=n, cents=i) for i, size in enumerate("SML"))
    return PRODUCT.format(n=n, variants=variants.rstrip("\n"))


def generate(root: Path, count: int, per_file: int) -> None:
    products = root / "products"
    products.mkdir(parents=True)
    for start in range(0, count, per_file):
        docs = [product_text(n) for n in range(start, min(start + per_file, count))]
        (products / f"p{start:06d}.yaml").write_text("---\n".join(docs), encoding="utf-8")


def measure(root: str) -> dict:
    """Runs in the child: baseline parse, then read_catalog; reports times and peak RSS."""
    import resource

    import yaml

    from reconciler.catalog import read_catalog

    def cpu() -> float:  # this process and its children that have been waited for
        own, children = (
            resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    files = sorted(Path(root, "products").rglob("*.yaml"))
    started = time.perf_counter()
    baseline_docs = 0
    for file in files:
        baseline_docs += sum(1 for _ in yaml.load_all(file.read_text(), Loader=yaml.CSafeLoader))
    baseline = time.perf_counter() - started
    cpu_before = cpu()
    started = time.perf_counter()
    result = read_catalog(Path(root))
    elapsed = time.perf_counter() - started
    cpu_seconds = cpu() - cpu_before
    # the larger of this process and the forked reader (a child, waited for by then)
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return {
        "products": len(result.products),
        "problems": len(result.problems),
        "baseline_docs": baseline_docs,
        "baseline_s": baseline,
        "seconds": elapsed,
        "cpu_s": cpu_seconds,
        "peak_rss_mb": peak_kb / 1024,
    }


def run_layout(count: int, per_file: int, repeat: int) -> list[dict]:
    """`repeat` measurements, each in a fresh process, of one generated catalog."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as tmp:
        generate(Path(tmp), count, per_file)
        code = f"import json, bench_validate as b; print(json.dumps(b.measure({tmp!r})))"
        for _ in range(repeat):
            out = subprocess.run(
                [sys.executable, "-c", code],
                cwd=Path(__file__).parent,
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(out.stdout))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per layout; the best counts")
    args = parser.parse_args()
    failed = False
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for label, per_file in (("one file each", 1), ("100 per file", 100)):
        runs = run_layout(args.products, per_file, args.repeat)
        r = min(runs, key=lambda run: run["seconds"])
        ok = all(run["products"] == args.products and run["problems"] == 0 for run in runs)
        within = r["seconds"] <= 5 and max(run["peak_rss_mb"] for run in runs) <= 500
        failed |= not (ok and within)
        times = ", ".join(f"{run['seconds']:.2f}" for run in runs)
        cpus = [run["cpu_s"] for run in runs]
        print(
            f"{label:>14}: {r['products']} products in {r['seconds']:.2f} s (best of {times}) = "
            f"{r['products'] / r['seconds']:,.0f} products/s, CPU {min(cpus):.2f} s, "
            f"peak RSS {r['peak_rss_mb']:.0f} MB; "
            f"baseline yaml.load_all (CSafeLoader) {r['baseline_s']:.2f} s, "
            f"ratio {r['seconds'] / r['baseline_s']:.2f}x"
            + ("" if ok else "  [UNEXPECTED PROBLEMS]")
            + ("" if within else "  [OVER TARGET: 5 s / 500 MB]")
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
