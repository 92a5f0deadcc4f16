"""Helpers for `catalog plan` scenarios: write a catalog, put products in the sandbox the way apply
would (the exact calls `mutation_calls` plans, sent over HTTP with the client's own documents),
run the real command.

apply is not built yet, so `store_products` stands in for it: it sends a create's calls in order,
filling `{{product.id}}` from productSet's answer and recording created media in the marker (the
ids of media productSet created are read back with ProductMediaPage, as apply will).
`store_products_with_client` sends the same calls through a ShopifyClient (the cassette scenario
`plan`, which also runs against a real store).
Variations make the states a plan must recognize: a marker of another catalog, no marker (adopt),
a marker recording what the catalog holds while the store holds something else (drift).
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reconciler.catalog import read_catalog
from reconciler.cli import main
from reconciler.model import MARKER_KEY, MARKER_NAMESPACE, Marker, Product, Variant
from reconciler.sandbox.testing import SandboxHandle
from reconciler.shopify import documents
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.input import PRODUCT_ID, mutation_calls

CATALOG = "shop"


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
    store: SandboxHandle,
    products: Iterable[Product],
    *,
    catalog: str = CATALOG,
    marked: bool = True,
    marker_of: dict[str, Product] | None = None,
    extra_tags: Iterable[str] = (),
) -> dict[str, str]:
    """Write each product as apply would create it, over HTTP; handle -> product id.

    `marked=False`: without the ownership marker. `marker_of[handle]`: the marker written is the
    one for that product (what the catalog last applied), not for what the store gets.
    `extra_tags`: tags someone else added. Media are added as apply will (productUpdate(media:)),
    their ids recorded in the marker.
    """
    ids = {}
    for product in products:
        steps = _create_steps(product, catalog, marked, marker_of, extra_tags)
        answer: dict[str, Any] | None = None
        try:
            while True:
                operation, variables = steps.send(answer)
                answer = _send(store, documents.load(operation).query, variables)
        except StopIteration as done:
            ids[product.handle] = done.value
    return ids


async def store_products_with_client(
    client: ShopifyClient,
    products: Iterable[Product],
    *,
    catalog: str = CATALOG,
    ids: dict[str, str] | None = None,
) -> dict[str, str]:
    """`store_products` through a ShopifyClient and its own documents only, so that it works
    against Shopify too.

    `ids` (handle -> product id) is filled as soon as each product exists, so that a caller can
    delete what was written when a later call fails."""
    ids = {} if ids is None else ids
    for product in products:
        steps = _create_steps(product, catalog, True, None, ())
        answer: dict[str, Any] | None = None
        try:
            while True:
                operation, variables = steps.send(answer)
                answer = await client.execute(operation, variables)
                if operation == "ProductSet":
                    ids[product.handle] = answer["productSet"]["product"]["id"]
        except StopIteration:
            pass
    return ids


def _create_steps(
    product: Product,
    catalog: str,
    marked: bool,
    marker_of: dict[str, Product] | None,
    extra_tags: Iterable[str],
) -> Generator[tuple[str, dict[str, Any]], dict[str, Any] | None, str]:
    """The calls creating `product`, as (operation, variables), each sent by the caller, which
    sends back the answer's data; returns the product's id. One generator for both writers, so
    the sandbox and a real store get the same calls."""
    calls = mutation_calls(product, None, None, catalog=catalog)
    product_id, media_ids = PRODUCT_ID, {}
    for call in calls:
        text = json.dumps(call["variables"]).replace(PRODUCT_ID, product_id)
        variables, operation = json.loads(text), call["operation"]
        if operation == "ProductSet":
            tags = set(variables["input"].get("tags", ())) | set(extra_tags)
            variables["input"]["tags"] = sorted(tags)
            data = yield operation, variables
            product_id = data["productSet"]["product"]["id"]
            files = variables["input"].get("files") or []
            if files:  # media created by productSet (a create setting variant images)
                page = yield "ProductMediaPage", {"id": product_id}
                nodes = page["product"]["media"]["nodes"]
                sources = [f["originalSource"] for f in files]
                media_ids = {src: node["id"] for src, node in zip(sources, nodes, strict=True)}
        elif operation == "ProductUpdateMedia":
            data = yield operation, variables
            nodes = data["productUpdate"]["product"]["media"]["nodes"][-len(variables["media"]) :]
            sources = [m["originalSource"] for m in variables["media"]]
            media_ids = {src: node["id"] for src, node in zip(sources, nodes, strict=True)}
        elif operation == "MetafieldsSet":
            owned = marker_of.get(product.handle, product) if marker_of else product
            marker = Marker.for_product(owned, catalog, media_ids).to_json()
            entries = [
                {**m, "value": marker} if _is_marker(m) else m
                for m in variables["metafields"]
                if marked or not _is_marker(m)
            ]
            if entries:
                yield operation, {"metafields": entries}
        else:
            raise AssertionError(f"the test writer cannot send {operation}")
    return product_id


def _is_marker(entry: dict[str, Any]) -> bool:
    return (entry["namespace"], entry["key"]) == (MARKER_NAMESPACE, MARKER_KEY)


def _send(store: SandboxHandle, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    answer = store.graphql(query, variables)
    assert answer.status == 200, answer.text
    body = answer.json
    assert not body.get("errors"), body
    payload = next(iter(body["data"].values()))
    assert not (payload or {}).get("userErrors"), payload
    return body["data"]


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


def seed_demo(store: SandboxHandle, products: dict[str, Product]) -> None:
    """The demo catalog's store after some life: most products applied, one price edited in the
    admin, one product made by hand, an older version of one, one product dropped from the
    catalog, another catalog's product; the demo's ceramic-mug and wool-beanie are new."""
    applied = ("espresso-beans", "classic-tee", "yoga-mat", "trail-runner", "canvas-tote")
    store_products(store, [products[h] for h in applied], catalog="demo")
    store_products(store, [products["espresso-beans"]], catalog="demo", extra_tags=["staff-pick"])
    wallet = products["leather-wallet"]
    edited = replace(wallet, variants=(replace(wallet.variants[0], price=Decimal("39.00")),))
    store_products(store, [edited], catalog="demo", marker_of={wallet.handle: wallet})
    store_products(store, [products["phone-case"]], catalog="demo", marked=False)
    shirt = products["linen-shirt"]
    older = replace(
        shirt,
        tags=frozenset({"linen"}),
        variants=tuple(replace(v, price=Decimal("59.00")) for v in shirt.variants),
    )
    store_products(store, [older], catalog="demo")
    hat = Product(
        handle="summer-hat",
        title="Summer Hat",
        status="active",
        vendor="Acme Apparel",
        tags=frozenset({"summer"}),
        variants=(Variant(price=Decimal("22.00"), sku="HAT-1"),),
    )
    store_products(store, [hat], catalog="demo")
    gift = Product(handle="gift-card", title="Gift Card", variants=(Variant(price=Decimal(25)),))
    store_products(store, [gift], catalog="marketing")
