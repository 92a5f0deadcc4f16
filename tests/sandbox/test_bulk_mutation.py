"""bulkOperationRunMutation as a Shopify user runs it (facts §3.1-3.4; pitfall 9: out-of-order
lines keyed by zero-based __lineNumber, per-line errors don't fail the operation)."""

from __future__ import annotations

import time

import pytest
from bulk_helper import (
    PRODUCT_SET_MUTATION,
    data,
    download,
    param,
    poll,
    post_form,
    run_mutation,
    stage,
    upload_jsonl,
    wait,
)

COUNT = "{ productsCount { count } }"
BUCKET = "{ shop { name } }"


def test_every_line_runs_out_of_order_with_zero_based_line_numbers(sandbox):
    lines = [{"input": {"title": f"P{i}"}, "identifier": {"handle": f"p-{i}"}} for i in range(120)]
    run = run_mutation(sandbox, PRODUCT_SET_MUTATION, upload_jsonl(sandbox, lines))
    assert run["userErrors"] == [] and run["bulkOperation"]["status"] == "CREATED"
    assert run["bulkOperation"]["type"] == "MUTATION"
    op = wait(sandbox, run["bulkOperation"]["id"])
    assert op["status"] == "COMPLETED"
    assert op["objectCount"] == "120" and isinstance(op["fileSize"], str)
    rows = download(op["url"])
    numbers = [r["__lineNumber"] for r in rows]
    assert sorted(numbers) == list(range(120))
    assert numbers != sorted(numbers)  # "Avoid relying on a particular sequence of lines"
    for row in rows:
        product = row["data"]["productSet"]["product"]
        assert product["handle"] == f"p-{row['__lineNumber']}"
    assert data(sandbox.graphql(COUNT))["productsCount"]["count"] == 120


def test_per_line_errors_stay_in_the_file_and_the_operation_completes(sandbox):
    lines = [
        {"input": {"title": "Good"}, "identifier": {"handle": "good"}},
        "this is not json",
        {"input": {"title": 5}},  # invalid variables
        {"input": {"title": "X", "productOptions": [{"name": "A", "values": [{"name": "1"}]}]}},
        ["not", "an", "object"],
    ]
    op = wait(
        sandbox,
        run_mutation(sandbox, PRODUCT_SET_MUTATION, upload_jsonl(sandbox, lines))["bulkOperation"][
            "id"
        ],
    )
    assert op["status"] == "COMPLETED" and op["errorCode"] is None
    rows = {r["__lineNumber"]: r for r in download(op["url"])}
    assert set(rows) == {0, 1, 2, 3, 4}
    assert rows[0]["data"]["productSet"]["userErrors"] == []
    assert "errors" in rows[1] and "data" not in rows[1]
    assert rows[2]["errors"][0]["message"].startswith("Variable '$input'")
    assert [e["code"] for e in rows[3]["data"]["productSet"]["userErrors"]] == [
        "VARIANTS_INPUT_MISSING"
    ]
    assert "errors" in rows[4]


@pytest.mark.parametrize(
    "mutation",
    [
        "mutation { productSet(input: {title: ",  # syntax
        "query { shop { name } }",  # not a mutation
        "mutation($i: ProductSetInput!) { productSet(input: $i) { nope } }",  # invalid field
        """mutation($a: ProductSetInput!, $b: ProductSetInput!) {
             one: productSet(input: $a) { product { id } }
             two: productSet(input: $b) { product { id } } }""",
        """mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } } }""",
        """mutation($i: ProductSetInput!) { productSet(input: $i) { product {
             variants(first: 5) { nodes { id } } metafields(first: 5) { nodes { id } } } } }""",
    ],
)
def test_invalid_mutations_are_refused(sandbox, mutation):
    run = run_mutation(sandbox, mutation, upload_jsonl(sandbox, [{}]))
    assert run["bulkOperation"] is None
    assert [e["code"] for e in run["userErrors"]] == ["INVALID_MUTATION"]


def test_one_connection_is_allowed(sandbox):
    mutation = """mutation($i: ProductSetInput!) { productSet(input: $i) { product {
      variants(first: 5) { nodes { id } } } } }"""
    run = run_mutation(sandbox, mutation, upload_jsonl(sandbox, [{"i": {"title": "A"}}]))
    assert run["userErrors"] == []
    op = wait(sandbox, run["bulkOperation"]["id"])
    assert len(download(op["url"])[0]["data"]["productSet"]["product"]["variants"]["nodes"]) == 1


def test_missing_or_unuploaded_file_is_no_such_file(sandbox):
    run = run_mutation(sandbox, PRODUCT_SET_MUTATION, "tmp/1/bulk/nothing/vars.jsonl")
    assert [e["code"] for e in run["userErrors"]] == ["NO_SUCH_FILE"]
    staged_only = param(stage(sandbox), "key")
    run = run_mutation(sandbox, PRODUCT_SET_MUTATION, staged_only)
    assert [e["code"] for e in run["userErrors"]] == ["NO_SUCH_FILE"]


def test_a_media_upload_is_not_a_variables_file(sandbox):
    target = stage(sandbox, "IMAGE", "a.png", "image/png", method="POST")
    assert post_form(target, b"png").status == 201
    run = run_mutation(sandbox, PRODUCT_SET_MUTATION, param(target, "key"))
    assert [e["code"] for e in run["userErrors"]] == ["INVALID_STAGED_UPLOAD_FILE"]


def test_product_set_runs_synchronously_in_bulk(sandbox):
    mutation = """mutation($input: ProductSetInput!) {
      productSet(input: $input, synchronous: false) {
        product { handle } productSetOperation { id } userErrors { code } } }"""
    op = wait(
        sandbox,
        run_mutation(sandbox, mutation, upload_jsonl(sandbox, [{"input": {"title": "Sync"}}]))[
            "bulkOperation"
        ]["id"],
    )
    row = download(op["url"])[0]["data"]["productSet"]
    assert row == {"product": {"handle": "sync"}, "productSetOperation": None, "userErrors": []}


def test_product_delete_is_allowed_in_bulk(sandbox):
    made = [
        data(
            sandbox.graphql(
                "mutation($i: ProductSetInput!) { productSet(input: $i) { product { id } } }",
                {"i": {"title": f"D{i}"}},
            )
        )["productSet"]["product"]["id"]
        for i in range(3)
    ]
    mutation = """mutation($input: ProductDeleteInput!) {
      productDelete(input: $input) { deletedProductId userErrors { message } } }"""
    op = wait(
        sandbox,
        run_mutation(
            sandbox, mutation, upload_jsonl(sandbox, [{"input": {"id": i}} for i in made])
        )["bulkOperation"]["id"],
    )
    deleted = {r["data"]["productDelete"]["deletedProductId"] for r in download(op["url"])}
    assert deleted == set(made)
    assert data(sandbox.graphql(COUNT))["productsCount"]["count"] == 0


def test_bulk_work_is_not_charged_to_the_bucket(sandbox):
    lines = [{"input": {"title": f"P{i}"}} for i in range(60)]  # 60 x 10 points if charged
    op_id = run_mutation(sandbox, PRODUCT_SET_MUTATION, upload_jsonl(sandbox, lines))[
        "bulkOperation"
    ]["id"]
    wait(sandbox, op_id)
    cost = sandbox.graphql(BUCKET).json["extensions"]["cost"]["throttleStatus"]
    assert cost["currentlyAvailable"] >= cost["maximumAvailable"] - 100


def test_uploading_the_file_again_while_running_fails_the_operation(sandbox_factory):
    handle = sandbox_factory(bulk_rate=10)  # 10 s for the 100 lines
    target = stage(handle)
    lines = "".join(f'{{"input": {{"title": "T{i}"}}}}\n' for i in range(100))
    assert post_form(target, lines.encode()).status == 201
    op_id = run_mutation(handle, PRODUCT_SET_MUTATION, param(target, "key"))["bulkOperation"]["id"]
    deadline = time.monotonic() + 30
    while int(poll(handle, op_id)["objectCount"]) == 0:  # some lines done, however slow to start
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert post_form(target, lines.encode()).status == 201  # the file changes under it
    op = wait(handle, op_id)
    assert op["status"] == "FAILED" and op["errorCode"] == "INTERNAL_SERVER_ERROR"
    assert op["url"] is None and op["partialDataUrl"]
    partial = download(op["partialDataUrl"])
    assert 0 < len(partial) < 100


def test_empty_upload_is_refused(sandbox):
    target = stage(sandbox)
    empty = post_form(target, b"")
    assert empty.status == 400 and "<Code>EntityTooSmall</Code>" in empty.text
    run = run_mutation(sandbox, PRODUCT_SET_MUTATION, param(target, "key"))
    assert [e["code"] for e in run["userErrors"]] == ["NO_SUCH_FILE"]
