"""A create that sets variant images: its calls, sent through the real client to the sandbox over
HTTP as apply will send them, make the store hold those images, and the next plan is empty."""

from __future__ import annotations

import json

from live_helpers import client_for

from reconciler.model import MARKER_KEY, MARKER_NAMESPACE, Marker, Media, Option, Product, Variant
from reconciler.plan.compare import compare
from reconciler.shopify.input import PRODUCT_ID
from reconciler.shopify.live import read_live

CATALOG = "shop"
WHITE = "https://images.example.com/demo/tee-white.jpg"
BLACK = "https://images.example.com/demo/tee-black.jpg"
VARIANT_MEDIA = """query($h: String!) { productByHandle(handle: $h) { variants(first: 5) {
  nodes { selectedOptions { value } media(first: 2) { nodes { id } } } } } }"""


def tee() -> Product:
    return Product(
        handle="tee",
        title="Tee",
        options=(Option("Color", ("White", "Black")),),
        variants=(
            Variant(options=(("Color", "White"),), price="19.00", image=WHITE),
            Variant(options=(("Color", "Black"),), price="19.00", image=BLACK),
        ),
        media=(Media(WHITE, "White tee"), Media(BLACK, "Black tee")),
    )


async def apply_create(client, change) -> dict[str, str]:
    """Send a create's calls in order, as apply will: `{{product.id}}` from productSet's answer;
    the ids of the media productSet created, read from the product's media in `files` order,
    recorded in the marker before the last call (docs/marker.md). src -> media id."""
    product_id, media_ids = PRODUCT_ID, {}
    for call in change.mutation["calls"]:
        variables = json.loads(json.dumps(call["variables"]).replace(PRODUCT_ID, product_id))
        if call["operation"] == "MetafieldsSet":
            for m in variables["metafields"]:
                if (m["namespace"], m["key"]) == (MARKER_NAMESPACE, MARKER_KEY):
                    m["value"] = Marker.for_product(tee(), CATALOG, media_ids).to_json()
        answer = await client.execute(call["operation"], variables)
        if call["operation"] == "ProductSet":
            product_id = answer["productSet"]["product"]["id"]
            files = variables["input"].get("files") or []
            page = await client.execute("ProductMediaPage", {"id": product_id})
            nodes = page["product"]["media"]["nodes"]
            media_ids = {f["originalSource"]: n["id"] for f, n in zip(files, nodes, strict=True)}
    return media_ids


async def test_create_sets_variant_images_and_the_next_plan_is_empty(sandbox):
    change = compare({"tee": tee()}, {}, catalog_name=CATALOG).changes[0]
    assert change.action == "create"
    shown = {c.path: c.after for c in change.diff}
    assert shown["variants[Color=Black]"]["image"] == BLACK
    assert not any("variant image" in w for w in change.warnings)
    async with client_for(sandbox) as client:
        media_ids = await apply_create(client, change)
        assert set(media_ids) == {WHITE, BLACK}
        nodes = sandbox.graphql(VARIANT_MEDIA, {"h": "tee"}).json["data"]["productByHandle"]
        held = {
            n["selectedOptions"][0]["value"]: [m["id"] for m in n["media"]["nodes"]]
            for n in nodes["variants"]["nodes"]
        }
        assert held == {"White": [media_ids[WHITE]], "Black": [media_ids[BLACK]]}
        read = await read_live(client, catalog_name=CATALOG, handles=["tee"])
    again = compare({"tee": tee()}, read.products, catalog_name=CATALOG).changes[0]
    assert (again.action, again.diff) == ("no-op", ())


def test_a_variant_image_from_a_catalog_file_is_shown_and_sent_as_its_path():
    local = "images/tee-black.jpg"
    product = Product(
        handle="tee",
        title="Tee",
        options=(Option("Color", ("Black",)),),
        variants=(Variant(options=(("Color", "Black"),), price="19.00", image=local),),
        media=(Media(local, "Black tee"),),
    )
    change = compare({"tee": product}, {}, catalog_name=CATALOG).changes[0]
    shown = [c.after for c in change.diff if c.path.startswith("variants")]
    assert shown == [{"image": local, "price": "19.00"}]
    assert not any("variant images" in w for w in change.warnings)
    # The plan holds the path; apply uploads the file and sends its URL in the path's place.
    (variant,) = change.mutation["calls"][0]["variables"]["input"]["variants"]
    assert variant["file"]["originalSource"] == local
