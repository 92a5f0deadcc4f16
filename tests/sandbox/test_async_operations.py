"""productSet / productDelete with `synchronous: false` (facts §2.3, §5; pitfall 6)."""

from __future__ import annotations

import time

from bulk_helper import data

SET = """mutation($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: false) {
    product { id }
    productSetOperation { id status product { id } userErrors { field message code } }
    userErrors { field message code } } }"""
DELETE = """mutation($id: ID!) { productDelete(input: {id: $id}, synchronous: false) {
  deletedProductId userErrors { message }
  productDeleteOperation { id status deletedProductId } } }"""
OPERATION = """query($id: ID!) { productOperation(id: $id) {
  __typename status product { id title }
  ... on ProductSetOperation { userErrors { field code message } }
  ... on ProductDeleteOperation { deletedProductId userErrors { message } } } }"""
BY_HANDLE = "query($h: String!) { productByHandle(handle: $h) { id title } }"


def follow(sandbox, op_id: str, timeout: float = 30.0) -> list[dict]:
    """Every distinct state the operation is seen in, until COMPLETE."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while True:
        op = data(sandbox.graphql(OPERATION, {"id": op_id}))["productOperation"]
        if not seen or seen[-1] != op:
            seen.append(op)
        if op["status"] == "COMPLETE":
            return seen
        assert time.monotonic() < deadline, seen
        time.sleep(0.01)


def test_product_set_operation_moves_created_active_complete(sandbox_factory):
    handle = sandbox_factory(processing_seconds=0.5)
    out = data(
        handle.graphql(SET, {"input": {"title": "Later"}, "identifier": {"handle": "later"}})
    )
    payload = out["productSet"]
    assert payload["product"] is None and payload["userErrors"] == []
    op = payload["productSetOperation"]
    assert op["status"] == "CREATED" and op["product"] is None
    # not written yet
    assert data(handle.graphql(BY_HANDLE, {"h": "later"}))["productByHandle"] is None
    seen = follow(handle, op["id"])
    assert [s["status"] for s in seen][-2:] == ["ACTIVE", "COMPLETE"]
    written = data(handle.graphql(BY_HANDLE, {"h": "later"}))["productByHandle"]
    assert seen[-1]["product"] == written and written["title"] == "Later"


def test_rule_failures_are_the_operation_user_errors(sandbox):
    bad = {"title": "X", "productOptions": [{"name": "A", "values": [{"name": "1"}]}]}
    payload = data(sandbox.graphql(SET, {"input": bad}))["productSet"]
    assert payload["userErrors"] == []
    final = follow(sandbox, payload["productSetOperation"]["id"])[-1]
    assert final["product"] is None
    assert [e["code"] for e in final["userErrors"]] == ["VARIANTS_INPUT_MISSING"]


def test_product_delete_operation(sandbox_factory):
    handle = sandbox_factory(processing_seconds=0.2)
    made = data(
        handle.graphql('mutation { productSet(input: {title: "Gone"}) { product { id } } }')
    )["productSet"]["product"]["id"]
    payload = data(handle.graphql(DELETE, {"id": made}))["productDelete"]
    assert payload["deletedProductId"] is None and payload["userErrors"] == []
    op = payload["productDeleteOperation"]
    assert op["status"] == "CREATED" and op["deletedProductId"] is None
    final = follow(handle, op["id"])[-1]
    assert final["deletedProductId"] == made and final["userErrors"] == []
    assert final["__typename"] == "ProductDeleteOperation"
    assert (
        data(handle.graphql("query($id: ID!) { product(id: $id) { id } }", {"id": made}))["product"]
        is None
    )


def test_delete_of_missing_product_reports_on_the_operation(sandbox):
    payload = data(sandbox.graphql(DELETE, {"id": "gid://shopify/Product/999"}))["productDelete"]
    final = follow(sandbox, payload["productDeleteOperation"]["id"])[-1]
    assert final["deletedProductId"] is None
    assert final["userErrors"] == [{"message": "Product does not exist"}]


def test_write_happens_without_polling(sandbox):
    payload = data(sandbox.graphql(SET, {"input": {"title": "Quiet"}}))["productSet"]
    assert payload["productSetOperation"]["status"] == "CREATED"
    # nobody polls the operation: the background timeline still runs it
    deadline = time.monotonic() + 30
    while not (titles := [p["title"] for p in sandbox.control("state").json["products"]]):
        assert time.monotonic() < deadline, "the operation never ran"
        time.sleep(0.05)
    assert titles == ["Quiet"]


def test_operation_is_a_node(sandbox):
    op_id = data(sandbox.graphql(SET, {"input": {"title": "N"}}))["productSet"][
        "productSetOperation"
    ]["id"]
    node = data(
        sandbox.graphql(
            "query($id: ID!) { node(id: $id) { id ... on ProductSetOperation { status } } }",
            {"id": op_id},
        )
    )["node"]
    assert node["id"] == op_id and node["status"] in ("CREATED", "ACTIVE", "COMPLETE")
