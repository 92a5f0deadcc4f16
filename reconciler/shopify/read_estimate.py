"""How long each way of reading would take, for `read_live(mode="auto")` (pure: no I/O, no clock).

- **targeted**: its pages are paid in cost points. Shopify admits a request when the bucket holds
  its requested cost and refunds the unused part afterwards (shopify-facts.md §1), so the pages
  cost their requested points, less what the bucket holds now, at the store's restore rate; plus
  one round trip per wave of requests in flight at once. With removals the marker sweep (a light
  export, one line per product) runs meanwhile: the read takes the longer of the two.
- **full**: a bulk export is not paced by points but by how fast Shopify writes the file: every
  product, variant, metafield and media is one object (one JSONL line), written at BULK_PACE
  objects a second, plus a fixed overhead (start, polls, the two counts, the download).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.shopify import bulk_read

# Objects a second a bulk export writes. Shopify publishes no figure; this is the sandbox's
# default `--bulk-rate` (docs/sandbox.md, "Bulk operations"). The one measurement we have of a real
# store agrees on the order of magnitude: there a full export of 997 products (about 10,000
# objects) took about a third of the time a targeted read of 99 of them did (issue 9, item 11:
# 519 s for a targeted read of all 997, so about 52 s for 99, and the export about 18 s).
BULK_PACE = 1000.0
# Round trips of an export besides its polls: the run mutation, productsCount before and after,
# the download.
EXPORT_ROUND_TRIPS = 4


@dataclass(frozen=True)
class ReadEstimate:
    """Estimated seconds of a targeted and of a full read, and what each is made of."""

    targeted: float
    full: float
    requests: int  # the targeted read's first pages
    points: float  # their requested cost
    objects: int  # the full export's objects

    @property
    def mode(self) -> str:
        return "targeted" if self.targeted <= self.full else "full"

    def __str__(self) -> str:
        return (
            f"targeted ~{self.targeted:.1f} s ({self.requests} requests, {self.points:.0f} "
            f"points), full ~{self.full:.1f} s ({self.objects} objects): {self.mode}"
        )


def export_seconds(objects: float, latency: float, pace: float = BULK_PACE) -> float:
    """A bulk export of `objects`: written at `pace`, found finished half a poll interval late
    on average, plus its round trips."""
    writing = objects / pace if pace > 0 else 0.0
    return writing + bulk_read.POLL_MAX / 2 + EXPORT_ROUND_TRIPS * latency


def estimate(
    *,
    requested: Sequence[float],
    available: float,
    restore_rate: float,
    latency: float,
    concurrency: int,
    store_products: int,
    objects_per_product: float,
    removals: bool,
    pace: float = BULK_PACE,
) -> ReadEstimate:
    """Both reads' seconds. `requested`: the requested cost of each planned targeted request;
    `available`, `restore_rate`: the store's bucket as last reported; `latency`: seconds of one
    round trip; `objects_per_product`: the lines one product makes in an export."""
    points = float(sum(requested))
    short = max(0.0, points - max(0.0, available))
    paced = short / restore_rate if restore_rate > 0 else (math.inf if short else 0.0)
    waves = math.ceil(len(requested) / max(1, concurrency))
    targeted = paced + waves * latency
    if removals:
        targeted = max(targeted, export_seconds(store_products, latency, pace))
    objects = round(store_products * objects_per_product)
    full = export_seconds(objects, latency, pace)
    return ReadEstimate(
        targeted=targeted, full=full, requests=len(requested), points=points, objects=objects
    )
