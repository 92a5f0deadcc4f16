"""What validates settles, as properties over generated catalogs (through the real catalog reader,
`make_plan` against the sandbox over HTTP, and the plan's own calls sent through the client):

1. For every catalog that validates, writing the plan's calls makes the next plan empty, whether
   the store started empty or held the products already (other tag spellings, another title,
   no marker).
2. From a store that settled, one real change made in the store by someone else (a price, a
   title, one of our tags removed, an option value renamed, the space between two inline tags
   removed, one of our images replaced by another picture) always shows in the next plan.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from convergence_helpers import pending, plan_of, raw_product_set, set_currency, write_plan
from convergence_strategies import catalogs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_scenario_helpers import write_catalog

from reconciler.catalog import read_catalog

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI never meets a new one by chance
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def root(no_store_env):
    return no_store_env / "catalog"


def _valid(root) -> None:
    result = read_catalog(root)
    assert not result.errors, [str(p) for p in result.errors]


def _seed(sandbox, docs: list[dict[str, Any]]) -> None:
    """The products already in the store, made by hand: no marker, another title, our tags in
    another case."""
    products = []
    for doc in docs:
        tags = [t.strip().swapcase() for t in doc.get("tags", ()) if t.strip()]
        products.append({"handle": doc["handle"], "title": "Old title", "tags": tags})
    answer = sandbox.control("seed", {"products": products})
    assert answer.status == 200, answer.text


@SETTINGS
@given(catalog=catalogs(), seeded=st.booleans())
def test_writing_the_plans_calls_makes_the_next_plan_empty(sandbox, root, catalog, seeded):
    sandbox.reset()
    currency, docs = catalog
    set_currency(sandbox, currency)
    write_catalog(root, docs)
    _valid(root)
    if seeded:
        _seed(sandbox, docs)
    first = plan_of(sandbox, root)
    write_plan(sandbox, first)
    assert pending(plan_of(sandbox, root)) == {}


# --- 2. a real change in the store always shows ---------------------------------------------------

READ = """query Read($handle: String!) {
  productByHandle(handle: $handle) {
    id title tags descriptionHtml
    media(first: 10) { nodes { id } }
    options { name position optionValues { name } }
    variants(first: 50) { nodes { id price selectedOptions { name value } } }
  }
}"""


def _read(sandbox, handle: str) -> dict[str, Any]:
    answer = sandbox.graphql(READ, {"handle": handle})
    assert answer.status == 200 and not answer.json.get("errors"), answer.text
    return answer.json["data"]["productByHandle"]


def _options_and_variants(node: dict[str, Any], rename=None, price=None) -> dict[str, Any]:
    """productSet's options and variants for what `node` holds, ids kept, with one value renamed
    (`rename`: (option, old, new)) or one variant's price set (`price`: (variant id, amount))."""

    def value(option: str, name: str) -> str:
        return rename[2] if rename and (option, name) == rename[:2] else name

    options = [
        {
            "name": o["name"],
            "position": o["position"],
            "values": [{"name": value(o["name"], v["name"])} for v in o["optionValues"]],
        }
        for o in node["options"]
    ]
    variants = []
    for v in node["variants"]["nodes"]:
        item = {
            "id": v["id"],
            "price": price[1] if price and price[0] == v["id"] else v["price"],
            "optionValues": [
                {"optionName": s["name"], "name": value(s["name"], s["value"])}
                for s in v["selectedOptions"]
            ],
        }
        variants.append(item)
    return {"productOptions": options, "variants": variants}


def _edit(sandbox, doc: dict[str, Any], kind: str, draw) -> str | None:
    """Make one real change to the product of `doc` in the store; what it changed, or None when
    this product has nothing of that kind."""
    node = _read(sandbox, doc["handle"])
    identifier = {"identifier": {"id": node["id"]}}
    if kind == "title":
        raw_product_set(sandbox, {**identifier, "input": {"title": node["title"] + " (edited)"}})
        return "title"
    if kind == "tag":
        ours = [t.strip() for t in doc.get("tags", ()) if t.strip()]
        if not ours:
            return None
        gone = draw(st.sampled_from(ours)).casefold()
        kept = [t for t in node["tags"] if t.casefold() != gone]
        raw_product_set(sandbox, {**identifier, "input": {"tags": kept}})
        return "tags"
    if kind == "price":
        target = draw(st.sampled_from(node["variants"]["nodes"]))
        new = "999.00" if target["price"] != "999.00" else "998.00"
        data = _options_and_variants(node, price=(target["id"], new))
        raw_product_set(sandbox, {**identifier, "input": data})
        return "variants"
    if kind == "inline space":
        html = node["descriptionHtml"] or ""
        if "</b> <i>" not in html:
            return None
        edited = html.replace("</b> <i>", "</b><i>")
        raw_product_set(sandbox, {**identifier, "input": {"descriptionHtml": edited}})
        return "description_html"
    if kind == "image swapped":
        if not doc.get("media"):
            return None
        _swap_image(sandbox, node["id"], draw(st.sampled_from(node["media"]["nodes"]))["id"])
        return "media"
    named = [o for o in node["options"] if o["name"] != "Title"]
    if not named:
        return None
    option = draw(st.sampled_from(named))
    old = draw(st.sampled_from(option["optionValues"]))["name"]
    data = _options_and_variants(node, rename=(option["name"], old, old + " renamed"))
    raw_product_set(sandbox, {**identifier, "input": data})
    return "variants"


DETACH = """mutation Detach($files: [FileUpdateInput!]!) {
  fileUpdate(files: $files) { userErrors { message } } }"""
ADD = """mutation Add($product: ID!, $media: [CreateMediaInput!]!) {
  productCreateMedia(productId: $product, media: $media) { mediaUserErrors { message } } }"""


def _swap_image(sandbox, product_id: str, media_id: str) -> None:
    """Someone replaces one of the product's images with another picture. A file still
    processing cannot be updated (Shopify and the sandbox refuse it): wait until it is ready."""
    files = [{"id": media_id, "referencesToRemove": [product_id]}]
    for _ in range(120):
        answer = sandbox.graphql(DETACH, {"files": files}).json
        assert not answer.get("errors"), answer
        errors = answer["data"]["fileUpdate"]["userErrors"]
        if not errors:
            break
        assert "READY" in errors[0]["message"], errors
        time.sleep(0.25)
    else:
        raise AssertionError("the image never became ready")
    media = [{"originalSource": "https://images.example.com/other/new.jpg",
              "mediaContentType": "IMAGE"}]  # fmt: skip
    answer = sandbox.graphql(ADD, {"product": product_id, "media": media}).json
    assert not answer.get("errors"), answer
    assert answer["data"]["productCreateMedia"]["mediaUserErrors"] == []


@SETTINGS
@given(
    catalog=catalogs(),
    kind=st.sampled_from(
        ("title", "tag", "price", "option value", "inline space", "image swapped")
    ),
    data=st.data(),
)
def test_a_real_change_in_the_store_always_shows_in_the_plan(sandbox, root, catalog, kind, data):
    sandbox.reset()
    currency, docs = catalog
    set_currency(sandbox, currency)
    write_catalog(root, docs)
    write_plan(sandbox, plan_of(sandbox, root))
    assert pending(plan_of(sandbox, root)) == {}
    doc = data.draw(st.sampled_from(docs))
    changed = _edit(sandbox, doc, kind, data.draw)
    if changed is None:
        return
    plan = plan_of(sandbox, root)
    change = next(c for c in plan.changes if c.handle == doc["handle"])
    assert change.action == "update", change
    assert any(d.path.split("[")[0].split(".")[0] == changed for d in change.diff), change.diff
    others = {h: a for h, (a, _) in pending(plan).items() if h != doc["handle"]}
    assert others == {}
