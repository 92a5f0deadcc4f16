"""productSet as Shopify documents it (fact sheet §2, pitfalls 3, 4, 5, 7, 8, 15), sent as raw
GraphQL."""

from __future__ import annotations

import pytest
from graphql_helper import Shopify, codes, product_set


@pytest.fixture
def shop() -> Shopify:
    return Shopify()


SIZES = {"name": "Size", "values": [{"name": "S"}, {"name": "M"}]}


def sized(*sizes: str, **extra) -> list[dict]:
    return [{"optionValues": [{"optionName": "Size", "name": s}], **extra} for s in sizes]


def tee(**extra) -> dict:
    return {
        "title": "Classic Tee",
        "handle": "classic-tee",
        "productOptions": [SIZES],
        "variants": sized("S", "M", price="10"),
        **extra,
    }


def test_upsert_by_handle_creates_then_updates_the_same_product(shop):
    first = product_set(shop, tee(), {"handle": "classic-tee"})
    assert first["userErrors"] == []
    second = product_set(
        shop, {"handle": "classic-tee", "title": "Renamed"}, {"handle": "classic-tee"}
    )
    assert second["product"]["id"] == first["product"]["id"]
    assert second["product"]["title"] == "Renamed"
    count = shop("{ productsCount { count } }")["productsCount"]["count"]
    assert count == 1


def test_identifier_id_is_update_only(shop):
    missing = product_set(shop, {"title": "X"}, {"id": "gid://shopify/Product/999"})
    assert codes(missing) == ["NOT_FOUND"]
    assert missing["product"] is None
    assert shop("{ productsCount { count } }")["productsCount"]["count"] == 0


def test_input_id_with_identifier_is_refused(shop):
    created = product_set(shop, tee(), {"handle": "classic-tee"})["product"]
    refused = product_set(shop, {"id": created["id"], "title": "Y"}, {"handle": "classic-tee"})
    assert codes(refused) == ["ID_NOT_ALLOWED"]


def test_identifier_handle_must_match_input_handle(shop):
    refused = product_set(shop, {"title": "T", "handle": "other"}, {"handle": "classic-tee"})
    assert codes(refused) == ["INPUT_MISMATCH"]
    assert refused["userErrors"][0]["field"] == ["input", "handle"]


def test_scalars_patch_and_omitted_lists_stay(shop):
    made = product_set(
        shop,
        tee(
            vendor="Acme",
            tags=["a"],
            metafields=[
                {
                    "namespace": "custom",
                    "key": "fabric",
                    "type": "single_line_text_field",
                    "value": "cotton",
                }
            ],
        ),
        {"handle": "classic-tee"},
    )["product"]
    after = product_set(shop, {"productType": "Shirts"}, {"handle": "classic-tee"})["product"]
    assert after["vendor"] == "Acme" and after["productType"] == "Shirts"
    assert after["tags"] == ["a"]
    assert after["variants"] == made["variants"]
    assert after["metafields"] == made["metafields"]


def test_sent_lists_replace_what_is_there(shop):
    made = product_set(
        shop,
        tee(
            tags=["a", "b"],
            metafields=[
                {
                    "namespace": "custom",
                    "key": "one",
                    "type": "single_line_text_field",
                    "value": "1",
                },
                {
                    "namespace": "custom",
                    "key": "two",
                    "type": "single_line_text_field",
                    "value": "2",
                },
            ],
        ),
        {"handle": "classic-tee"},
    )["product"]
    small = made["variants"]["nodes"][0]
    after = product_set(
        shop,
        {
            "tags": ["c"],
            "metafields": [
                {
                    "namespace": "custom",
                    "key": "two",
                    "value": "2",
                    "type": "single_line_text_field",
                }
            ],
            "productOptions": [{"name": "Size", "values": [{"name": "S"}]}],
            "variants": [
                {"id": small["id"], "optionValues": [{"optionName": "Size", "name": "S"}]}
            ],
        },
        {"handle": "classic-tee"},
    )["product"]
    assert after["tags"] == ["c"]
    assert [m["key"] for m in after["metafields"]["nodes"]] == ["two"]
    assert [v["id"] for v in after["variants"]["nodes"]] == [small["id"]]
    medium = made["variants"]["nodes"][1]["id"]
    gone = shop("query($id: ID!) { productVariant(id: $id) { id } }", {"id": medium})
    assert gone["productVariant"] is None


def test_variant_ids_are_kept_when_sent_and_new_without_id(shop):
    made = product_set(shop, tee(), {"handle": "classic-tee"})["product"]
    s_id, m_id = (v["id"] for v in made["variants"]["nodes"])
    after = product_set(
        shop,
        {
            "productOptions": [SIZES],
            "variants": [
                {"id": s_id, "price": "11", "optionValues": [{"optionName": "Size", "name": "S"}]},
                {"optionValues": [{"optionName": "Size", "name": "M"}]},
            ],
        },
        {"handle": "classic-tee"},
    )["product"]
    ids = [v["id"] for v in after["variants"]["nodes"]]
    assert ids[0] == s_id and after["variants"]["nodes"][0]["price"] == "11.00"
    assert ids[1] != m_id  # documented reading: a variant without id is a new variant


def test_foreign_variant_id_is_refused(shop):
    other = product_set(shop, {"title": "Other"})["product"]["variants"]["nodes"][0]["id"]
    refused = product_set(
        shop,
        tee(variants=[{"id": other, "optionValues": [{"optionName": "Size", "name": "S"}]}]),
        {"handle": "classic-tee"},
    )
    assert codes(refused) == ["PRODUCT_VARIANT_DOES_NOT_EXIST"]


def test_options_and_variants_are_required_together(shop):
    product_set(shop, tee(), {"handle": "classic-tee"})
    only_variants = product_set(shop, {"variants": sized("S")}, {"handle": "classic-tee"})
    assert codes(only_variants) == ["PRODUCT_OPTIONS_INPUT_MISSING"]
    only_options = product_set(shop, {"productOptions": [SIZES]}, {"handle": "classic-tee"})
    assert codes(only_options) == ["VARIANTS_INPUT_MISSING"]


def test_option_values_are_required_per_variant():
    shop = Shopify()
    body = shop.raw("""mutation { productSet(input: {title: "T", productOptions: [{name: "Size",
      values: [{name: "S"}]}], variants: [{price: "1"}]}) { userErrors { code } } }""")
    assert "errors" in body and "optionValues" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("options", "variants", "code"),
    [
        ([{"name": n, "values": [{"name": "x"}]} for n in "ABCD"], [], "OPTIONS_OVER_LIMIT"),
        (
            [
                {"name": "Size", "values": [{"name": "S"}]},
                {"name": "size", "values": [{"name": "S"}]},
            ],
            [],
            "DUPLICATED_OPTION_NAME",
        ),
        (
            [{"name": "Size", "values": [{"name": "S"}, {"name": "S"}]}],
            sized("S"),
            "DUPLICATED_OPTION_VALUE",
        ),
        ([{"name": "Size", "values": []}], sized("S"), "OPTION_VALUES_MISSING"),
        ([SIZES], sized("XL"), "OPTION_VALUE_DOES_NOT_EXIST"),
        ([SIZES], sized("S", "S"), "INVALID_VARIANT"),
    ],
)
def test_option_rules(shop, options, variants, code):
    refused = product_set(
        shop, {"title": "T", "productOptions": options, "variants": variants or sized("S")}
    )
    assert code in codes(refused)
    assert refused["product"] is None


def test_variant_limit(shop):
    values = [{"name": str(i)} for i in range(2049)]
    refused = product_set(
        shop,
        {
            "title": "Big",
            "productOptions": [{"name": "N", "values": values}],
            "variants": [
                {"optionValues": [{"optionName": "N", "name": str(i)}]} for i in range(2049)
            ],
        },
    )
    assert codes(refused) == ["VARIANTS_OVER_LIMIT"]


def test_default_option_and_variant(shop):
    made = product_set(shop, {"title": "Plain"})["product"]
    assert [(o["name"], o["values"]) for o in made["options"]] == [("Title", ["Default Title"])]
    assert [v["title"] for v in made["variants"]["nodes"]] == ["Default Title"]


def test_handles_from_title_and_collisions(shop):
    handles = [product_set(shop, {"title": "Potion"})["product"]["handle"] for _ in range(3)]
    assert handles == ["potion", "potion-1", "potion-2"]
    taken = product_set(shop, {"title": "Elixir", "handle": "potion"})
    assert codes(taken) == ["HANDLE_NOT_UNIQUE"]
    assert shop("{ productsCount { count } }")["productsCount"]["count"] == 3


def test_handle_rename_keeps_a_redirect_when_asked(shop):
    product_set(shop, tee(), {"handle": "classic-tee"})
    pid = shop('{ productByHandle(handle: "classic-tee") { id } }')["productByHandle"]["id"]
    moved = product_set(shop, {"handle": "basic-tee", "redirectNewHandle": True}, {"id": pid})
    assert moved["product"]["handle"] == "basic-tee"
    assert shop.store.redirects == {"/products/classic-tee": "/products/basic-tee"}


def test_invalid_metafield_writes_nothing(shop):
    made = product_set(shop, tee(), {"handle": "classic-tee"})["product"]
    refused = product_set(
        shop,
        {
            "title": "Changed",
            "metafields": [
                {"namespace": "custom", "key": "count", "type": "number_integer", "value": "ten"}
            ],
        },
        {"handle": "classic-tee"},
    )
    assert codes(refused) == ["INVALID_METAFIELD"]
    assert refused["userErrors"][0]["field"] == ["input", "metafields", "0", "value"]
    now = shop('{ productByHandle(handle: "classic-tee") { title updatedAt } }')
    assert now["productByHandle"] == {"title": "Classic Tee", "updatedAt": made["updatedAt"]}


def test_updated_at_moves_on_change_and_not_on_a_no_op(shop):
    made = product_set(shop, tee(), {"handle": "classic-tee"})["product"]
    ids = [v["id"] for v in made["variants"]["nodes"]]
    same = {
        "title": "Classic Tee",
        "productOptions": [SIZES],
        "variants": [
            {"id": ids[0], "price": "10.00", "optionValues": [{"optionName": "Size", "name": "S"}]},
            {"id": ids[1], "price": "10", "optionValues": [{"optionName": "Size", "name": "M"}]},
        ],
    }
    again = product_set(shop, same, {"handle": "classic-tee"})["product"]
    assert again["updatedAt"] == made["updatedAt"]
    changed = product_set(shop, {"title": "New"}, {"handle": "classic-tee"})["product"]
    assert changed["updatedAt"] > made["updatedAt"]


def test_canonical_read_back_forms(shop):
    made = product_set(
        shop,
        tee(
            tags=[" b ", "a", "A", "c,d"],
            variants=sized("S", "M"),
            metafields=[
                {"namespace": "custom", "key": "dec", "type": "number_decimal", "value": "10.50"},
                {
                    "namespace": "custom",
                    "key": "doc",
                    "type": "json",
                    "value": '{"b": 1, "a": [1, 2]}',
                },
            ],
        ),
        {"handle": "classic-tee"},
    )["product"]
    assert made["tags"] == ["a", "b", "c", "d"]
    values = {m["key"]: m["value"] for m in made["metafields"]["nodes"]}
    assert values == {"dec": "10.5", "doc": '{"b":1,"a":[1,2]}'}
    assert [v["price"] for v in made["variants"]["nodes"]] == ["0.00", "0.00"]


def test_status_and_no_publishing(shop):
    made = product_set(shop, tee(status="UNLISTED"), {"handle": "classic-tee"})["product"]
    assert made["status"] == "UNLISTED"
    published = shop(
        "query($id: ID!) { product(id: $id) { publishedAt resourcePublicationsV2"
        "(first: 5) { nodes { isPublished } } } }",
        {"id": made["id"]},
    )
    assert published["product"] == {"publishedAt": None, "resourcePublicationsV2": {"nodes": []}}


def test_inventory_quantities_rules(shop):
    loc = shop("{ locations(first: 1) { nodes { id } } }")["locations"]["nodes"][0]["id"]
    bad_name = product_set(
        shop,
        tee(
            variants=sized(
                "S",
                "M",
                inventoryQuantities=[{"locationId": loc, "name": "committed", "quantity": 3}],
            )
        ),
        {"handle": "classic-tee"},
    )
    assert "INVALID_INPUT" in codes(bad_name)
    made = product_set(
        shop,
        tee(
            variants=sized(
                "S",
                "M",
                inventoryQuantities=[{"locationId": loc, "name": "available", "quantity": 3}],
            )
        ),
        {"handle": "classic-tee"},
    )
    assert [v["inventoryQuantity"] for v in made["product"]["variants"]["nodes"]] == [3, 3]


def test_input_arrays_over_250_are_refused_except_variants(shop):
    many = [f"t{i}" for i in range(251)]
    body = shop.raw(
        "mutation($i: ProductSetInput!) { productSet(input: $i) { userErrors { code } } }",
        {"i": {"title": "T", "tags": many}},
    )
    assert body["errors"][0]["message"].startswith("The input array size of 251")
    assert shop("{ productsCount { count } }")["productsCount"]["count"] == 0
    values = [{"name": str(i)} for i in range(300)]
    big = product_set(
        shop,
        {
            "title": "Big",
            "productOptions": [{"name": "N", "values": values}],
            "variants": [
                {"optionValues": [{"optionName": "N", "name": str(i)}]} for i in range(300)
            ],
        },
    )
    assert big["userErrors"] == [] and len(big["product"]["variants"]["nodes"]) == 50


def test_upsert_by_custom_id(shop):
    shop("""mutation { metafieldDefinitionCreate(definition: {name: "SKU id", namespace: "custom",
      key: "erp_id", type: "id", ownerType: PRODUCT}) { userErrors { code } } }""")
    ident = {"customId": {"namespace": "custom", "key": "erp_id", "value": "E-1"}}
    made = product_set(shop, {"title": "From ERP"}, ident)
    assert made["userErrors"] == []
    assert made["product"]["metafields"]["nodes"][0]["value"] == "E-1"
    again = product_set(shop, {"title": "Renamed"}, ident)
    assert again["product"]["id"] == made["product"]["id"]
    mismatch = product_set(
        shop,
        {"title": "X", "metafields": [{"namespace": "custom", "key": "erp_id", "value": "E-2"}]},
        ident,
    )
    assert codes(mismatch) == ["METAFIELD_MISMATCH"]
    undefined = product_set(
        shop, {"title": "X"}, {"customId": {"namespace": "custom", "key": "nope", "value": "1"}}
    )
    assert codes(undefined) == ["NOT_FOUND"]


FILES = """query($id: ID!) { product(id: $id) { media(first: 10) {
  nodes { ... on MediaImage { id alt status } } } } }"""


def test_files_replace_when_sent_and_stay_when_omitted(shop):
    made = product_set(
        shop,
        tee(
            files=[
                {"originalSource": "https://img.example/a.png", "alt": "A", "contentType": "IMAGE"},
                {"originalSource": "https://img.example/b.png", "alt": "B", "contentType": "IMAGE"},
            ]
        ),
        {"handle": "classic-tee"},
    )["product"]
    media = shop(FILES, {"id": made["id"]})["product"]["media"]["nodes"]
    assert [m["alt"] for m in media] == ["A", "B"]
    product_set(shop, {"title": "Still"}, {"handle": "classic-tee"})
    assert shop(FILES, {"id": made["id"]})["product"]["media"]["nodes"] == media
    product_set(shop, {"files": [{"id": media[1]["id"]}]}, {"handle": "classic-tee"})
    assert shop(FILES, {"id": made["id"]})["product"]["media"]["nodes"] == [media[1]]


def test_collections_list(shop):
    made = product_set(shop, tee(collections=[]), {"handle": "classic-tee"})
    assert made["userErrors"] == []
    refused = product_set(
        shop, {"collections": ["gid://shopify/Collection/1"]}, {"handle": "classic-tee"}
    )
    assert codes(refused) == ["NOT_FOUND"]


def test_variant_file_must_be_in_product_files(shop):
    a = {"originalSource": "https://img.example/a.png", "contentType": "IMAGE"}
    refused = product_set(
        shop,
        tee(variants=[{"optionValues": [{"optionName": "Size", "name": "S"}], "file": a}]),
        {"handle": "classic-tee"},
    )
    assert codes(refused) == ["INVALID_VARIANT"]
    assert refused["userErrors"][0]["field"] == ["input", "variants", "0", "file"]
    made = product_set(
        shop,
        tee(
            files=[a],
            variants=[
                {"optionValues": [{"optionName": "Size", "name": "M"}], "position": 2},
                {
                    "optionValues": [{"optionName": "Size", "name": "S"}],
                    "file": a,
                    "position": 1,
                    "metafields": [
                        {"namespace": "custom", "key": "k1", "type": "number_integer", "value": "1"}
                    ],
                },
            ],
        ),
        {"handle": "classic-tee"},
    )["product"]
    first, second = made["variants"]["nodes"]
    assert first["title"] == "S" and first["metafields"]["nodes"][0]["key"] == "k1"
    assert second["metafields"]["nodes"] == []
    media = shop(
        """query($id: ID!) { product(id: $id) { variants(first: 5) { nodes {
      media(first: 1) { nodes { id } } } } } }""",
        {"id": made["id"]},
    )
    assert [len(v["media"]["nodes"]) for v in media["product"]["variants"]["nodes"]] == [1, 0]


def test_inventory_quantities_total_limit(shop):
    loc = shop("{ locations(first: 1) { nodes { id } } }")["locations"]["nodes"][0]["id"]
    quantities = [{"locationId": loc, "name": "available", "quantity": 1}] * 250
    values = [{"name": str(i)} for i in range(201)]
    refused = product_set(
        shop,
        {
            "title": "Many",
            "productOptions": [{"name": "N", "values": values}],
            "variants": [
                {
                    "optionValues": [{"optionName": "N", "name": str(i)}],
                    "inventoryQuantities": quantities,
                }
                for i in range(201)
            ],
        },
    )
    assert codes(refused) == ["INVENTORY_QUANTITIES_LIMIT_EXCEEDED"]


def test_existing_variant_quantities_only_at_stocked_locations(shop):
    from reconciler.sandbox.state import Location

    store = shop.store
    extra = Location(store.new_id("Location"), "Warehouse", 0, 0)
    store.locations[extra.id] = extra
    made = product_set(shop, tee(), {"handle": "classic-tee"})["product"]
    s_id, m_id = (v["id"] for v in made["variants"]["nodes"])
    warehouse = f"gid://shopify/Location/{extra.id}"
    refused = product_set(
        shop,
        {
            "productOptions": [SIZES],
            "variants": [
                {
                    "id": s_id,
                    "optionValues": [{"optionName": "Size", "name": "S"}],
                    "inventoryQuantities": [
                        {"locationId": warehouse, "name": "available", "quantity": 1}
                    ],
                },
                {"id": m_id, "optionValues": [{"optionName": "Size", "name": "M"}]},
            ],
        },
        {"handle": "classic-tee"},
    )
    assert codes(refused) == ["INVALID_VARIANT"]
    created = product_set(
        shop,
        {
            "title": "New",
            "productOptions": [SIZES],
            "variants": sized(
                "S",
                "M",
                inventoryQuantities=[{"locationId": warehouse, "name": "on_hand", "quantity": 4}],
            ),
        },
    )
    assert [v["inventoryQuantity"] for v in created["product"]["variants"]["nodes"]] == [4, 4]
