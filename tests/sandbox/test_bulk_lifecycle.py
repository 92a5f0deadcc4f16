"""Bulk operation lifecycle, listing, limits, cancel and result URLs (facts §3.1, §3.3, §3.4;
pitfalls 9-11)."""

from __future__ import annotations

import time

from bulk_helper import (
    PRODUCT_SET_MUTATION,
    data,
    download,
    poll,
    run_mutation,
    run_query,
    seed,
    upload_jsonl,
    wait,
)

from reconciler.sandbox.testing import http

QUERY = "{ products { edges { node { id title } } } }"
CANCEL = """mutation($id: ID!) { bulkOperationCancel(id: $id) {
  bulkOperation { id status } userErrors { field message } } }"""
LIST = """query($q: String, $sort: BulkOperationsSortKeys, $reverse: Boolean) {
  bulkOperations(first: 20, query: $q, sortKey: $sort, reverse: $reverse) {
    nodes { id type status } } }"""


def products(n: int) -> list[dict]:
    return [{"title": f"P{i}", "handle": f"p-{i}"} for i in range(n)]


def test_status_moves_created_running_completed_at_the_bulk_rate(sandbox_factory):
    handle = sandbox_factory(bulk_rate=20)  # 2 s of RUNNING: a late poll still sees it
    seed(handle, products(40))
    run = run_query(handle, QUERY)
    assert run["bulkOperation"]["status"] == "CREATED"
    seen, counts = [], []
    started = time.monotonic()
    while True:
        op = poll(handle, run["bulkOperation"]["id"])
        seen.append(op["status"])
        counts.append(int(op["objectCount"]))
        if op["status"] == "COMPLETED":
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    assert "RUNNING" in seen and counts == sorted(counts) and counts[-1] == 40
    assert elapsed > 1.0  # 40 objects at 20/s: about two seconds, never much less
    assert op["completedAt"] >= op["createdAt"]


def test_default_rate_finishes_a_few_hundred_objects_quickly(sandbox):
    seed(sandbox, products(300))
    started = time.monotonic()
    op = wait(sandbox, run_query(sandbox, QUERY)["bulkOperation"]["id"])
    assert op["objectCount"] == "300"
    # 0.3 s at the default 1000/s; a bound 50x that catches a default slowed to 20/s or less
    assert time.monotonic() - started < 15


def test_cancel_a_running_operation(sandbox_factory):
    handle = sandbox_factory(bulk_rate=5)  # 10 s for 50: cancelled long before the end
    seed(handle, products(50))
    op_id = run_query(handle, QUERY)["bulkOperation"]["id"]
    time.sleep(0.3)
    out = data(handle.graphql(CANCEL, {"id": op_id}))["bulkOperationCancel"]
    assert out["userErrors"] == [] and out["bulkOperation"]["status"] == "CANCELING"
    op = wait(handle, op_id)
    assert op["status"] == "CANCELED" and int(op["objectCount"]) < 50 and op["url"] is None
    again = data(handle.graphql(CANCEL, {"id": op_id}))["bulkOperationCancel"]
    assert again["userErrors"][0]["message"].endswith("canceled")


def test_five_per_type_on_2026_10_then_limit_reached(sandbox_factory):
    handle = sandbox_factory(bulk_rate=1)
    seed(handle, products(20))
    for _ in range(5):
        assert run_query(handle, QUERY)["userErrors"] == []
    sixth = run_query(handle, QUERY)
    assert sixth["bulkOperation"] is None
    assert [e["code"] for e in sixth["userErrors"]] == ["LIMIT_REACHED"]
    # the other type has its own limit
    key = upload_jsonl(handle, [{"input": {"title": "x"}}])
    assert run_mutation(handle, PRODUCT_SET_MUTATION, key)["userErrors"] == []


def test_one_per_type_on_2025_10(sandbox_factory):
    handle = sandbox_factory(bulk_rate=1)
    seed(handle, products(20))
    assert run_query(handle, QUERY, version="2025-10")["userErrors"] == []
    second = run_query(handle, QUERY, version="2025-10")
    assert [e["code"] for e in second["userErrors"]] == ["OPERATION_IN_PROGRESS"]


def test_bulk_operations_lists_newest_first_with_filters(sandbox):
    seed(sandbox, products(2))
    q1 = wait(sandbox, run_query(sandbox, QUERY)["bulkOperation"]["id"])
    m1 = wait(
        sandbox,
        run_mutation(
            sandbox, PRODUCT_SET_MUTATION, upload_jsonl(sandbox, [{"input": {"title": "x"}}])
        )["bulkOperation"]["id"],
    )

    def ids(**variables):
        return [n["id"] for n in data(sandbox.graphql(LIST, variables))["bulkOperations"]["nodes"]]

    assert ids() == [m1["id"], q1["id"]]
    assert ids(reverse=True) == [q1["id"], m1["id"]]
    assert ids(q="operation_type:mutation") == [m1["id"]]
    assert ids(q="type:QUERY") == [q1["id"]]  # the guide's spelling
    assert ids(q="status:completed") == [m1["id"], q1["id"]]
    assert ids(q="status:running") == []
    number = q1["id"].rsplit("/", 1)[1]
    assert ids(q=f"id:>{number}") == [m1["id"]]
    assert ids(q="created_at:>2000-01-01") == [m1["id"], q1["id"]]
    assert ids(sort="COMPLETED_AT") == [m1["id"], q1["id"]]


def test_current_bulk_operation_defaults_to_query(sandbox):
    seed(sandbox, products(1))
    q1 = wait(sandbox, run_query(sandbox, QUERY)["bulkOperation"]["id"])
    m1 = wait(
        sandbox,
        run_mutation(
            sandbox, PRODUCT_SET_MUTATION, upload_jsonl(sandbox, [{"input": {"title": "x"}}])
        )["bulkOperation"]["id"],
    )
    current = "query($t: BulkOperationType) { currentBulkOperation(type: $t) { id type } }"
    assert (
        data(sandbox.graphql("{ currentBulkOperation { id } }"))["currentBulkOperation"]["id"]
        == q1["id"]
    )
    assert (
        data(sandbox.graphql(current, {"t": "MUTATION"}))["currentBulkOperation"]["id"] == m1["id"]
    )


def test_bulk_operation_and_bulk_operations_do_not_exist_in_2025_10(sandbox):
    for query in (
        '{ bulkOperation(id: "gid://shopify/BulkOperation/1") { id } }',
        "{ bulkOperations(first: 1) { nodes { id } } }",
    ):
        body = sandbox.graphql(query, version="2025-10").json
        assert body["errors"][0]["extensions"]["code"] == "undefinedField"


def test_node_finds_a_bulk_operation(sandbox):
    seed(sandbox, products(1))
    op = wait(sandbox, run_query(sandbox, QUERY)["bulkOperation"]["id"])
    node = data(
        sandbox.graphql(
            "query($id: ID!) { node(id: $id) { ... on BulkOperation { id status } } }",
            {"id": op["id"]},
        )
    )["node"]
    assert node == {"id": op["id"], "status": "COMPLETED"}


def test_result_urls_expire(sandbox_factory):
    handle = sandbox_factory(bulk_result_ttl=3.0)  # the first download comes well within it
    seed(handle, products(1))
    op = wait(handle, run_query(handle, QUERY)["bulkOperation"]["id"])
    assert len(download(op["url"])) == 1
    time.sleep(3.5)
    expired = http("GET", op["url"])
    assert expired.status == 400 and "<Code>ExpiredToken</Code>" in expired.text
    assert poll(handle, op["id"])["status"] == "EXPIRED"


def test_downloads_and_polls_draw_faults(sandbox):
    seed(sandbox, products(1))
    op = wait(sandbox, run_query(sandbox, QUERY)["bulkOperation"]["id"])
    sandbox.control("faults", {"rate": 1, "seed": 3, "kinds": ["http_502"]})
    assert http("GET", op["url"]).status == 502
    assert sandbox.graphql(QUERY).status == 502
    sandbox.control("faults", {"rate": 0})
    assert len(download(op["url"])) == 1
