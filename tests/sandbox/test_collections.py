"""Manual collections and productSet's `collections` list (issue 3 item 4, fact sheet §2.1 and
pitfall 3), sent as raw GraphQL the way a Shopify user would: collectionCreate, membership replaced
when the list is sent and untouched when it is omitted, unknown ids refused with nothing written,
reads from both sides, the state file and reset."""

from __future__ import annotations

import json

import pytest
from graphql_helper import Shopify, codes

from reconciler.sandbox.persist import dump_bytes, load_store, write_atomic

CREATE_INPUT = """mutation($input: CollectionInput!) {
  collectionCreate(input: $input) {
    collection { id title handle sortOrder productsCount { count } }
    userErrors { field message }
  }
}"""

CREATE_COLLECTION = """mutation($c: CollectionCreateInput!) {
  collectionCreate(collection: $c) {
    collection { id handle products(first: 10) { nodes { handle } } }
    userErrors { field message }
  }
}"""

SET = """mutation($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier) {
    product { id handle updatedAt collections(first: 10) { nodes { id handle } } }
    userErrors { field message code }
  }
}"""

BOTH_SIDES = """{
  products(first: 50) { nodes { handle collections(first: 10) { nodes { handle } } } }
  collections(first: 50) {
    nodes { handle productsCount { count } products(first: 50) { nodes { handle } } }
  }
}"""


def create(shop: Shopify, **input) -> dict:
    payload = shop(CREATE_INPUT, {"input": input})["collectionCreate"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload["collection"]


def put(shop: Shopify, handle: str, **input) -> dict:
    return shop(
        SET, {"input": {"title": handle.title(), **input}, "identifier": {"handle": handle}}
    )["productSet"]


def memberships(shop: Shopify) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Product -> its collections, and collection -> its products, as read back."""
    data = shop(BOTH_SIDES)
    by_product = {
        p["handle"]: [c["handle"] for c in p["collections"]["nodes"]]
        for p in data["products"]["nodes"]
    }
    by_collection = {}
    for c in data["collections"]["nodes"]:
        assert c["productsCount"]["count"] == len(c["products"]["nodes"])
        by_collection[c["handle"]] = [p["handle"] for p in c["products"]["nodes"]]
    return by_product, by_collection


def inverted(by_collection: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for collection, products in sorted(by_collection.items()):
        for p in products:
            out.setdefault(p, []).append(collection)
    return out


@pytest.fixture
def shop() -> Shopify:
    shop = Shopify()
    for title in ("Summer", "Winter", "Sale"):
        create(shop, title=title)
    return shop


def ids(shop: Shopify, *handles: str) -> list[str]:
    got = shop("{ collections(first: 50) { nodes { id handle } } }")["collections"]["nodes"]
    by = {c["handle"]: c["id"] for c in got}
    return [by[h] for h in handles]


def test_collection_create_manual_with_products_and_generated_handles():
    shop = Shopify()
    put(shop, "tee")
    tee = shop('{ productByHandle(handle: "tee") { id } }')["productByHandle"]["id"]
    made = create(shop, title="Summer Sale 2026", products=[tee])
    assert made["handle"] == "summer-sale-2026"
    assert made["sortOrder"] == "BEST_SELLING"
    assert made["productsCount"] == {"count": 1}
    again = create(shop, title="Summer Sale 2026")
    assert again["handle"] == "summer-sale-2026-1"
    # the 2026-10 form: manual selections in a source
    new = shop(
        CREATE_COLLECTION,
        {
            "c": {
                "title": "Picks",
                "sources": [
                    {"source": {"title": "m", "inclusion": {"selections": [{"productId": tee}]}}}
                ],
            }
        },
    )["collectionCreate"]
    assert new["userErrors"] == [] and new["collection"]["products"]["nodes"] == [{"handle": "tee"}]
    assert memberships(shop)[0]["tee"] == ["summer-sale-2026", "picks"]  # sortKey ID


def test_collection_create_refusals_write_nothing():
    shop = Shopify()
    create(shop, title="Summer")
    before = shop.store.dump()
    blank = shop(CREATE_INPUT, {"input": {"title": " "}})["collectionCreate"]
    assert blank["collection"] is None and blank["userErrors"][0]["field"] == ["input", "title"]
    taken = shop(CREATE_INPUT, {"input": {"title": "X", "handle": "summer"}})["collectionCreate"]
    assert taken["userErrors"][0]["field"] == ["input", "handle"]
    missing = shop(
        CREATE_INPUT, {"input": {"title": "X", "products": ["gid://shopify/Product/99"]}}
    )["collectionCreate"]
    assert missing["userErrors"][0]["field"] == ["input", "products", "0"]
    assert shop.store.dump() == before


def test_smart_collections_are_refused_by_name():
    shop = Shopify()
    rules = {
        "appliedDisjunctively": False,
        "rules": [{"column": "TAG", "relation": "EQUALS", "condition": "x"}],
    }
    body = shop.raw(CREATE_INPUT, {"input": {"title": "Auto", "ruleSet": rules}})
    assert (
        "CollectionInput.ruleSet is not implemented by the sandbox" in body["errors"][0]["message"]
    )
    tag = {"productTag": {"relation": "TAGGED_WITH", "matchType": "ANY", "values": ["x"]}}
    conditions = {
        "title": "Auto",
        "sources": [{"source": {"title": "s", "inclusion": {"conditions": [tag]}}}],
    }
    body = shop.raw(CREATE_COLLECTION, {"c": conditions})
    assert "conditions is not implemented by the sandbox" in body["errors"][0]["message"]
    assert shop.store.collections == {}


def test_product_set_collections_add_replace_keep_and_clear(shop):
    summer, winter, sale = ids(shop, "summer", "winter", "sale")
    added = put(shop, "tee", collections=[summer, sale])
    assert added["userErrors"] == []
    assert [c["handle"] for c in added["product"]["collections"]["nodes"]] == ["summer", "sale"]
    put(shop, "cap", collections=[sale])
    by_product, by_collection = memberships(shop)
    assert by_collection == {"summer": ["tee"], "winter": [], "sale": ["tee", "cap"]}
    assert by_product == {"tee": ["summer", "sale"], "cap": ["sale"]}

    replaced = put(shop, "tee", collections=[winter])
    assert replaced["product"]["updatedAt"] > added["product"]["updatedAt"]
    by_product, by_collection = memberships(shop)
    assert by_collection == {"summer": [], "winter": ["tee"], "sale": ["cap"]}

    kept = put(shop, "tee", vendor="Acme")  # collections omitted: untouched
    assert [c["handle"] for c in kept["product"]["collections"]["nodes"]] == ["winter"]

    same = put(shop, "tee", collections=[winter, winter])  # no change: no write
    assert same["product"]["updatedAt"] == kept["product"]["updatedAt"]

    cleared = put(shop, "tee", collections=[])
    assert cleared["product"]["collections"]["nodes"] == []
    by_product, by_collection = memberships(shop)
    assert by_product == {"tee": [], "cap": ["sale"]}
    assert inverted(by_collection) == {k: v for k, v in by_product.items() if v}


def test_unknown_collection_id_is_refused_and_nothing_written(shop):
    summer, sale = ids(shop, "summer", "sale")
    put(shop, "tee", collections=[summer], tags=["a"])
    before = shop.store.dump()
    refused = put(
        shop,
        "tee",
        collections=[sale, "gid://shopify/Collection/999", "gid://shopify/Product/1"],
        tags=["b"],
    )
    assert refused["product"] is None
    assert codes(refused) == ["NOT_FOUND", "INVALID_INPUT"]
    assert [e["field"] for e in refused["userErrors"]] == [
        ["input", "collections", "1"],
        ["input", "collections", "2"],
    ]
    created = put(shop, "new", collections=["gid://shopify/Collection/999"])
    assert codes(created) == ["NOT_FOUND"]
    assert shop.store.dump() == before


def test_reads_by_id_handle_node_query_and_count(shop):
    summer, sale = ids(shop, "summer", "sale")
    tee = put(shop, "tee", collections=[summer])["product"]["id"]
    data = shop(
        """query($id: ID!, $tee: ID!) {
          collection(id: $id) { handle title hasProduct(id: $tee) updatedAt }
          collectionByIdentifier(identifier: {handle: "sale"}) { id hasProduct(id: $tee) }
          node(id: $id) { ... on Collection { handle } }
          byProduct: collections(first: 5, query: $q) { nodes { handle } }
          titled: collections(first: 5, query: "title:win", sortKey: TITLE) { nodes { handle } }
          all: collectionsCount { count precision }
          smart: collectionsCount(query: "collection_type:smart") { count }
          product(id: $tee) { inCollection(id: $id) }
        }""".replace("$q", f'"product_id:{tee.rsplit("/", 1)[1]}"'),
        {"id": summer, "tee": tee},
    )
    assert data["collection"]["handle"] == "summer" and data["collection"]["hasProduct"] is True
    assert data["collectionByIdentifier"] == {"id": sale, "hasProduct": False}
    assert data["node"] == {"handle": "summer"}
    assert data["byProduct"]["nodes"] == [{"handle": "summer"}]
    assert data["titled"]["nodes"] == [{"handle": "winter"}]
    assert data["all"] == {"count": 3, "precision": "EXACT"}
    assert data["smart"] == {"count": 0}
    assert data["product"] == {"inCollection": True}


def test_collection_products_page_in_manual_order(shop):
    (summer,) = ids(shop, "summer")
    for handle in ("c", "a", "b"):
        put(shop, handle, collections=[summer])
    page = """query($after: String) { collectionByIdentifier(identifier: {handle: "summer"}) {
      products(first: 2, after: $after) { nodes { handle } pageInfo { hasNextPage endCursor } }
      byTitle: products(first: 5, sortKey: TITLE) { nodes { handle } } } }"""
    first = shop(page)["collectionByIdentifier"]
    assert [n["handle"] for n in first["products"]["nodes"]] == ["c", "a"]
    assert [n["handle"] for n in first["byTitle"]["nodes"]] == ["a", "b", "c"]
    rest = shop(page, {"after": first["products"]["pageInfo"]["endCursor"]})
    assert [n["handle"] for n in rest["collectionByIdentifier"]["products"]["nodes"]] == ["b"]


def test_deleting_a_product_leaves_its_collections(shop):
    (summer,) = ids(shop, "summer")
    tee = put(shop, "tee", collections=[summer])["product"]["id"]
    shop("mutation($id: ID!) { productDelete(input: {id: $id}) { deletedProductId } }", {"id": tee})
    assert memberships(shop)[1]["summer"] == []


def test_both_versions_serve_collections():
    for version in ("2025-10", "2026-10"):
        shop = Shopify(version)
        cid = create(shop, title="Summer")["id"]
        assert put(shop, "tee", collections=[cid])["userErrors"] == []
        assert memberships(shop)[1] == {"summer": ["tee"]}


def test_state_file_round_trip_and_reset(shop, tmp_path):
    summer, winter, sale = ids(shop, "summer", "winter", "sale")
    for handle in ("c", "a", "b"):
        put(shop, handle, collections=[sale, summer])
    put(shop, "a", collections=[winter])
    path = tmp_path / "state.json"
    write_atomic(path, dump_bytes(shop.store))
    copy = Shopify()
    copy.store = load_store(path)
    assert memberships(copy) == memberships(shop)
    saved, loaded = (json.loads(json.dumps(s.store.dump())) for s in (shop, copy))
    assert {**loaded, "clock": 0} == {**saved, "clock": 0}
    # the next collection id follows on from the saved ones
    assert create(copy, title="Next")["id"] == "gid://shopify/Collection/4"
    copy.store.reset()
    assert copy("{ collectionsCount { count } }")["collectionsCount"]["count"] == 0


def test_over_http_with_reset(sandbox):
    made = sandbox.graphql(CREATE_INPUT, {"input": {"title": "Summer"}}).json
    cid = made["data"]["collectionCreate"]["collection"]["id"]
    assert made["extensions"]["cost"]["requestedQueryCost"] >= 10
    put_body = sandbox.graphql(
        SET, {"input": {"title": "Tee", "collections": [cid]}, "identifier": {"handle": "tee"}}
    ).json
    assert put_body["data"]["productSet"]["userErrors"] == []
    state = sandbox.control("state").json
    assert [(c["handle"], list(c["members"])) for c in state["collections"]] == [("summer", ["1"])]
    assert sandbox.control("reset").status == 200
    after = sandbox.graphql("{ collections(first: 5) { nodes { id } } }").json
    assert after["data"]["collections"]["nodes"] == []


def test_bulk_export_of_product_collections(sandbox):
    from bulk_helper import download, run_query, wait

    cid = sandbox.graphql(CREATE_INPUT, {"input": {"title": "Summer"}}).json["data"][
        "collectionCreate"
    ]["collection"]["id"]
    for handle, member in (("tee", [cid]), ("cap", [])):
        body = {"input": {"title": handle, "collections": member}, "identifier": {"handle": handle}}
        assert sandbox.graphql(SET, body).json["data"]["productSet"]["userErrors"] == []
    query = (
        "{ products { edges { node { id handle collections { edges { node { id handle } } } } } } }"
    )
    run = run_query(sandbox, query, False, "2026-10")
    assert run["userErrors"] == [], run
    op = wait(sandbox, run["bulkOperation"]["id"])
    assert op["status"] == "COMPLETED", op
    rows = download(op["url"])
    tee = next(r["id"] for r in rows if r.get("handle") == "tee")
    assert [r for r in rows if "__parentId" in r] == [
        {"id": cid, "handle": "summer", "__parentId": tee}
    ]
