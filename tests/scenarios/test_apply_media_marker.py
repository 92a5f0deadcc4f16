"""A media add to a product this catalog already marked, stopped before the marker recorded it
(SIGKILL, a lost connection, a crash), is never added twice: apply first writes the marker as it
stands plus the srcs it is about to add, and the next plan binds the unrecorded media of those
file names instead of adding them again. Against the sandbox over HTTP with the real client and
apply's own executor; the stop is exact: the plan's calls run up to the media add and no further."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from store_reads import unthrottled

from reconciler.apply.sync import run_changes
from reconciler.applying import ApplyOptions, make_apply
from reconciler.planning import PlanOptions, make_plan
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.store import ClientConfig, parse_store

NEW = "https://images.example.com/demo/ceramic-mug-side.jpg"


def plan(catalog: Path, store):
    return make_plan(PlanOptions(catalog, store.url), {}).plan


def media_of(store, handle: str) -> list[str]:
    query = """query($q: String) { products(first: 1, query: $q) { nodes {
        media(first: 20) { nodes { id } } } } }"""
    (node,) = unthrottled(store, query, {"q": f"handle:{handle}"})["products"]["nodes"]
    return [m["id"] for m in node["media"]["nodes"]]


def add_image(catalog: Path) -> None:
    mug = catalog / "products/home/ceramic-mug.yaml"
    text = mug.read_text()
    assert "media:\n" in text
    mug.write_text(text.replace("media:\n", f"media:\n  - src: {NEW}\n    alt: Back\n", 1))


def run_until_the_media_add(store, change) -> None:
    """Send the change's calls up to and including the media add: an apply stopped there."""
    calls = change.mutation["calls"]
    upto = next(i for i, c in enumerate(calls) if c["operation"] == "ProductUpdateMedia")
    stopped = replace(change, mutation={"calls": calls[: upto + 1]})

    async def send():
        async with ShopifyClient(ClientConfig(store=parse_store(store.url))) as client:
            return await run_changes(client, [stopped])

    (outcome,) = asyncio.run(send())
    assert outcome.ok, outcome.error


def test_a_media_add_stopped_before_the_marker_is_not_added_again(demo, sandbox):
    assert make_apply(ApplyOptions(demo, sandbox.url), {}, confirm=lambda p: True).report.ok
    before = media_of(sandbox, "ceramic-mug")
    add_image(demo)
    (change,) = [c for c in plan(demo, sandbox).changes if c.action != "no-op"]
    operations = [c["operation"] for c in change.mutation["calls"]]
    # The marker as it stands, naming the add, goes first; the marker recording it, last.
    assert operations[0] == "MetafieldsSet" and operations[-1] == "MetafieldsSet"
    assert operations.index("ProductUpdateMedia") > 0
    run_until_the_media_add(sandbox, change)
    assert len(media_of(sandbox, "ceramic-mug")) == len(before) + 1

    (again,) = [c for c in plan(demo, sandbox).changes if c.action != "no-op"]
    assert "ProductUpdateMedia" not in [c["operation"] for c in again.mutation["calls"]]
    result = make_apply(ApplyOptions(demo, sandbox.url), {}, confirm=lambda p: True)
    assert result.report.ok, result.report.summary_lines()
    assert len(media_of(sandbox, "ceramic-mug")) == len(before) + 1  # added once
    assert [c.action for c in plan(demo, sandbox).changes if c.action != "no-op"] == []


def test_a_media_add_stopped_before_it_was_sent_is_sent_by_the_next_apply(demo, sandbox):
    """The announcing marker alone (stopped right after it) binds nothing: the add is made."""
    assert make_apply(ApplyOptions(demo, sandbox.url), {}, confirm=lambda p: True).report.ok
    before = media_of(sandbox, "ceramic-mug")
    add_image(demo)
    (change,) = [c for c in plan(demo, sandbox).changes if c.action != "no-op"]
    announced = replace(change, mutation={"calls": change.mutation["calls"][:1]})

    async def send():
        async with ShopifyClient(ClientConfig(store=parse_store(sandbox.url))) as client:
            return await run_changes(client, [announced])

    assert asyncio.run(send())[0].ok
    (again,) = [c for c in plan(demo, sandbox).changes if c.action != "no-op"]
    assert "ProductUpdateMedia" in [c["operation"] for c in again.mutation["calls"]]
    assert make_apply(ApplyOptions(demo, sandbox.url), {}, confirm=lambda p: True).report.ok
    assert len(media_of(sandbox, "ceramic-mug")) == len(before) + 1
    assert [c.action for c in plan(demo, sandbox).changes if c.action != "no-op"] == []
