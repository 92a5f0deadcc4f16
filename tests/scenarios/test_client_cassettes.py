"""The client's scenarios as vcrpy cassettes in tests/cassettes/.

- A cassette that exists is replayed (record_mode "none"): no server at all, so CI checks the
  client against answers recorded once.
- A missing cassette is recorded from the sandbox.
- `pytest -m live` runs the same scenarios against a real development store (SHOPIFY_STORE and a
  token, see docs/live-testing.md) and re-records the cassettes from it.

Before anything is written, the token header, the client secret and any minted access token are
removed, and the store's host is replaced by example-shop.myshopify.com; replay therefore targets
that placeholder, matching requests on method, path and body.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import vcr

from reconciler.errors import UserErrorsError
from reconciler.shopify.client import TOKEN_HEADER, ShopifyClient
from reconciler.shopify.store import ClientConfig, Credentials, parse_store, resolve

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
PLACEHOLDER_HOST = "example-shop.myshopify.com"
HANDLE = "reconciler-cassette-tee"


# --- scenarios: the same code runs in replay, recording and live mode --------------------------


async def scenario_shop(client: ShopifyClient) -> None:
    shop = (await client.execute("Shop"))["shop"]
    assert shop["myshopifyDomain"].endswith(".myshopify.com")
    assert len(shop["currencyCode"]) == 3
    status = client.throttle_status
    assert status is not None and status.maximum >= status.restore_rate > 0


async def scenario_product_roundtrip(client: ShopifyClient) -> None:
    product_input = {
        "handle": HANDLE,
        "title": "Reconciler cassette tee",
        "status": "DRAFT",
        "tags": ["reconciler-test"],
        "productOptions": [{"name": "Size", "values": [{"name": "S"}, {"name": "M"}]}],
        "variants": [
            {"optionValues": [{"optionName": "Size", "name": s}], "price": p}
            for s, p in (("S", "19.00"), ("M", "21.50"))
        ],
    }
    written = await client.execute(
        "ProductSet", {"identifier": {"handle": HANDLE}, "input": product_input, "variants": 2}
    )
    product = written["productSet"]["product"]
    assert product["handle"] == HANDLE
    assert len(product["variants"]["nodes"]) == 2

    page = await read_back(client)
    assert page["title"] == "Reconciler cassette tee"
    assert sorted(v["selectedOptions"][0]["value"] for v in page["variants"]["nodes"]) == ["M", "S"]

    entry = {"ownerId": product["id"], "namespace": "custom", "key": "reconciler_test"}
    value = {**entry, "type": "single_line_text_field", "value": "cassette"}
    await client.execute("MetafieldsSet", {"metafields": [value]})
    deleted = await client.execute("MetafieldsDelete", {"metafields": [entry]})
    assert deleted["metafieldsDelete"]["deletedMetafields"][0]["key"] == "reconciler_test"

    mismatch = {"identifier": {"handle": HANDLE}, "input": {"handle": HANDLE + "-x", "title": "x"}}
    with pytest.raises(UserErrorsError) as info:
        await client.execute("ProductSet", mismatch)
    assert info.value.user_errors

    gone = await client.execute("ProductDelete", {"id": product["id"]})
    assert gone["productDelete"]["deletedProductId"] == product["id"]


async def read_back(client: ShopifyClient) -> dict:
    # Shopify's search index may lag a write by a moment; the polls are recorded like any call.
    for _ in range(10):
        nodes = (
            await client.execute(
                "ProductsPage", {"first": 1, "query": f"handle:{HANDLE}", "variants": 2}
            )
        )["products"]["nodes"]
        if nodes:
            return nodes[0]
    raise AssertionError(f"{HANDLE} never showed up in products(query:)")


SCENARIOS = {"shop": scenario_shop, "product_roundtrip": scenario_product_roundtrip}


# --- filtering what is written ------------------------------------------------------------------


def recorder(record_mode: str, real_host: str | None = None) -> vcr.VCR:
    def request_filter(request):
        parts = urlsplit(request.uri)
        request.uri = f"https://{PLACEHOLDER_HOST}{parts.path}"
        return request

    def response_filter(response):
        response["headers"] = {
            k: v for k, v in response["headers"].items() if k.lower() not in ("set-cookie",)
        }
        body = response["body"].get("string")
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        if body:
            response["body"]["string"] = scrub_body(body, real_host).encode()
        return response

    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=record_mode,
        match_on=("method", "path", "body"),
        filter_headers=[TOKEN_HEADER, "authorization", "cookie"],
        filter_post_data_parameters=["client_secret", "client_id"],
        before_record_request=request_filter,
        before_record_response=response_filter,
        decode_compressed_response=True,
    )


def scrub_body(body: str, real_host: str | None) -> str:
    if real_host:
        body = body.replace(real_host, PLACEHOLDER_HOST)
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if isinstance(data, dict) and "access_token" in data:
        data["access_token"] = "shpat_REDACTED"
        return json.dumps(data)
    return body


def replay_client() -> ShopifyClient:
    config = ClientConfig(
        store=parse_store(PLACEHOLDER_HOST), credentials=Credentials(access_token="shpat_replay")
    )
    return ShopifyClient(config, backoff_base=0.01)


# --- tests --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_scenario_replays_from_its_cassette(name, request):
    path = CASSETTES / f"client_{name}.yaml"
    if path.exists():
        with recorder("none").use_cassette(path.name):
            async with replay_client() as client:
                await SCENARIOS[name](client)
        return
    sandbox = request.getfixturevalue("sandbox")  # record it, once, from the sandbox
    config = ClientConfig(store=parse_store(sandbox.url))
    with recorder("once", urlsplit(sandbox.url).netloc).use_cassette(path.name):
        async with ShopifyClient(config, backoff_base=0.01) as client:
            await SCENARIOS[name](client)
    assert path.exists()


def test_cassettes_hold_no_secret_and_no_real_host():
    texts = [p.read_text() for p in CASSETTES.glob("client_*.yaml")]
    if not texts:
        pytest.skip("no cassettes recorded yet")
    for text in texts:
        assert "shpat_" not in text.replace("shpat_REDACTED", "")
        assert "127.0.0.1" not in text
        store = os.environ.get("SHOPIFY_STORE")
        if store:
            assert parse_store(store).display not in text


@pytest.mark.live
@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_scenario_live_and_rerecord(name):
    env = os.environ
    if not env.get("SHOPIFY_STORE") or not (
        env.get("SHOPIFY_ACCESS_TOKEN") or env.get("SHOPIFY_CLIENT_ID")
    ):
        pytest.skip("live mode needs SHOPIFY_STORE and SHOPIFY_ACCESS_TOKEN (or client id/secret)")
    config = resolve(None, env, None)
    host = urlsplit(config.store.base_url).netloc
    with recorder("all", host).use_cassette(f"client_{name}.yaml"):
        async with ShopifyClient(config) as client:
            await SCENARIOS[name](client)
