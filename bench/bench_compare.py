"""How fast compare settles products: N products, desired == live with this catalog's markers.

    .venv/bin/python bench/bench_compare.py [N] [--changed 0.01]

For nothing changed and for a fraction changed, prints products/s of:

- **plan's path**: compare given the desired products' content hashes, as `catalog plan` calls
  it (planning.py computes the hashes while the live read waits on the network); the issue's
  target is >= 20,000 unchanged products/s;
- compare computing the hashes itself (what a caller without the pipeline gets);
- a baseline loop that only computes each desired product's `Product.content_hash()` in the
  same process, and the ratio of each compare to it (CPU time): the ratio is what to compare
  across machines, the machine being shared.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from decimal import Decimal

from reconciler.model import (
    LiveProduct,
    Marker,
    Metafield,
    Option,
    Product,
    Variant,
    Weight,
)
from reconciler.plan import hashing
from reconciler.plan.compare import compare

SIZES = ("S", "M", "L")


def desired_product(i: int) -> Product:
    return Product(
        handle=f"product-{i}",
        title=f"Product {i}",
        status="active",
        vendor="Acme",
        product_type="Shirts",
        tags=frozenset({"cotton", f"group-{i % 50}"}),
        description_html=f"<p>Product {i}, soft cotton.</p>",
        options=(Option("Size", SIZES),),
        variants=tuple(
            Variant(
                options=(("Size", s),),
                price=Decimal("19.00") + i % 7,
                sku=f"SKU-{i}-{s}",
                weight=Weight(Decimal("0.2"), "KILOGRAMS"),
            )
            for s in SIZES
        ),
        metafields=(Metafield("custom", "material", "single_line_text_field", "Cotton"),),
    )


def live_product(product: Product, catalog: str) -> LiveProduct:
    """The same product as fetch would read it: every field present, others' tags, ids."""
    full = replace(
        product,
        tags=product.tags | {"someone-elses"},
        seo_title="",
        seo_description="",
        publications=frozenset(),
        variants=tuple(
            replace(
                v,
                compare_at_price=None,
                barcode="",
                taxable=True,
                requires_shipping=True,
                tracked=False,
                inventory_policy="deny",
            )
            for v in product.variants
        ),
        metafields=(*product.metafields, Metafield("reviews", "rating", "number_decimal", "4.5")),
    )
    n = product.handle.rsplit("-", 1)[1]
    return LiveProduct(
        id=f"gid://shopify/Product/{n}",
        product=full,
        variant_ids={
            v.key: f"gid://shopify/ProductVariant/{n}{j}" for j, v in enumerate(full.variants)
        },
        marker=Marker.for_product(product, catalog),
    )


def build(n: int, changed: float, catalog: str) -> tuple[dict, dict]:
    desired = {}
    live = {}
    every = int(1 / changed) if changed else 0
    for i in range(n):
        product = desired_product(i)
        live[product.handle] = live_product(product, catalog)
        if every and i % every == 0:
            product = replace(product, title=product.title + " (new)")
        desired[product.handle] = product
    return desired, live


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): on a shared machine the CPU time is the
    steadier measure of compare's own work."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def best(fn, runs: int = 5) -> tuple[float, float]:
    results = [timed(fn) for _ in range(runs)]
    return min(r[0] for r in results), min(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=20_000)
    parser.add_argument("--changed", type=float, default=0.01)
    args = parser.parse_args()
    catalog = "bench"
    for label, fraction in (("unchanged", 0.0), (f"{args.changed:.0%} changed", args.changed)):
        desired, live = build(args.n, fraction, catalog)
        products = list(desired.values())
        _, base_cpu = best(lambda: [p.content_hash() for p in products])  # noqa: B023
        hashes = {h: hashing.content_hash(p) for h, p in desired.items()}

        def plan_path(desired=desired, live=live, hashes=hashes):
            return compare(desired, live, catalog_name=catalog, desired_hashes=hashes)

        wall, cpu = best(plan_path)
        summary = plan_path().summary
        _, own_cpu = best(lambda: compare(desired, live, catalog_name=catalog))  # noqa: B023
        print(
            f"{label:>12}: {args.n} products, no-op {summary['no_op']}, update "
            f"{summary['update']}\n"
            f"    plan's path (hashes computed during the read): wall {args.n / wall:,.0f}/s, "
            f"CPU {args.n / cpu:,.0f}/s, CPU ratio to baseline {cpu / base_cpu:.2f}\n"
            f"    compare hashing itself: CPU {args.n / own_cpu:,.0f}/s, "
            f"ratio {own_cpu / base_cpu:.2f}\n"
            f"    baseline Product.content_hash() loop: CPU {args.n / base_cpu:,.0f}/s"
        )


if __name__ == "__main__":
    main()
