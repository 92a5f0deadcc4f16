"""A store that cannot be reached (issue 8, item 15): after the first failed attempt the client
warns, once per run, that it is retrying and for how long at most, instead of retrying in silence.
Against a closed port and a port that never answers, both on 127.0.0.1, with tiny backoffs."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from reconciler.errors import TransportError
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.store import ClientConfig, Credentials, parse_store


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again: nothing listens there


@pytest.fixture
def silent_port():
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def client(port: int, *, retries: int, timeout: float = 10.0, **credentials) -> ShopifyClient:
    config = ClientConfig(
        store=parse_store(f"http://127.0.0.1:{port}"),
        credentials=Credentials(**credentials),
        timeout=timeout,
        max_retries=retries,
    )
    return ShopifyClient(config, backoff_base=0.01, backoff_cap=0.02)


def warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and r.getMessage().startswith("cannot reach")
    ]


async def test_one_warning_after_the_first_failure_however_many_requests(closed_port, caplog):
    caplog.set_level(logging.WARNING, logger="reconciler")
    async with client(closed_port, retries=0) as c:
        with pytest.raises(TransportError, match="cannot connect"):
            await c.execute("Shop")
    assert warnings(caplog) == []  # nothing was going to be retried
    async with client(closed_port, retries=3) as c:
        results = await asyncio.gather(
            *(c.execute("Shop") for _ in range(4)), return_exceptions=True
        )
    assert all(isinstance(r, TransportError) for r in results)
    # backoff ceilings min(0.02, 0.01 * 2^k) for k = 0, 1, 2: 0.05 s, shown rounded up
    assert warnings(caplog) == [
        f"cannot reach http://127.0.0.1:{closed_port} (connection refused); "
        "retrying for up to ~1 s (SHOPIFY_MAX_RETRIES=3)"
    ]


async def test_the_token_request_warns_too(closed_port, caplog):
    caplog.set_level(logging.WARNING, logger="reconciler")
    async with client(closed_port, retries=2, client_id="cid", client_secret="cs-0123456789") as c:
        with pytest.raises(TransportError, match="could not mint an access token"):
            await c.execute("Shop")
    assert len(warnings(caplog)) == 1
    assert "(connection refused); retrying for up to" in warnings(caplog)[0]


async def test_a_store_that_never_answers_counts_the_timeouts_in(silent_port, caplog):
    caplog.set_level(logging.WARNING, logger="reconciler")
    async with client(silent_port, retries=1, timeout=0.2) as c:
        with pytest.raises(TransportError, match=r"no answer within 0\.2s"):
            await c.execute("Shop")
    # one backoff of at most 0.01 s plus one more attempt of up to 0.2 s
    assert warnings(caplog) == [
        f"cannot reach http://127.0.0.1:{silent_port} (no answer within 0.2s); "
        "retrying for up to ~1 s (SHOPIFY_MAX_RETRIES=1, SHOPIFY_TIMEOUT=0.2)"
    ]
