"""Ctrl-C or SIGTERM during `catalog apply` (its own process, against a sandbox in this one):
the first stops dispatching, lets the requests in flight finish, writes the report and exits 1,
releasing the store's lease; a second stops at once. Either way the next apply converges, with no
duplicate product, variant or image."""

from __future__ import annotations

import json
import signal
import subprocess
import time

from apply_process import apply_again_converges, grow, run, start_apply, wait_for_products


def interrupt_after(demo, store, products: int, signals: list[int], report) -> tuple[int, str]:
    """Start an apply, send `signals` (0.05 s apart) once the store holds `products` products;
    its exit code and output."""
    proc = start_apply(
        demo, store, "--report", str(report), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        wait_for_products(store, proc, products)
        assert proc.poll() is None, "apply finished before it could be interrupted"
        for sig in signals:
            proc.send_signal(sig)
            time.sleep(0.05)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, out


def test_sigterm_stops_dispatching_writes_the_report_and_releases_the_lease(
    demo, sandbox_factory, tmp_path
):
    grow(demo)
    store = sandbox_factory(latency_ms=40)
    report = tmp_path / "report.json"
    code, out = interrupt_after(demo, store, 10, [signal.SIGTERM], report)
    assert code == 1, out
    assert "Stopping: no new products are started" in out
    assert "Apply incomplete" in out
    written = json.loads(report.read_text())
    assert written["interrupted"] is True and written["ok"] is False
    products = written["products"]
    done = [p for p in products if p["ok"]]
    skipped = [p for p in products if p.get("skipped")]
    assert done and skipped  # stopped mid-apply, with what was finished reported as such
    assert all("interrupted" in p["error"] for p in skipped)
    assert not [p for p in products if not p["ok"] and not p.get("skipped")]  # none broken
    apply_again_converges(demo, store)  # no `catalog unlock` needed: the lease was released


def test_a_second_ctrl_c_stops_at_once_and_the_next_apply_converges(
    demo, sandbox_factory, tmp_path
):
    grow(demo)
    store = sandbox_factory(latency_ms=40)
    code, out = interrupt_after(
        demo, store, 10, [signal.SIGINT, signal.SIGINT], tmp_path / "report.json"
    )
    assert code == 1, out
    assert "stopped at once" in out
    assert "Traceback" not in out
    unlocked = run("unlock", "--store", store.url)  # in case the lease could not be released
    assert unlocked.returncode == 0, unlocked.stderr
    apply_again_converges(demo, store)
