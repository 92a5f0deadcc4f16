"""metafieldsSet / metafieldsDelete / metafieldDefinitionCreate (fact sheet §4, pitfall 12), sent as
raw GraphQL."""

from __future__ import annotations

import pytest
from graphql_helper import Shopify, product_set

SET = """
mutation($m: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $m) {
    metafields {
      id namespace key type value compareDigest ownerType owner { ... on Product { id } }
    }
    userErrors { field message code elementIndex }
  }
}
"""
DELETE = """
mutation($m: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $m) {
    deletedMetafields { ownerId namespace key }
    userErrors { field message }
  }
}
"""
READ = """
query($id: ID!) { product(id: $id) { updatedAt
  metafields(first: 50) { nodes { namespace key type value compareDigest jsonValue } } } }
"""


@pytest.fixture
def shop() -> Shopify:
    return Shopify()


@pytest.fixture
def pid(shop: Shopify) -> str:
    return product_set(shop, {"title": "Tee"})["product"]["id"]


def entry(pid: str, key: str = "fabric", value: str = "cotton", **extra) -> dict:
    return {
        "ownerId": pid,
        "namespace": "custom",
        "key": key,
        "type": "single_line_text_field",
        "value": value,
        **extra,
    }


def stored(shop: Shopify, pid: str) -> list[dict]:
    return shop(READ, {"id": pid})["product"]["metafields"]["nodes"]


def test_set_creates_and_updates(shop, pid):
    out = shop(SET, {"m": [entry(pid)]})["metafieldsSet"]
    assert out["userErrors"] == []
    assert out["metafields"][0]["owner"] == {"id": pid}
    assert out["metafields"][0]["ownerType"] == "PRODUCT"
    shop(SET, {"m": [entry(pid, value="linen")]})
    assert [m["value"] for m in stored(shop, pid)] == ["linen"]


def test_more_than_25_is_refused_and_nothing_written(shop, pid):
    out = shop(SET, {"m": [entry(pid, key=f"k{i:02}") for i in range(26)]})["metafieldsSet"]
    assert out["metafields"] is None
    assert out["userErrors"][0]["code"] == "LESS_THAN_OR_EQUAL_TO"
    assert stored(shop, pid) == []


def test_atomic_with_element_index(shop, pid):
    out = shop(
        SET,
        {"m": [entry(pid, key="good"), entry(pid, key="bad", type="number_integer", value="1.5")]},
    )["metafieldsSet"]
    assert out["userErrors"] == [
        {
            "field": ["metafields", "1", "value"],
            "code": "INVALID_VALUE",
            "elementIndex": 1,
            "message": out["userErrors"][0]["message"],
        }
    ]
    assert stored(shop, pid) == []


def test_type_required_only_without_definition(shop, pid):
    untyped = {"ownerId": pid, "namespace": "custom", "key": "fabric", "value": "x"}
    out = shop(SET, {"m": [untyped]})["metafieldsSet"]
    assert out["userErrors"][0]["code"] == "BLANK"
    shop("""mutation { metafieldDefinitionCreate(definition: {name: "Fabric", namespace: "custom",
      key: "fabric", type: "single_line_text_field", ownerType: PRODUCT}) {
      createdDefinition { id } userErrors { code } } }""")
    assert shop(SET, {"m": [untyped]})["metafieldsSet"]["userErrors"] == []
    wrong = shop(SET, {"m": [{**untyped, "type": "number_integer", "value": "1"}]})
    assert wrong["metafieldsSet"]["userErrors"][0]["code"] == "INVALID_TYPE"


def test_compare_digest(shop, pid):
    fresh = shop(SET, {"m": [entry(pid, compareDigest=None)]})["metafieldsSet"]
    assert fresh["userErrors"] == []  # null: must not exist yet, and it did not
    again = shop(SET, {"m": [entry(pid, value="x", compareDigest=None)]})["metafieldsSet"]
    assert again["userErrors"][0]["code"] == "STALE_OBJECT"
    digest = fresh["metafields"][0]["compareDigest"]
    ok = shop(SET, {"m": [entry(pid, value="wool", compareDigest=digest)]})["metafieldsSet"]
    assert ok["userErrors"] == []
    stale = shop(SET, {"m": [entry(pid, value="silk", compareDigest=digest)]})["metafieldsSet"]
    assert stale["userErrors"][0]["code"] == "STALE_OBJECT"
    junk = shop(SET, {"m": [entry(pid, value="silk", compareDigest="nope")]})["metafieldsSet"]
    assert junk["userErrors"][0]["code"] == "INVALID_COMPARE_DIGEST"
    assert [m["value"] for m in stored(shop, pid)] == ["wool"]


@pytest.mark.parametrize(
    ("namespace", "key", "code"),
    [
        ("ab", "fabric", "TOO_SHORT"),
        ("custom", "k", "TOO_SHORT"),
        ("custom", "x" * 65, "TOO_LONG"),
        ("custom", "bad key", "INVALID"),
    ],
)
def test_namespace_and_key_rules(shop, pid, namespace, key, code):
    out = shop(SET, {"m": [{**entry(pid), "namespace": namespace, "key": key}]})["metafieldsSet"]
    assert out["userErrors"][0]["code"] == code


@pytest.mark.parametrize(
    ("type_name", "value", "ok"),
    [
        ("number_integer", "10", "10"),
        ("number_integer", "1.0", None),
        ("number_decimal", "10", "10.0"),
        ("number_decimal", "abc", None),
        ("boolean", "true", "true"),
        ("boolean", "yes", None),
        ("date", "2022-02-02", "2022-02-02"),
        ("date", "02/02/2022", None),
        ("color", "#fff123", "#fff123"),
        ("color", "red", None),
        ("url", "https://x.example", "https://x.example"),
        ("url", "ftp://x", None),
        ("json", '{"a": 1}', '{"a":1}'),
        ("json", "{", None),
        ("weight", '{"value": 2.5, "unit": "kg"}', '{"value":2.5,"unit":"kg"}'),
        ("weight", '{"value": 2.5, "unit": "stone"}', None),
        (
            "money",
            '{"amount": "5.99", "currency_code": "USD"}',
            '{"amount":"5.99","currency_code":"USD"}',
        ),
        ("money", '{"amount": "5.99", "currency_code": "CAD"}', None),
        ("product_reference", "gid://shopify/Product/1", "gid://shopify/Product/1"),
        ("product_reference", "gid://shopify/Collection/1", None),
        ("list.single_line_text_field", '["a", "b"]', '["a","b"]'),
        ("list.number_integer", '["1", "x"]', None),
        ("not_a_type", "x", None),
    ],
)
def test_value_validation_and_canonical_form(shop, pid, type_name, value, ok):
    out = shop(SET, {"m": [entry(pid, type=type_name, value=value)]})["metafieldsSet"]
    if ok is None:
        assert out["userErrors"] and out["metafields"] is None
    else:
        assert out["userErrors"] == []
        assert out["metafields"][0]["value"] == ok


def test_delete_returns_null_for_missing_and_succeeds(shop, pid):
    shop(SET, {"m": [entry(pid)]})
    out = shop(
        DELETE,
        {
            "m": [
                {"ownerId": pid, "namespace": "custom", "key": "fabric"},
                {"ownerId": pid, "namespace": "custom", "key": "missing"},
            ]
        },
    )["metafieldsDelete"]
    assert out["deletedMetafields"] == [
        {"ownerId": pid, "namespace": "custom", "key": "fabric"},
        None,
    ]
    assert out["userErrors"] == []
    assert stored(shop, pid) == []


def test_set_moves_product_updated_at_only_on_change(shop, pid):
    before = shop(READ, {"id": pid})["product"]["updatedAt"]
    shop(SET, {"m": [entry(pid)]})
    after = shop(READ, {"id": pid})["product"]["updatedAt"]
    assert after > before
    shop(SET, {"m": [entry(pid)]})
    assert shop(READ, {"id": pid})["product"]["updatedAt"] == after


def test_definition_create_and_query(shop):
    made = shop("""mutation { metafieldDefinitionCreate(definition: {name: "Catalog",
      namespace: "reconciler", key: "catalog", type: "single_line_text_field", ownerType: PRODUCT,
      capabilities: {adminFilterable: {enabled: true}}}) {
      createdDefinition { id type { name } capabilities { adminFilterable { enabled } } }
      userErrors { code field } } }""")["metafieldDefinitionCreate"]
    assert made["createdDefinition"]["capabilities"]["adminFilterable"]["enabled"] is True
    dup = shop("""mutation { metafieldDefinitionCreate(definition: {name: "Catalog",
      namespace: "reconciler", key: "catalog", type: "single_line_text_field", ownerType: PRODUCT})
      { createdDefinition { id } userErrors { code } } }""")["metafieldDefinitionCreate"]
    assert dup["userErrors"][0]["code"] == "TAKEN"
    listed = shop("""{ metafieldDefinitions(first: 10, ownerType: PRODUCT) {
      nodes { namespace key type { name } } } }""")["metafieldDefinitions"]["nodes"]
    assert listed == [
        {"namespace": "reconciler", "key": "catalog", "type": {"name": "single_line_text_field"}}
    ]


def test_shop_and_variant_owners(shop, pid):
    shop_id = shop("{ shop { id } }")["shop"]["id"]
    variant = shop(
        "query($id: ID!) { product(id: $id) { variants(first: 1) { nodes { id } } } }", {"id": pid}
    )["product"]["variants"]["nodes"][0]["id"]
    out = shop(SET, {"m": [entry(shop_id), entry(variant, key="lining")]})["metafieldsSet"]
    assert out["userErrors"] == []
    assert [m["ownerType"] for m in out["metafields"]] == ["SHOP", "PRODUCTVARIANT"]
    read = shop(
        """query($v: ID!) { shop { metafield(namespace: "custom", key: "fabric") { value } }
      productVariant(id: $v) { metafields(first: 5) { nodes { key } } } }""",
        {"v": variant},
    )
    assert read["shop"]["metafield"] == {"value": "cotton"}
    assert read["productVariant"]["metafields"]["nodes"] == [{"key": "lining"}]
    copy = type(shop.store).load(shop.store.dump())
    assert copy.shop.metafields[0].value == "cotton"


def test_unknown_owner_is_refused(shop):
    out = shop(SET, {"m": [entry("gid://shopify/Product/999")]})["metafieldsSet"]
    assert out["userErrors"][0]["field"] == ["metafields", "0", "ownerId"]
