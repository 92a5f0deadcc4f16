"""Sandbox store capacity and productSet speed (not a test).

Fills one in-memory store with N products of 5 variants each through the productSet rule (the same
code the GraphQL resolver calls) and prints products held, peak RSS and time per productSet; then
times a few hundred productSet calls through GraphQL execution (parse + validate once).

    .venv/bin/python bench/bench_sandbox_store.py [N]     # default 100000
"""

from __future__ import annotations

import sys
import time

import psutil
from graphql import parse, validate

from reconciler.sandbox.product_set import product_set
from reconciler.sandbox.resolvers import execute
from reconciler.sandbox.schema import load_schema
from reconciler.sandbox.state import Store

SIZES = ("XS", "S", "M", "L", "XL")


def product_input(i: int) -> dict:
    return {
        "handle": f"product-{i}",
        "title": f"Product {i}",
        "vendor": "Acme",
        "productType": "Shirts",
        "tags": ["bench", f"group-{i % 10}"],
        "descriptionHtml": "<p>A plain product description of modest length.</p>",
        "productOptions": [{"name": "Size", "values": [{"name": s} for s in SIZES]}],
        "variants": [
            {
                "optionValues": [{"optionName": "Size", "name": s}],
                "price": "19.99",
                "sku": f"SKU-{i}-{s}",
            }
            for s in SIZES
        ],
        "metafields": [
            {
                "namespace": "custom",
                "key": "fabric",
                "type": "single_line_text_field",
                "value": "cotton",
            }
        ],
    }


MUTATION = parse("""mutation($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier) {
    product { id updatedAt } userErrors { field message code } } }""")


def main(n: int) -> None:
    process = psutil.Process()
    base = process.memory_info().rss
    store = Store()
    start = time.perf_counter()
    for i in range(n):
        product_set(store, product_input(i), {"handle": f"product-{i}"})
    elapsed = time.perf_counter() - start
    rss = process.memory_info().rss
    print(f"products held: {len(store.products)} ({len(store.variants)} variants)")
    print(f"RSS: {rss / 2**20:.0f} MiB (store ~{(rss - base) / 2**20:.0f} MiB)")
    print(f"productSet (rule): {elapsed / n * 1e6:.0f} us per call, {n / elapsed:.0f}/s")

    schema = load_schema("2026-10")
    assert not validate(schema, MUTATION)
    calls = 500
    start = time.perf_counter()
    for i in range(calls):
        variables = {"input": product_input(i), "identifier": {"handle": f"product-{i}"}}
        result = execute(store, schema, MUTATION, variables, None, "2026-10")
        assert not result.errors and not result.data["productSet"]["userErrors"]
    elapsed = time.perf_counter() - start
    print(
        f"productSet (GraphQL execute, update): {elapsed / calls * 1e3:.2f} ms per call, "
        f"{calls / elapsed:.0f}/s"
    )
    page = parse("""query($after: String) { products(first: 250, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id handle updatedAt variants(first: 5) { nodes { id sku price } } } } }""")
    start, after, pages = time.perf_counter(), None, 0
    while pages < 40:
        result = execute(store, schema, page, {"after": after}, None, "2026-10")
        info = result.data["products"]["pageInfo"]
        pages += 1
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    elapsed = time.perf_counter() - start
    print(f"products page (250 products x 5 variants): {elapsed / pages * 1e3:.1f} ms per page")
    peak = getattr(process.memory_info(), "peak_wset", None) or _peak_rss()
    print(f"peak RSS: {peak / 2**20:.0f} MiB")


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
