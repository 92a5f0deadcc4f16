"""Benchmark: load and validate 10,000 generated products, one file each and 100 per file.

Each product is a typical one: 3 variants (one option), weights, SKUs, tags, an HTML
description, two metafields (text and json) and an image: 32 lines, about 900 bytes.

    .venv/bin/python bench/bench_validate.py [--products N]

Each layout runs in a fresh child process so that its peak RSS is its own. The baseline is plain
`yaml.load_all` of the same files with libyaml's CSafeLoader, measured in the same process, so the
ratio says what our line marks, schema and rules cost on top of parsing.
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

    files = sorted(Path(root, "products").rglob("*.yaml"))
    started = time.perf_counter()
    baseline_docs = 0
    for file in files:
        baseline_docs += sum(1 for _ in yaml.load_all(file.read_text(), Loader=yaml.CSafeLoader))
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    result = read_catalog(Path(root))
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "products": len(result.products),
        "problems": len(result.problems),
        "baseline_docs": baseline_docs,
        "baseline_s": baseline,
        "seconds": elapsed,
        "peak_rss_mb": peak_kb / 1024,
    }


def run_layout(count: int, per_file: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as tmp:
        generate(Path(tmp), count, per_file)
        code = f"import json, bench_validate as b; print(json.dumps(b.measure({tmp!r})))"
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=Path(__file__).parent,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    args = parser.parse_args()
    failed = False
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for label, per_file in (("one file each", 1), ("100 per file", 100)):
        r = run_layout(args.products, per_file)
        ok = r["products"] == args.products and r["problems"] == 0
        within = r["seconds"] <= 5 and r["peak_rss_mb"] <= 500
        failed |= not (ok and within)
        print(
            f"{label:>14}: {r['products']} products in {r['seconds']:.2f} s "
            f"({r['products'] / r['seconds']:,.0f} products/s), peak RSS {r['peak_rss_mb']:.0f} MB; "  # noqa: E501
            f"baseline yaml.load_all (CSafeLoader) {r['baseline_s']:.2f} s, "
            f"ratio {r['seconds'] / r['baseline_s']:.1f}x"
            + ("" if ok else f"  [UNEXPECTED: {r['problems']} problems]")
            + ("" if within else "  [OVER TARGET: 5 s / 500 MB]")
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
