"""Publications by name through apply (issue: publications from the product or catalog.yaml,
published and unpublished by name), against the sandbox over HTTP with the real client."""

from __future__ import annotations

import time

from reconciler.applying import ApplyOptions, make_apply
from reconciler.planning import PlanOptions, make_plan

QUERY = """query($h: String!) { productByHandle(handle: $h) {
    resourcePublicationsV2(first: 10) { nodes { publication { catalog { title } } } } } }"""


def published(store, handle: str) -> set[str]:
    for _ in range(120):  # wait out a THROTTLED answer: the apply spent the bucket
        body = store.graphql(QUERY, {"h": handle}).json
        if "errors" not in body:
            nodes = body["data"]["productByHandle"]["resourcePublicationsV2"]["nodes"]
            return {n["publication"]["catalog"]["title"] for n in nodes}
        assert body["errors"][0]["extensions"]["code"] == "THROTTLED", body
        time.sleep(0.25)
    raise AssertionError("still throttled")


def apply(catalog, store):
    return make_apply(ApplyOptions(catalog, store.url), {}, confirm=lambda plan: True)


def pending(catalog, store) -> dict[str, str]:
    plan = make_plan(PlanOptions(catalog, store.url), {}).plan
    return {c.handle: c.action for c in plan.changes if c.action != "no-op"}


def set_publications(path, line: str) -> None:
    text = "\n".join(
        ln for ln in path.read_text().splitlines() if not ln.startswith("publications")
    )
    path.write_text(text + "\n" + line + "\n")


def test_publications_by_name_from_catalog_yaml_and_the_product(demo, sandbox):
    set_publications(demo / "catalog.yaml", "publications: [Online Store]")
    mug = demo / "products/home/ceramic-mug.yaml"
    set_publications(mug, "publications: [Online Store, Point of Sale]")
    result = apply(demo, sandbox)
    assert result.report.ok, result.report.summary_lines()
    assert published(sandbox, "ceramic-mug") == {"Online Store", "Point of Sale"}
    assert published(sandbox, "linen-shirt") == {"Online Store"}
    assert pending(demo, sandbox) == {}

    set_publications(mug, "publications: [Point of Sale]")  # unpublished from the Online Store
    assert pending(demo, sandbox) == {"ceramic-mug": "update"}
    assert apply(demo, sandbox).report.ok
    assert published(sandbox, "ceramic-mug") == {"Point of Sale"}
    assert pending(demo, sandbox) == {}


def test_an_unknown_sales_channel_fails_that_product_only_naming_the_channels(demo, sandbox):
    set_publications(demo / "products/home/ceramic-mug.yaml", "publications: [Wholesale]")
    result = apply(demo, sandbox)
    outcomes = {o.handle: o for o in result.report.outcomes}
    assert not outcomes["ceramic-mug"].ok
    assert "Wholesale" in outcomes["ceramic-mug"].error
    assert "Online Store" in outcomes["ceramic-mug"].error  # what the store has
    assert all(o.ok for h, o in outcomes.items() if h != "ceramic-mug")
    assert markers(sandbox, "ceramic-mug") == set()  # never marked as applied
    assert len(markers(sandbox, "linen-shirt")) == 1


def markers(store, handle: str) -> set[str]:
    query = """query($h: String!) { productByHandle(handle: $h) {
        metafields(first: 20, namespace: "catalog_reconciler") { nodes { namespace value } } } }"""
    nodes = store.graphql(query, {"h": handle}).json["data"]["productByHandle"]["metafields"]
    return {n["value"] for n in nodes["nodes"]}
