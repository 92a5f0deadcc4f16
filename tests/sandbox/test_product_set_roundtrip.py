"""Property: what productSet stores and reads back, sent again with the ids it returned, is a no-op
(`updatedAt` stays). This is what keeps a plan free of formatting-only diffs (fact sheet §10)."""

from __future__ import annotations

from decimal import Decimal

from graphql_helper import Shopify, product_set
from hypothesis import given, settings
from hypothesis import strategies as st

words = st.text(alphabet="abcdefghij XYZ-", min_size=1, max_size=8).filter(lambda s: s.strip())
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999"), places=3).map(str)


@st.composite
def products(draw):
    names = draw(st.lists(words, min_size=1, max_size=3, unique_by=lambda s: s.strip().lower()))
    options = []
    for name in names:
        values = draw(
            st.lists(words, min_size=1, max_size=3, unique_by=lambda s: s.strip().lower())
        )
        options.append({"name": name, "values": [{"name": v} for v in values]})
    variants = [
        {
            "optionValues": [
                {"optionName": o["name"], "name": o["values"][0]["name"]} for o in options
            ],
            "price": draw(prices),
            "sku": draw(st.none() | words),
        }
    ]
    return {
        "title": draw(words),
        "tags": draw(st.lists(words, max_size=4)),
        "vendor": draw(words),
        "descriptionHtml": draw(st.sampled_from(["", "<p>x</p>", " a "])),
        "productOptions": options,
        "variants": variants,
        "metafields": [
            {
                "namespace": "custom",
                "key": "amount",
                "type": "number_decimal",
                "value": draw(prices),
            }
        ],
    }


def resend(product: dict) -> dict:
    return {
        "title": product["title"],
        "tags": product["tags"],
        "vendor": product["vendor"],
        "descriptionHtml": product["descriptionHtml"],
        "productOptions": [
            {
                "id": o["id"],
                "name": o["name"],
                "values": [{"id": v["id"], "name": v["name"]} for v in o["optionValues"]],
            }
            for o in product["options"]
        ],
        "variants": [
            {
                "id": v["id"],
                "price": v["price"],
                "sku": v["sku"],
                "optionValues": [
                    {"optionName": s["name"], "name": s["value"]} for s in v["selectedOptions"]
                ],
            }
            for v in product["variants"]["nodes"]
        ],
        "metafields": [
            {"namespace": m["namespace"], "key": m["key"], "type": m["type"], "value": m["value"]}
            for m in product["metafields"]["nodes"]
        ],
    }


@settings(max_examples=40, deadline=None)
@given(products())
def test_read_back_sent_again_is_a_no_op(data):
    shop = Shopify()
    made = product_set(shop, data, {"handle": "p"})
    assert made["userErrors"] == [], made["userErrors"]
    again = product_set(shop, resend(made["product"]), {"handle": "p"})
    assert again["userErrors"] == []
    assert again["product"]["updatedAt"] == made["product"]["updatedAt"]
    assert again["product"] == made["product"]
