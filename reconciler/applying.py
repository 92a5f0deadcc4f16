"""The apply pipeline, beside planning.py: lease -> plan -> check -> ask -> send -> report.

`make_apply(ApplyOptions(...), env, notify=..., confirm=...)` returns an `ApplyResult` (the plan
it applied and the report), or raises one of errors.py's classes. It never reaches into compare:
it plans through planning.py, then sends the calls the plan holds (apply/sync.py).

The store's lease is taken before the store is read, as Terraform locks before it refreshes: a
plan made while another apply writes would be outdated the moment it is shown. Ctrl-C or SIGTERM
stops dispatching and lets the requests in flight finish (the report is still written); a second
one stops at once. A product interrupted anywhere has no new marker, so the next plan shows it
again and the next apply finishes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reconciler.apply import bulk, lease, progress, saved
from reconciler.apply.media import DEFAULT_WAIT as DEFAULT_MEDIA_WAIT
from reconciler.apply.media import LocalMedia
from reconciler.apply.report import Report
from reconciler.apply.sync import run_changes
from reconciler.errors import ApplyError, Problem, UsageError
from reconciler.plan.model import REMOVALS, Change, Plan
from reconciler.planning import Notify, PlanOptions, Prepared, plan_live, prepare, store_session
from reconciler.render.json import PlanFileError, plan_from_json
from reconciler.shopify import throttle
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.store import ClientConfig

Confirm = Callable[[Plan], bool]  # shows the plan and asks; True: go ahead


@dataclass(frozen=True)
class ApplyOptions:
    catalog_dir: Path = Path("catalog")
    store: str | None = None  # --store
    targets: tuple[str, ...] = ()  # --target HANDLE ...
    read_mode: str = "auto"
    allow_removals: bool = False
    lock_timeout: float = 0.0  # seconds to wait for another apply's lease
    concurrency: int | None = None  # products in flight; None: from the store's restore rate
    mode: str = "auto"  # sync | bulk | auto (the plan's estimate decides)
    media_wait: float = DEFAULT_MEDIA_WAIT  # seconds a product waits for its new media: READY
    progress: str | None = None  # "bar" (a terminal), "lines" (CI logs) or None (silent)

    def plan_options(self) -> PlanOptions:
        return PlanOptions(self.catalog_dir, self.store, self.targets, self.read_mode)


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan
    report: Report
    warnings: tuple[Problem, ...]  # the catalog's


def make_apply(
    options: ApplyOptions,
    env: Mapping[str, str],
    *,
    notify: Notify | None = None,
    confirm: Confirm,
) -> ApplyResult:
    """Plan inside the store's lease, ask, then make the store match the catalog."""
    notify = notify or (lambda _: None)
    prepared = prepare(options.plan_options(), env)
    with store_session(prepared.config, options.catalog_dir, notify) as bound:
        return _run(_apply(bound, prepared, options, env, notify, confirm))


def _run(work: Coroutine[Any, Any, ApplyResult]) -> ApplyResult:
    try:
        return asyncio.run(work)
    except asyncio.CancelledError:  # the second Ctrl-C
        raise ApplyError(
            "interrupted: stopped at once; requests that were in flight may have been "
            "applied: run catalog plan to see where the store stands"
        ) from None


async def _apply(
    config: ClientConfig,
    prepared: Prepared,
    options: ApplyOptions,
    env: Mapping[str, str],
    notify: Notify,
    confirm: Confirm,
) -> ApplyResult:
    settings = prepared.catalog.settings
    async with (
        ShopifyClient(config) as client,
        lease.held(
            client,
            holder=holder_name(env),
            catalog=settings.name,
            timeout=options.lock_timeout,
        ) as held,
    ):
        # A bulk apply an earlier run left running is awaited before the store is read.
        await bulk.resume_pending(client, notify)
        planned = await plan_live(client, prepared, options.plan_options())
        plan = planned.plan
        check_removals(plan, settings.max_removals, options.allow_removals)
        warnings = planned.warnings
        unchanged = len(plan.changes) - len(plan.actionable())
        if not plan.actionable():
            report = Report(settings.name, plan.store, unchanged=unchanged)
            return ApplyResult(plan, report, warnings)
        if not await asyncio.to_thread(confirm, plan):
            raise ApplyError("Apply cancelled: nothing was written.")
        report = await _send(client, held, plan, plan.changes, prepared, options, env, notify)
    return ApplyResult(plan, report, warnings)


async def _send(
    client: ShopifyClient,
    held: lease.Lease,
    plan: Plan,
    changes: tuple[Change, ...],
    prepared: Prepared,
    options: ApplyOptions,
    env: Mapping[str, str],
    notify: Notify,
) -> Report:
    """Send `changes` (the plan's, or a saved plan's checked ones) and report what happened."""
    before = client.stats.copy()
    todo = sum(1 for c in changes if c.action != "no-op")
    ticker = _ticker(options, env, todo, lambda: client.stats.points_spent - before.points_spent)
    concurrency = options.concurrency or throttle.in_flight_for(client.throttle_status)
    on_done = ticker.on_done if ticker else None
    local_media = LocalMedia(options.catalog_dir, options.media_wait)
    with _interruptible(notify) as interrupted, _showing(ticker):
        started = time.monotonic()
        stop = lambda: interrupted.is_set() or held.lost.is_set()  # noqa: E731
        common = {"concurrency": concurrency, "stop": stop, "on_done": on_done,
                  "local_media": local_media}  # fmt: skip
        if apply_mode(options.mode, plan) == "bulk":
            outcomes = await bulk.run_changes(
                client,
                changes,
                **common,
                on_stage=ticker.on_stage if ticker else None,
                max_operations=bulk.max_operations(plan.api_version),
            )
        else:
            outcomes = await run_changes(client, changes, **common)
    phase = client.stats.minus(before)
    return Report(
        prepared.catalog.settings.name,
        plan.store,
        tuple(outcomes),
        unchanged=len(plan.changes) - len(plan.actionable()),
        seconds=time.monotonic() - started,
        requests=phase.requests,
        stats=phase.figures(),
        session={**client.stats.figures(), "window_s": round(client.stats.window_s, 3)},
        interrupted=interrupted.is_set() or held.lost.is_set(),
        sources=_sources(prepared),
    )


def _ticker(
    options: ApplyOptions, env: Mapping[str, str], total: int, points: Callable[[], float]
) -> progress.Ticker | None:
    """The progress shown on stderr, as the CLI chose it (no progress for an empty send)."""
    if options.progress is None or total == 0:
        return None
    try:
        interval = float(env.get("CATALOG_PROGRESS_INTERVAL") or progress.DEFAULT_INTERVAL)
    except ValueError:
        interval = progress.DEFAULT_INTERVAL
    if not interval > 0:  # also refuses nan
        interval = progress.DEFAULT_INTERVAL

    def write(text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()

    tty = options.progress == "bar"
    return progress.Ticker(total, write, tty=tty, interval=interval, points=points)


@contextlib.contextmanager
def _showing(ticker: progress.Ticker | None) -> Iterator[None]:
    """Redraw the progress while the body runs; the last line once it is over."""
    if ticker is None:
        yield
        return
    task = asyncio.get_running_loop().create_task(ticker.every())
    try:
        yield
    finally:
        task.cancel()
        ticker.finish()


def apply_saved(
    plan_file: Path,
    options: ApplyOptions,
    env: Mapping[str, str],
    *,
    notify: Notify | None = None,
    skip_stale: bool = False,
) -> ApplyResult:
    """Apply a saved plan file after checking it is still what was reviewed (apply/saved.py)."""
    notify = notify or (lambda _: None)
    try:
        text = plan_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the plan file {plan_file}: {exc}") from None
    try:
        saved_plan = plan_from_json(text)
    except PlanFileError as exc:
        raise ApplyError(f"{plan_file}: {exc}") from None
    prepared = prepare(options.plan_options(), env)
    why = saved.mismatch(
        saved_plan,
        prepared.catalog.settings.name,
        prepared.config.store.display,
        prepared.config.api_version,
    )
    if why:
        raise ApplyError(why)
    with store_session(prepared.config, options.catalog_dir, notify) as bound:
        return _run(_apply_saved(bound, prepared, saved_plan, options, env, notify, skip_stale))


async def _apply_saved(
    config: ClientConfig,
    prepared: Prepared,
    saved_plan: Plan,
    options: ApplyOptions,
    env: Mapping[str, str],
    notify: Notify,
    skip_stale: bool,
) -> ApplyResult:
    settings = prepared.catalog.settings
    targets = saved.replan_targets(saved_plan, prepared.catalog.products)
    plan_options = replace(options.plan_options(), targets=targets or ())
    narrowed = prepared
    if targets is not None:
        desired = {h: prepared.catalog.products[h] for h in targets}
        narrowed = replace(prepared, desired=desired)
    async with (
        ShopifyClient(config) as client,
        lease.held(
            client, holder=holder_name(env), catalog=settings.name, timeout=options.lock_timeout
        ) as held,
    ):
        await bulk.resume_pending(client, notify)
        fresh = await plan_live(client, narrowed, plan_options)
        checked = saved.check(saved_plan, fresh.plan)
        _refuse_unless_current(checked, saved_plan, fresh.plan, skip_stale, notify)
        check_removals(
            replace(saved_plan, changes=checked.send), settings.max_removals, options.allow_removals
        )
        report = await _send(client, held, saved_plan, checked.send, prepared, options, env, notify)
    return ApplyResult(saved_plan, report, fresh.warnings)


def _refuse_unless_current(
    checked: saved.Checked, saved_plan: Plan, fresh: Plan, skip_stale: bool, notify: Notify
) -> None:
    if checked.differing:
        hashes = ""
        if saved_plan.catalog_hash and saved_plan.catalog_hash != fresh.catalog_hash:
            hashes = " (the catalog changed since the plan was made)"
        raise ApplyError(
            "the catalog on disk no longer produces this plan for "
            f"{_names(checked.differing)}{hashes}: nothing was written; plan again"
        )
    if checked.stale and not skip_stale:
        raise ApplyError(
            f"the plan is stale: {_names(checked.stale)} changed in the store since it was "
            "planned: nothing was written; plan again, or pass --skip-stale to apply the rest"
        )
    for handle in checked.stale:
        notify(f"skipped {handle}: changed in the store since the plan was made (--skip-stale)")


def _names(handles: tuple[str, ...]) -> str:
    shown = ", ".join(handles[:10]) + (
        f" and {len(handles) - 10} more" if len(handles) > 10 else ""
    )
    return shown


def _sources(prepared: Prepared) -> dict[str, tuple[str, int]]:
    return {h: (str(f), line) for h, (f, line) in prepared.catalog.sources.items()}


def apply_mode(mode: str, plan: Plan) -> str:
    """`--mode`, or for auto the mode the plan's estimate chose."""
    return plan.estimate.mode if mode == "auto" else mode


def check_removals(plan: Plan, max_removals: int, allowed: bool) -> None:
    """Refuse a plan that archives or deletes more than `max_removals` products, unless allowed."""
    removals = [c.handle for c in plan.changes if c.action in REMOVALS]
    if len(removals) > max_removals and not allowed:
        shown = ", ".join(removals[:10]) + (", ..." if len(removals) > 10 else "")
        raise ApplyError(
            f"the plan archives or deletes {len(removals)} products ({shown}), more than "
            f"max_removals ({max_removals}, catalog.yaml): nothing was written; check the plan, "
            "then pass --allow-removals to apply it"
        )


def holder_name(env: Mapping[str, str]) -> str:
    """Who holds the lease, as the next apply's message names it."""
    if env.get("GITHUB_ACTIONS") == "true":
        repo, run = env.get("GITHUB_REPOSITORY", "?"), env.get("GITHUB_RUN_ID", "?")
        return f"GitHub Actions run {run} of {repo}"
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "someone"
    return f"{user}@{socket.gethostname()} (pid {os.getpid()})"


@contextlib.contextmanager
def _interruptible(notify: Notify) -> Iterator[asyncio.Event]:
    """The first Ctrl-C/SIGTERM sets the event (stop dispatching); the second stops at once."""
    loop = asyncio.get_running_loop()
    interrupted = asyncio.Event()
    main = asyncio.current_task()

    def on_signal() -> None:
        if interrupted.is_set():
            if main is not None:
                main.cancel()
            return
        interrupted.set()
        notify("Stopping: no new products are started; waiting for the requests in flight "
               "(press Ctrl-C again to stop at once).")  # fmt: skip

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, on_signal)
            installed.append(sig)
    try:
        yield interrupted
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
