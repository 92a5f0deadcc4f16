"""Reads, connections and the smaller mutations, sent as raw GraphQL: pagination, node/nodes, shop,
locations, publications and publishing (pitfall 8), tags, productDelete, unimplemented fields, state
dump/load."""

from __future__ import annotations

import json

import pytest
from graphql_helper import Shopify, product_set

from reconciler.sandbox.state import Store, fixed_clock

PAGE = """query($first: Int, $last: Int, $after: String, $before: String) {
  products(first: $first, last: $last, after: $after, before: $before) {
    edges { cursor node { handle } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


@pytest.fixture
def shop() -> Shopify:
    shop = Shopify()
    for i in range(5):
        product_set(shop, {"title": f"P{i}", "tags": ["x"]})
    return shop


def page(shop: Shopify, **args) -> dict:
    return shop(PAGE, args)["products"]


def test_forward_pagination_visits_everything_once(shop):
    seen, after = [], None
    while True:
        got = page(shop, first=2, after=after)
        seen += [e["node"]["handle"] for e in got["edges"]]
        if not got["pageInfo"]["hasNextPage"]:
            break
        after = got["pageInfo"]["endCursor"]
    assert seen == ["p0", "p1", "p2", "p3", "p4"]
    assert got["pageInfo"]["hasPreviousPage"] is True


def test_backward_pagination(shop):
    last = page(shop, last=2)
    assert [e["node"]["handle"] for e in last["edges"]] == ["p3", "p4"]
    assert last["pageInfo"]["hasPreviousPage"] is True
    before = page(shop, last=2, before=last["pageInfo"]["startCursor"])
    assert [e["node"]["handle"] for e in before["edges"]] == ["p1", "p2"]


def test_cursor_survives_deleting_its_product(shop):
    first = page(shop, first=2)
    cursor = first["pageInfo"]["endCursor"]
    pid = shop('{ productByHandle(handle: "p1") { id } }')["productByHandle"]["id"]
    shop("mutation($id: ID!) { productDelete(input: {id: $id}) { deletedProductId } }", {"id": pid})
    rest = page(shop, first=10, after=cursor)
    assert [e["node"]["handle"] for e in rest["edges"]] == ["p2", "p3", "p4"]


def test_first_or_last_required_and_bounded(shop):
    missing = shop.raw("{ products { nodes { id } } }")
    assert missing["errors"][0]["message"] == "you must provide one of first or last"
    assert missing["data"] is None
    too_many = shop.raw("{ products(first: 251) { nodes { id } } }")
    assert "250" in too_many["errors"][0]["message"]
    nested = shop.raw('{ product(id: "gid://shopify/Product/1") { metafields { nodes { id } } } }')
    assert nested["errors"][0]["message"] == "you must provide one of first or last"


def test_unimplemented_field_is_an_error_naming_it(shop):
    body = shop.raw("{ shop { name customerAccounts } }")
    assert body["errors"][0]["message"] == (
        "Shop.customerAccounts is not implemented by the sandbox"
    )


def test_node_and_nodes(shop):
    made = product_set(shop, {"title": "Tee"})["product"]
    variant = made["variants"]["nodes"][0]
    data = shop(
        """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
        ... on Product { handle } ... on ProductVariant { title } } }""",
        {"ids": [made["id"], variant["id"], "gid://shopify/Product/999"]},
    )
    assert data["nodes"] == [
        {"__typename": "Product", "id": made["id"], "handle": "tee"},
        {"__typename": "ProductVariant", "id": variant["id"], "title": "Default Title"},
        None,
    ]
    item = shop(
        "query($id: ID!) { node(id: $id) { __typename ... on InventoryItem { sku } } }",
        {"id": variant["inventoryItem"]["id"]},
    )
    assert item["node"] == {"__typename": "InventoryItem", "sku": None}


def test_product_by_identifier(shop):
    data = shop(
        '{ a: productByIdentifier(identifier: {handle: "p2"}) { title } '
        'b: productByIdentifier(identifier: {handle: "none"}) { title } }'
    )
    assert data == {"a": {"title": "P2"}, "b": None}


def test_shop_and_locations(shop):
    data = shop("""{ shop { name myshopifyDomain currencyCode plan { shopifyPlus } }
      locations(first: 5) { nodes { id name isActive } } location { id } }""")
    assert data["shop"]["currencyCode"] == "USD"
    assert len(data["locations"]["nodes"]) == 1
    assert data["location"]["id"] == data["locations"]["nodes"][0]["id"]


PUBLISH = """mutation($id: ID!, $pub: ID!) {
  publishablePublish(id: $id, input: [{publicationId: $pub}]) {
    publishable { ... on Product { publishedOnPublication(publicationId: $pub) } }
    userErrors { field message }
  }
}"""


def test_publications_and_publishing(shop):
    pubs = shop("{ publications(first: 10) { nodes { id name catalog { title } } } }")
    titles = [p["catalog"]["title"] for p in pubs["publications"]["nodes"]]
    assert "Online Store" in titles
    online = next(
        p["id"] for p in pubs["publications"]["nodes"] if p["catalog"]["title"] == "Online Store"
    )
    made = product_set(shop, {"title": "Tee", "status": "ACTIVE"})["product"]
    read = "query($id: ID!) { product(id: $id) { onlineStoreUrl publishedAt } }"
    assert shop(read, {"id": made["id"]})["product"] == {
        "onlineStoreUrl": None,
        "publishedAt": None,
    }
    out = shop(PUBLISH, {"id": made["id"], "pub": online})["publishablePublish"]
    assert out == {"publishable": {"publishedOnPublication": True}, "userErrors": []}
    after = shop(read, {"id": made["id"]})["product"]
    assert after["onlineStoreUrl"].endswith("/products/tee") and after["publishedAt"]
    bad = shop(PUBLISH, {"id": made["id"], "pub": "gid://shopify/Publication/99"})
    assert bad["publishablePublish"]["userErrors"][0]["field"] == ["input", "0", "publicationId"]
    shop(
        """mutation($id: ID!, $pub: ID!) { publishableUnpublish(id: $id,
        input: [{publicationId: $pub}]) { userErrors { message } } }""",
        {"id": made["id"], "pub": online},
    )
    assert shop(read, {"id": made["id"]})["product"]["publishedAt"] is None


def test_tags_add_and_remove(shop):
    pid = shop('{ productByHandle(handle: "p0") { id } }')["productByHandle"]["id"]
    add = """mutation($id: ID!, $t: [String!]!) { tagsAdd(id: $id, tags: $t) {
      node { ... on Product { tags } } userErrors { message } } }"""
    out = shop(add, {"id": pid, "t": [" b ", "X", "a"]})["tagsAdd"]
    assert out["node"]["tags"] == ["a", "b", "x"]
    remove = add.replace("tagsAdd", "tagsRemove")
    assert shop(remove, {"id": pid, "t": ["B"]})["tagsRemove"]["node"]["tags"] == ["a", "x"]
    missing = shop(add, {"id": "gid://shopify/Product/999", "t": ["a"]})["tagsAdd"]
    assert missing["node"] is None and missing["userErrors"]


def test_product_delete(shop):
    pid = shop('{ productByHandle(handle: "p0") { id } }')["productByHandle"]["id"]
    delete = """mutation($id: ID!) { productDelete(input: {id: $id}) {
      deletedProductId userErrors { field message } } }"""
    assert shop(delete, {"id": pid})["productDelete"] == {"deletedProductId": pid, "userErrors": []}
    again = shop(delete, {"id": pid})["productDelete"]
    assert again["deletedProductId"] is None
    assert again["userErrors"][0]["field"] == ["id"]
    assert shop("{ productsCount { count } }")["productsCount"]["count"] == 4


def test_async_product_set_operation(shop):
    op = shop("""mutation { productSet(synchronous: false, input: {title: "Later"}) {
      product { id } productSetOperation { id status } userErrors { code } } }""")["productSet"]
    assert op["product"] is None
    assert op["productSetOperation"]["status"] == "CREATED"
    shop.store.timeline.flush()  # no server here to run the background timeline
    polled = shop(
        """query($id: ID!) { productOperation(id: $id) { status
      ... on ProductSetOperation { product { handle } userErrors { code } } } }""",
        {"id": op["productSetOperation"]["id"]},
    )
    assert polled["productOperation"] == {
        "status": "COMPLETE",
        "product": {"handle": "later"},
        "userErrors": [],
    }


def test_unlisted_reads_as_active_before_2025_10():
    from reconciler.sandbox.views import product_status

    class Ctx:
        api_version = "2025-07"

    store = Store(clock=fixed_clock())
    shop = Shopify()
    shop.store = store
    made = product_set(shop, {"title": "Hidden", "status": "UNLISTED"})["product"]
    assert made["status"] == "UNLISTED"
    assert product_status(store.products[1], Ctx()) == "ACTIVE"


def test_dump_and_load_round_trip(shop):
    product_set(
        shop,
        {
            "title": "Tee",
            "metafields": [
                {
                    "namespace": "custom",
                    "key": "fabric",
                    "type": "single_line_text_field",
                    "value": "cotton",
                }
            ],
            "productOptions": [{"name": "Size", "values": [{"name": "S"}]}],
            "variants": [{"optionValues": [{"optionName": "Size", "name": "S"}], "price": "3"}],
        },
    )
    dumped = json.loads(json.dumps(shop.store.dump()))
    query = (
        "{ products(first: 50) { nodes { id handle updatedAt variants(first: 5) { nodes { id"
        " price } } metafields(first: 5) { nodes { key value } } } } }"
    )
    before = shop(query)
    copy = Shopify()
    copy.store = Store.load(dumped, clock=fixed_clock())
    assert copy(query) == before
    assert product_set(copy, {"title": "Next"})["product"]["id"] == "gid://shopify/Product/7"


def test_both_versions_serve_product_set():
    for version in ("2025-10", "2026-10"):
        shop = Shopify(version)
        made = product_set(shop, {"title": "Tee", "status": "UNLISTED"}, {"handle": "tee"})
        assert made["userErrors"] == [] and made["product"]["status"] == "UNLISTED"


def test_docs_list_exactly_the_unimplemented_fields():
    import re
    from pathlib import Path

    from reconciler.sandbox.schema import load_schema
    from reconciler.sandbox.views import FIELDS

    served = (
        "Shop",
        "Product",
        "ProductVariant",
        "ProductOption",
        "ProductOptionValue",
        "InventoryItem",
        "Metafield",
        "MediaImage",
        "Publication",
        "Location",
        "MetafieldDefinition",
        "Collection",
    )
    schema = load_schema("2026-10")
    missing = {
        f"{t}.{f}" for t in served for f in schema.type_map[t].fields if f not in FIELDS.get(t, {})
    }
    doc = (Path(__file__).resolve().parents[2] / "docs" / "sandbox.md").read_text()
    block = doc.split("<!-- not-implemented:start -->")[1].split("<!-- not-implemented:end -->")[0]
    assert set(re.findall(r"`([A-Za-z]+\.[A-Za-z]+)`", block)) == missing


def test_tags_add_stops_at_250_tags(shop):
    pid = shop('{ productByHandle(handle: "p0") { id } }')["productByHandle"]["id"]
    add = """mutation($id: ID!, $t: [String!]!) { tagsAdd(id: $id, tags: $t) {
      node { id } userErrors { field message } } }"""
    assert shop(add, {"id": pid, "t": [f"a{i}" for i in range(200)]})["tagsAdd"]["node"]
    over = shop(add, {"id": pid, "t": [f"b{i}" for i in range(60)]})["tagsAdd"]
    assert over["node"] is None and over["userErrors"][0]["field"] == ["tags"]
