"""The sandbox stores what Shopify stores, not what was sent (docs/sandbox.md, "Text, tags and
money as stored"): trimmed text, empty optional text as none, tags unique whatever their case and
within Shopify's limits, amounts rounded to the shop currency's minor unit."""

from __future__ import annotations

import pytest
from graphql_helper import PRODUCT_SET, Shopify, codes, product_set

READ = """query Read($id: ID!) {
  product(id: $id) {
    title vendor productType tags seo { title description }
    options { name optionValues { name } }
    variants(first: 10) {
      nodes { price compareAtPrice sku barcode selectedOptions { name value }
              inventoryItem { unitCost { amount currencyCode } } }
    }
  }
}"""


@pytest.fixture
def shop() -> Shopify:
    return Shopify()


def _create(shop: Shopify, **fields) -> dict:
    payload = product_set(shop, {"title": "Tee", **fields})
    assert payload["userErrors"] == [], payload
    return shop(READ, {"id": payload["product"]["id"]})["product"]


def test_text_is_stored_trimmed(shop):
    stored = _create(
        shop,
        title=" Tee  ",
        vendor=" Acme ",
        productType="Shirts\t",
        seo={"title": " Buy ", "description": "  "},
        productOptions=[{"name": "Size ", "values": [{"name": " S "}]}],
        variants=[
            {
                "optionValues": [{"optionName": "Size", "name": "S"}],
                "barcode": " 012 ",
                "inventoryItem": {"sku": " A1 "},
            }
        ],
    )
    assert (stored["title"], stored["vendor"], stored["productType"]) == ("Tee", "Acme", "Shirts")
    assert stored["seo"] == {"title": "Buy", "description": None}
    assert stored["options"] == [{"name": "Size", "optionValues": [{"name": "S"}]}]
    variant = stored["variants"]["nodes"][0]
    assert (variant["sku"], variant["barcode"]) == ("A1", "012")


def test_empty_sku_barcode_and_seo_are_stored_as_none(shop):
    stored = _create(
        shop,
        seo={"title": "", "description": ""},
        productOptions=[{"name": "Title", "values": [{"name": "Default Title"}]}],
        variants=[
            {
                "optionValues": [{"optionName": "Title", "name": "Default Title"}],
                "barcode": "",
                "inventoryItem": {"sku": ""},
            }
        ],
    )
    assert stored["seo"] == {"title": None, "description": None}
    variant = stored["variants"]["nodes"][0]
    assert (variant["sku"], variant["barcode"]) == (None, None)


def test_tags_are_unique_whatever_their_case_first_spelling_kept(shop):
    stored = _create(shop, tags=["Summer", " summer", "SALE", "sale ", ""])
    assert stored["tags"] == ["SALE", "Summer"]


def test_more_than_250_tags_or_a_tag_over_255_characters_is_refused(shop):
    # Shopify refuses an input list over 250 items before resolving: a top-level GraphQL error.
    body = shop.raw(PRODUCT_SET, {"input": {"title": "Tee", "tags": [f"t{i}" for i in range(251)]}})
    assert [e["message"] for e in body["errors"]] == [
        "The input array size of 251 is greater than the maximum allowed of 250."
    ]
    payload = product_set(shop, {"title": "Tee", "tags": ["x" * 256]})
    assert codes(payload) == ["INVALID_PRODUCT"] and payload["product"] is None
    assert (
        product_set(shop, {"title": "Tee", "tags": [f"t{i}" for i in range(250)]})["userErrors"]
        == []
    )


def _priced(shop: Shopify, price: str, cost: str) -> dict:
    stored = _create(
        shop,
        productOptions=[{"name": "Title", "values": [{"name": "Default Title"}]}],
        variants=[
            {
                "optionValues": [{"optionName": "Title", "name": "Default Title"}],
                "price": price,
                "compareAtPrice": price,
                "inventoryItem": {"cost": cost},
            }
        ],
    )
    return stored["variants"]["nodes"][0]


@pytest.mark.parametrize(
    ("currency", "sent", "stored"),
    [
        ("USD", "10.005", "10.01"),  # half-up, not banker's (10.00)
        ("USD", "10", "10.00"),
        ("JPY", "1000.5", "1001"),
        ("JPY", "1000.00", "1000"),
        ("KWD", "1.2345", "1.235"),
        ("KWD", "1.5", "1.500"),
    ],
)
def test_amounts_are_rounded_to_the_shop_currencys_minor_unit(shop, currency, sent, stored):
    shop.store.shop.currency_code = currency
    variant = _priced(shop, sent, sent)
    assert (variant["price"], variant["compareAtPrice"]) == (stored, stored)
    assert variant["inventoryItem"]["unitCost"] == {"amount": stored, "currencyCode": currency}


def test_the_shop_currency_is_set_through_the_control_endpoint_until_reset(sandbox):
    answer = sandbox.control("shop", {"currency_code": "jpy"})
    assert (answer.status, answer.json) == (200, {"currency_code": "JPY"})
    data = sandbox.graphql("{ shop { currencyCode } }").json["data"]
    assert data == {"shop": {"currencyCode": "JPY"}}
    assert sandbox.control("shop", {"currency_code": "yen!"}).status == 400
    sandbox.reset()
    assert (
        sandbox.graphql("{ shop { currencyCode } }").json["data"]["shop"]["currencyCode"] == "USD"
    )
