"""The apply report, the client's counters and the progress lines, as pure values."""

from __future__ import annotations

import json

import pytest

from reconciler.apply import progress
from reconciler.apply.report import Report
from reconciler.apply.sync import Outcome
from reconciler.shopify.stats import ClientStats, Timings
from reconciler.shopify.throttle import Cost


def test_timings_mean_is_exact_and_p95_is_within_two_percent():
    timings = Timings()
    values = [0.1 + i / 1000 for i in range(1000)]  # 0.100 .. 1.099 s
    for value in values:
        timings.add(value)
    assert timings.mean == pytest.approx(sum(values) / len(values))
    true_p95 = sorted(values)[949]
    assert true_p95 <= timings.percentile(0.95) <= true_p95 * 1.02
    assert timings.percentile(1.0) == max(values)  # never above the slowest seen
    assert Timings().percentile(0.95) == 0.0


def test_timings_memory_does_not_grow_with_the_number_of_requests():
    timings = Timings()
    for i in range(100_000):
        timings.add(0.2 + (i % 97) / 1000)
    assert timings.count == 100_000
    assert len(timings.buckets) < 30  # 0.2 .. 0.3 s spans about 21 buckets of 2%


def test_stats_since_a_copy_count_only_what_came_after():
    stats = ClientStats()
    stats.sent(1.0)
    stats.settled(1.5, 1.0, Cost(20, 5, None), answered=True)
    before = stats.copy()
    for started in (2.0, 3.0):
        stats.sent(started)
        stats.settled(started + 0.25, started, Cost(30, 12, None), answered=True)
    stats.failed("ThrottledError", throttled=True)
    stats.failed("ThrottledError", status=429)
    stats.failed("TransportError", status=502)
    stats.before_retry(0.5, throttled=True)
    stats.before_retry(1.0, throttled=False)
    phase = stats.minus(before)
    figures = phase.figures()
    assert figures["requests"] == 2
    assert figures["points_spent"] == 24 and figures["points_requested"] == 60
    assert (figures["throttled"], figures["http_429"], figures["rate_limit_hits"]) == (1, 1, 2)
    assert (figures["throttle_waits"], figures["throttle_wait_s"], figures["retries"]) == (
        1,
        0.5,
        1,
    )
    assert figures["errors"] == {"TransportError": 1}
    assert figures["error_rate"] == 0.5
    assert figures["response_mean_s"] == pytest.approx(0.25)
    assert before.requests == 1 and before.points_spent == 5  # the copy did not move
    assert stats.window_s == pytest.approx(2.25)  # first request sent to last answer


def outcome(handle: str, action: str, ok: bool = True, **kw) -> Outcome:
    return Outcome(handle, action, ok=ok, **kw)


STATS = {
    "requests": 9,
    "points_spent": 121.5,
    "throttle_waits": 3,
    "throttle_wait_s": 1.5,
    "retries": 2,
    "rate_limit_hits": 1,
    "response_mean_s": 0.2,
    "response_p95_s": 0.4,
    "error_rate": 0.1,
}


def report(**kw) -> Report:
    outcomes = (
        outcome("a", "create"),
        outcome("b", "update"),
        outcome("c", "create", ok=False, error="productSet: TAKEN: handle taken"),
        outcome("d", "archive", ok=False, error="not run: a write failed", skipped=True),
    )
    base = dict(outcomes=outcomes, unchanged=4, seconds=2.0, requests=9, stats=STATS)
    return Report("demo", "sandbox", **{**base, **kw}, sources={"c": ("products/c.yaml", 3)})


def test_the_summary_counts_every_action_and_the_figures():
    lines = report().summary_lines()
    assert lines[0] == (
        "Apply incomplete: 1 created, 1 updated, 0 renamed, 0 adopted, 0 archived, 0 deleted, "
        "4 unchanged, 1 failed, 1 skipped."
    )
    assert lines[1] == (
        "Cost: 121.5 points spent, 3 throttle waits (1.5 s), 2 retries, 9 requests in 2.0 s, "
        "1.5 products/s."
    )
    assert "failed c (create) at products/c.yaml:3: productSet: TAKEN: handle taken" in lines
    assert any(line.startswith("skipped d (archive)") for line in lines)


def test_the_json_report_carries_every_figure():
    data = json.loads(report(session={"requests": 20, "window_s": 3.5}).to_json())
    for key in STATS:
        assert data[key] == STATS[key], key
    assert data["duration_s"] == 2.0
    assert data["products_per_s"] == 1.5  # a, b and c finished in 2 s; d was skipped
    assert data["points_per_s"] == 60.8 or data["points_per_s"] == 60.7
    assert data["summary"]["failed"] == 1 and data["summary"]["unchanged"] == 4
    assert data["session"] == {"requests": 20, "window_s": 3.5}
    failed = next(p for p in data["products"] if p["handle"] == "c")
    assert failed["source"] == "products/c.yaml:3" and not failed["ok"]
    assert not data["ok"]


def test_an_empty_report_has_no_rates():
    empty = Report("demo", "sandbox", unchanged=3)
    assert empty.ok
    assert empty.rates() == {"products_per_s": 0.0, "points_per_s": 0.0}
    assert empty.summary_lines()[0].startswith("Apply complete: 0 created")
    assert "skipped" not in empty.summary_lines()[0]


def test_progress_line_rates_and_time_left():
    snap = progress.Snapshot(done=120, total=800, failed=0, seconds=8.0, points=3840)
    assert progress.line(snap) == (
        "Applied 120/800 products (15.0/s, 480 points/s), about 45 s left"
    )
    assert progress.line(snap, final=True).endswith("in 8 s")
    start = progress.Snapshot(done=0, total=800, failed=0, seconds=1.0, points=0)
    assert progress.line(start).endswith("starting")
    failing = progress.Snapshot(done=10, total=20, failed=2, seconds=600.0, points=0)
    assert "10/20 products, 2 failed" in progress.line(failing)
    assert "about 10 min 00 s left" in progress.line(failing)


def test_progress_bar_fills_with_the_share_done():
    half = progress.Snapshot(done=400, total=800, failed=0, seconds=20.0, points=10000)
    text = progress.bar(half, width=10)
    assert text.startswith("[#####.....] 400/800")
    assert "20.0/s" in text and "500 points/s" in text and "ETA 20 s" in text
    assert "\n" not in text


def test_durations_read_as_a_person_would_say_them():
    assert progress.duration(44.6) == "45 s"
    assert progress.duration(200) == "3 min 20 s"
    assert progress.duration(3900) == "1 h 05 min"


def test_ticker_writes_plain_lines_and_a_final_one():
    now = [0.0]
    written: list[str] = []
    ticker = progress.Ticker(
        4, written.append, tty=False, interval=10, points=lambda: 40.0, clock=lambda: now[0]
    )
    ticker.on_done(outcome("a", "create"))
    ticker.on_done(outcome("b", "create", ok=False, error="x"))
    now[0] = 2.0
    ticker.show()
    ticker.finish()
    assert written == [
        "Applied 2/4 products, 1 failed (1.0/s, 20 points/s), about 2 s left\n",
        "Applied 2/4 products, 1 failed (1.0/s, 20 points/s) in 2 s\n",
    ]
    assert not any(line.startswith("::") for line in written)


def test_ticker_on_a_terminal_redraws_one_line():
    written: list[str] = []
    ticker = progress.Ticker(2, written.append, tty=True, clock=lambda: 1.0)
    ticker.show()
    ticker.on_done(outcome("a", "create"))
    ticker.finish()
    assert all(w.startswith("\r") for w in written[:-1]) and written[-1] == "\n"
    assert "".join(written).count("\n") == 1
