"""apply --mode bulk against the sandbox over HTTP with the real client: productSet lines run as a
bulk mutation, the rest sync; the next plan is empty; a refused line fails that product only and
blocks removals; a bulk apply left running by an interrupted run is awaited, never started again."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from store_reads import unthrottled

from reconciler.apply import bulk
from reconciler.applying import ApplyOptions, make_apply
from reconciler.catalog import read_catalog
from reconciler.planning import PlanOptions, make_plan
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.store import ClientConfig, parse_store


def apply(catalog: Path, store, **options):
    options = ApplyOptions(catalog, store.url, mode="bulk", **options)
    return make_apply(options, {}, confirm=lambda plan: True)


def changed(catalog: Path, store) -> dict[str, str]:
    p = make_plan(PlanOptions(catalog, store.url), {}).plan
    return {c.handle: c.action for c in p.changes if c.action != "no-op"}


def bulk_mutations(store, times: bool = False) -> list[dict]:
    extra = "createdAt completedAt" if times else ""
    query = f"""{{ bulkOperations(first: 50, query: "operation_type:mutation") {{
        nodes {{ id status query objectCount {extra} }} }} }}"""
    return unthrottled(store, query)["bulkOperations"]["nodes"]


def test_bulk_apply_then_the_next_plan_is_empty(demo, sandbox):
    planned = changed(demo, sandbox)
    calls = _calls(demo, sandbox)
    result = apply(demo, sandbox)
    assert result.report.ok, result.report.summary_lines()
    assert result.report.counts()["created"] == len(planned)
    ops = bulk_mutations(sandbox)
    # Phase 1: the productSets that need nothing from an answer (a create that sets variant images
    # goes sync, whole); phase 2: the markers of those products whose next call is the marker
    # (the others add media first, which goes sync).
    assert sorted(_root(o["query"]) for o in ops) == ["metafieldsSet", "productSet"]
    counts = {_root(o["query"]): int(o["objectCount"]) for o in ops}
    first = [c for c in calls.values() if c[0] == ("ProductSet", False)]
    then_marker = [c for c in first if len(c) == 2 and c[1][0] == "MetafieldsSet"]
    assert counts == {"productSet": len(first), "metafieldsSet": len(then_marker)}
    assert 0 < len(then_marker) < len(first) < len(planned)  # the demo has each kind
    assert changed(demo, sandbox) == {}


def _root(mutation: str) -> str:
    return mutation.split("{", 1)[1].split("(", 1)[0].strip()


def _calls(catalog: Path, store) -> dict[str, list[tuple[str, bool]]]:
    """handle -> its calls as (operation, carries productSet files)."""
    p = make_plan(PlanOptions(catalog, store.url), {}).plan
    return {
        c.handle: [
            (k["operation"], bool((k["variables"].get("input") or {}).get("files")))
            for k in c.mutation["calls"]
        ]
        for c in p.changes
        if c.mutation
    }


def test_a_refused_line_fails_that_product_only_and_blocks_removals(demo, sandbox):
    assert apply(demo, sandbox).report.ok
    next(demo.glob("products/**/espresso-beans.yaml")).unlink()
    # Renamed to a handle another app takes between the plan and the send: the line is refused.
    shirt = demo / "products/apparel/linen-shirt.yaml"
    text = shirt.read_text().replace(
        "handle: linen-shirt\n", "handle: linen-tunic\nprevious_handles: [linen-shirt]\n"
    )
    shirt.write_text(text)
    wool = next(demo.glob("products/**/wool-beanie.yaml"))
    wool.write_text(wool.read_text().replace("title: ", "title: Warm ", 1))

    def take_the_handle(_plan) -> bool:
        taken = unthrottled(
            sandbox,
            'mutation { productSet(input: {title: "Tunic", handle: "linen-tunic"}, '
            "synchronous: true) { userErrors { message } } }",
        )
        return taken["productSet"]["userErrors"] == []

    options = ApplyOptions(demo, sandbox.url, mode="bulk")
    result = make_apply(options, {}, confirm=take_the_handle)
    outcomes = {o.handle: o for o in result.report.outcomes}
    assert not result.report.ok
    print({h: (o.ok, o.error) for h, o in outcomes.items()})
    failed = outcomes["linen-tunic"]
    assert not failed.ok and not failed.skipped
    assert "already in use" in failed.error
    assert outcomes["wool-beanie"].ok
    assert outcomes["espresso-beans"].skipped  # no removal after a failed write
    assert "espresso-beans" in changed(demo, sandbox)


def test_a_bulk_apply_left_running_is_awaited_not_started_again(demo, sandbox_factory):
    store = sandbox_factory(bulk_rate=3)  # a few products a second: the operation runs a while
    plan = make_plan(PlanOptions(demo, store.url), {}).plan
    lines = [
        json.dumps(c.mutation["calls"][0]["variables"])
        for c in plan.changes
        if c.mutation and c.mutation["calls"][0]["operation"] == "ProductSet"
    ]

    async def killed_run() -> str:
        """What an apply killed while it waited did: the operation started, its id on the shop."""
        async with ShopifyClient(ClientConfig(store=parse_store(store.url))) as client:
            path = demo.parent / "left.jsonl"
            path.write_text("".join(line + "\n" for line in lines))
            key = await bulk._stage(client, path)
            data = await client.execute(
                "BulkOperationRunMutation",
                {"mutation": bulk.documents.load("ProductSetBulk").query, "stagedUploadPath": key},
            )
            operation_id = data["bulkOperationRunMutation"]["bulkOperation"]["id"]
            await bulk._keep(client, operation_id, add=True)
            return operation_id

    left = store.call(killed_run())
    assert {o["id"]: o["status"] for o in bulk_mutations(store)}[left] in {"CREATED", "RUNNING"}
    result = apply(demo, store)
    assert result.report.ok, result.report.summary_lines()
    ops = {o["id"]: o for o in bulk_mutations(store, times=True)}
    assert ops[left]["status"] == "COMPLETED"
    later = [o for i, o in ops.items() if i != left]
    # Nothing was started while the one left running ran: every later one began after it ended.
    assert all(o["createdAt"] >= ops[left]["completedAt"] for o in later)

    async def kept() -> list[str]:
        async with ShopifyClient(ClientConfig(store=parse_store(store.url))) as client:
            return (await bulk.pending(client))[1]

    assert store.call(kept()) == []  # forgotten once finished
    assert changed(demo, store) == {}


def test_with_faults_a_bulk_apply_converges_within_two_runs_without_duplicates(
    demo, sandbox_factory
):
    """Faults on every request (502/503/504, dropped connections, stalls, THROTTLED, a 504 after
    the commit) hit staging, starting, polling and the sync rest alike."""
    store = sandbox_factory(faults=0.1, seed=11)
    store.control("faults", {"rate": 0.1, "seed": 11, "stall_seconds": 5})
    for _ in range(2):
        try:
            result = make_apply(
                ApplyOptions(demo, store.url, mode="bulk"),
                {"SHOPIFY_TIMEOUT": "3"},
                confirm=lambda plan: True,
            )
            print("\n".join(result.report.summary_lines()))
        except Exception as exc:  # a run may fail as a whole: the next one must finish it
            print(f"run failed: {exc}")
    store.control("faults", {"rate": 0})
    assert changed(demo, store) == {}
    query = """{ products(first: 15) { nodes { handle
        variants(first: 10) { nodes { id selectedOptions { name value } } }
        media(first: 10) { nodes { id } } } } }"""
    nodes = unthrottled(store, query)["products"]["nodes"]
    catalog = read_catalog(demo).products
    assert sorted(n["handle"] for n in nodes) == sorted(catalog)
    for node in nodes:
        desired = catalog[node["handle"]]
        assert len(node["variants"]["nodes"]) == len(desired.variants), node["handle"]
        assert len(node["media"]["nodes"]) == len(desired.media or ()), node["handle"]


def test_without_a_terminal_a_bulk_apply_shows_each_phase_lines(demo, sandbox_factory):
    """Products finish only when their phase does: the periodic lines show the phase's lines
    as the operations' polls report them."""
    store = sandbox_factory(bulk_rate=4)  # a second or two a phase
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "CI"))}
    env["CATALOG_PROGRESS_INTERVAL"] = "0.05"
    command = [sys.executable, "-m", "reconciler", "apply", "--mode", "bulk", "--catalog",
               str(demo), "--store", store.url, "--auto-approve"]  # fmt: skip
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, done.stderr
    staged = [
        re.search(r"; bulk phase (\d)/2: (\d+)/(\d+) lines$", line)
        for line in done.stderr.splitlines()
        if line.startswith("Applied ")
    ]
    phases = {(m[1], int(m[3])) for m in staged if m}
    assert {p for p, _ in phases} == {"1", "2"}, done.stderr  # both phases were shown
    counts = [int(m[2]) for m in staged if m and m[1] == "1"]
    assert counts == sorted(counts) and all(
        c <= int(m[3]) for m in staged if m for c in [int(m[2])]
    )
    assert done.stderr.splitlines()[-1].startswith("Applied 10/10 products")
