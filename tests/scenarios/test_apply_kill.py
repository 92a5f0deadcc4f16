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

import pytest
from apply_process import apply_again_converges, catalog, env, grow, run, wait_for_products


def kill_after(demo, store, products: int) -> int:
    """Start an apply and SIGKILL it once the store holds `products` products; its exit code."""
    proc = subprocess.Popen(
        catalog("apply", "--catalog", str(demo), "--store", store.url, "--auto-approve"),
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_products(store, proc, products)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    return proc.returncode


@pytest.mark.parametrize("kill_at", [1, 20, 40])
def test_an_apply_killed_with_sigkill_converges_on_the_next_run(demo, sandbox_factory, kill_at):
    grow(demo)
    store = sandbox_factory(latency_ms=40)
    assert kill_after(demo, store, kill_at) == -signal.SIGKILL  # killed mid-apply, not finished
    unlocked = run("unlock", "--store", store.url)
    assert unlocked.returncode == 0, unlocked.stderr
    apply_again_converges(demo, store)
