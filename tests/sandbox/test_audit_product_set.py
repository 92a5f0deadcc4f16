"""Audit of issue 3's productSet semantics over real HTTP (fact sheet §2, pitfalls 3-5, 7): every
documented userError leaves the store exactly as it was, `identifier` is @oneOf, `updatedAt` moves
on each kind of real change and on nothing else, read-back forms are the documented ones."""

from __future__ import annotations

import re

import pytest

SET = """
mutation Set($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input) {
    product {
      id handle title updatedAt createdAt legacyResourceId tags
      options { name values }
      variants(first: 20) { nodes { id title price compareAtPrice
        inventoryItem { unitCost { amount } } } }
      metafields(first: 20) { nodes { namespace key value } }
    }
    userErrors { field message code }
  }
}
"""
READ = """query($id: ID!) { product(id: $id) { updatedAt title tags } }"""

SIZES = {"name": "Size", "values": [{"name": "S"}, {"name": "M"}]}


def sized(*sizes: str, **extra) -> list[dict]:
    return [{"optionValues": [{"optionName": "Size", "name": s}], **extra} for s in sizes]


def product_set(sandbox, input: dict, identifier: dict | None = None) -> dict:
    reply = sandbox.graphql(SET, {"input": input, "identifier": identifier})
    assert reply.status == 200
    body = reply.json
    assert "errors" not in body, body["errors"]
    return body["data"]["productSet"]


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


@pytest.fixture
def tee(sandbox) -> dict:
    made = product_set(
        sandbox,
        {
            "title": "Classic Tee",
            "handle": "classic-tee",
            "tags": ["a"],
            "productOptions": [SIZES],
            "variants": sized("S", "M", price="10"),
            "metafields": [
                {"namespace": "custom", "key": "k1", "type": "number_integer", "value": "1"}
            ],
        },
        {"handle": "classic-tee"},
    )
    assert made["userErrors"] == []
    product_set(sandbox, {"title": "Other", "handle": "other"}, {"handle": "other"})
    return made["product"]


def store_dump(sandbox) -> dict:
    return sandbox.control("state").json


def variant_ids(tee: dict) -> list[str]:
    return [v["id"] for v in tee["variants"]["nodes"]]


def refusals(tee: dict) -> list[tuple[str, dict, dict]]:
    """(code, input, identifier): each an update of the existing product that Shopify refuses,
    most also carrying a valid scalar change (title) that must not be written either."""
    s_id, m_id = variant_ids(tee)
    keep = {
        "productOptions": [SIZES],
        "variants": [
            {"id": s_id, "optionValues": [{"optionName": "Size", "name": "S"}]},
            {"id": m_id, "optionValues": [{"optionName": "Size", "name": "M"}]},
        ],
    }
    by_handle = {"handle": "classic-tee"}
    by_id = {"id": tee["id"]}
    four = [{"name": n, "values": [{"name": "x"}]} for n in "ABCD"]
    return [
        ("HANDLE_NOT_UNIQUE", {"title": "X", "handle": "other"}, by_id),
        ("INPUT_MISMATCH", {"title": "X", "handle": "else"}, by_handle),
        ("ID_NOT_ALLOWED", {"id": tee["id"], "title": "X"}, by_handle),
        ("OPTIONS_OVER_LIMIT", {"title": "X", "productOptions": four, "variants": [
            {"optionValues": [{"optionName": n, "name": "x"} for n in "ABCD"]}]}, by_handle),
        ("DUPLICATED_OPTION_VALUE", {"title": "X", "productOptions": [
            {"name": "Size", "values": [{"name": "S"}, {"name": "S"}]}],
            "variants": sized("S")}, by_handle),
        ("OPTION_VALUES_MISSING", {"title": "X", "productOptions": [
            {"name": "Size", "values": []}], "variants": sized("S")}, by_handle),
        ("PRODUCT_OPTIONS_INPUT_MISSING", {"title": "X", "variants": sized("S")}, by_handle),
        ("VARIANTS_INPUT_MISSING", {"title": "X", "productOptions": [SIZES]}, by_handle),
        ("INVALID_METAFIELD", {"title": "X", "tags": ["b"], "metafields": [
            {"namespace": "custom", "key": "k1", "type": "number_integer", "value": "2"},
            {"namespace": "custom", "key": "k2", "type": "boolean", "value": "maybe"},
        ]}, by_handle),
        ("INVALID_VARIANT", {"title": "X", **keep, "variants": [
            keep["variants"][0],
            {"id": m_id, "price": "3", "optionValues": [{"optionName": "Size", "name": "S"}]},
        ]}, by_handle),
        ("PRODUCT_VARIANT_DOES_NOT_EXIST", {"title": "X", "productOptions": [SIZES],
            "variants": [{"id": "gid://shopify/ProductVariant/999",
                          "optionValues": [{"optionName": "Size", "name": "S"}]}]}, by_handle),
        ("VARIANTS_OVER_LIMIT", {"title": "X", "productOptions": [
            {"name": "N", "values": [{"name": str(i)} for i in range(2049)]}],
            "variants": [{"optionValues": [{"optionName": "N", "name": str(i)}]}
                         for i in range(2049)]}, by_handle),
    ]  # fmt: skip


def test_every_documented_user_error_writes_nothing(sandbox, tee):
    before = store_dump(sandbox)
    for code, input, identifier in refusals(tee):
        refused = product_set(sandbox, input, identifier)
        assert code in codes(refused), (code, refused["userErrors"])
        assert refused["product"] is None, code
        assert store_dump(sandbox) == before, f"{code} changed the store"


def test_a_refused_create_creates_nothing(sandbox, tee):
    before = store_dump(sandbox)
    fresh = {"handle": "fresh"}
    for input, identifier in (
        ({"title": "New", "handle": "other"}, None),  # HANDLE_NOT_UNIQUE
        ({"title": "New", "productOptions": [SIZES], "variants": sized("XL")}, fresh),
        ({"title": "New", "metafields": [{"namespace": "c1", "key": "nn", "value": "1"}]}, fresh),
        ({"vendor": "no title"}, fresh),  # title is required on create
    ):
        refused = product_set(sandbox, input, identifier)
        assert refused["userErrors"] and refused["product"] is None, input
        assert store_dump(sandbox) == before, input


@pytest.mark.parametrize(
    "identifier",
    [
        {"handle": "classic-tee", "id": "gid://shopify/Product/1"},
        {},
        {"handle": None},
    ],
)
def test_identifier_is_one_of(sandbox, tee, identifier):
    before = store_dump(sandbox)
    reply = sandbox.graphql(SET, {"input": {"title": "Y"}, "identifier": identifier})
    assert reply.status == 200
    assert reply.json.get("errors"), reply.json
    assert not (reply.json.get("data") or {}).get("productSet")
    assert store_dump(sandbox) == before


def test_deprecated_input_id_is_update_only(sandbox, tee):
    missing = product_set(sandbox, {"id": "gid://shopify/Product/999", "title": "Z"})
    assert codes(missing) == ["PRODUCT_DOES_NOT_EXIST"]
    updated = product_set(sandbox, {"id": tee["id"], "title": "Z"})
    assert updated["product"]["id"] == tee["id"] and updated["product"]["title"] == "Z"


def test_identifier_handle_alone_creates_with_that_handle(sandbox):
    made = product_set(sandbox, {"title": "Something Else"}, {"handle": "wanted"})
    assert made["userErrors"] == [] and made["product"]["handle"] == "wanted"


def _changes(tee: dict) -> list[tuple[str, dict]]:
    s_id, m_id = variant_ids(tee)

    def variants(s_price="10", m_price="10", **extra):
        return {
            "productOptions": [SIZES],
            "variants": [
                {
                    "id": s_id,
                    "price": s_price,
                    "optionValues": [{"optionName": "Size", "name": "S"}],
                    **extra,
                },
                {
                    "id": m_id,
                    "price": m_price,
                    "optionValues": [{"optionName": "Size", "name": "M"}],
                },
            ],
        }

    return [
        ("title", {"title": "Tee 2"}),
        ("vendor", {"vendor": "Acme"}),
        ("description", {"descriptionHtml": "<p>x</p>"}),
        ("status", {"status": "DRAFT"}),
        ("tags", {"tags": ["a", "b"]}),
        ("variant price", variants(s_price="11")),
        ("variant sku", variants(s_price="11", sku="S-1")),
        ("metafield value", {"metafields": [
            {"namespace": "custom", "key": "k1", "type": "number_integer", "value": "5"}]}),
        ("metafield removed", {"metafields": []}),
        ("variant removed", {"productOptions": [{"name": "Size", "values": [{"name": "S"}]}],
                             "variants": [{"id": s_id, "optionValues": [
                                 {"optionName": "Size", "name": "S"}]}]}),
    ]  # fmt: skip


def test_updated_at_moves_on_every_kind_of_real_change_and_only_then(sandbox, tee):
    last = tee["updatedAt"]
    for what, change in _changes(tee):
        changed = product_set(sandbox, change, {"id": tee["id"]})
        assert changed["userErrors"] == [], (what, changed["userErrors"])
        now = changed["product"]["updatedAt"]
        assert now > last, f"{what} did not move updatedAt"
        again = product_set(sandbox, change, {"id": tee["id"]})
        assert again["product"]["updatedAt"] == now, f"repeating {what} moved updatedAt"
        last = now


def test_read_back_forms(sandbox):
    made = product_set(
        sandbox,
        {
            "title": "Forms",
            "tags": ["  Summer ", "summer", "x"],
            "productOptions": [{"name": "Size", "values": [{"name": "S"}]}],
            "variants": [
                {
                    "optionValues": [{"optionName": "Size", "name": "S"}],
                    "price": "7",
                    "compareAtPrice": "9.5",
                    "inventoryItem": {"cost": "2.125"},
                }
            ],
            "metafields": [
                {"namespace": "custom", "key": "nn", "type": "number_integer", "value": "+007"},
                {"namespace": "custom", "key": "dd", "type": "number_decimal", "value": "3.10"},
            ],
        },
    )
    assert made["userErrors"] == []
    product = made["product"]
    variant = product["variants"]["nodes"][0]
    assert (variant["price"], variant["compareAtPrice"]) == ("7.00", "9.50")
    assert variant["inventoryItem"]["unitCost"]["amount"] == "2.13"
    assert product["tags"] == ["Summer", "x"]
    values = {m["key"]: m["value"] for m in product["metafields"]["nodes"]}
    assert values == {"nn": "7", "dd": "3.1"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", product["updatedAt"])
    assert product["legacyResourceId"] == product["id"].rsplit("/", 1)[1]
