"""The plan pipeline: load -> validate -> read the live store -> compare. No click, no printing.

`make_plan(PlanOptions(...), env, notify)` returns a `PlanResult` (the Plan, the catalog's
warnings, what the live read did, phase timings) or raises one of errors.py's classes:
`CatalogError` (carrying every problem) before any store is contacted, `UsageError` for store
settings, `ShopifyError` for the API. `notify` receives the notices the contract sends to stderr
(the embedded sandbox in use); the CLI decides where they go.

The desired products' content hashes are computed while the live read waits on the network, in
small chunks between its I/O, so compare only checks the hashes it is given (bench_compare.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reconciler.catalog import CatalogResult, read_catalog
from reconciler.catalog.convergence import currency_problems
from reconciler.errors import CatalogError, Problem, TransportError, UsageError
from reconciler.model import Product
from reconciler.plan import hashing
from reconciler.plan.compare import compare
from reconciler.plan.estimate import BULK_PHASE_SECONDS, BULK_RATE, STANDARD_RESTORE_RATE
from reconciler.plan.model import Plan
from reconciler.shopify import store as stores
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.live import MODES as READ_MODES
from reconciler.shopify.live import LiveRead, read_live

log = logging.getLogger("reconciler.plan")

STATE_FILE = Path(".catalog") / "sandbox.json"  # the embedded sandbox's store, in the catalog dir
TARGETED_REASON = "the plan is targeted (--target), so removals are not computed"
_HASH_CHUNK = 200  # desired products hashed between two looks at the network (~5 ms)


@dataclass(frozen=True)
class PlanOptions:
    catalog_dir: Path = Path("catalog")
    store: str | None = None  # --store
    targets: tuple[str, ...] = ()  # --target HANDLE ...
    read_mode: str = "auto"  # --read: auto | targeted | full


@dataclass(frozen=True)
class ReadFacts:
    """What the live read did (for -v, tests and benchmarks)."""

    mode: str
    requests: int
    products: int  # products returned to compare
    unmanaged: int  # products read but not returned (not wanted, not this catalog's)
    complete: bool
    incomplete_reason: str | None = None


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    warnings: tuple[Problem, ...]  # the catalog's warnings (errors raise instead)
    read: ReadFacts
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase


Notify = Callable[[str], None]


def make_plan(
    options: PlanOptions, env: Mapping[str, str], notify: Notify | None = None
) -> PlanResult:
    """Load and validate the catalog, read the store, compare: the plan and what it took."""
    prepared = prepare(options, env)
    with store_session(prepared.config, options.catalog_dir, notify or (lambda _: None)) as bound:

        async def run() -> PlanResult:
            async with ShopifyClient(bound) as client:
                return await plan_live(client, prepared, options)

        return asyncio.run(run())


@dataclass(frozen=True)
class Prepared:
    """The catalog read and validated, the products the plan covers, the store to read."""

    catalog: CatalogResult
    desired: dict[str, Product]
    config: stores.ClientConfig
    timings: dict[str, float]
    bulk_rate: float = BULK_RATE  # bulk lines a second the estimate assumes (CATALOG_BULK_RATE)
    bulk_start: float = BULK_PHASE_SECONDS  # seconds a bulk phase takes besides its lines


def prepare(options: PlanOptions, env: Mapping[str, str]) -> Prepared:
    """Everything before the store is contacted: a bad catalog or bad settings raise here."""
    if options.read_mode not in READ_MODES:
        raise UsageError(f"--read must be one of {', '.join(READ_MODES)}")
    started = time.perf_counter()
    catalog = read_catalog(options.catalog_dir)
    catalog.require_valid()
    timings = {"load": time.perf_counter() - started}
    desired = _narrow(catalog.products, options.targets)
    config = stores.resolve(options.store, env, catalog.settings)
    bulk_rate = _positive(env, "CATALOG_BULK_RATE", BULK_RATE, "lines a second")
    bulk_start = _positive(env, "CATALOG_BULK_START", BULK_PHASE_SECONDS, "seconds")
    return Prepared(catalog, desired, config, timings, bulk_rate, bulk_start)


def _positive(env: Mapping[str, str], name: str, default: float, unit: str) -> float:
    """A setting of the estimate from the environment: a finite number above 0."""
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise UsageError(f"{name} must be a number of {unit} above 0, not {text!r}")
    return value


async def plan_live(client: ShopifyClient, prepared: Prepared, options: PlanOptions) -> PlanResult:
    """Read the store through `client` and compare (apply plans inside its lease this way)."""
    settings, desired, config = prepared.catalog.settings, prepared.desired, prepared.config
    timings = dict(prepared.timings)
    started = time.perf_counter()
    try:
        live, hashes, currency = await _read_and_hash(client, desired, settings.name, options)
    except TransportError as exc:
        # Say which store could not be reached, once (the client names only the request).
        raise TransportError(f"cannot reach the store at {config.store.display} ({exc})") from exc
    status = client.throttle_status
    restore_rate = status.restore_rate if status is not None else STANDARD_RESTORE_RATE
    bucket = status.maximum if status is not None else 0.0
    timings["read"] = time.perf_counter() - started
    _check_amounts(prepared.catalog, desired, currency)
    complete, reason = live.complete, live.incomplete_reason
    if options.targets:
        complete, reason = False, TARGETED_REASON
    started = time.perf_counter()
    plan = compare(
        desired,
        live.products,
        catalog_name=settings.name,
        on_remove=settings.on_remove,
        complete=complete,
        incomplete_reason=reason,
        store=config.store.display,
        api_version=config.api_version,
        restore_rate=restore_rate,
        bucket=bucket,
        bulk_rate=prepared.bulk_rate,
        bulk_start=prepared.bulk_start,
        desired_hashes=hashes,
    )
    plan = replace(
        plan,
        unmanaged_count=plan.unmanaged_count + live.unmanaged,
        catalog_hash=hashing.catalog_hash(hashes, _hashed_settings(settings)),
    )
    timings["compare"] = time.perf_counter() - started
    facts = ReadFacts(
        mode=live.mode,
        requests=live.requests,
        products=len(live.products),
        unmanaged=live.unmanaged,
        complete=live.complete,
        incomplete_reason=live.incomplete_reason,
    )
    _log_phases(len(desired), facts, timings)
    return PlanResult(plan, tuple(prepared.catalog.warnings), facts, timings)


def _check_amounts(
    catalog: CatalogResult, desired: Mapping[str, Product], currency: str | None
) -> None:
    """Amounts with more decimals than the store's currency are catalog errors: Shopify would
    round them, so the plan could never settle (docs/plan.md, "How each field is compared")."""
    found = currency_problems(desired, catalog.sources, currency) if currency else []
    if found:
        raise CatalogError(sorted([*catalog.problems, *found]))


def _hashed_settings(settings: Any) -> dict[str, object]:
    """The settings that shape a plan's calls (not the store or timeouts)."""
    keep = ("name", "api_version", "on_remove", "publications")
    return {k: getattr(settings, k) for k in keep}


def _log_phases(desired: int, facts: ReadFacts, timings: Mapping[str, float]) -> None:
    """One -v line: what was read and how long each phase took."""
    fields = {
        "desired": desired,
        "live_products": facts.products,
        "unmanaged": facts.unmanaged,
        "read_mode": facts.mode,
        "read_requests": facts.requests,
        **{f"{phase}_s": round(seconds, 3) for phase, seconds in timings.items()},
    }
    log.debug("plan: " + " ".join(f"{k}={v}" for k, v in fields.items()), extra={"fields": fields})


def _narrow(products: dict[str, Product], targets: tuple[str, ...]) -> dict[str, Product]:
    """The desired products a plan covers: all of them, or the --target ones."""
    if not targets:
        return products
    unknown = sorted({t for t in targets if t not in products})
    if unknown:
        raise UsageError(
            f"--target: no product with handle {', '.join(map(repr, unknown))} in the catalog"
        )
    return {t: products[t] for t in dict.fromkeys(targets)}


def handles_to_read(desired: Mapping[str, Product]) -> set[str]:
    """The handles the live read must look up: each product's and its previous ones (renames)."""
    wanted = set(desired)
    for product in desired.values():
        wanted.update(product.previous_handles)
    return wanted


def variant_metafield_refs(desired: Mapping[str, Product]) -> set[str]:
    """The `namespace.key` of every metafield the catalog sets on a variant (a full export reads
    exactly those on every variant)."""
    return {
        f"{m.namespace}.{m.key}"
        for product in desired.values()
        for variant in product.variants
        for m in variant.metafields or ()
    }


@contextlib.contextmanager
def store_session(
    config: stores.ClientConfig, catalog_dir: Path, notify: Notify
) -> Iterator[stores.ClientConfig]:
    """The configuration to connect with; for the embedded sandbox, started here and saved after."""
    if config.store.kind != stores.SANDBOX:
        yield config
        return
    from reconciler.sandbox.embedded import start_embedded

    state = catalog_dir / STATE_FILE
    why = "no store configured" if config.store.source == "default" else config.store.source
    notify(f"Using the embedded sandbox ({why}); its store is kept in {state}.")
    handle = start_embedded(state)
    try:
        yield config.bind(handle.url)
    finally:
        handle.stop()


async def _read_and_hash(
    client: ShopifyClient,
    desired: Mapping[str, Product],
    catalog_name: str,
    options: PlanOptions,
) -> tuple[LiveRead, dict[str, str], str | None]:
    """The live read, the desired content hashes and the store's currency."""
    shop = asyncio.ensure_future(client.execute("Shop"))
    reading = asyncio.ensure_future(
        read_live(
            client,
            catalog_name=catalog_name,
            handles=handles_to_read(desired),
            mode=options.read_mode,
            removals=not options.targets,
            variant_metafields=variant_metafield_refs(desired),
            desired=desired,
        )
    )
    try:
        hashes = await hash_meanwhile(desired, reading)
        live = await reading
        currency = ((await shop).get("shop") or {}).get("currencyCode")
    finally:
        for task in (reading, shop):
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
            elif not task.cancelled():
                # Both may have failed (a refused token fails every request): one error is
                # raised; the other is taken here, or asyncio prints it with a traceback at exit.
                task.exception()
    return live, hashes, currency


async def hash_meanwhile(desired: Mapping[str, Product], other: Awaitable[Any]) -> dict[str, str]:
    """Content hashes of `desired`, computed in chunks that let `other` (the read) progress.

    Stops early when `other` has already failed: its error is what the user must see.
    """
    task = asyncio.ensure_future(other)
    hashes: dict[str, str] = {}
    items = list(desired.items())
    for start in range(0, len(items), _HASH_CHUNK):
        for handle, product in items[start : start + _HASH_CHUNK]:
            hashes[handle] = hashing.content_hash(product)
        if task.done():
            if not task.cancelled() and task.exception() is not None:
                break
        else:
            await asyncio.sleep(0)
    return hashes
