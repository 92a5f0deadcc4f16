"""Helpers for the live-read scenarios: a client for a sandbox handle, product inputs for
/_sandbox/seed, and a recorder of the GraphQL requests the sandbox received."""

from __future__ import annotations

import threading
from typing import Any

from reconciler.model import Marker, Product
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.store import ClientConfig, Credentials, parse_store

CATALOG = "demo"


def client_for(
    handle,
    *,
    timeout: float = 10.0,
    retries: int = 6,
    api_version: str = "2026-10",
    token: str | None = None,
) -> ShopifyClient:
    config = ClientConfig(
        store=parse_store(handle.url),
        api_version=api_version,
        credentials=Credentials(access_token=token),
        timeout=timeout,
        max_retries=retries,
    )
    return ShopifyClient(config, backoff_base=0.01, backoff_cap=0.5)


def marker_json(handle: str, catalog: str = CATALOG, **kw: Any) -> str:
    return Marker.for_product(Product(handle=handle, title=handle, **kw), catalog).to_json()


def product_input(
    handle: str,
    *,
    sizes: tuple[str, ...] = ("S", "M"),
    metafields: int = 1,
    variant_metafields: int = 0,
    media: int = 0,
    marker: str | None = None,
    tags: tuple[str, ...] = ("b", "a"),
) -> dict[str, Any]:
    """A ProductSetInput for /_sandbox/seed (or productSet)."""
    fields = [
        {"namespace": "custom", "key": f"k{i:02d}", "type": "number_decimal", "value": f"{i}.50"}
        for i in range(metafields)
    ]
    if marker is not None:
        fields.append(
            {"namespace": "catalog_reconciler", "key": "marker", "type": "json", "value": marker}
        )
    data: dict[str, Any] = {
        "handle": handle,
        "title": handle.title(),
        "vendor": "Acme",
        "tags": list(tags),
        "descriptionHtml": "<p>Soft\n  cotton</p>",
        "metafields": fields,
        "productOptions": [{"name": "Size", "values": [{"name": s} for s in sizes]}],
        "variants": [
            {
                "optionValues": [{"optionName": "Size", "name": s}],
                "price": "10.5",
                "sku": f"{handle}-{s}",
                "metafields": [
                    {"namespace": "custom", "key": f"v{j}", "type": "single_line_text_field",
                     "value": f"{s}{j}"}
                    for j in range(variant_metafields)
                ],
            }
            for s in sizes
        ],
    }  # fmt: skip
    if media:
        data["files"] = [
            {"originalSource": f"https://images.example.com/{handle}-{i}.jpg", "alt": f"{i}",
             "contentType": "IMAGE"}
            for i in range(media)
        ]  # fmt: skip
    return data


def seed(handle, products: list[dict[str, Any]], batch: int = 500) -> None:
    for start in range(0, len(products), batch):
        answer = handle.control("seed", {"products": products[start : start + batch]})
        assert answer.status == 200, answer.text[:500]


class Recorder:
    """Wraps the sandbox's GraphQL entry point: every request body, and the most requests
    seen in flight at once (the server thread calls it; tests read it after the run)."""

    def __init__(self, handle):
        self.sandbox = handle.sandbox
        self.original = self.sandbox.graphql
        self.bodies: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

        async def graphql(version, body, *args, **kwargs):
            with self._lock:
                self.bodies.append(body if isinstance(body, dict) else {})
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                return await self.original(version, body, *args, **kwargs)
            finally:
                with self._lock:
                    self.in_flight -= 1

        self.sandbox.graphql = graphql

    def operations(self) -> list[str]:
        return [b.get("operationName") or "" for b in self.bodies]

    def close(self) -> None:
        self.sandbox.graphql = self.original
