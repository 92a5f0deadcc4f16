"""How long each way of reading would take, for `read_live(mode="auto")` (pure: no I/O, no clock).

- **targeted**: its pages are paid in cost points. Shopify admits a request when the bucket holds
  its requested cost and refunds the unused part afterwards (shopify-facts.md §1), so the pages
  cost their requested points, less what the bucket holds now, at the store's restore rate; plus
  one round trip per wave of requests in flight at once. Or the asked handles are read by a bulk
  export filtered to them (`products(query:)`), paced like any export (below), when that is
  faster. With removals the marker sweep (a light export, one line per product) runs meanwhile:
  the read takes the longer of the two, and a filtered export is taken to share the bulk pace
  with the sweep.
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
    """Estimated seconds of each way to read, and what they are made of."""

    pages: float  # the asked handles by targeted pages
    export: float  # the asked handles by bulk exports filtered to them
    sweep: float  # the marker sweep, run meanwhile (0: no removals)
    full: float  # one export of every product (inf: the store's size is not known)
    requests: int  # the targeted pages' first requests
    points: float  # their requested cost
    objects: int  # the full export's objects

    @property
    def by_export(self) -> bool:
        """Whether the targeted read should fetch the asked handles by a filtered export."""
        return self.export < self.pages

    @property
    def targeted(self) -> float:
        return max(min(self.pages, self.export), self.sweep)

    @property
    def mode(self) -> str:
        return "targeted" if self.targeted <= self.full else "full"

    def __str__(self) -> str:
        how = "filtered export" if self.by_export else "pages"
        return (
            f"targeted ~{self.targeted:.1f} s (pages ~{self.pages:.1f} s: {self.requests} "
            f"requests, {self.points:.0f} points; filtered export ~{self.export:.1f} s; sweep "
            f"~{self.sweep:.1f} s; by {how}), full ~{self.full:.1f} s ({self.objects} objects): "
            f"{self.mode}"
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
    asked: int,
    store_products: int | None,
    objects_per_product: float,
    removals: bool,
    pace: float = BULK_PACE,
) -> ReadEstimate:
    """Every way's seconds. `requested`: the requested cost of each planned targeted request;
    `available`, `restore_rate`: the store's bucket as last reported; `latency`: seconds of one
    round trip; `asked`: the handles asked for; `store_products`: productsCount (None: not
    read); `objects_per_product`: the lines one product makes in an export."""
    points = float(sum(requested))
    short = max(0.0, points - max(0.0, available))
    paced = short / restore_rate if restore_rate > 0 else (math.inf if short else 0.0)
    waves = math.ceil(len(requested) / max(1, concurrency))
    known = store_products is not None
    objects = round((store_products or 0) * objects_per_product)
    swept = (store_products or 0) if removals else 0
    return ReadEstimate(
        pages=paced + waves * latency,
        # Run beside the sweep, the filtered export is taken to share Shopify's pace with it
        # (whether Shopify paces a shop's exports together is not published: the safe reading).
        export=export_seconds(asked * objects_per_product + swept, latency, pace),
        sweep=export_seconds(store_products or 0, latency, pace) if removals and known else 0.0,
        full=export_seconds(objects, latency, pace) if known else math.inf,
        requests=len(requested),
        points=points,
        objects=objects,
    )
