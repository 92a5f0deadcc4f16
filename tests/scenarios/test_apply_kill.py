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

import pytest
from apply_process import apply_again_converges, counts, grow, run, start_apply, wait_until


def kill_when(demo, store, reached) -> int:
    """Start an apply and SIGKILL it once `reached()`; its exit code."""
    proc = start_apply(demo, store)
    try:
        wait_until(proc, reached)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    return proc.returncode


@pytest.mark.parametrize("kill_at", [1, 20, 40])
def test_an_apply_killed_with_sigkill_converges_on_the_next_run(demo, sandbox_factory, kill_at):
    grow(demo)
    store = sandbox_factory(latency_ms=40)
    killed = kill_when(demo, store, lambda: counts(store)[0] >= kill_at)
    assert killed == -signal.SIGKILL  # killed mid-apply, not finished
    unlocked = run("unlock", "--store", store.url)
    assert unlocked.returncode == 0, unlocked.stderr
    apply_again_converges(demo, store)


@pytest.mark.parametrize("kill_at", [10])
def test_an_apply_adding_images_to_marked_products_killed_converges(demo, sandbox_factory, kill_at):
    """Every product already applied (marked) gets a second image; the kill lands between media
    adds and the markers that record them."""
    grow(demo)
    store = sandbox_factory(latency_ms=40)
    first = run("apply", "--catalog", str(demo), "--store", store.url, "--auto-approve")
    assert first.returncode == 0, first.stdout + first.stderr
    had = counts(store)[1]
    mugs = demo / "products/home/mugs.yaml"
    side = "  - src: https://images.example.com/demo/{}-side.jpg\n    alt: Side\n"
    docs = mugs.read_text().split("\n---\n")
    docs = [
        d.replace("media:\n", "media:\n" + side.format(f"mug-{i}"), 1) for i, d in enumerate(docs)
    ]
    mugs.write_text("\n---\n".join(docs))
    assert kill_when(demo, store, lambda: counts(store)[1] >= had + kill_at) == -signal.SIGKILL
    unlocked = run("unlock", "--store", store.url)
    assert unlocked.returncode == 0, unlocked.stderr
    apply_again_converges(demo, store)
