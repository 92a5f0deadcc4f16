"""Audit of issue 4 items not pinned elsewhere: result URLs are valid for Shopify's 7 days by
default (pitfall 9), and the create / poll calls of a bulk operation are charged like any request
while the work is not (facts §1.1)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

from bulk_helper import download, run_query, seed, wait

QUERY = "{ products { edges { node { id } } } }"


def test_result_url_expires_seven_days_after_completion(sandbox):
    seed(sandbox, [{"title": "P", "handle": "p"}])
    op = wait(sandbox, run_query(sandbox, QUERY)["bulkOperation"]["id"])
    expires = int(parse_qs(urlparse(op["url"]).query)["Expires"][0])
    assert abs(expires - (time.time() + 7 * 24 * 3600)) < 120
    assert len(download(op["url"])) == 1


def test_run_and_poll_carry_extensions_cost(sandbox):
    seed(sandbox, [{"title": "P", "handle": "p"}])
    reply = sandbox.graphql(
        "mutation($q: String!) { bulkOperationRunQuery(query: $q) {"
        " bulkOperation { id } userErrors { message } } }",
        {"q": QUERY},
    )
    cost = reply.json["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 10 and cost["actualQueryCost"] == 10
    op_id = reply.json["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
    wait(sandbox, op_id)
    poll = sandbox.graphql("query($id: ID!) { bulkOperation(id: $id) { status } }", {"id": op_id})
    assert poll.json["extensions"]["cost"]["requestedQueryCost"] == 1
