"""Helpers for `catalog plan` scenarios: write a catalog, put products in the sandbox the way apply
would (the exact calls `mutation_calls` plans, sent through the real client over HTTP), run the
real command.

apply is not built yet, so `store_products` stands in for it: it sends a create's calls in order,
filling `{{product.id}}` from productSet's answer. Variations make the states a plan must
recognize: a marker of another catalog, no marker (adopt), a marker recording what the catalog
holds while the store holds something else (drift).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from reconciler.catalog import read_catalog
from reconciler.cli import main
from reconciler.model import MARKER_KEY, MARKER_NAMESPACE, Marker, Product
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.input import PRODUCT_ID, mutation_calls
from reconciler.shopify.store import ClientConfig, Credentials, parse_store

CATALOG = "shop"
# Environment a plan must not pick up from the machine running the tests.
STORE_ENV = (
    "SHOPIFY_STORE", "SHOPIFY_ACCESS_TOKEN", "SHOPIFY_CLIENT_ID", "SHOPIFY_CLIENT_SECRET",
    "SHOPIFY_API_VERSION", "SHOPIFY_TIMEOUT", "SHOPIFY_MAX_RETRIES", "CI", "GITHUB_ACTIONS",
    "NO_COLOR",
)  # fmt: skip


MATERIAL = {
    "namespace": "custom",
    "key": "material",
    "type": "single_line_text_field",
    "value": "Cotton",
}


def tee(handle: str = "tee", price: str = "19.00", **extra: Any) -> dict[str, Any]:
    return {
        "handle": handle,
        "title": extra.pop("title", "Tee"),
        "status": "active",
        "vendor": "Acme",
        "tags": ["cotton", "summer"],
        "description_html": "<p>Soft cotton.</p>",
        "options": [{"name": "Size", "values": ["S", "M"]}],
        "variants": [
            {"options": {"Size": "S"}, "price": price, "sku": f"{handle}-S"},
            {"options": {"Size": "M"}, "price": price, "sku": f"{handle}-M"},
        ],
        "metafields": [MATERIAL],
        **extra,
    }


def mug(handle: str = "mug", price: str = "12.00") -> dict[str, Any]:
    return {"handle": handle, "title": "Mug", "variants": [{"price": price, "sku": handle}]}


def write_catalog(
    root: Path, products: Iterable[dict[str, Any]], *, name: str = CATALOG, **settings: Any
) -> Path:
    """A catalog directory; JSON is YAML, so the documents are written as JSON."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(json.dumps({"name": name, **settings}))
    folder = root / "products"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.yaml"):
        old.unlink()
    for data in products:
        (folder / f"{data['handle']}.yaml").write_text(json.dumps(data, indent=1))
    return root


def desired(root: Path) -> dict[str, Product]:
    result = read_catalog(root)
    assert not result.errors, result.problems
    return result.products


def store_products(
    url: str,
    products: Iterable[Product],
    *,
    catalog: str = CATALOG,
    marked: bool = True,
    marker_of: dict[str, Product] | None = None,
    token: str | None = None,
) -> dict[str, str]:
    """Write each product as apply would create it; handle -> product id.

    `marked=False`: without the ownership marker. `marker_of[handle]`: the marker written is the
    one for that product (what the catalog last applied), not for what the store gets.
    """
    config = ClientConfig(store=parse_store(url), credentials=Credentials(access_token=token))

    async def send() -> dict[str, str]:
        ids = {}
        async with ShopifyClient(config) as client:
            for product in products:
                calls = mutation_calls(product, None, None, catalog=catalog)
                ids[product.handle] = await _send(
                    client, calls, marked, marker_of, product, catalog
                )
        return ids

    return asyncio.run(send())


async def _send(
    client: ShopifyClient,
    calls: list[dict[str, Any]],
    marked: bool,
    marker_of: dict[str, Product] | None,
    product: Product,
    catalog: str,
) -> str:
    product_id = PRODUCT_ID
    for call in calls:
        variables = json.loads(json.dumps(call["variables"]).replace(PRODUCT_ID, product_id))
        if call["operation"] == "MetafieldsSet":
            variables["metafields"] = [
                _marker_entry(m, marker_of, product, catalog)
                for m in variables["metafields"]
                if marked or (m["namespace"], m["key"]) != (MARKER_NAMESPACE, MARKER_KEY)
            ]
            if not variables["metafields"]:
                continue
        data = await client.execute(call["operation"], variables)
        if call["operation"] == "ProductSet":
            product_id = data["productSet"]["product"]["id"]
    return product_id


def _marker_entry(
    entry: dict[str, Any], marker_of: dict[str, Product] | None, product: Product, catalog: str
) -> dict[str, Any]:
    if (entry["namespace"], entry["key"]) != (MARKER_NAMESPACE, MARKER_KEY):
        return entry
    if marker_of and product.handle in marker_of:
        entry = {**entry, "value": Marker.for_product(marker_of[product.handle], catalog).to_json()}
    return entry


def run_plan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`catalog plan ARGS` through the console entry point: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main(["plan", *args])
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run_plan(capsys, "--format", "json", *args)
    assert code in (0, 2), err
    return code, json.loads(out)


def actions(plan: dict[str, Any]) -> dict[str, str]:
    return {c["handle"]: c["action"] for c in plan["changes"]}


def without_time(plan: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in plan.items() if k != "created_at"}
