"""The sandbox over raw HTTP, as a Shopify client sees it: cost, throttling, auth, versions, control
endpoints and the state file."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import urlencode

import pytest

from reconciler.sandbox import persist
from reconciler.sandbox.embedded import start_embedded
from reconciler.sandbox.testing import http, run_sandbox

SHOP = "{ shop { name } }"
COUNT = "{ productsCount { count } }"
PRODUCTS = "query($n: Int!) { products(first: $n) { edges { node { id handle } } } }"
PRODUCT_SET = """
mutation Set($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id handle }
    userErrors { field message code }
  }
}
"""
INVALID_TOKEN = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}


def product_input(handle: str, variants: int = 1, metafields_per_variant: int = 0) -> dict:
    values = [f"V{i}" for i in range(variants)]
    return {
        "handle": handle,
        "title": handle.title(),
        "productOptions": [{"name": "Size", "values": [{"name": v} for v in values]}],
        "variants": [
            {
                "optionValues": [{"optionName": "Size", "name": v}],
                "price": "10.00",
                "metafields": [
                    {
                        "namespace": "custom",
                        "key": f"k{j}",
                        "type": "single_line_text_field",
                        "value": "x",
                    }
                    for j in range(metafields_per_variant)
                ],
            }
            for v in values
        ],
    }


def set_product(sandbox, handle: str, **kw):
    variables = {"identifier": {"handle": handle}, "input": product_input(handle, **kw)}
    return sandbox.graphql(PRODUCT_SET, variables)


def count(sandbox) -> int:
    return sandbox.graphql(COUNT).json["data"]["productsCount"]["count"]


def assert_cost_shape(cost: dict) -> None:
    assert set(cost) >= {"requestedQueryCost", "actualQueryCost", "throttleStatus"}
    status = cost["throttleStatus"]
    assert set(status) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}
    assert isinstance(status["maximumAvailable"], float)
    assert isinstance(status["restoreRate"], float)
    assert isinstance(status["currentlyAvailable"], int)


# --- extensions.cost on every response -------------------------------------------------------


def test_success_carries_cost_in_shopify_shape(sandbox):
    reply = sandbox.graphql(SHOP)
    assert reply.status == 200
    body = reply.json
    assert body["data"]["shop"]["name"]
    cost = body["extensions"]["cost"]
    assert_cost_shape(cost)
    assert cost["requestedQueryCost"] == 1 and cost["actualQueryCost"] == 1
    # floats serialize as Shopify's do ("2000.0"), the level as an int
    assert '"maximumAvailable": 2000.0' in reply.text or '"maximumAvailable":2000.0' in reply.text
    # 2000 - 1, plus what the bucket restored while the request ran (100/s: one point per 10 ms)
    assert 1999 <= cost["throttleStatus"]["currentlyAvailable"] <= 2000


def test_validation_error_is_http_200_with_code_and_cost(sandbox):
    reply = sandbox.graphql("{ shop { nmae } }")
    assert reply.status == 200
    body = reply.json
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "undefinedField"
    assert error["locations"] == [{"line": 1, "column": 10}]
    assert "nmae" in error["message"]
    assert_cost_shape(body["extensions"]["cost"])


def test_syntax_error_and_missing_query(sandbox):
    broken = sandbox.graphql("{ shop { name ")
    assert broken.status == 200 and broken.json["errors"][0]["locations"]
    missing = http("POST", sandbox.graphql_url(), b"{}", {"Content-Type": "application/json"})
    assert missing.status == 400
    assert missing.json == {"errors": {"query": "Required parameter missing or invalid"}}


def test_bad_variable_is_rejected_before_execution(sandbox):
    reply = sandbox.graphql(PRODUCTS, {"n": "ten"})
    assert reply.status == 200
    assert reply.json["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    assert_cost_shape(reply.json["extensions"]["cost"])


def test_application_graphql_body_is_accepted(sandbox):
    reply = http(
        "POST", sandbox.graphql_url(), SHOP.encode(), {"Content-Type": "application/graphql"}
    )
    assert reply.status == 200 and reply.json["data"]["shop"]["name"]


def test_cost_debug_header_adds_field_breakdown(sandbox):
    plain = sandbox.graphql(PRODUCTS, {"n": 5}).json["extensions"]["cost"]
    assert "fields" not in plain
    debug = sandbox.graphql(PRODUCTS, {"n": 5}, headers={"Shopify-GraphQL-Cost-Debug": "1"})
    fields = debug.json["extensions"]["cost"]["fields"]
    assert fields and all({"path", "definedCost", "requestedTotalCost"} <= set(f) for f in fields)
    assert any(f["path"] == ["products"] for f in fields)


# --- admission, MAX_COST_EXCEEDED, throttling ----------------------------------------------------


def test_max_cost_exceeded_is_refused_before_execution(sandbox):
    reply = set_product(sandbox, "huge", variants=2048, metafields_per_variant=1)
    assert reply.status == 200
    body = reply.json
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    requested = body["extensions"]["cost"]["requestedQueryCost"]
    assert requested > 1000
    assert error["message"] == (
        f"Query cost is {requested}, which exceeds the single query max cost limit (1000)."
    )
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2000
    assert count(sandbox) == 0


def test_throttled_is_http_200_and_takes_nothing(sandbox):
    sandbox.control("plan", {"bucket": 30, "restore_rate": 0.001})
    first = sandbox.graphql(PRODUCTS, {"n": 10})  # requested 2 + 10 = 12, actual 2 (no products)
    assert first.json["extensions"]["cost"]["requestedQueryCost"] == 12
    for _ in range(3):
        sandbox.graphql(PRODUCTS, {"n": 5})  # requested 7 each, refunded to 2
    reply = sandbox.graphql(PRODUCTS, {"n": 25})  # requested 27 > what is left (~22)
    assert reply.status == 200
    body = reply.json
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 27 and cost["actualQueryCost"] is None
    assert cost["throttleStatus"]["maximumAvailable"] == 30.0
    level = cost["throttleStatus"]["currentlyAvailable"]
    assert level == 22  # 30 - 2 x 4: the throttled request itself took nothing
    assert sandbox.graphql(PRODUCTS, {"n": 1}).status == 200  # a cheaper one still fits


def test_requested_cost_is_held_during_processing_then_refunded(sandbox_factory):
    # held for 3 s: long enough to be seen however slowly this thread is scheduled
    handle = sandbox_factory(bucket=1000, restore_rate=0.001, latency_ms=3000)
    result = {}

    def call():
        result["reply"] = handle.graphql(PRODUCTS, {"n": 100})  # requested 102, actual 2

    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 30
    held = 1000.0
    while held >= 999 and time.monotonic() < deadline:  # wait for the request to be admitted
        time.sleep(0.02)
        held = handle.run(handle.sandbox.bucket.available)
    thread.join()
    assert 1000 - 102 <= held < 1000 - 101
    cost = result["reply"].json["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 102 and cost["actualQueryCost"] == 2
    assert cost["throttleStatus"]["currentlyAvailable"] == 998


def test_plan_sets_bucket(sandbox):
    reply = sandbox.control("plan", {"plan": "plus"})
    assert reply.status == 200
    status = sandbox.graphql(SHOP).json["extensions"]["cost"]["throttleStatus"]
    assert status["maximumAvailable"] == 20000.0 and status["restoreRate"] == 1000.0
    assert sandbox.control("plan", {"plan": "platinum"}).status == 400


# --- auth --------------------------------------------------------------------------------------


def test_token_required_when_configured(sandbox_factory):
    handle = sandbox_factory(token="shpat_right")
    for headers in ({}, {"X-Shopify-Access-Token": "shpat_wrong"}):
        reply = handle.graphql(SHOP, headers=headers)
        assert reply.status == 401
        assert reply.json == INVALID_TOKEN
    ok = handle.graphql(SHOP, headers={"X-Shopify-Access-Token": "shpat_right"})
    assert ok.status == 200 and ok.json["data"]["shop"]["name"]


def _mint(handle, **params):
    body = urlencode(params).encode()
    return http(
        "POST",
        f"{handle.url}/admin/oauth/access_token",
        body,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )


def test_client_credentials_grant_mints_tokens_that_expire(sandbox_factory):
    # 2.5 s: the first use, right after minting, is inside it even on a busy machine
    handle = sandbox_factory(client_id="cid", client_secret="csecret", token_ttl=2.5)
    assert handle.graphql(SHOP).status == 401
    reply = _mint(handle, grant_type="client_credentials", client_id="cid", client_secret="csecret")
    assert reply.status == 200
    minted = reply.json
    assert set(minted) == {"access_token", "scope", "expires_in"}
    assert minted["access_token"].startswith("shpat_") and minted["expires_in"] == 3
    headers = {"X-Shopify-Access-Token": minted["access_token"]}
    assert handle.graphql(SHOP, headers=headers).status == 200
    time.sleep(2.7)
    expired = handle.graphql(SHOP, headers=headers)
    assert expired.status == 401 and expired.json == INVALID_TOKEN


def test_client_credentials_default_lifetime_and_errors(sandbox_factory):
    handle = sandbox_factory(client_id="cid", client_secret="csecret")
    good = _mint(handle, grant_type="client_credentials", client_id="cid", client_secret="csecret")
    assert good.json["expires_in"] == 86399
    bad = _mint(handle, grant_type="client_credentials", client_id="cid", client_secret="nope")
    assert bad.status == 400 and bad.json["error"] == "invalid_client"
    assert "access_token" not in bad.json
    grant = _mint(handle, grant_type="authorization_code", client_id="cid", client_secret="csecret")
    assert grant.status == 400 and grant.json["error"] == "unsupported_grant_type"


# --- versions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "served"),
    [
        ("2026-10", "2026-10"),
        ("2025-10", "2025-10"),
        ("2024-01", "2025-10"),
        ("2099-01", "2025-10"),
        ("unstable", "2026-10"),
    ],
)
def test_version_routing_falls_forward_to_oldest_supported(sandbox, asked, served):
    reply = sandbox.graphql(SHOP, version=asked)
    assert reply.status == 200 and reply.json["data"]["shop"]["name"]
    assert reply.headers["X-Shopify-API-Version"] == served


def test_each_version_validates_against_its_own_schema(sandbox):
    query = "{ bulkOperations(first: 1) { nodes { id } } }"  # exists from 2026-01 only
    old = sandbox.graphql(query, version="2025-10").json
    assert old["errors"][0]["extensions"]["code"] == "undefinedField"
    new = sandbox.graphql(query, version="2026-10").json
    assert all(
        e.get("extensions", {}).get("code") != "undefinedField" for e in new.get("errors", [])
    )


def test_unknown_path_version_is_not_found(sandbox):
    assert sandbox.graphql(SHOP, version="latest").status == 404


# --- control endpoints -------------------------------------------------------------------------


def test_seed_state_and_reset(sandbox):
    health = sandbox.control("health")
    assert health.status == 200 and health.json["status"] == "ok"
    seeded = sandbox.control(
        "seed", {"products": [product_input("alpha"), product_input("beta", variants=3)]}
    )
    assert seeded.status == 200
    assert [p["handle"] for p in seeded.json["products"]] == ["alpha", "beta"]
    assert all(p["id"].startswith("gid://shopify/Product/") for p in seeded.json["products"])
    assert count(sandbox) == 2
    dump = sandbox.control("state").json
    assert sorted(p["handle"] for p in dump["products"]) == ["alpha", "beta"]
    assert sandbox.control("reset").status == 200
    assert count(sandbox) == 0


def test_seed_reports_user_errors(sandbox):
    bad = product_input("gamma")
    bad["variants"] = [bad["variants"][0], bad["variants"][0]]  # the same option value twice
    reply = sandbox.control("seed", {"products": [bad]})
    assert reply.status == 422
    assert reply.json["products"][0]["userErrors"]
    assert count(sandbox) == 0


def test_latency_endpoint_slows_requests(sandbox):
    assert sandbox.control("latency", {"latency_ms": 500}).status == 200
    started = time.perf_counter()
    sandbox.graphql(SHOP)
    assert time.perf_counter() - started >= 0.5
    sandbox.control("reset")  # back to the latency it was started with (none)
    assert sandbox.sandbox.config.latency_ms == 0.0


def test_productset_latency_grows_with_variants(sandbox):
    sandbox.control("latency", {"latency_ms": 100})
    started = time.perf_counter()
    assert "errors" not in set_product(sandbox, "big", variants=50).json
    assert time.perf_counter() - started >= 0.2  # 100 ms x (1 + 50 / 50)


def test_bad_control_input_is_400(sandbox):
    assert sandbox.control("faults", {"rate": 3}).status == 400
    assert sandbox.control("seed", {"products": "nope"}).status == 400


# --- state file --------------------------------------------------------------------------------


def test_state_file_persists_writes_and_reloads(tmp_path):
    path = tmp_path / ".catalog" / "sandbox.json"
    with run_sandbox(state=path) as handle:
        assert path.exists()  # created at start
        assert "errors" not in set_product(handle, "kept").json
        deadline = time.monotonic() + 30  # generous: the suite shares 2 cores
        while time.monotonic() < deadline:  # debounced save after the mutation
            if "kept" in path.read_text():
                break
            time.sleep(0.05)
        assert "kept" in path.read_text()
    saved = json.loads(path.read_text())
    assert [p["handle"] for p in saved["products"]] == ["kept"]
    assert [p.name for p in path.parent.iterdir()] == ["sandbox.json"]  # no temp files left
    with run_sandbox(state=path) as again:
        assert count(again) == 1
        assert (
            again.graphql(PRODUCTS, {"n": 5}).json["data"]["products"]["edges"][0]["node"]["handle"]
            == "kept"
        )


def test_embedded_store_keeps_its_state_under_the_given_path(tmp_path):
    path = tmp_path / "catalog" / ".catalog" / "sandbox.json"
    handle = start_embedded(path)
    try:
        assert handle.url.startswith("http://127.0.0.1:")
        assert "errors" not in set_product(handle, "embedded").json
    finally:
        handle.stop()
    assert [p["handle"] for p in json.loads(path.read_text())["products"]] == ["embedded"]
    with start_embedded(path) as again:
        assert count(again) == 1


def test_state_saved_at_stop(tmp_path):
    path = tmp_path / "state.json"
    handle = run_sandbox(state=path)
    set_product(handle, "last")
    handle.stop()  # before the debounce fires
    assert [p["handle"] for p in json.loads(path.read_text())["products"]] == ["last"]


def test_interrupted_save_leaves_previous_state_intact(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    persist.write_atomic(path, b'{"old": true}')

    def crash(fd):
        raise OSError("disk gone")

    monkeypatch.setattr(persist.os, "fsync", crash)
    with pytest.raises(OSError):
        persist.write_atomic(path, b'{"new": tru')
    assert json.loads(path.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_unreadable_state_file_is_an_error_not_overwritten(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="is not a sandbox state file"):
        run_sandbox(state=path)
    assert path.read_text() == "{not json"
