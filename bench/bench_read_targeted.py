"""A targeted plan of image-heavy products against a full export read (not a test; issue 9, 11).

The store is shaped like the real one the issue measured (997 products, 4,742 images): N products
(default 1,000) of 5 images, 3 variants and 2 metafields plus this catalog's marker. The sandbox
runs in its own process with its default bulk rate (1,000 objects/s), the standard plan's bucket
(2,000 points, 100 points/s) and `--latency-ms 100`. Seeding is not timed. Then, from a full
bucket each time, a plan of a catalog that holds a tenth of the store's products (every tenth
carries its marker; removals computed, as a pull request's plan):

1. `read_live(mode="targeted")`: the paged reads plus the marker sweep;
2. `read_live(mode="full")`: one export of every product;
3. `read_live(mode="auto")`: what auto picks (and its estimates).

Printed: wall time, requests, points requested and used (the sandbox's `extensions.cost`),
`ProductMediaPage` calls, and the targeted/full ratio.

    .venv/bin/python bench/bench_read_targeted.py [N] [SHARE]     # default: 1000 0.1
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from decimal import Decimal

from bench_read import start_sandbox

from reconciler.model import Marker, Media, Metafield, Option, Product, Variant
from reconciler.sandbox.testing import http
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.live import read_live
from reconciler.shopify.store import ClientConfig, Credentials, parse_store

CATALOG = "bench"
SIZES = ("S", "M", "L")
IMAGES = 5
LATENCY_MS = 100


def desired(i: int) -> Product:
    """The catalog's product i: what the store holds for it."""
    return Product(
        handle=f"product-{i}",
        title=f"Product {i}",
        vendor="Acme",
        options=(Option("Size", SIZES),),
        variants=tuple(
            Variant(options=(("Size", s),), price=Decimal("19.99"), sku=f"S-{i}-{s}") for s in SIZES
        ),
        metafields=(
            Metafield("custom", "material", "single_line_text_field", "cotton"),
            Metafield("custom", "weight_g", "number_integer", "180"),
        ),
        media=tuple(
            Media(src=f"https://images.example.com/p{i}-{k}.jpg", alt=f"{k}") for k in range(IMAGES)
        ),
    )


def product_input(i: int, ours: bool) -> dict:
    """Product i as the store holds it: with this catalog's marker when the catalog has it."""
    product = desired(i)
    marker = Marker.for_product(product, CATALOG).to_json()
    extra = (
        [{"namespace": "catalog_reconciler", "key": "marker", "type": "json", "value": marker}]
        if ours
        else []
    )
    return {
        "handle": product.handle,
        "title": product.title,
        "vendor": "Acme",
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
        "files": [
            {"originalSource": m.src, "alt": m.alt, "contentType": "IMAGE"} for m in product.media
        ],
    }  # fmt: skip


def seed(url: str, n: int, step: int, batch: int = 250) -> None:
    """N products; every `step`-th is the catalog's (it carries the marker)."""
    for start in range(0, n, batch):
        numbers = range(start, min(n, start + batch))
        body = {"products": [product_input(i, i % step == 0) for i in numbers]}
        answer = http(
            "POST", f"{url}/_sandbox/seed", json.dumps(body).encode(),
            {"Content-Type": "application/json"}, 600,
        )  # fmt: skip
        assert answer.status == 200, answer.text[:300]


class Costs(logging.Handler):
    """The client's per-request debug lines: points requested and used, by operation."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.rows: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, "fields", None)
        if fields and fields.get("outcome") == "ok":
            self.rows.append(fields)

    def summary(self) -> str:
        asked = sum(r.get("requested_cost") or 0 for r in self.rows)
        used = sum(r.get("actual_cost") or 0 for r in self.rows)
        media = sum(1 for r in self.rows if r["operation"] == "ProductMediaPage")
        return f"{asked:.0f} points requested, {used:.0f} used, {media} ProductMediaPage"


async def full_bucket(client: ShopifyClient) -> None:
    """Wait until the store's bucket is full again, so each read starts alike."""
    while True:
        await client.execute("ProductsCount")
        status = client.throttle_status
        if status is None or status.available >= status.maximum - 1:
            return
        await asyncio.sleep((status.maximum - status.available) / status.restore_rate + 0.2)


async def measure(url: str, n: int, step: int) -> None:
    config = ClientConfig(
        store=parse_store(url), credentials=Credentials(access_token=None), timeout=120
    )
    planned = {p.handle: p for p in map(desired, range(0, n, step))}
    costs = Costs()
    log = logging.getLogger("reconciler.shopify")
    log.addHandler(costs)
    log.setLevel(logging.DEBUG)
    seconds = {}
    async with ShopifyClient(config) as client:
        for mode in ("targeted", "full", "auto"):
            await full_bucket(client)
            costs.rows.clear()
            read = await read_live(
                client, catalog_name=CATALOG, handles=planned, mode=mode, desired=planned
            )
            assert read.complete, read.incomplete_reason
            assert len(read.products) == len(planned), len(read.products)
            seconds[mode] = read.seconds
            print(
                f"  {mode:8} -> {read.mode:8} {read.seconds:6.1f} s, {read.requests} requests, "
                f"{read.bulk_operations} bulk exports, {costs.summary()}"
            )
            if read.estimate is not None:
                print(f"           auto's estimate: {read.estimate}")
    print(f"  targeted / full: {seconds['targeted'] / seconds['full']:.2f}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    share = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
    step = max(1, round(1 / share))
    proc, url = start_sandbox("--plan", "standard", "--latency-ms", str(LATENCY_MS))
    try:
        started = time.perf_counter()
        seed(url, n, step)
        print(
            f"{n} products ({IMAGES} images, {len(SIZES)} variants each) seeded in "
            f"{time.perf_counter() - started:.0f} s; sandbox: standard plan, default bulk rate, "
            f"{LATENCY_MS} ms latency; a plan of {share:.0%} of the handles, with removals"
        )
        asyncio.run(measure(url, n, step))
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
