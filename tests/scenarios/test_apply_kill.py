"""An apply killed with SIGKILL at several points converges on the next run, with no duplicate
product, variant or image (issue: never lose, never duplicate).

`catalog apply` runs as its own process against a sandbox in this one; the example catalog gets
50 more products with media, so that many waves of products are in flight and the kill lands
mid-apply. It is killed once the store holds `k` products, for several `k`, with SIGKILL (no
handler runs, nothing is released). The recovery is what a user does: `catalog unlock` (the
killed run cannot release its lease) and apply again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from store_reads import unthrottled

from reconciler.catalog import read_catalog

EXTRA = 50
# One page of products: more than a product should have of each, so a duplicate shows.
PAGE = """query($after: String) { products(first: 25, after: $after) {
    nodes { handle variants(first: 9) { nodes { id } } media(first: 3) { nodes { id } } }
    pageInfo { hasNextPage endCursor } } }"""


def data(store, query: str, variables: dict | None = None) -> dict:
    return unthrottled(store, query, variables)


def catalog(*args: str) -> list[str]:
    return [sys.executable, "-m", "reconciler", *args]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "CI"))}


def all_products(store) -> list[dict]:
    nodes, after = [], None
    while True:
        page = data(store, PAGE, {"after": after})["products"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def grow(demo) -> None:
    """EXTRA products, each with an image and metafields (so each takes several calls)."""
    text = (demo / "products/home/ceramic-mug.yaml").read_text()
    docs = [
        text.replace("ceramic-mug", f"mug-{i}").replace("MUG-001", f"MUG-{i:03}")
        for i in range(EXTRA)
    ]
    (demo / "products/home/mugs.yaml").write_text("\n---\n".join(docs))


def kill_after(demo, store, products: int) -> int:
    """Start an apply and SIGKILL it once the store holds `products` products; its exit code."""
    proc = subprocess.Popen(
        catalog("apply", "--catalog", str(demo), "--store", store.url, "--auto-approve"),
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            count = data(store, "{ productsCount { count } }")["productsCount"]["count"]
            if count >= products:
                break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    return proc.returncode


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(catalog(*args), env=env(), capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("kill_at", [1, 20, 40])
def test_an_apply_killed_with_sigkill_converges_on_the_next_run(demo, sandbox_factory, kill_at):
    grow(demo)
    store = sandbox_factory(latency_ms=40)
    assert kill_after(demo, store, kill_at) == -signal.SIGKILL  # killed mid-apply, not finished
    unlocked = run("unlock", "--store", store.url)
    assert unlocked.returncode == 0, unlocked.stderr
    again = run("apply", "--catalog", str(demo), "--store", store.url, "--auto-approve")
    assert again.returncode == 0, again.stdout + again.stderr
    planned = run("plan", "--catalog", str(demo), "--store", store.url, "--detailed-exitcode")
    assert planned.returncode == 0, planned.stdout + planned.stderr

    nodes = all_products(store)
    desired = read_catalog(demo).products
    assert sorted(n["handle"] for n in nodes) == sorted(desired)  # no product twice
    for node in nodes:
        product = desired[node["handle"]]
        assert len(node["variants"]["nodes"]) == max(1, len(product.variants))
        assert len(node["media"]["nodes"]) == len(product.media or ()), node["handle"]
