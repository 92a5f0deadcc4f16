"""What plan would send, sent to the sandbox (in-process), read back and compared again: no-op.

This closes the loop "apply, then plan shows no changes" for the calls the sandbox serves
(ProductSet, MetafieldsSet, MetafieldsDelete), through the client's own GraphQL documents. The
read-back normalization here is a small stand-in for fetch, following docs/marker.md.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

from graphql import validate
from plan_builders import CATALOG, product

from reconciler.metafield_values import from_shopify
from reconciler.model import (
    MARKER_KEY,
    MARKER_NAMESPACE,
    LiveProduct,
    Marker,
    Metafield,
    Option,
    Product,
    Variant,
    Weight,
)
from reconciler.plan.compare import compare
from reconciler.sandbox.resolvers import execute
from reconciler.sandbox.schema import load_schema
from reconciler.sandbox.state import Store, fixed_clock
from reconciler.shopify import documents
from reconciler.shopify.input import PRODUCT_ID

SERVED = ("ProductSet", "MetafieldsSet", "MetafieldsDelete")


class Sandbox:
    def __init__(self) -> None:
        self.store = Store(clock=fixed_clock())
        self.schema = load_schema("2026-10")

    def run(self, operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        document = documents.load(operation).ast
        assert validate(self.schema, document) == []
        result = execute(self.store, self.schema, document, variables, None, "2026-10")
        assert not result.errors, result.errors
        payload = next(iter(result.data.values()))
        assert payload is None or not payload.get("userErrors"), payload
        return result.data

    def apply(self, change) -> None:
        product_id = change.product_id
        for call in change.mutation["calls"]:
            if call["operation"] not in SERVED:
                continue
            text = json.dumps(call["variables"]).replace(PRODUCT_ID, product_id or PRODUCT_ID)
            data = self.run(call["operation"], json.loads(text))
            if call["operation"] == "ProductSet":
                product_id = data["productSet"]["product"]["id"]

    def read(self, handle: str) -> LiveProduct | None:
        variables = {"query": f"handle:{handle}", "first": 1, "metafields": 20}
        nodes = self.run("ProductsPage", variables)["products"]["nodes"]
        return to_live(nodes[0]) if nodes else None


def to_live(node: dict[str, Any]) -> LiveProduct:
    options = tuple(
        Option(o["name"], tuple(v["name"] for v in o["optionValues"])) for o in node["options"]
    )
    default = options == (Option("Title", ("Default Title",)),)
    variants, ids = [], {}
    for v in node["variants"]["nodes"]:
        variant = to_variant(v, default)
        variants.append(variant)
        ids[variant.key] = v["id"]
    metafields, marker_text = [], None
    for m in node["metafields"]["nodes"]:
        if (m["namespace"], m["key"]) == (MARKER_NAMESPACE, MARKER_KEY):
            marker_text = m["value"]
        else:
            metafields.append(to_metafield(m))
    marker, problem = Marker.from_json(marker_text)
    seo = node["seo"] or {}
    product = Product(
        handle=node["handle"],
        title=node["title"],
        status=node["status"].lower(),
        vendor=node["vendor"] or "",
        product_type=node["productType"] or "",
        tags=frozenset(node["tags"]),
        description_html=node["descriptionHtml"] or "",
        seo_title=seo.get("title") or "",
        seo_description=seo.get("description") or "",
        options=() if default else options,
        variants=tuple(variants),
        metafields=tuple(metafields),
    )
    return LiveProduct(
        id=node["id"], product=product, variant_ids=ids, marker=marker, marker_problem=problem
    )


def to_variant(v: dict[str, Any], default: bool) -> Variant:
    item = v["inventoryItem"] or {}
    weight = (item.get("measurement") or {}).get("weight")
    cost = (item.get("unitCost") or {}).get("amount")
    return Variant(
        options=() if default else tuple((s["name"], s["value"]) for s in v["selectedOptions"]),
        price=v["price"],
        compare_at_price=v["compareAtPrice"],
        sku=v["sku"] or "",
        barcode=v["barcode"] or "",
        taxable=v["taxable"],
        requires_shipping=item.get("requiresShipping"),
        tracked=item.get("tracked"),
        cost=cost,
        inventory_policy=v["inventoryPolicy"].lower(),
        weight=Weight(Decimal(str(weight["value"])), weight["unit"]) if weight else None,
        metafields=tuple(to_metafield(m) for m in v["metafields"]["nodes"]),
    )


def to_metafield(m: dict[str, Any]) -> Metafield:
    return Metafield(m["namespace"], m["key"], m["type"], from_shopify(m["type"], m["value"]))


def plan_one(desired: Product, sandbox: Sandbox, handle: str | None = None):
    current = sandbox.read(handle or desired.handle)
    live = {current.handle: current} if current else {}
    plan = compare({desired.handle: desired}, live, catalog_name=CATALOG)
    return plan.changes[0]


def rich() -> Product:
    return product(
        description_html="<p>Soft  cotton</p>",
        seo_title="Tee",
        variants=(
            Variant(
                options=(("Size", "S"),),
                price="19.0",
                compare_at_price="25",
                sku="TEE-S",
                cost="7.5",
                inventory_policy="deny",
                weight=Weight(Decimal("0.2"), "KILOGRAMS"),
                metafields=(Metafield("custom", "fit", "single_line_text_field", "slim"),),
            ),
            Variant(options=(("Size", "M"),), price="19.00", sku="TEE-M"),
        ),
    )


def test_create_then_plan_is_a_noop():
    sandbox = Sandbox()
    change = plan_one(rich(), sandbox)
    assert change.action == "create"
    sandbox.apply(change)
    again = plan_one(rich(), sandbox)
    assert (again.action, again.diff) == ("no-op", ())


def test_product_without_options_round_trips():
    sandbox = Sandbox()
    bare = Product(handle="gift", title="Gift card", variants=(Variant(price="5", sku="G"),))
    sandbox.apply(plan_one(bare, sandbox))
    assert plan_one(bare, sandbox).action == "no-op"


def test_update_then_plan_is_a_noop_and_others_are_kept():
    sandbox = Sandbox()
    sandbox.apply(plan_one(rich(), sandbox))
    live = sandbox.read("tee")
    # someone else adds a tag and a metafield in the admin
    sandbox.run(
        "MetafieldsSet",
        {"metafields": [{"ownerId": live.id, "namespace": "reviews", "key": "rating",
                         "type": "number_decimal", "value": "4.5"}]},
    )  # fmt: skip
    desired = replace(
        rich(),
        title="Classic Tee 2",
        vendor=None,
        tags=frozenset({"cotton"}),
        metafields=(Metafield("custom", "care", "single_line_text_field", "Wash cold"),),
        options=(Option("Size", ("S", "M", "L")),),
        variants=(
            replace(rich().variants[0], price="18.00", compare_at_price=None, metafields=()),
            rich().variants[1],
            Variant(options=(("Size", "L"),), price="21.00", sku="TEE-L"),
        ),
    )
    change = plan_one(desired, sandbox)
    assert change.action == "update"
    kept_ids = [v.get("id") for v in _product_set(change)["input"]["variants"]]
    assert kept_ids[:2] == [live.variant_ids[("S",)], live.variant_ids[("M",)]]
    sandbox.apply(change)
    after = sandbox.read("tee")
    assert Metafield("reviews", "rating", "number_decimal", "4.5") in after.product.metafields
    assert ("custom", "material") not in {m.ref for m in after.product.metafields}
    assert after.product.vendor == "" and after.product.title == "Classic Tee 2"
    again = plan_one(desired, sandbox)
    assert (again.action, again.diff) == ("no-op", ())


def test_rename_then_plan_is_a_noop():
    sandbox = Sandbox()
    sandbox.apply(plan_one(product("basic-tee"), sandbox))
    renamed = product("classic-tee", previous_handles=("basic-tee",))
    current = sandbox.read("basic-tee")
    plan = compare({renamed.handle: renamed}, {"basic-tee": current}, catalog_name=CATALOG)
    change = plan.changes[0]
    assert change.action == "rename"
    sandbox.apply(change)
    assert sandbox.read("basic-tee") is None
    assert plan_one(renamed, sandbox).action == "no-op"


def _product_set(change) -> dict[str, Any]:
    return next(c["variables"] for c in change.mutation["calls"] if c["operation"] == "ProductSet")


def test_html_whitespace_round_trips_and_a_store_edit_of_it_shows():
    sandbox = Sandbox()
    text = "<p><b>Hello</b> <i>world</i></p>\r\n<pre>a  b\n  c</pre>\n"  # as a YAML file gives it
    desired = replace(rich(), description_html=text)
    sandbox.apply(plan_one(desired, sandbox))
    assert plan_one(desired, sandbox).action == "no-op"
    live = sandbox.read("tee")
    edited = "<p><b>Hello</b><i>world</i></p>\n<pre>a  b\n  c</pre>"
    sandbox.run("ProductSet", {"identifier": {"id": live.id}, "input": {"descriptionHtml": edited}})
    change = plan_one(desired, sandbox)
    assert change.action == "update"
    assert [(c.path, c.before) for c in change.diff] == [("description_html", edited)]
