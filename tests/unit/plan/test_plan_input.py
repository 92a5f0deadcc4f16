"""The mutation input builder: exact Shopify inputs, what is sent and what is never sent.

Every call is validated and coerced (graphql-core) against Shopify's real 2026-10 types: the
document's variable types where a .graphql document exists, the mutation's argument types
otherwise; skipped without ../shared.
"""

from __future__ import annotations

import gzip
import json
import os
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from graphql import Undefined, build_client_schema, coerce_input_value, parse, type_from_ast
from graphql.utilities.validate_input_value import validate_input_value
from plan_builders import CATALOG, live, product

from reconciler.model import Marker, Media, Metafield, Product, Variant, Weight
from reconciler.shopify.input import PRODUCT_ID, mutation_calls, removal_calls

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("CATALOG_SHARED_DIR") or ROOT / ".." / "shared")
SCHEMA_FILE = SHARED / "shopify-admin-schema" / "admin_2026-10.json.gz"
GRAPHQL = ROOT / "reconciler" / "shopify" / "graphql"
# Calls without a document yet: the mutation field whose arguments the variables fill.
FIELDS = {
    "PublishablePublish": "publishablePublish",
    "PublishableUnpublish": "publishableUnpublish",
    "FileUpdate": "fileUpdate",
    "ProductUpdateMedia": "productUpdate",
}
needs_schema = pytest.mark.skipif(not SCHEMA_FILE.is_file(), reason=f"no schema at {SCHEMA_FILE}")


@cache
def schema():
    with gzip.open(SCHEMA_FILE) as fh:
        return build_client_schema(json.load(fh)["data"], assume_valid=True)


def variable_types(operation: str) -> dict:
    doc = GRAPHQL / f"{operation}.graphql"
    if doc.is_file():
        op = parse(doc.read_text()).definitions[0]
        return {
            v.variable.name.value: type_from_ast(schema(), v.type) for v in op.variable_definitions
        }
    field = schema().mutation_type.fields[FIELDS[operation]]
    return {name: arg.type for name, arg in field.args.items()}


def problems_of(value, type_) -> list:
    found = []
    validate_input_value(value, type_, lambda error, path: found.append((str(error), path)))
    return found


def assert_valid(calls):
    for call in calls:
        types = variable_types(call["operation"])
        for name, value in call["variables"].items():
            assert name in types, (call["operation"], name)
            problems = problems_of(value, types[name])
            assert problems == [], (call["operation"], name, problems)
            assert coerce_input_value(value, types[name]) is not Undefined


def full_product() -> Product:
    return product(
        description_html="<p>Soft</p>",
        product_type="Shirts",
        seo_title="Tee",
        seo_description="A tee",
        publications=frozenset({"Online Store"}),
        variants=(
            Variant(
                options=(("Size", "S"),),
                price="19.00",
                compare_at_price="25",
                sku="TEE-S",
                barcode="012",
                taxable=True,
                requires_shipping=True,
                tracked=True,
                cost="7.5",
                inventory_policy="deny",
                weight=Weight(Decimal("0.2"), "KILOGRAMS"),
                metafields=(Metafield("custom", "fit", "single_line_text_field", "slim"),),
            ),
            Variant(options=(("Size", "M"),), price="19.00"),
        ),
        media=(Media("https://cdn.example.com/tee.jpg", "Front"),),
    )


@needs_schema
def test_create_calls_match_shopify_types():
    assert_valid(mutation_calls(full_product(), None, None, catalog=CATALOG))


@needs_schema
def test_update_calls_match_shopify_types():
    applied = full_product()
    desired = product(
        tags=frozenset({"new"}),
        vendor=None,
        seo_title="Tee 2",
        publications=frozenset(),
        metafields=(Metafield("custom", "care", "multi_line_text_field", "Wash cold"),),
        variants=(Variant(options=(("Size", "S"),), price="18.00"),),
        options=applied.options[:1],
        media=(),
    )
    current = live(applied, applied=applied)
    calls = mutation_calls(desired, current, current.marker, catalog=CATALOG)
    assert {c["operation"] for c in calls} >= {"ProductSet", "MetafieldsSet", "MetafieldsDelete"}
    assert_valid(calls)


@needs_schema
def test_removal_calls_match_shopify_types():
    current = live(product())
    assert_valid(removal_calls(current, "archive") + removal_calls(current, "delete"))


def test_create_input_uses_shopify_names_and_forms():
    calls = mutation_calls(full_product(), None, None, catalog=CATALOG)
    ps = calls[0]["variables"]
    assert ps["identifier"] == {"handle": "tee"}
    data = ps["input"]
    assert data["handle"] == "tee" and data["status"] == "ACTIVE"
    assert data["productType"] == "Shirts" and data["descriptionHtml"] == "<p>Soft</p>"
    assert data["seo"] == {"title": "Tee", "description": "A tee"}
    assert data["tags"] == ["cotton", "summer"]
    assert data["productOptions"] == [
        {"name": "Size", "position": 1, "values": [{"name": "S"}, {"name": "M"}]}
    ]
    small = data["variants"][0]
    assert small["optionValues"] == [{"optionName": "Size", "name": "S"}]
    assert small["price"] == "19.00" and small["compareAtPrice"] == "25.00"
    assert small["inventoryPolicy"] == "DENY"
    assert small["inventoryItem"] == {
        "sku": "TEE-S",
        "tracked": True,
        "requiresShipping": True,
        "cost": "7.50",
        "measurement": {"weight": {"value": 0.2, "unit": "KILOGRAMS"}},
    }
    assert small["metafields"][0]["key"] == "fit"
    assert data["metafields"] == [
        {
            "namespace": "custom",
            "key": "material",
            "type": "single_line_text_field",
            "value": "Cotton",
        }
    ]
    assert "files" not in data
    operations = [c["operation"] for c in calls]
    assert operations == ["ProductSet", "ProductUpdateMedia", "PublishablePublish", "MetafieldsSet"]
    media = calls[1]["variables"]
    assert media["product"] == {"id": PRODUCT_ID} and media["count"] == 1
    assert media["media"] == [
        {
            "originalSource": "https://cdn.example.com/tee.jpg",
            "alt": "Front",
            "mediaContentType": "IMAGE",
        }
    ]
    marker_input = calls[-1]["variables"]["metafields"][-1]
    assert marker_input["ownerId"] == PRODUCT_ID and marker_input["type"] == "json"
    marker, problem = Marker.from_json(marker_input["value"])
    assert problem is None and marker.last_applied == full_product().content_hash()


WHITE, BLACK = "https://cdn.example.com/tee-white.jpg", "https://cdn.example.com/tee-black.jpg"


def with_variant_images() -> Product:
    return product(
        variants=(
            Variant(options=(("Size", "S"),), price="19.00", image=BLACK),
            Variant(options=(("Size", "M"),), price="19.00"),
        ),
        media=(Media(WHITE, "White"), Media(BLACK, None), Media("images/local.jpg", "Local")),
    )


@needs_schema
def test_create_with_variant_images_matches_shopify_types():
    assert_valid(mutation_calls(with_variant_images(), None, None, catalog=CATALOG))


def test_create_carries_variant_images_with_the_media_in_product_set():
    calls = mutation_calls(with_variant_images(), None, None, catalog=CATALOG)
    assert [c["operation"] for c in calls] == ["ProductSet", "MetafieldsSet"]
    data = calls[0]["variables"]["input"]
    black = {"originalSource": BLACK, "alt": "", "contentType": "IMAGE"}
    assert data["files"] == [
        {"originalSource": WHITE, "alt": "White", "contentType": "IMAGE"},
        black,
        # a catalog path stays the path: apply uploads it and sends the upload's URL instead
        {"originalSource": "images/local.jpg", "alt": "Local", "contentType": "IMAGE"},
    ]
    small, medium = data["variants"]
    assert small["file"] == black and "file" not in medium


def test_product_without_options_uses_shopifys_default_option():
    bare = Product(handle="gift", title="Gift", variants=(Variant(price="5"),))
    data = mutation_calls(bare, None, None, catalog=CATALOG)[0]["variables"]["input"]
    assert data["productOptions"] == [
        {"name": "Title", "position": 1, "values": [{"name": "Default Title"}]}
    ]
    assert data["variants"][0]["optionValues"] == [{"optionName": "Title", "name": "Default Title"}]


def test_update_sends_only_what_changes_and_no_metafields_list():
    applied = product()
    desired = product(title="New title")
    current = live(applied, applied=applied)
    calls = mutation_calls(desired, current, current.marker, catalog=CATALOG)
    ps = calls[0]["variables"]
    assert ps == {"identifier": {"id": "gid://shopify/Product/1"}, "input": {"title": "New title"}}


def test_dropped_variant_fields_are_cleared_on_kept_variants():
    applied = product(
        variants=(
            Variant(options=(("Size", "S"),), price="19.00", compare_at_price="25", barcode="1"),
            Variant(options=(("Size", "M"),), price="19.00"),
        )
    )
    desired = product(
        variants=(
            Variant(options=(("Size", "S"),), price="19.00"),
            Variant(options=(("Size", "M"),), price="19.00"),
        )
    )
    current = live(applied, applied=applied)
    calls = mutation_calls(desired, current, current.marker, catalog=CATALOG)
    small = calls[0]["variables"]["input"]["variants"][0]
    assert small["id"] == "gid://shopify/ProductVariant/10"
    assert small["compareAtPrice"] is None and small["barcode"] == ""


def test_many_metafields_are_batched_by_25_with_the_marker_last():
    many = tuple(
        Metafield("custom", f"k{i:02}", "single_line_text_field", str(i)) for i in range(30)
    )
    desired = product(metafields=many)
    current = live(product(), applied=product())
    calls = [c for c in mutation_calls(desired, current, current.marker, catalog=CATALOG)]
    sets = [c["variables"]["metafields"] for c in calls if c["operation"] == "MetafieldsSet"]
    assert [len(s) for s in sets] == [25, 6]
    assert sets[-1][-1]["key"] == "marker"
    assert calls[-1]["operation"] == "MetafieldsSet"


def test_new_variant_carries_its_metafields_existing_variant_uses_metafields_set():
    applied = product()
    fit = Metafield("custom", "fit", "single_line_text_field", "slim")
    desired = product(
        options=(applied.options[0].__class__("Size", ("S", "M", "L")),),
        variants=(
            Variant(options=(("Size", "S"),), price="19.00", sku="TEE-S", metafields=(fit,)),
            Variant(options=(("Size", "M"),), price="19.00", sku="TEE-M"),
            Variant(options=(("Size", "L"),), price="21.00", metafields=(fit,)),
        ),
    )
    current = live(applied, applied=applied)
    calls = mutation_calls(desired, current, current.marker, catalog=CATALOG)
    variants = calls[0]["variables"]["input"]["variants"]
    assert "metafields" not in variants[0] and variants[2]["metafields"][0]["key"] == "fit"
    sets = [
        m for c in calls if c["operation"] == "MetafieldsSet" for m in c["variables"]["metafields"]
    ]
    assert sets[0]["ownerId"] == "gid://shopify/ProductVariant/10" and sets[0]["key"] == "fit"
