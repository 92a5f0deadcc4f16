"""normalize.py: GraphQL product nodes become LiveProducts equal to what the catalog would build
(docs/marker.md, "What fetch must produce"). Pure; the round trip through the sandbox is in
tests/scenarios/test_live_read_roundtrip.py."""

from __future__ import annotations

from decimal import Decimal

from reconciler.model import LiveMedia, Marker, Metafield, Option, Product, Variant, Weight
from reconciler.shopify import normalize


def variant_node(gid="gid://shopify/ProductVariant/1", options=(("Size", "S"),), **over):
    node = {
        "id": gid,
        "price": "10.0",
        "compareAtPrice": None,
        "sku": None,
        "barcode": None,
        "taxable": True,
        "inventoryPolicy": "DENY",
        "selectedOptions": [{"name": n, "value": v} for n, v in options],
        "inventoryItem": {
            "tracked": False,
            "requiresShipping": True,
            "unitCost": None,
            "measurement": {"weight": {"value": 0.2, "unit": "KILOGRAMS"}},
        },
        "metafields": {"nodes": [], "pageInfo": {"hasNextPage": False}},
    }
    node.update(over)
    return node


def product_node(**over):
    node = {
        "id": "gid://shopify/Product/1",
        "handle": "tee",
        "title": "Tee",
        "status": "ACTIVE",
        "vendor": "",
        "productType": "",
        "tags": ["summer ", "cotton"],
        "descriptionHtml": "<p>Soft\n  cotton</p>\n<ul>\n  <li>a</li>\n</ul>",
        "updatedAt": "2026-01-01T00:00:00Z",
        "seo": {"title": None, "description": None},
        "options": [{"name": "Size", "position": 1, "optionValues": [{"name": "S"}]}],
        "marker": None,
        "variants": {"nodes": [variant_node()]},
        "metafields": {"nodes": []},
        "media": {"nodes": []},
        "resourcePublicationsV2": {"nodes": []},
    }
    node.update(over)
    return node


def test_scalars_are_normalized_like_the_catalog():
    live = normalize.live_product(product_node())
    p = live.product
    assert (p.status, p.vendor, p.product_type, p.seo_title, p.seo_description) == (
        "active", "", "", "", "",
    )  # fmt: skip
    assert p.tags == frozenset({"summer", "cotton"})
    assert p.description_html == "<p>Soft\n  cotton</p>\n<ul>\n  <li>a</li>\n</ul>"
    assert p.publications == frozenset()
    assert p.media is None
    assert live.updated_at == "2026-01-01T00:00:00Z" and live.complete


def test_money_and_variant_fields():
    node = product_node(
        variants={
            "nodes": [
                variant_node(
                    price="10.0",
                    compareAtPrice="25",
                    sku="TEE-S",
                    inventoryPolicy="CONTINUE",
                    inventoryItem={
                        "tracked": True,
                        "requiresShipping": False,
                        "unitCost": {"amount": "7.5"},
                        "measurement": {"weight": {"value": 180.0, "unit": "GRAMS"}},
                    },
                )
            ]
        }
    )
    (v,) = normalize.live_product(node).product.variants
    assert v == Variant(
        options=(("Size", "S"),),
        price="10.00",
        compare_at_price="25.00",
        sku="TEE-S",
        barcode="",
        taxable=True,
        requires_shipping=False,
        tracked=True,
        cost="7.50",
        inventory_policy="continue",
        weight=Weight(Decimal("180"), "GRAMS"),
        metafields=(),
    )


def test_default_title_is_a_product_without_options():
    node = product_node(
        options=[{"name": "Title", "position": 1, "optionValues": [{"name": "Default Title"}]}],
        variants={"nodes": [variant_node(options=(("Title", "Default Title"),))]},
    )
    live = normalize.live_product(node)
    assert live.product.options == ()
    assert live.product.variants[0].options == () and live.product.variants[0].key == ()
    assert live.variant_ids == {(): "gid://shopify/ProductVariant/1"}


def test_options_in_position_order_and_variant_ids_by_key():
    node = product_node(
        options=[
            {"name": "Color", "position": 2, "optionValues": [{"name": "Red"}]},
            {"name": "Size", "position": 1, "optionValues": [{"name": "S"}, {"name": "M"}]},
        ],
        variants={
            "nodes": [
                variant_node("gid://shopify/ProductVariant/7", (("Size", "M"), ("Color", "Red"))),
                variant_node("gid://shopify/ProductVariant/8", (("Size", "S"), ("Color", "Red"))),
            ]
        },
    )
    live = normalize.live_product(node)
    assert live.product.options == (Option("Size", ("S", "M")), Option("Color", ("Red",)))
    assert [v.key for v in live.product.variants] == [("S", "Red"), ("M", "Red")]
    assert live.variant_ids == {
        ("M", "Red"): "gid://shopify/ProductVariant/7",
        ("S", "Red"): "gid://shopify/ProductVariant/8",
    }


def test_metafields_canonical_and_marker_kept_apart():
    marker = Marker.for_product(Product(handle="tee", title="Tee"), "demo")
    node = product_node(
        metafields={
            "nodes": [
                {"id": "gid://shopify/Metafield/2", "namespace": "custom", "key": "n",
                 "type": "number_decimal", "value": "10.50"},
                {"id": "gid://shopify/Metafield/3", "namespace": "catalog_reconciler",
                 "key": "marker", "type": "json", "value": marker.to_json()},
                {"id": "gid://shopify/Metafield/4", "namespace": "x", "key": "odd",
                 "type": "some_future_type", "value": "as is"},
            ]
        }
    )  # fmt: skip
    live = normalize.live_product(node)
    assert live.product.metafields == (
        Metafield("custom", "n", "number_decimal", "10.5"),
        Metafield("x", "odd", "some_future_type", "as is"),
    )
    assert live.marker == marker and live.marker_problem is None
    assert live.marker_id == "gid://shopify/Metafield/3"


def test_marker_alias_without_metafields_page():
    node = product_node(marker={"id": "gid://shopify/Metafield/9", "value": "not json"})
    live = normalize.live_product(node)
    assert live.marker is None and live.marker_problem.startswith("marker is not JSON")
    assert live.marker_id == "gid://shopify/Metafield/9"


def test_variant_metafields_media_and_publications():
    node = product_node(
        variants={
            "nodes": [
                variant_node(
                    metafields={
                        "nodes": [
                            {"id": "m", "namespace": "custom", "key": "fit",
                             "type": "boolean", "value": "true"}
                        ]
                    }
                )
            ]
        },
        media={
            "nodes": [
                {"id": "gid://shopify/MediaImage/2", "alt": "", "image": {"url": "https://x/a"}},
                {"id": "gid://shopify/MediaImage/1", "alt": "Front", "image": None},
            ]
        },
        resourcePublicationsV2={
            "nodes": [
                {"publication": {"catalog": {"title": "Online Store"}}},
                {"publication": {"catalog": None}},
            ]
        },
    )  # fmt: skip
    live = normalize.live_product(node)
    assert live.product.variants[0].metafields == (Metafield("custom", "fit", "boolean", "true"),)
    assert live.media == (
        LiveMedia("gid://shopify/MediaImage/2", None, "https://x/a"),
        LiveMedia("gid://shopify/MediaImage/1", "Front", None),
    )
    assert live.product.publications == frozenset({"Online Store"})


def test_publications_not_read_are_none():
    node = product_node()
    del node["resourcePublicationsV2"]
    assert normalize.live_product(node).product.publications is None


def test_formatting_differences_give_equal_products():
    a = normalize.live_product(product_node())
    b = normalize.live_product(
        product_node(
            tags=["cotton", "summer", "cotton"],
            descriptionHtml="<p>Soft\r\n  cotton</p>\r\n<ul>\r\n  <li>a</li>\r\n</ul>\n",
            variants={"nodes": [variant_node(price="10.00")]},
        )
    )
    assert a.product == b.product
    assert a.product.content_hash() == b.product.content_hash()
