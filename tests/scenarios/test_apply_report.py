"""The apply report's figures against what the sandbox saw, and the progress lines of
`catalog apply` without a terminal (issue 10, item 10). Over HTTP, the real client."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.applying import ApplyOptions, make_apply

LATENCY_S = 0.02


class SandboxRequests(logging.Handler):
    """The sandbox's own line per GraphQL request: operation, requested and actual cost."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.rows: list[tuple] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("%s %s requested="):
            _version, name, requested, actual = record.args[:4]
            self.rows.append((name, requested, actual))


@pytest.fixture
def seen() -> Iterator[SandboxRequests]:
    logger = logging.getLogger("reconciler.sandbox")
    handler, level = SandboxRequests(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_the_report_figures_match_what_the_store_counted(demo, sandbox_factory, seen):
    # A bucket barely over the 503 points a product's media page asks for: that read waits
    # for the points the create just before it spent (so the apply waits at least once).
    store = sandbox_factory(bucket=510, restore_rate=100, latency_ms=LATENCY_S * 1000)
    result = make_apply(ApplyOptions(demo, store.url), {}, confirm=lambda plan: True)
    report = result.report
    assert report.ok, report.summary_lines()
    session, stats = report.session, report.stats
    # The whole run (lease, reads, writes) as the sandbox counted it, but for the lease's
    # release, which comes after the report.
    *counted, release = seen.rows
    assert release[0] == "MetafieldsSet"
    assert session["requests"] == len(counted)
    assert session["points_spent"] == pytest.approx(sum(r[2] or 0 for r in counted), abs=0.1)
    assert session["points_requested"] == pytest.approx(sum(r[1] for r in counted), abs=0.1)
    assert session["throttled"] == sum(1 for r in counted if r[2] is None)
    # The send phase is part of it.
    assert 0 < stats["requests"] == report.requests < session["requests"]
    assert 0 < stats["points_spent"] < session["points_spent"]
    assert stats["points_requested"] >= stats["points_spent"]
    assert stats["rate_limit_hits"] == stats["throttled"] + stats["http_429"]
    assert stats["throttle_waits"] > 0 and stats["throttle_wait_s"] > 0
    assert (stats["retries"], stats["errors"], stats["error_rate"]) == (0, {}, 0.0)
    # Every request the sandbox ran took at least its latency (a THROTTLED answer is quick).
    assert stats["response_mean_s"] > 0
    if stats["throttled"] * 20 < stats["requests"]:
        assert stats["response_p95_s"] >= LATENCY_S
    assert report.rates()["products_per_s"] > 0
    assert session["window_s"] >= report.seconds > 0
    summary = report.summary_lines()[1]
    assert f"{_g(stats['points_spent'])} points spent" in summary
    assert f"{stats['throttle_waits']} throttle waits" in summary and "0 retries" in summary


def _g(value: float) -> str:
    return f"{value:g}"


FINAL = re.compile(r"^Applied (\d+)/(\d+) products \([\d.]+/s, \d+ points/s\) in \d+ (s|min)")


def test_apply_without_a_terminal_prints_progress_lines_and_writes_the_report(
    demo: Path, sandbox_factory
):
    store = sandbox_factory(latency_ms=50)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "CI"))}
    env["CATALOG_PROGRESS_INTERVAL"] = "0.05"
    report_file = demo.parent / "report.json"
    command = [sys.executable, "-m", "reconciler", "apply", "--catalog", str(demo),
               "--store", store.url, "--auto-approve", "--report", str(report_file)]  # fmt: skip
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert "\r" not in done.stderr  # no bar without a terminal
    progress = [line for line in lines if line.startswith("Applied ")]
    final = FINAL.match(progress[-1])
    assert final and final[1] == final[2], progress  # every product, at the end
    for line in progress[:-1]:  # the periodic ones, if the apply lasted long enough for any
        assert re.match(r"^Applied \d+/\d+ products \(.*\), (about .* left|starting)$", line)
    assert not any(line.startswith("::") for line in done.stdout.splitlines() + lines)
    data = json.loads(report_file.read_text())
    assert data["summary"]["created"] == int(final[2])
    for key in ("points_spent", "throttle_waits", "retries", "rate_limit_hits", "error_rate",
                "response_mean_s", "response_p95_s", "products_per_s", "duration_s"):  # fmt: skip
        assert key in data, key
    assert data["points_spent"] > 0 and data["requests"] > 0
    assert "points spent" in done.stdout
