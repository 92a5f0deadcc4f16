"""One sandbox: a store, a cost bucket, configuration, and the handling of one GraphQL request.

The request path follows Shopify's order (fact sheet §1): parse and validate (cached per document),
coerce variables, compute the requested cost, refuse it over the single-query ceiling
(MAX_COST_EXCEEDED, nothing executed), admit it against the bucket by requested cost (THROTTLED,
HTTP 200, when short), hold those points while the request is processed (configured latency
included), execute, compute the actual cost and refund the difference. Every answer carries
`extensions.cost` in Shopify's shape. HTTP concerns (routes, auth, faults that break the transport)
live in server.py; this module returns plain `Reply` values.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graphql.execution.values import get_variable_values

from .bulk import DEFAULT_RATE as DEFAULT_BULK_RATE
from .bulk import RESULT_TTL, BulkOperations
from .cost import MAX_QUERY_COST, actual_cost, cost_fields, max_cost_message, requested_cost
from .documents import (
    DocumentCache,
    Prepared,
    execution_error,
    internal_error_body,
    is_mutation,
    productset_variants,
    read_body,
    root_fields,
    variable_error,
)
from .faults import ALL_KINDS, Faults
from .resolvers import execute
from .schema import SUPPORTED_VERSIONS, load_schema
from .staged_uploads import BULK_LIMIT, StagedUploads
from .state import Store
from .throttle import PLANS, Bucket

log = logging.getLogger("reconciler.sandbox")
RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"
# productSet takes longer with more variants: latency x (1 + variants / VARIANTS_PER_LATENCY).
VARIANTS_PER_LATENCY = 50
TOKEN_SCOPE = "read_products,write_products,read_publications,write_publications,read_locations"
_VERSION_SHAPE = re.compile(r"^\d{4}-\d{2}$")


@dataclass
class Config:
    """Everything `sandbox serve` can set; the same names are run_sandbox()'s keyword options."""

    plan: str = "standard"
    bucket: float | None = None  # maximumAvailable; default 20 x restore rate, or the plan's
    restore_rate: float | None = None
    bulk_rate: int | None = None  # bulk objects per second (None: bulk.DEFAULT_RATE; 0: no limit)
    bulk_upload_limit: int = BULK_LIMIT  # bytes a BULK_MUTATION_VARIABLES upload may hold
    bulk_result_ttl: float = RESULT_TTL  # seconds a result URL stays valid
    processing_seconds: float = 0.05  # each step of async product operations and media
    latency_ms: float = 0.0
    faults: float = 0.0
    seed: int | None = None
    fault_kinds: tuple[str, ...] = ALL_KINDS
    stall_seconds: float = 60.0
    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    token_ttl: float = 86399.0


@dataclass
class Reply:
    status: int
    body: Any  # dict/list (sent as JSON) or str (sent as text/html)
    headers: dict[str, str] = field(default_factory=dict)
    mutated: bool = False


def bulk_rate(config: Config) -> int:
    return DEFAULT_BULK_RATE if config.bulk_rate is None else int(config.bulk_rate)


def bucket_settings(config: Config) -> tuple[float, float]:
    """(maximumAvailable, restoreRate): explicit options win; one alone implies the other (x20)."""
    plan_max, plan_rate = PLANS[config.plan]
    if config.bucket is not None and config.restore_rate is not None:
        return float(config.bucket), float(config.restore_rate)
    if config.restore_rate is not None:
        return float(config.restore_rate) * 20, float(config.restore_rate)
    if config.bucket is not None:
        return float(config.bucket), float(config.bucket) / 20
    return float(plan_max), float(plan_rate)


class Sandbox:
    """One shop: its store, its cost bucket, its settings; thread-confined to the server's loop."""

    def __init__(
        self,
        config: Config | None = None,
        store: Store | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.config = config or Config()
        self.clock = clock
        self.store = store if store is not None else Store()
        self._schemas: dict[str, Any] = {}
        self.documents = DocumentCache(self.schema)
        self.bucket = Bucket(*bucket_settings(self.config), clock=clock)
        self.faults = Faults(self.config.faults, self.config.seed, self.config.fault_kinds)
        self.tokens: dict[str, float] = {}  # minted access token -> expiry (self.clock)
        # created on first use (an upload or a bulk result); removed by close()
        self.files_dir = Path(tempfile.gettempdir()) / f"catalog-sandbox-{secrets.token_hex(6)}"
        self.uploads = StagedUploads(self.files_dir / "uploads", self.config.bulk_upload_limit)
        self.bulk = BulkOperations(
            self.files_dir / "results",
            bulk_rate(self.config),
            self.config.bulk_result_ttl,
            self.store.clock,
        )
        self._pump: asyncio.Task | None = None
        self.on_write: Callable[[], None] | None = None  # the state file's touch, when saved
        self.bulk.after_chunk = self.after_request
        self._attach_store()
        self._sync_store_plan()

    def _attach_store(self) -> None:
        self.store.uploads, self.store.bulk = self.uploads, self.bulk
        self.store.step_seconds = self.config.processing_seconds
        self.bulk.clock = self.store.clock

    def set_base_url(self, url: str) -> None:
        self.uploads.base_url = self.bulk.base_url = url.rstrip("/")

    def close(self) -> None:
        """Stop background work and remove uploaded and result files."""
        self.bulk.reset()
        if self._pump is not None:
            self._pump.cancel()
        shutil.rmtree(self.files_dir, ignore_errors=True)

    # --- background work (bulk operations, async operations, media processing) -----------------

    def after_request(self) -> None:
        """Start what the request scheduled; called on the server's loop."""
        self.bulk.kick()
        if self.store.timeline.next_due() is not None and (self._pump is None or self._pump.done()):
            self._pump = asyncio.get_running_loop().create_task(self._run_timeline())

    async def _run_timeline(self) -> None:
        timeline = self.store.timeline
        while (due := timeline.next_due()) is not None:
            await asyncio.sleep(max(0.0, due - timeline.clock()))
            if timeline.advance() and self.on_write is not None:
                self.on_write()

    # --- configuration -------------------------------------------------------------------------

    def schema(self, version: str) -> Any:
        schema = self._schemas.get(version)
        if schema is None:
            schema = self._schemas[version] = load_schema(version)
        return schema

    @staticmethod
    def resolve_version(requested: str | None) -> str | None:
        """Shopify serves an unsupported (or omitted) version as the oldest supported one;
        `unstable` (Shopify's preview of the next version) is served as the newest."""
        if requested in SUPPORTED_VERSIONS:
            return requested
        if requested == "unstable":
            return max(SUPPORTED_VERSIONS)
        if requested is None or _VERSION_SHAPE.match(requested):
            return min(SUPPORTED_VERSIONS)
        return None

    def set_plan(
        self,
        plan: str | None = None,
        bucket: float | None = None,
        restore_rate: float | None = None,
    ) -> None:
        if plan is not None and plan not in PLANS:
            raise ValueError(f"unknown plan {plan!r} (one of {', '.join(PLANS)})")
        # A new plan drops explicit sizes unless they are given again.
        if plan is not None:
            self.config = replace(self.config, plan=plan, bucket=bucket, restore_rate=restore_rate)
        else:
            self.config = replace(self.config, bucket=bucket, restore_rate=restore_rate)
        self.bucket.reconfigure(*bucket_settings(self.config))
        self._sync_store_plan()

    def set_latency(self, latency_ms: float) -> None:
        self.config = replace(self.config, latency_ms=float(latency_ms))

    def set_faults(
        self,
        rate: float,
        seed: int | None = None,
        kinds: tuple[str, ...] | None = None,
        stall_seconds: float | None = None,
        operations: tuple[str, ...] = (),
    ) -> None:
        kinds = tuple(kinds) if kinds else ALL_KINDS
        stall = self.config.stall_seconds if stall_seconds is None else float(stall_seconds)
        self.config = replace(
            self.config, faults=rate, seed=seed, fault_kinds=kinds, stall_seconds=stall
        )
        self.faults.configure(rate, seed, kinds, tuple(operations))

    def reset(self, config: Config | None = None) -> None:
        """Empty store, full bucket; with a config, also that configuration."""
        if config is not None:
            self.config = config
        self.store.reset()
        self.uploads.reset()
        self.bulk.reset()
        self.bulk.rate = bulk_rate(self.config)
        self.bulk.result_ttl = self.config.bulk_result_ttl
        self.uploads.bulk_limit = self.config.bulk_upload_limit
        self._attach_store()
        self.bucket = Bucket(*bucket_settings(self.config), clock=self.clock)
        self.faults.configure(self.config.faults, self.config.seed, self.config.fault_kinds)
        self.tokens.clear()
        self._sync_store_plan()

    def _sync_store_plan(self) -> None:
        # The shop's plan is part of the store (Shop.plan); the bucket follows the configuration.
        self.store.shop.plan = self.config.plan

    # --- access tokens -------------------------------------------------------------------------

    @property
    def auth_required(self) -> bool:
        return bool(self.config.token or self.can_mint)

    @property
    def can_mint(self) -> bool:
        return bool(self.config.client_id and self.config.client_secret)

    def authorized(self, token: str | None) -> bool:
        if not self.auth_required:
            return True
        if not token:
            return False
        if self.config.token and secrets.compare_digest(token, self.config.token):
            return True
        expiry = self.tokens.get(token)
        return expiry is not None and self.clock() < expiry

    def mint_token(self, client_id: str, client_secret: str) -> dict | None:
        """The client-credentials grant: a fresh token, or None for wrong credentials."""
        if not self.can_mint:
            return None
        if not (
            secrets.compare_digest(client_id, self.config.client_id or "")
            and secrets.compare_digest(client_secret, self.config.client_secret or "")
        ):
            return None
        now = self.clock()
        # Forget expired tokens so that a long-running sandbox does not accumulate them.
        for old in [t for t, expiry in self.tokens.items() if expiry <= now]:
            del self.tokens[old]
        token = "shpat_" + secrets.token_hex(16)
        self.tokens[token] = now + self.config.token_ttl
        return {
            "access_token": token,
            "scope": TOKEN_SCOPE,
            "expires_in": math.ceil(self.config.token_ttl),
        }

    # --- one request ---------------------------------------------------------------------------

    def cost_extension(
        self, requested: int, actual: int | None, fields: list | None = None
    ) -> dict:
        cost: dict[str, Any] = {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": self.bucket.status(),
        }
        if fields is not None:
            cost["fields"] = fields
        return {"cost": cost}

    def throttled(self, requested: int) -> Reply:
        error = {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOCS},
        }
        return Reply(200, {"errors": [error], "extensions": self.cost_extension(requested, None)})

    def _errors(self, errors: list[dict], requested: int = 0) -> Reply:
        return Reply(200, {"errors": errors, "extensions": self.cost_extension(requested, 0)})

    async def graphql(
        self, version: str, body: Any, *, debug_cost: bool = False, fault: str | None = None
    ) -> Reply:
        request = read_body(body)
        if request is None:
            return Reply(400, {"errors": {"query": "Required parameter missing or invalid"}})
        query, variables, operation_name = request
        schema = self.schema(version)
        prepared = self.documents.get(version, query)
        if prepared.errors:
            return self._errors(prepared.errors)
        op = prepared.operation(operation_name)
        if isinstance(op, dict):
            return self._errors([op])
        name = op.name.value if op.name else None
        try:
            # Raw variables: graphql-core coerces them during execution; coercing here as well
            # would double the hot path's largest cost. A bad value is reported by execute().
            requested = requested_cost(schema, prepared.document, variables, name)
        except Exception:
            values = get_variable_values(schema, op.variable_definitions or (), variables)
            if isinstance(values, list):
                return self._errors([variable_error(e) for e in values])
            raise
        if requested > MAX_QUERY_COST:
            return self._max_cost(requested)
        if fault == "throttled":
            return self.throttled(requested)
        if fault == "internal_error":
            return Reply(
                200, {**internal_error_body(), "extensions": self.cost_extension(requested, None)}
            )
        if not self.bucket.take(requested):
            return self.throttled(requested)
        return await self._run(
            schema, version, prepared, op, name, variables, requested, debug_cost
        )

    def _max_cost(self, requested: int) -> Reply:
        error = {
            "message": max_cost_message(requested),
            "extensions": {
                "code": "MAX_COST_EXCEEDED",
                "cost": requested,
                "maxCost": MAX_QUERY_COST,
                "documentation": RATE_LIMIT_DOCS,
            },
        }
        return Reply(200, {"errors": [error], "extensions": self.cost_extension(requested, None)})

    async def _run(
        self,
        schema: Any,
        version: str,
        prepared: Prepared,
        op: Any,
        name: str | None,
        variables: dict,
        requested: int,
        debug_cost: bool,
    ) -> Reply:
        try:
            delay = self.latency_seconds(op, variables)
            if delay > 0:
                await asyncio.sleep(delay)  # the requested points stay held meanwhile
            # nothing overdue is visible to this request; what it changes is saved
            if self.store.timeline.advance() and self.on_write is not None:
                self.on_write()
            result = execute(
                self.store, schema, prepared.document, variables, name, version, sandbox=self
            )
            self.after_request()
            data = result.data
            actual = actual_cost(schema, prepared.document, variables, name, data)
        except Exception:
            log.exception("sandbox bug while executing %s", name or "an anonymous operation")
            self.bucket.refund(requested)
            body = {**internal_error_body(), "extensions": self.cost_extension(requested, None)}
            return Reply(200, body, mutated=is_mutation(op))
        except BaseException:  # cancelled (client gone, shutdown): give the points back
            self.bucket.refund(requested)
            raise
        actual = min(actual, requested)
        self.bucket.refund(requested - actual)
        payload: dict[str, Any] = {}
        if result.errors:
            payload["errors"] = [execution_error(e) for e in result.errors]
        payload["data"] = data
        fields = cost_fields(schema, prepared.document, variables, name) if debug_cost else None
        payload["extensions"] = self.cost_extension(requested, actual, fields)
        return Reply(200, payload, mutated=is_mutation(op))

    def latency_seconds(self, op: Any, variables: dict) -> float:
        base = self.config.latency_ms / 1000.0
        if base <= 0:
            return 0.0
        variants = sum(productset_variants(f, variables) for f in root_fields(op, "productSet"))
        return base * (1 + variants / VARIANTS_PER_LATENCY)
