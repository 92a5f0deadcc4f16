"""`catalog apply` as its own process against a sandbox in the test's: start it, wait until the
store holds a number of products, and check that the store converged afterwards (the SIGKILL and
interruption scenarios share these)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

from store_reads import unthrottled

from reconciler.catalog import read_catalog

EXTRA = 50
# One page of products: more than a product should have of each, so a duplicate shows.
PAGE = """query($after: String) { products(first: 25, after: $after) {
    nodes { handle variants(first: 9) { nodes { id } } media(first: 3) { nodes { id } } }
    pageInfo { hasNextPage endCursor } } }"""


def catalog(*args: str) -> list[str]:
    return [sys.executable, "-m", "reconciler", *args]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "CI"))}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(catalog(*args), env=env(), capture_output=True, text=True, timeout=300)


def grow(demo) -> None:
    """EXTRA products, each with an image and metafields (so each takes several calls)."""
    text = (demo / "products/home/ceramic-mug.yaml").read_text()
    docs = [
        text.replace("ceramic-mug", f"mug-{i}").replace("MUG-001", f"MUG-{i:03}")
        for i in range(EXTRA)
    ]
    (demo / "products/home/mugs.yaml").write_text("\n---\n".join(docs))


def start_apply(demo, store, *extra: str, **popen) -> subprocess.Popen:
    """`catalog apply --auto-approve` of `demo` against `store`, as its own process."""
    command = catalog(
        "apply", "--catalog", str(demo), "--store", store.url, "--auto-approve", *extra
    )
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen(command, env=env(), **popen)


def counts(store) -> tuple[int, int]:
    """(products, images) in the store, from the sandbox's own state: a GraphQL read would spend
    the bucket the apply under test paces itself by."""
    with urllib.request.urlopen(store.url.rstrip("/") + "/_sandbox/state") as answer:
        products = json.loads(answer.read())["products"]
    return len(products), sum(len(p["media"] or ()) for p in products)


def wait_until(proc: subprocess.Popen, reached) -> None:
    """Until `reached()`, or the process ended (2 minutes at most)."""
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and not reached():
        time.sleep(0.02)


def wait_for_products(store, proc: subprocess.Popen, products: int) -> None:
    """Until the store holds `products` products, or the process ended."""
    wait_until(proc, lambda: counts(store)[0] >= products)


def all_products(store) -> list[dict]:
    nodes, after = [], None
    while True:
        page = unthrottled(store, PAGE, {"after": after})["products"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def apply_again_converges(demo, store) -> None:
    """One more apply succeeds, the plan after it is empty, and no product, variant or image is
    in the store twice."""
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
