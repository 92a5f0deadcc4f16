"""Audit of issue 3's serving, cost and throttling over real HTTP (fact sheet §1, pitfalls 1-2):
the bucket of every plan, refill at the restore rate, dynamic productSet cost as charged, cost on
every kind of answer, MAX_COST_EXCEEDED for a plain query, the listening address, and `sandbox
serve` without `--state` starting empty and writing nothing."""

from __future__ import annotations

import json
import socket
import time

import pytest
from serve_helpers import start, stop

from reconciler.sandbox.testing import http

SHOP = "{ shop { name } }"
PRODUCTS = "query($n: Int!) { products(first: $n) { nodes { id } } }"
SET = """mutation($input: ProductSetInput!) { productSet(input: $input) {
  product { id } userErrors { code } } }"""


def cost(reply) -> dict:
    assert reply.status == 200, reply.text
    return reply.json["extensions"]["cost"]


@pytest.mark.parametrize(
    ("plan", "maximum", "rate"),
    [
        ("standard", 2000.0, 100.0),
        ("advanced", 4000.0, 200.0),
        ("plus", 20000.0, 1000.0),
        ("enterprise", 40000.0, 2000.0),
    ],
)
def test_every_plan_over_http(sandbox_factory, plan, maximum, rate):
    # What Shopify guarantees: the plan's size and rate exactly; the level is what the bucket
    # held minus the cost, plus what it restored meanwhile (so a full bucket may read full again
    # after a 1-point query), never above the size.
    handle = sandbox_factory(plan=plan)
    status = cost(handle.graphql(SHOP))["throttleStatus"]
    assert (status["maximumAvailable"], status["restoreRate"]) == (maximum, rate)
    assert maximum - 1 <= status["currentlyAvailable"] <= maximum
    # drained, it restores `rate` points per second: at least for the time slept, at most for
    # the time the whole exchange took
    started = time.monotonic()
    handle.run(handle.sandbox.bucket.take, maximum - 1)
    time.sleep(0.5)
    level = cost(handle.graphql(SHOP))["throttleStatus"]["currentlyAvailable"]
    elapsed = time.monotonic() - started
    assert rate * 0.5 - 2 <= level <= min(maximum, 1 + rate * elapsed)


def test_bucket_refills_at_the_restore_rate_after_throttled(sandbox):
    sandbox.control("plan", {"bucket": 40, "restore_rate": 20})
    first = cost(sandbox.graphql(PRODUCTS, {"n": 30}))  # requested 32, actual 2
    assert (first["requestedQueryCost"], first["actualQueryCost"]) == (32, 2)
    sandbox.graphql(PRODUCTS, {"n": 36})  # requested 38 (fits 38), refunded to 2
    sandbox.graphql(PRODUCTS, {"n": 34})  # requested 36 (fits ~36), refunded to 2
    throttled = sandbox.graphql(PRODUCTS, {"n": 36})  # requested 38 > ~34 left
    body = throttled.json
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    available = body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
    assert available < 38
    time.sleep((38 - available) / 20 + 0.15)  # the documented wait
    assert "data" in sandbox.graphql(PRODUCTS, {"n": 36}).json


def test_product_set_is_charged_its_dynamic_cost(sandbox):
    values = [f"v{i}" for i in range(100)]
    product = {
        "title": "Dyn",
        "productOptions": [{"name": "N", "values": [{"name": v} for v in values]}],
        "variants": [
            {
                "optionValues": [{"optionName": "N", "name": v}],
                "metafields": [
                    {"namespace": "c", "key": "kk", "type": "boolean", "value": "true"},
                ],
            }
            for v in values
        ],
        "metafields": [{"namespace": "c", "key": "pp", "type": "boolean", "value": "true"}],
    }
    started = time.monotonic()
    charged = cost(sandbox.graphql(SET, {"input": product}))
    elapsed = time.monotonic() - started
    # 10 + 0.2 x 100 variants + 0.4 x 100 variant metafields + 0.4 x 1 metafield = 70.4 -> 71
    # (plain objects in a mutation's payload are free, the sandbox's reading in cost.py)
    assert charged["requestedQueryCost"] == 71
    assert charged["actualQueryCost"] == 71
    level = charged["throttleStatus"]["currentlyAvailable"]
    # restored at 100/s while the call ran, however long that was on this machine
    assert 2000 - 71 <= level <= min(2000, 2000 - 71 + 100 * elapsed + 1)


def test_plain_mutation_costs_ten_over_http(sandbox):
    made = sandbox.graphql(SET, {"input": {"title": "T"}}).json["data"]["productSet"]["product"]
    reply = sandbox.graphql(
        'mutation($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { userErrors { message } } }',
        {"id": made["id"]},
    )
    charged = cost(reply)
    assert (charged["requestedQueryCost"], charged["actualQueryCost"]) == (10, 10)


def test_cost_on_user_errors_and_on_the_older_version(sandbox):
    refused = sandbox.graphql(SET, {"input": {"vendor": "no title"}})
    assert refused.json["data"]["productSet"]["userErrors"]
    charged = cost(refused)
    assert charged["requestedQueryCost"] == 10 and charged["actualQueryCost"] == 10
    old = cost(sandbox.graphql(SHOP, version="2025-10"))
    assert old["requestedQueryCost"] == 1
    assert isinstance(old["throttleStatus"]["maximumAvailable"], float)


def test_max_cost_exceeded_for_a_query(sandbox):
    query = "{ products(first: 250) { nodes { id variants(first: 10) { nodes { id } } } } }"
    reply = sandbox.graphql(query)
    body = reply.json
    assert reply.status == 200 and "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 + 250 * (1 + 12)
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2000


def _outward_address() -> str | None:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_listens_on_loopback_only(sandbox):
    address = _outward_address()
    if address is None:
        pytest.skip("no non-loopback address on this machine")
    port = int(sandbox.url.rsplit(":", 1)[1])
    with socket.socket() as other, pytest.raises(OSError):
        other.settimeout(2)
        other.connect((address, port))


def test_serve_without_state_starts_empty_and_writes_nothing(tmp_path, monkeypatch):
    # an embedded store's file in the working directory must not be picked up by `serve`
    (tmp_path / ".catalog").mkdir()
    planted = tmp_path / ".catalog" / "sandbox.json"
    monkeypatch.chdir(tmp_path)
    proc, url = start()
    try:
        seed = json.dumps({"products": [{"title": "Only in memory"}]}).encode()
        assert http("POST", f"{url}/_sandbox/seed", seed).status == 200
    finally:
        code, _, err = stop(proc)
    assert code == 0 and "in memory" in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == [".catalog"]
    assert not planted.exists()
    again, url = start()
    try:
        body = json.dumps({"query": "{ productsCount { count } }"}).encode()
        reply = http("POST", f"{url}/admin/api/2026-10/graphql.json", body)
        assert reply.json["data"]["productsCount"]["count"] == 0
    finally:
        stop(again)
