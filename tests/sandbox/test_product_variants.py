"""QueryRoot.productVariants: every variant of the store in id order, paged, and as a bulk
export's root connection with each variant's metafields nested (two connection levels, facts
§3.6); search and other sort keys are refused by name rather than ignored."""

from __future__ import annotations

from bulk_helper import data, download, run_query, seed, wait

PAGE = """query($after: String) { productVariants(first: 3, after: $after) {
  nodes { id sku product { handle } } pageInfo { hasNextPage endCursor } } }"""
SURVEY = """{ productVariants { edges { node { id product { handle }
  metafields { edges { node { namespace key } } } } } } }"""


def shirt(i: int) -> dict:
    sizes = ("S", "M")
    return {
        "handle": f"shirt-{i}",
        "title": f"Shirt {i}",
        "productOptions": [{"name": "Size", "values": [{"name": s} for s in sizes]}],
        "variants": [
            {
                "optionValues": [{"optionName": "Size", "name": s}],
                "price": "10",
                "sku": f"{i}-{s}",
                "metafields": [
                    {"namespace": "custom", "key": f"fit_{s}", "type": "boolean", "value": "true"}
                ],
            }
            for s in sizes
        ],
    }


def test_pages_visit_every_variant_once_in_id_order(sandbox):
    seed(sandbox, [shirt(i) for i in range(3)])
    seen, after = [], None
    while True:
        got = data(sandbox.graphql(PAGE, {"after": after}))["productVariants"]
        seen += got["nodes"]
        if not got["pageInfo"]["hasNextPage"]:
            break
        after = got["pageInfo"]["endCursor"]
    assert [v["sku"] for v in seen] == [f"{i}-{s}" for i in range(3) for s in ("S", "M")]
    ids = [int(v["id"].rsplit("/", 1)[1]) for v in seen]
    assert ids == sorted(ids)


def test_bulk_export_nests_each_variants_metafields(sandbox):
    seed(sandbox, [shirt(1)])
    run = run_query(sandbox, SURVEY)
    assert run["userErrors"] == [], run
    op = wait(sandbox, run["bulkOperation"]["id"])
    lines = download(op["url"])
    variants = {line["id"]: line for line in lines if "__parentId" not in line}
    assert {v["product"]["handle"] for v in variants.values()} == {"shirt-1"}
    children = [(line["__parentId"], line["key"]) for line in lines if "__parentId" in line]
    assert sorted(key for _, key in children) == ["fit_M", "fit_S"]
    assert all(parent in variants for parent, _ in children)


def test_search_is_refused_by_name(sandbox):
    body = sandbox.graphql('{ productVariants(first: 1, query: "sku:x") { nodes { id } } }').json
    assert "productVariants(query:) is not emulated" in body["errors"][0]["message"]
