"""Round trip: a catalog product written as apply writes it (the calls `shopify/input.py` builds,
sent through the client to the sandbox), read back by fetch, equals what the catalog says and
plans as a no-op. For the demo catalog in catalog/ and for generated products, through both the
targeted and the full read."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import fields, replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_helpers import client_for

from reconciler.catalog import read_catalog
from reconciler.model import Metafield, Option, Product, Variant, Weight
from reconciler.plan.compare import compare
from reconciler.shopify.input import PRODUCT_ID, mutation_calls
from reconciler.shopify.live import read_live

ROOT = Path(__file__).resolve().parents[2]
PUBLISH = """mutation($id: ID!, $input: [PublicationInput!]!) {
  publishablePublish(id: $id, input: $input) { userErrors { message } } }"""


def demo_catalog() -> tuple[str, dict[str, Product]]:
    result = read_catalog(ROOT / "catalog")
    result.require_valid()
    # Media need a staged or fetched file and the ids apply records in the marker: not here.
    return result.settings.name, {
        h: replace(p, media=None, variants=tuple(replace(v, image=None) for v in p.variants))
        for h, p in result.products.items()
    }


async def apply(handle, client, products: dict[str, Product], catalog: str) -> None:
    publications = {
        n["catalog"]["title"]: n["id"]
        for n in (await client.execute("Publications"))["publications"]["nodes"]
    }
    for product in products.values():
        product_id = PRODUCT_ID
        for call in mutation_calls(product, None, None, catalog=catalog):
            text = json.dumps(call["variables"]).replace(PRODUCT_ID, product_id)
            for name, pid in publications.items():
                text = text.replace("{{publication:" + name + "}}", pid)
            variables = json.loads(text)
            if call["operation"] == "PublishablePublish":
                answer = handle.graphql(PUBLISH, variables).json
                assert not answer["data"]["publishablePublish"]["userErrors"], answer
                continue
            data = await client.execute(call["operation"], variables)
            if call["operation"] == "ProductSet":
                product_id = data["productSet"]["product"]["id"]


def managed_view(product: Product, like: Product) -> dict:
    """`product`'s values for the keys `like` manages (variants: the fields `like`'s set)."""
    out = {}
    for key in like.managed_keys() - {"variants", "tags"}:
        out[key] = getattr(product, key)
    out["tags"] = (product.tags or frozenset()) & (like.tags or frozenset())
    out["variants"] = [
        {f.name: getattr(v, f.name) for f in fields(v) if getattr(w, f.name) is not None}
        for v, w in zip(product.variants, like.variants, strict=True)
    ]
    return out


async def check_round_trip(handle, products: dict[str, Product], catalog: str) -> None:
    refs = {f"{m.namespace}.{m.key}" for p in products.values() for v in p.variants
            for m in v.metafields or ()}  # fmt: skip
    async with client_for(handle) as client:
        await apply(handle, client, products, catalog)
        reads = [
            await read_live(client, catalog_name=catalog, handles=products, mode=mode,
                            variant_metafields=refs)
            for mode in ("targeted", "full")
        ]  # fmt: skip
    for read in reads:
        assert read.complete, read.incomplete_reason
        assert set(read.products) == set(products)
        for h, desired in products.items():
            live = read.products[h]
            assert managed_view(live.product, desired) == managed_view(desired, desired), h
            assert live.marker is not None and live.marker.last_applied == desired.content_hash()
        plan = compare(products, read.products, catalog_name=catalog)
        assert {c.handle: c.action for c in plan.changes} == {h: "no-op" for h in products}
    assert reads[0].products == reads[1].products


async def test_demo_catalog_round_trips(sandbox):
    catalog, products = demo_catalog()
    assert len(products) >= 5
    await check_round_trip(sandbox, products, catalog)


words = st.text(alphabet="abcxyz -éÜ", min_size=1, max_size=6).map(str.strip).filter(bool)
prices = st.decimals(min_value=0, max_value=1000, places=2)
maybe = st.none().__or__


@st.composite
def products(draw, handle: str) -> Product:
    names = draw(st.lists(words, max_size=2, unique=True))
    options = tuple(Option(n, tuple(draw(st.lists(words, min_size=1, max_size=3, unique=True))))
                    for n in names)  # fmt: skip
    combos = list(itertools.product(*(o.values for o in options))) or [()]
    variants = tuple(
        Variant(
            options=tuple(zip(names, combo, strict=True)),
            price=draw(prices),
            compare_at_price=draw(maybe(prices)),
            sku=draw(maybe(words)),
            taxable=draw(maybe(st.booleans())),
            weight=draw(maybe(st.builds(Weight, prices, st.sampled_from(["GRAMS", "POUNDS"])))),
            metafields=draw(maybe(st.just((Metafield("custom", "fit", "number_decimal", "1.5"),)))),
        )
        for combo in combos[:4]
    )
    used = {pair for x in variants for pair in x.options}
    options = tuple(
        Option(o.name, tuple(v for v in o.values if (o.name, v) in used)) for o in options
    )
    return Product(
        handle=handle,
        title=draw(words),
        status=draw(maybe(st.sampled_from(["active", "draft", "archived"]))),
        vendor=draw(maybe(words)),
        tags=draw(maybe(st.frozensets(words, max_size=3))),
        description_html=draw(maybe(st.sampled_from(["<p>a  b</p>", " <b>x</b> ", ""]))),
        seo_title=draw(maybe(words)),
        options=options,
        variants=variants,
        metafields=draw(maybe(st.just((Metafield("custom", "nn", "number_integer", "7"),)))),
    )


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.tuples(products("gen-a"), products("gen-b")))
def test_generated_products_round_trip(sandbox, pair):
    sandbox.reset()
    asyncio.run(check_round_trip(sandbox, {p.handle: p for p in pair}, "generated"))
