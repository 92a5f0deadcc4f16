"""The Admin GraphQL client: the one module that imports gql (and aiohttp's client).

One aiohttp session per run (`async with ShopifyClient(config) as client`), many requests in flight
at once, all paced by one cost model (throttle.py). Every gql/aiohttp failure is translated here,
once (`_translate`, by the rules in failures.py), into the project's exception tree (errors.py);
nothing from gql or aiohttp escapes.

Retries (up to `max_retries`, exponential backoff with full jitter): THROTTLED (HTTP 200, waits
(requested − available) / restoreRate), HTTP 429 (honours Retry-After), 5xx, dropped connections
and timeouts. A 429 whose body mentions "variant" is the daily variant-creation limit
(shopify-facts.md §1.4): waiting seconds cannot help, so it fails at once with VariantLimitError.
A mutation that is not idempotent is never retried after an ambiguous failure (timeout, dropped
connection, 5xx), because it may have been committed; ProductSet (an upsert by handle),
MetafieldsSet and MetafieldsDelete are idempotent, ProductDelete is not.

Secrets (docs/security.md): the token travels only in the X-Shopify-Access-Token header of each
GraphQL request, and the client secret only in the token request's form. Neither request follows a
redirect (aiohttp would carry that header, or re-post that form, to wherever the store points): a
3xx is a RedirectError naming the target host. Only the bulk result download (a signed URL, no
token) follows redirects. The client will not send a secret to a store `store.check_destination`
refuses. Every secret of the run, a minted token included, is registered with logs.py's redactor,
so no message, log line or exception text carries one, whatever the store echoes.

A store that cannot be reached is retried like any dropped connection, but the user hears of it
at once: one warning per run after the first failed attempt, saying how long retrying may last.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import time
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import TransportConnectionFailed, TransportQueryError
from gql.transport.exceptions import TransportError as GqlTransportError

from reconciler.errors import (
    AuthError,
    ShopifyError,
    ThrottledError,
    TransportError,
    UserErrorsError,
)
from reconciler.logs import redact, register_secret
from reconciler.shopify import documents, failures, throttle
from reconciler.shopify.documents import Document
from reconciler.shopify.failures import Failure
from reconciler.shopify.stats import ClientStats
from reconciler.shopify.store import ClientConfig, check_destination

log = logging.getLogger("reconciler.shopify")

IDEMPOTENT_MUTATIONS = frozenset({"ProductSet", "MetafieldsSet", "MetafieldsDelete"})
TOKEN_HEADER = "X-Shopify-Access-Token"
_TOKEN_MARGIN = 60.0  # re-mint this long before expiry (at most a tenth of the token's life)


def raise_for_user_errors(operation: str, data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """Raise UserErrorsError when a mutation payload carries `userErrors` (gql never does)."""
    for field, payload in (data or {}).items():
        errors = payload.get("userErrors") if isinstance(payload, Mapping) else None
        if errors:
            raise UserErrorsError(f"{operation} ({field})", list(errors))
    return data or {}


class _Request(GraphQLRequest):
    """A gql request that sends the document's text printed once, not re-printed per call
    (printing the AST was most of the client's CPU time per request)."""

    def __init__(self, document: Document, variables: Mapping[str, Any]):
        super().__init__(
            document.ast, variable_values=dict(variables), operation_name=document.name
        )
        self._query = document.query

    @property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"query": self._query, "operationName": self.operation_name}
        if self.variable_values:
            payload["variables"] = self.variable_values
        return payload


class _HttpStatus(GqlTransportError):
    """A non-2xx answer, with what the retry rules need (status, Retry-After, body), and for a
    redirect the host[:port] it points to."""

    def __init__(self, status: int, retry_after: str | None, body: str, target: str = ""):
        super().__init__(f"HTTP {status}")
        self.status, self.retry_after, self.body, self.target = status, retry_after, body, target


class _Transport(AIOHTTPTransport):
    """gql's aiohttp transport, except that an error status is raised with its status code and
    headers attached to this response (gql would parse a JSON error body as a result, and keeps
    only the last response's headers, which is wrong with many requests in flight)."""

    async def _prepare_result(self, response: aiohttp.ClientResponse) -> Any:
        await _raise_for_status(response)
        return await super()._prepare_result(response)


async def _raise_for_status(response: aiohttp.ClientResponse) -> None:
    if response.status >= 300:
        body = await response.text(errors="replace")
        raise _HttpStatus(
            response.status,
            response.headers.get("Retry-After"),
            body[:2000],
            _redirect_target(response) if response.status < 400 else "",
        )


def _redirect_target(response: aiohttp.ClientResponse) -> str:
    return failures.redirect_target(str(response.url), response.headers.get("Location"))


MAX_THROTTLED_WAITS = 50  # THROTTLED answers waited out per request before it counts as a retry


class ShopifyClient:
    """`async with ShopifyClient(config) as client: data = await client.execute("Shop")`."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        rng: random.Random | None = None,
    ):
        if config.credentials.any:
            check_destination(config.store)  # store.py refuses it first; never send it anyway
        self.config = config
        self._clock = clock
        self._backoff = (backoff_base, backoff_cap)
        self._rng = rng or random.Random()
        self._model = throttle.CostModel(clock)
        self._news = asyncio.Event()
        self._learned: dict[tuple, float] = {}
        self._token: str | None = config.credentials.access_token
        self._token_expires = float("inf")
        self._mint_lock = asyncio.Lock()
        self._transport = _Transport(
            url=config.graphql_url, timeout=None, client_session_args={"timeout": self._timeout()}
        )
        self._gql = Client(transport=self._transport, execute_timeout=None)
        self._session: Any = None
        self._warned_offline = False
        self.stats = ClientStats()  # requests, points, throttling, retries, response times

    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self.config.timeout)

    async def __aenter__(self) -> ShopifyClient:
        self._session = await self._gql.connect_async()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._gql.close_async()
        self._session = None

    @property
    def requests(self) -> int:
        """HTTP requests sent (GraphQL and token), for tests and summaries."""
        return self.stats.requests

    @property
    def throttle_status(self) -> throttle.ThrottleStatus | None:
        """The store's bucket as last reported (size and restore rate), None before any call."""
        return self._model.status

    async def execute(
        self,
        name: str,
        variables: Mapping[str, Any] | None = None,
        *,
        idempotent: bool | None = None,
        cost: float | None = None,
        check_user_errors: bool = True,
    ) -> dict[str, Any]:
        """Run graphql/NAME.graphql and return its `data`, or raise one of errors.py's classes."""
        if self._session is None:
            raise ShopifyError("the client is not open: use `async with ShopifyClient(...)`")
        document = documents.load(name)
        variables = documents.request_variables(name, variables or {})
        if idempotent is None:
            idempotent = not document.mutation or name in IDEMPOTENT_MUTATIONS
        data = await self._run(document, variables, idempotent, cost)
        if document.mutation and check_user_errors:
            try:
                raise_for_user_errors(name, data)
            except UserErrorsError:
                self.stats.failed("UserErrorsError")
                raise
        return data

    async def _run(
        self, document: Document, variables: dict, idempotent: bool, cost: float | None
    ) -> dict[str, Any]:
        key = (document.name, tuple(sorted((k, v) for k, v in variables.items() if type(v) is int)))
        static = cost or documents.estimate_cost(document, variables)
        reauthed = False
        attempt = bucket_waits = 0
        while True:
            estimate = cost or self._learned.get(key) or static
            token = await self._current_token()
            ticket = await self._admit(estimate)
            started = self._clock()
            try:
                result = await self._send(document, variables, token)
            except (GqlTransportError, TimeoutError) as exc:
                failure = self._classify(document, exc, ticket, started, attempt)
            except BaseException:
                # Cancelled (or a bug): give the reservation back, or the next probe never goes.
                self._settle(ticket, None, document, started, attempt, "cancelled")
                raise
            else:
                spent = throttle.parse_cost(result.extensions)
                self._settle(ticket, spent, document, started, attempt, "ok")
                self._learn(document, key, spent)
                return result.data or {}
            if failure.reauth and not reauthed and self.config.credentials.uses_client_credentials:
                reauthed = True
                self._forget_token(token)
                continue
            if failure.bucket_wait and bucket_waits < MAX_THROTTLED_WAITS:
                # Many requests in flight can all be refused while the bucket refills: that is
                # pacing, not an error, and must never fail a product's write.
                bucket_waits += 1
                await self._wait(failure, attempt + 1)
                continue
            if not failure.retry or attempt >= self.config.max_retries:
                raise failure.error
            if failure.ambiguous and not idempotent:
                raise TransportError(
                    f"{failure.error}; {document.name} was not retried because it may already have "
                    "been applied: re-read the store before trying again"
                ) from None
            self._note_offline(failure)
            attempt += 1
            await self._wait(failure, attempt)

    async def _wait(self, failure: Failure, attempt: int) -> None:
        seconds = self._retry_wait(failure, attempt)
        # THROTTLED or HTTP 429: a wait for the bucket; anything else: a retry.
        self.stats.before_retry(seconds, throttled=isinstance(failure.error, ThrottledError))
        await asyncio.sleep(seconds)

    async def _send(self, document: Document, variables: dict, token: str | None) -> Any:
        self.stats.sent(self._clock())
        request = _Request(document, variables)
        headers = {TOKEN_HEADER: token} if token else {}
        # allow_redirects=False: a redirect would carry the token header to its target.
        return await self._session.execute(
            request,
            get_execution_result=True,
            extra_args={"headers": headers, "allow_redirects": False},
        )

    def _learn(self, document: Document, key: tuple, spent: throttle.Cost) -> None:
        # A query's requested cost depends only on the document and its page sizes, so the last
        # reported one is the best estimate for the next call (mutations depend on their input).
        if not document.mutation and spent.requested is not None:
            self._learned[key] = spent.requested

    async def _admit(self, estimate: float) -> int:
        since = None
        while True:
            delay = self._model.delay(estimate)
            if delay == 0:
                if since is not None:
                    self.stats.waited(self._clock() - since)
                return self._model.reserve(estimate)
            since = self._clock() if since is None else since
            news = self._news
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(news.wait(), timeout=1.0 if delay is None else delay)

    def _settle(
        self,
        ticket: int,
        spent: throttle.Cost | None,
        document: Document,
        started: float,
        attempt: int,
        outcome: str,
    ) -> None:
        self._model.settle(ticket, spent)
        self._news.set()
        self._news = asyncio.Event()
        self.stats.settled(self._clock(), started, spent, answered=outcome != "cancelled")
        if log.isEnabledFor(logging.DEBUG):
            self._log(document, spent, started, attempt, outcome)

    def _log(
        self, document: Document, spent: Any, started: float, attempt: int, outcome: str
    ) -> None:
        status = spent.status if spent else None
        fields = {
            "operation": document.name,
            "attempt": attempt + 1,
            "outcome": outcome,
            "requested_cost": spent.requested if spent else None,
            "actual_cost": spent.actual if spent else None,
            "available": status.available if status else None,
            "maximum": status.maximum if status else None,
            "restore_rate": status.restore_rate if status else None,
            "duration_s": round(self._clock() - started, 3),
        }
        text = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        log.debug(redact(text), extra={"fields": fields})

    def _classify(
        self, document: Document, exc: BaseException, ticket: int, started: float, attempt: int
    ) -> Failure:
        spent = throttle.parse_cost(getattr(exc, "extensions", None))
        failure = self._failure(document.name, exc, "the access token")
        if failure.error.__class__ is ThrottledError and spent.status is not None:
            requested = spent.requested or 0.0
            if requested > spent.status.maximum:
                # Waiting cannot help: the bucket never holds that much (ask for smaller pages).
                failure.retry = False
                failure.error = ThrottledError(
                    f"{document.name}: requested cost {requested:g} exceeds the store's bucket "
                    f"({spent.status.maximum:g} points)"
                )
            failure.wait = self._model.throttled_wait(requested, spent.status)
            failure.bucket_wait = failure.retry
        status = exc.status if isinstance(exc, _HttpStatus) else None
        throttled = failure.error.__class__ is ThrottledError and status is None
        self.stats.failed(type(failure.error).__name__, throttled=throttled, status=status)
        self._settle(ticket, spent, document, started, attempt, type(failure.error).__name__)
        return failure

    def _failure(self, name: str, exc: BaseException, carrying: str) -> Failure:
        if isinstance(exc, _HttpStatus) and 300 <= exc.status < 400:
            store = self.config.store.display
            return failures.redirected(name, store, exc.status, exc.target, carrying)
        return _translate(name, exc, self.config.timeout)

    def _note_offline(self, failure: Failure) -> None:
        """Once per run, after the first attempt that did not reach the store: say so, and for
        how long the retries may go on (the backoff ceilings, plus each attempt's timeout when
        the store does not answer at all), instead of seconds of silence."""
        if failure.offline is None or self._warned_offline:
            return
        self._warned_offline = True
        config = self.config
        log.warning(
            failures.retry_notice(
                config.store.display, failure, config.max_retries, config.timeout, *self._backoff
            )
        )

    def _retry_wait(self, failure: Failure, attempt: int) -> float:
        base, cap = self._backoff
        if failure.wait is not None:
            # The server said how long; a little jitter keeps concurrent retries from re-colliding.
            return failure.wait + self._rng.uniform(0.0, min(base, failure.wait * 0.1 + 0.01))
        return throttle.backoff(attempt - 1, base, cap, self._rng)

    async def download_lines(self, url: str) -> AsyncIterator[bytes]:
        """The lines of a file at a signed URL (a bulk operation's `url`), streamed: never held
        whole. No token is sent (the URL carries its own signature). Failures are retried like
        reads; after a connection dropped mid-file the download starts over and skips the bytes
        already handed out, so every line is yielded exactly once (the file does not change)."""
        name = "bulk result download"
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.config.timeout,
                                        sock_read=self.config.timeout)  # fmt: skip
        done = 0  # bytes of the lines already yielded
        attempt = 0
        while True:
            try:
                async with self._transport.session.get(url, timeout=timeout) as response:
                    await _raise_for_status(response)
                    skip, rest = done, b""
                    async for chunk in response.content.iter_chunked(1 << 16):
                        if skip:
                            if len(chunk) <= skip:
                                skip -= len(chunk)
                                continue
                            chunk, skip = chunk[skip:], 0
                        lines = (rest + chunk).split(b"\n")
                        rest = lines.pop()
                        for line in lines:
                            done += len(line) + 1
                            yield line
                    if rest:
                        done += len(rest)
                        yield rest
                    return
            except _HttpStatus as exc:
                failure = _translate(name, exc, self.config.timeout)
            except (aiohttp.ClientError, TimeoutError) as exc:
                failure = _connection_failure(name, exc, self.config.timeout)
            if not failure.retry or attempt >= self.config.max_retries:
                raise failure.error
            self._note_offline(failure)
            attempt += 1
            await asyncio.sleep(self._retry_wait(failure, attempt))

    async def upload_staged(
        self,
        url: str,
        parameters: list[dict[str, str]],
        source: Path | bytes,
        *,
        content_type: str = "text/jsonl",
        filename: str | None = None,
    ) -> None:
        """POST a file to a staged upload target as a multipart form: every parameter as a field,
        the file last (facts §3.1 step 3). No token is sent: the form carries its own policy.
        `source`: a path (a bulk JSONL file, streamed) or bytes already read (a catalog's media
        file, read once under the catalog directory's checks, so what is checked is what is sent);
        `content_type` must be the mimeType the target was created with (the policy names it)."""
        name = "staged upload"
        if isinstance(source, Path):
            filename = filename or source.name
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.config.timeout,
                                        sock_read=self.config.timeout)  # fmt: skip
        attempt = 0
        while True:
            form = aiohttp.FormData()
            for p in parameters:
                form.add_field(p["name"], p["value"])
            with contextlib.ExitStack() as stack:
                body = (
                    stack.enter_context(open(source, "rb")) if isinstance(source, Path) else source
                )
                form.add_field("file", body, filename=filename or "file", content_type=content_type)
                try:
                    async with self._transport.session.post(
                        url, data=form, timeout=timeout
                    ) as response:
                        await _raise_for_status(response)
                        return
                except _HttpStatus as exc:
                    failure = _translate(name, exc, self.config.timeout)
                except (aiohttp.ClientError, TimeoutError) as exc:
                    failure = _connection_failure(name, exc, self.config.timeout)
            if not failure.retry or attempt >= self.config.max_retries:
                raise failure.error
            attempt += 1
            await asyncio.sleep(self._retry_wait(failure, attempt))

    # -- tokens: a static token, or the client-credentials grant (shopify-facts.md §9) ----------

    async def _current_token(self) -> str | None:
        if not self.config.credentials.uses_client_credentials:
            return self._token
        if self._token is not None and self._clock() < self._token_expires:
            return self._token
        async with self._mint_lock:
            if self._token is None or self._clock() >= self._token_expires:
                await self._mint()
        return self._token

    def _forget_token(self, token: str | None) -> None:
        if token is not None and token == self._token:
            self._token = None

    async def _mint(self) -> None:
        creds = self.config.credentials
        form = {
            "grant_type": "client_credentials",
            "client_id": creds.client_id or "",
            "client_secret": creds.client_secret or "",
        }
        where = self.config.store.display
        name = "access token request"
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                await asyncio.sleep(throttle.backoff(attempt - 1, *self._backoff, self._rng))
            self.stats.sent(self._clock())
            try:
                # allow_redirects=False: a 307/308 would re-post the client secret to its target.
                async with self._transport.session.post(
                    self.config.store.token_url,
                    data=form,
                    headers={"Accept": "application/json"},
                    allow_redirects=False,
                ) as response:
                    body = await response.text(errors="replace")
                    if 300 <= response.status < 400:
                        target = _redirect_target(response)
                        carrying = "the client secret"
                        raise failures.redirected(
                            name, where, response.status, target, carrying
                        ).error
                    if response.status in (400, 401, 403, 404):
                        raise AuthError(
                            f"{where}: the client credentials were refused "
                            f"(HTTP {response.status}): {redact(body)[:300]}"
                        )
                    if response.status >= 300:
                        last = f"HTTP {response.status}"
                        continue
                    self._accept_token(await response.json(content_type=None))
                    log.debug("minted an access token for %s", where)
                    return
            except (aiohttp.ClientError, TimeoutError) as exc:
                last = type(exc).__name__
                if attempt < self.config.max_retries:
                    self._note_offline(_connection_failure(name, exc, self.config.timeout))
            except ValueError as exc:
                last = type(exc).__name__
        raise TransportError(f"{where}: could not mint an access token: {last}")

    def _accept_token(self, answer: Any) -> None:
        token = answer.get("access_token") if isinstance(answer, Mapping) else None
        if not token:
            raise AuthError(f"{self.config.store.display}: the token answer held no access_token")
        expires_in = answer.get("expires_in")
        register_secret(str(token))  # before anything could print it
        self._token = str(token)
        self._token_expires = (
            self._clock() + float(expires_in) - min(_TOKEN_MARGIN, float(expires_in) / 10)
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool)
            else float("inf")
        )


def _translate(name: str, exc: BaseException, timeout: float) -> Failure:
    """The one place where a gql/aiohttp exception becomes one of the project's errors."""
    if isinstance(exc, _HttpStatus):
        return failures.from_status(name, exc.status, exc.body, exc.retry_after)
    if isinstance(exc, TransportQueryError):
        return failures.from_graphql_errors(name, exc.errors or [])
    if isinstance(exc, TimeoutError):
        return failures.timed_out(name, timeout)
    if isinstance(exc, TransportConnectionFailed):
        return _connection_failure(name, exc.__cause__, timeout)
    return failures.bad_answer(name, str(exc))


def _connection_failure(name: str, exc: BaseException | None, timeout: float) -> Failure:
    """A request that failed below HTTP: aiohttp's own exception (a file download), or the one
    gql wrapped in TransportConnectionFailed (a GraphQL request)."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return failures.unreachable(name, exc, f"no connection within {timeout:g}s", slow=True)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return failures.unreachable(name, exc, _why_unreachable(exc))
    if isinstance(exc, TimeoutError):
        return failures.timed_out(name, timeout)
    return failures.dropped(name, type(exc).__name__ if exc else "connection failed")


def _why_unreachable(exc: aiohttp.ClientConnectorError) -> str:
    """A few words for the warning: "connection refused", "name not resolved" ..."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "host name not resolved"
    error = exc.os_error
    if error.errno:
        return os.strerror(error.errno).lower()
    return type(error).__name__
