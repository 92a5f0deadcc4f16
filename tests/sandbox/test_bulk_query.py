"""bulkOperationRunQuery as a Shopify user runs it (facts §3.5-3.6; pitfall 10: query limits,
`__parentId` lines, groupObjects default false from 2026-01 and true in 2025-10)."""

from __future__ import annotations

import pytest
from bulk_helper import data, download, run_query, seed, wait

from reconciler.sandbox.testing import http

SIZES = ("S", "M")


def product(i: int, tag: str = "all") -> dict:
    return {
        "title": f"Shirt {i}",
        "handle": f"shirt-{i}",
        "tags": [tag],
        "productOptions": [{"name": "Size", "values": [{"name": s} for s in SIZES]}],
        "variants": [
            {"optionValues": [{"optionName": "Size", "name": s}], "price": "10", "sku": f"{i}-{s}"}
            for s in SIZES
        ],
        "metafields": [
            {"namespace": "custom", "key": "fabric", "type": "single_line_text_field", "value": "x"}
        ],
    }


EXPORT = """{ products { edges { node { id handle
  variants { edges { node { id sku selectedOptions { name value } } } }
  metafields { edges { node { id key value } } } } } } }"""


def export(sandbox, query: str = EXPORT, group: bool = False, version: str = "2026-10"):
    run = run_query(sandbox, query, group, version)
    assert run["userErrors"] == [], run
    op = wait(sandbox, run["bulkOperation"]["id"])
    assert op["status"] == "COMPLETED"
    return op, (download(op["url"]) if op["url"] else [])


def test_each_node_is_a_line_and_children_carry_parent_id(sandbox):
    made = seed(sandbox, [product(i) for i in range(3)])
    op, rows = export(sandbox)
    parents = [r for r in rows if "__parentId" not in r]
    children = [r for r in rows if "__parentId" in r]
    assert [p["id"] for p in parents] == [m["id"] for m in made]
    assert all(set(p) == {"id", "handle"} for p in parents)  # nested connections are not inline
    assert len(children) == 3 * (2 + 1)
    for child in children:
        assert child["__parentId"] in {m["id"] for m in made}
    variant = next(c for c in children if "sku" in c)
    assert variant["selectedOptions"][0]["name"] == "Size"  # non-connection objects stay inline
    assert op["objectCount"] == str(len(rows)) and op["rootObjectCount"] == "3"
    assert int(op["fileSize"]) > 0


def test_group_objects_false_does_not_keep_children_next_to_their_parent(sandbox):
    seed(sandbox, [product(i) for i in range(3)])
    _, rows = export(sandbox, group=False)
    assert "__parentId" in rows[-1] and "__parentId" not in rows[0]
    assert "__parentId" not in rows[1]  # the second parent comes before the first's children


def test_group_objects_true_puts_children_under_their_parent(sandbox):
    seed(sandbox, [product(i) for i in range(3)])
    _, rows = export(sandbox, group=True)
    current = None
    for row in rows:
        if "__parentId" not in row:
            current = row["id"]
        else:
            assert row["__parentId"] == current


def test_2025_10_groups_by_default(sandbox):
    seed(sandbox, [product(i) for i in range(2)])
    query = """mutation($q: String!) { bulkOperationRunQuery(query: $q) {
      bulkOperation { id } userErrors { message } } }"""
    run = data(sandbox.graphql(query, {"q": EXPORT}, version="2025-10"))["bulkOperationRunQuery"]
    poll = """query { currentBulkOperation { id status url } }"""
    import time

    deadline = time.monotonic() + 30
    while True:
        op = data(sandbox.graphql(poll, version="2025-10"))["currentBulkOperation"]
        if op["status"] == "COMPLETED" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert op["id"] == run["bulkOperation"]["id"]
    rows = download(op["url"])
    assert "__parentId" in rows[1]  # the first product's children follow it


def test_first_and_page_info_are_ignored(sandbox):
    seed(sandbox, [product(i) for i in range(4)])
    query = """{ products(first: 1) { pageInfo { hasNextPage } edges { cursor node { id
      variants(first: 1) { edges { node { id } } } } } } }"""
    _, rows = export(sandbox, query)
    assert len([r for r in rows if "__parentId" not in r]) == 4
    assert len([r for r in rows if "__parentId" in r]) == 8


def test_search_query_filters_roots(sandbox):
    seed(sandbox, [product(0, "red"), product(1, "blue"), product(2, "red")])
    _, rows = export(sandbox, '{ products(query: "tag:red") { edges { node { handle } } } }')
    assert [r["handle"] for r in rows] == ["shirt-0", "shirt-2"]


def test_no_results_means_null_url(sandbox):
    op, rows = export(sandbox, "{ products { edges { node { id } } } }")
    assert op["url"] is None and op["objectCount"] == "0" and op["fileSize"] is None
    assert rows == []


@pytest.mark.parametrize(
    "query",
    [
        "{ shop { name } }",  # no connection
        '{ node(id: "gid://shopify/Product/1") { id } }',
        '{ nodes(ids: ["gid://shopify/Product/1"]) { id } }',
        """{ products { edges { node { id
             variants { edges { node { id metafields { edges { node { id } } } } } } } } } }""",
        """{ products { edges { node {
             a: metafields { edges { node { id } } } b: metafields { edges { node { id } } }
             c: metafields { edges { node { id } } } d: metafields { edges { node { id } } }
             e: metafields { edges { node { id } } } } } } }""",
        """{ products { edges { node { resourcePublicationsV2 { edges { node {
             isPublished } } } } } } }""",
        "{ products { edges { node { nope } } } }",
        "{ products { edges { node { id } }",
    ],
    ids=["none", "node", "nodes", "depth3", "six", "not-node", "invalid", "syntax"],
)
def test_query_limits_are_user_errors(sandbox, query):
    run = run_query(sandbox, query)
    assert run["bulkOperation"] is None
    assert [e["code"] for e in run["userErrors"]] == ["INVALID"]
    assert run["userErrors"][0]["field"] == ["query"]


def test_five_connections_are_allowed(sandbox):
    seed(sandbox, [product(0)])
    query = """{ products { edges { node { id
      a: metafields { edges { node { id } } } b: metafields { edges { node { id } } }
      c: metafields { edges { node { id } } } d: variants { edges { node { id } } } } } } }"""
    _, rows = export(sandbox, query)
    assert len(rows) == 1 + 3 + 2


def test_result_url_is_signed_and_checked(sandbox):
    seed(sandbox, [product(0)])
    op, _ = export(sandbox)
    assert "Expires=" in op["url"] and "Signature=" in op["url"]
    forged = op["url"].replace("Signature=", "Signature=0")
    assert http("GET", forged).status == 403


def test_media_connection_of_an_interface_exports(sandbox):
    seed(sandbox, [{"title": "Pic", "files": [{"originalSource": "https://img.example/p.png"}]}])
    query = """{ products { edges { node { id media { edges { node {
      mediaContentType ... on MediaImage { id } } } } } } } }"""
    _, rows = export(sandbox, query)
    assert len(rows) == 2 and rows[1]["mediaContentType"] == "IMAGE"
    assert rows[1]["id"].startswith("gid://shopify/MediaImage/")
    assert rows[1]["__parentId"] == rows[0]["id"]


def test_an_unimplemented_field_fails_the_operation(sandbox):
    seed(sandbox, [product(0)])
    run = run_query(sandbox, "{ products { edges { node { id featuredImage { url } } } } }")
    op = wait(sandbox, run["bulkOperation"]["id"])
    assert op["status"] == "FAILED" and op["errorCode"] == "INTERNAL_SERVER_ERROR"
