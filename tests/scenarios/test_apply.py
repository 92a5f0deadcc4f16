"""apply against the sandbox over HTTP with the real client: the next plan is empty; edits plan
and apply exactly those products; what others added survives; removals are archived, refused past
max_removals, and never follow a failed write; a lease held elsewhere stops it; faults converge."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_reads import unthrottled

from reconciler.apply import lease
from reconciler.applying import ApplyOptions, make_apply
from reconciler.catalog import read_catalog
from reconciler.errors import ApplyError, LeaseError
from reconciler.planning import PlanOptions, make_plan
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.store import ClientConfig, parse_store


def apply(catalog: Path, store, env: dict | None = None, **options):
    options = ApplyOptions(catalog, store.url, **options)
    return make_apply(options, env or {}, confirm=lambda plan: True)


def plan(catalog: Path, store):
    return make_plan(PlanOptions(catalog, store.url), {}).plan


def breezy(catalog: Path) -> None:
    path = catalog / "products/apparel/linen-shirt.yaml"
    text = path.read_text()
    assert "tags: [linen, summer]" in text
    path.write_text(text.replace("tags: [linen, summer]", "tags: [linen, summer, breezy]"))


def drop(catalog: Path, name: str) -> None:
    next(catalog.glob(f"products/**/{name}.yaml")).unlink()


def changed(p) -> dict[str, str]:
    return {c.handle: c.action for c in p.changes if c.action != "no-op"}


def products(store) -> list[dict]:
    query = """{ products(first: 15) { nodes { handle status tags
        variants(first: 5) { nodes { id } } media(first: 10) { nodes { id } }
        metafields(first: 15) { nodes { namespace key value } } } } }"""
    return unthrottled(store, query)["products"]["nodes"]


def test_apply_then_the_next_plan_is_empty(demo, sandbox):
    first = plan(demo, sandbox)
    assert set(changed(first).values()) == {"create"}
    result = apply(demo, sandbox)
    assert result.report.ok, result.report.summary_lines()
    assert result.report.counts()["created"] == len(first.changes)
    again = plan(demo, sandbox)
    assert changed(again) == {}
    # Every product carries this catalog's marker, and the media were created once.
    for node in products(sandbox):
        keys = {(m["namespace"], m["key"]) for m in node["metafields"]["nodes"]}
        assert ("catalog_reconciler", "marker") in keys, node["handle"]
    second = apply(demo, sandbox)
    assert second.report.outcomes == ()  # nothing to do: nothing sent


def test_an_edit_plans_and_applies_exactly_that_product(demo, sandbox):
    apply(demo, sandbox)
    breezy(demo)
    edited = plan(demo, sandbox)
    assert changed(edited) == {"linen-shirt": "update"}
    result = apply(demo, sandbox)
    assert [o.handle for o in result.report.outcomes] == ["linen-shirt"]
    assert changed(plan(demo, sandbox)) == {}
    tags = {n["handle"]: n["tags"] for n in products(sandbox)}
    assert "breezy" in tags["linen-shirt"]


def test_what_another_app_added_survives_apply(demo, sandbox):
    apply(demo, sandbox)
    node = next(n for n in products(sandbox) if n["handle"] == "linen-shirt")
    pid = unthrottled(sandbox, '{ productByHandle(handle: "linen-shirt") { id } }')
    owner = pid["productByHandle"]["id"]
    other = """mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {
        userErrors { message } } }"""
    entry = {"ownerId": owner, "namespace": "reviews", "key": "rating", "type":
             "single_line_text_field", "value": "4.5"}  # fmt: skip
    assert unthrottled(sandbox, other, {"m": [entry]})["metafieldsSet"]["userErrors"] == []
    unthrottled(
        sandbox,
        'mutation($id: ID!) { tagsAdd(id: $id, tags: ["from-admin"]) { userErrors { message } } }',
        {"id": owner},
    )
    breezy(demo)
    assert apply(demo, sandbox).report.ok
    node = next(n for n in products(sandbox) if n["handle"] == "linen-shirt")
    assert {"from-admin", "breezy"} <= set(node["tags"])
    values = {(m["namespace"], m["key"]): m["value"] for m in node["metafields"]["nodes"]}
    assert values[("reviews", "rating")] == "4.5"
    assert changed(plan(demo, sandbox)) == {}


def test_a_product_dropped_from_the_catalog_is_archived(demo, sandbox):
    apply(demo, sandbox)
    drop(demo, "espresso-beans")
    result = apply(demo, sandbox)
    assert [(o.handle, o.action, o.ok) for o in result.report.outcomes] == [
        ("espresso-beans", "archive", True)
    ]
    status = {n["handle"]: n["status"] for n in products(sandbox)}
    assert status["espresso-beans"] == "ARCHIVED"
    assert changed(plan(demo, sandbox)) == {}


def test_more_removals_than_max_removals_are_refused_unless_allowed(demo, sandbox):
    apply(demo, sandbox)
    settings = demo / "catalog.yaml"
    settings.write_text(settings.read_text().replace("max_removals: 25", "max_removals: 1"))
    for name in ("espresso-beans", "wool-beanie"):
        drop(demo, name)
    with pytest.raises(ApplyError, match=r"archives or deletes 2 products .* max_removals \(1"):
        apply(demo, sandbox)
    assert "ARCHIVED" not in {n["status"] for n in products(sandbox)}
    result = apply(demo, sandbox, allow_removals=True)
    assert result.report.counts()["archived"] == 2


def test_another_apply_holding_the_lease_stops_this_one_before_it_reads(demo, sandbox):
    async def hold() -> None:
        config = ClientConfig(store=parse_store(sandbox.url))
        async with ShopifyClient(config) as client:
            await lease.acquire(client, holder="merge of #12", catalog="demo")

    sandbox.call(hold())
    before = sandbox.graphql("{ productsCount { count } }").json["data"]["productsCount"]
    with pytest.raises(LeaseError, match="merge of #12"):
        apply(demo, sandbox)
    after = sandbox.graphql("{ productsCount { count } }").json["data"]["productsCount"]
    assert before == after == {"count": 0}


def test_a_refused_write_is_reported_and_blocks_removals(demo, sandbox):
    apply(demo, sandbox)
    drop(demo, "espresso-beans")
    # The store's definition says custom.material holds integers: the catalog's text is refused.
    path = demo / "products/apparel/linen-shirt.yaml"
    path.write_text(path.read_text().replace("key: material", "key: fabric"))
    made = unthrottled(
        sandbox,
        """mutation { metafieldDefinitionCreate(definition: {name: "Fabric", namespace: "custom",
        key: "fabric", type: "number_integer", ownerType: PRODUCT}) { userErrors { code } } }""",
    )
    assert made["metafieldDefinitionCreate"]["userErrors"] == []
    result = apply(demo, sandbox)
    outcomes = {o.handle: o for o in result.report.outcomes}
    assert not result.report.ok
    failed = outcomes["linen-shirt"]
    assert not failed.ok and not failed.skipped and failed.codes
    assert "MetafieldsSet" in failed.error
    assert outcomes["espresso-beans"].skipped
    status = {n["handle"]: n["status"] for n in products(sandbox)}
    assert status["espresso-beans"] == "ACTIVE"  # no removal after a failed write
    # The failure names the product's file and line, and Shopify's message.
    line = next(ln for ln in result.report.summary_lines() if ln.startswith("failed linen-shirt"))
    assert "products/apparel/linen-shirt.yaml:" in line
    assert failed.error in line


def test_with_faults_apply_converges_within_two_runs_without_duplicates(demo, sandbox_factory):
    store = sandbox_factory(faults=0.1, seed=7)
    store.control("faults", {"rate": 0.1, "seed": 7, "stall_seconds": 5})
    for _ in range(2):
        try:
            apply(demo, store, {"SHOPIFY_TIMEOUT": "3"})
        except Exception as exc:  # a run may fail as a whole: the next one must finish it
            print(f"run failed: {exc}")
    store.control("faults", {"rate": 0})
    assert changed(plan(demo, store)) == {}
    nodes = products(store)
    handles = [n["handle"] for n in nodes]
    assert sorted(handles) == sorted(read_catalog(demo).products)
    for node in nodes:
        media = [m["id"] for m in node["media"]["nodes"]]
        assert len(media) == len(set(media))
    want = {h: len(p.media or ()) for h, p in read_catalog(demo).products.items()}
    assert {n["handle"]: len(n["media"]["nodes"]) for n in nodes} == want


def test_a_plan_not_approved_writes_nothing_and_releases_the_lease(demo, sandbox):
    with pytest.raises(ApplyError, match="cancelled"):
        make_apply(ApplyOptions(demo, sandbox.url), {}, confirm=lambda plan: False)
    assert products(sandbox) == []
    assert apply(demo, sandbox).report.ok  # the lease was released: the next apply runs
