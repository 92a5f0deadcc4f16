"""The real client, over real HTTP, against the sandbox: queries, userErrors, pacing under a tiny
bucket, auth (static token, client credentials, re-mint), retries under injected faults, and the
token kept out of logs. Nothing here mocks the client or the server."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from reconciler.errors import (
    AuthError,
    ShopifyError,
    ThrottledError,
    TransportError,
    UserErrorsError,
)
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.store import ClientConfig, Credentials, parse_store

TOKEN = "shpat_0123456789abcdef0123456789abcdef"
SECRET = "shpss_topsecretclientsecret0000"


def client_for(
    handle, *, token=None, client_id=None, client_secret=None, timeout=10.0, retries=5, **kw
):
    config = ClientConfig(
        store=parse_store(handle.url),
        credentials=Credentials(
            access_token=token, client_id=client_id, client_secret=client_secret
        ),
        timeout=timeout,
        max_retries=retries,
    )
    return ShopifyClient(config, backoff_base=kw.pop("backoff_base", 0.01), **kw)


def product_input(handle: str, sizes=("S", "M"), title: str = "Tee") -> dict:
    return {
        "handle": handle,
        "title": title,
        "productOptions": [{"name": "Size", "values": [{"name": s} for s in sizes]}],
        "variants": [
            {"optionValues": [{"optionName": "Size", "name": s}], "price": "10.00"} for s in sizes
        ],
    }


async def product_set(client, handle: str, **kw) -> dict:
    variables = {"identifier": {"handle": handle}, "input": product_input(handle, **kw)}
    return await client.execute("ProductSet", variables)


def outcomes(caplog) -> list[str]:
    return [
        r.fields["outcome"]
        for r in caplog.records
        if r.name == "reconciler.shopify" and hasattr(r, "fields")
    ]


# --- reads and writes ----------------------------------------------------------------------------


async def test_a_query_returns_data_and_the_bucket_is_learned(sandbox):
    async with client_for(sandbox) as client:
        assert client.throttle_status is None
        data = await client.execute("Shop")
    assert data["shop"]["myshopifyDomain"].endswith(".myshopify.com")
    assert data["shop"]["currencyCode"]
    status = client.throttle_status
    assert (status.maximum, status.restore_rate) == (2000.0, 100.0)  # the standard plan


async def test_product_set_upserts_by_handle_and_reads_back(sandbox):
    async with client_for(sandbox) as client:
        first = await product_set(client, "classic-tee")
        again = await product_set(client, "classic-tee", title="Classic Tee")
        page = await client.execute("ProductsPage", {"query": "handle:classic-tee"})
    created = first["productSet"]["product"]
    assert again["productSet"]["product"]["id"] == created["id"]
    assert len(created["variants"]["nodes"]) == 2
    (product,) = page["products"]["nodes"]
    assert (product["handle"], product["title"]) == ("classic-tee", "Classic Tee")
    assert {v["price"] for v in product["variants"]["nodes"]} <= {"10.00", "10.0"}


async def test_user_errors_raise_and_can_be_inspected(sandbox):
    bad = {"identifier": {"handle": "a"}, "input": {"handle": "b", "title": "Mismatch"}}
    async with client_for(sandbox) as client:
        with pytest.raises(UserErrorsError) as info:
            await client.execute("ProductSet", bad)
        raw = await client.execute("ProductSet", bad, check_user_errors=False)
    assert info.value.user_errors
    assert info.value.user_errors == raw["productSet"]["userErrors"]
    assert all(e["code"] for e in info.value.user_errors)
    assert "ProductSet" in str(info.value)


async def test_a_graphql_error_is_a_query_error_not_retried(sandbox):
    from reconciler.errors import QueryError

    async with client_for(sandbox) as client:
        with pytest.raises(QueryError) as info:
            # 300 x (variants...) is far over the 1000-point ceiling: MAX_COST_EXCEEDED
            await client.execute("ProductsPage", {"first": 250, "variants": 250})
        assert client.requests == 1
    assert "1000" in str(info.value)


async def test_metafields_and_delete(sandbox):
    async with client_for(sandbox) as client:
        product = (await product_set(client, "mf-tee"))["productSet"]["product"]
        owner = product["id"]
        entry = {"ownerId": owner, "namespace": "custom", "key": "material"}
        await client.execute(
            "MetafieldsSet",
            {"metafields": [{**entry, "type": "single_line_text_field", "value": "Cotton"}]},
        )
        gone = await client.execute("MetafieldsDelete", {"metafields": [entry]})
        deleted = await client.execute("ProductDelete", {"id": owner})
    assert gone["metafieldsDelete"]["deletedMetafields"] == [
        {"ownerId": owner, "namespace": "custom", "key": "material"}
    ]
    assert deleted["productDelete"]["deletedProductId"] == owner


# --- pacing --------------------------------------------------------------------------------------


async def test_tiny_bucket_everything_succeeds_and_throttles_stay_rare(sandbox_factory, caplog):
    # Mutations are charged their full requested cost (no refund), so the bucket really drains.
    handle = sandbox_factory(bucket=50, restore_rate=50)
    caplog.set_level(logging.DEBUG, logger="reconciler.shopify")
    started = time.monotonic()
    async with client_for(handle) as client:
        results = await asyncio.gather(*(product_set(client, f"tiny-{i}") for i in range(12)))
    elapsed = time.monotonic() - started
    assert len(results) == 12
    seen = outcomes(caplog)
    assert seen.count("ok") == 12
    # Pacing means the bucket is (almost) never asked for more than it holds.
    assert seen.count("ThrottledError") <= 2
    assert client.throttle_status.maximum == 50.0
    charged = sum(
        r.fields["actual_cost"] for r in caplog.records if r.fields.get("outcome") == "ok"
    )
    assert charged > 100
    # What the bucket could not hold had to be waited for at 50 points a second.
    assert elapsed >= (charged - 50) / 50 * 0.9


async def test_throttled_answers_are_waited_out(sandbox_factory, caplog):
    handle = sandbox_factory(faults=0.5, seed=2, fault_kinds=("throttled",))
    caplog.set_level(logging.DEBUG, logger="reconciler.shopify")
    async with client_for(handle, retries=10) as client:
        results = await asyncio.gather(*(client.execute("Shop") for _ in range(8)))
    assert all(r["shop"]["name"] for r in results)
    assert outcomes(caplog).count("ThrottledError") >= 1


async def test_throttled_answers_do_not_spend_retries(sandbox_factory):
    # THROTTLED is refused before running and the bucket refills: with no retries allowed at
    # all, every request still ends (apply never fails a product because the bucket was busy).
    handle = sandbox_factory(faults=0.5, seed=2, fault_kinds=("throttled",))
    async with client_for(handle, retries=0) as client:
        results = await asyncio.gather(*(client.execute("Shop") for _ in range(8)))
        assert client.requests > 8  # some were refused and waited out
    assert all(r["shop"]["name"] for r in results)


async def test_a_request_the_bucket_can_never_hold_fails_fast(sandbox_factory):
    handle = sandbox_factory(bucket=50, restore_rate=50)
    async with client_for(handle) as client:
        with pytest.raises(ThrottledError, match="exceeds the store's bucket"):
            await client.execute("ProductsPage")  # ~640 points with the default page sizes
        assert client.requests == 1


# --- auth ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "shpat_wrong"])
async def test_a_refused_token_is_an_auth_error(sandbox_factory, token):
    handle = sandbox_factory(token=TOKEN)
    async with client_for(handle, token=token) as client:
        with pytest.raises(AuthError, match="401"):
            await client.execute("Shop")
        assert client.requests == 1  # not retried


async def test_client_credentials_mint_and_remint_on_expiry(sandbox_factory, caplog):
    handle = sandbox_factory(client_id="cid", client_secret=SECRET, token_ttl=1)
    caplog.set_level(logging.DEBUG, logger="reconciler.shopify")
    async with client_for(handle, client_id="cid", client_secret=SECRET) as client:
        await client.execute("Shop")
        await client.execute("Shop")
        assert len(handle.run(lambda: dict(handle.sandbox.tokens))) == 1
        # Past 0.9 of expires_in: re-minted before sending, not after a 401.
        await asyncio.sleep(1.0)
        await client.execute("Shop")
    tokens = handle.run(lambda: list(handle.sandbox.tokens))
    assert len(tokens) >= 1
    assert "AuthError" not in outcomes(caplog)
    assert caplog.text.count("minted an access token") == 2


async def test_client_credentials_remint_once_on_401(sandbox_factory, caplog):
    handle = sandbox_factory(client_id="cid", client_secret=SECRET)
    caplog.set_level(logging.DEBUG, logger="reconciler.shopify")
    async with client_for(handle, client_id="cid", client_secret=SECRET) as client:
        await client.execute("Shop")
        handle.run(lambda: handle.sandbox.tokens.clear())  # revoked behind our back
        data = await client.execute("Shop")
    assert data["shop"]["name"]
    assert outcomes(caplog).count("AuthError") == 1
    assert caplog.text.count("minted an access token") == 2


async def test_wrong_client_secret_is_an_auth_error(sandbox_factory):
    handle = sandbox_factory(client_id="cid", client_secret=SECRET)
    async with client_for(handle, client_id="cid", client_secret="shpss_wrong") as client:
        with pytest.raises(AuthError, match="client credentials were refused"):
            await client.execute("Shop")


async def test_the_token_never_reaches_logs_or_errors(sandbox_factory, caplog):
    handle = sandbox_factory(client_id="cid", client_secret=SECRET, faults=0.3, seed=3)
    caplog.set_level(logging.DEBUG)
    messages = []
    async with client_for(handle, client_id="cid", client_secret=SECRET, retries=8) as client:
        for i in range(12):
            try:
                await product_set(client, f"secret-{i}")
            except ShopifyError as exc:
                messages.append(str(exc))
    tokens = handle.run(lambda: list(handle.sandbox.tokens))
    assert tokens
    text = caplog.text + "\n".join(messages)
    for secret in [*tokens, SECRET]:
        assert secret not in text


# --- retries -------------------------------------------------------------------------------------


async def test_under_faults_every_call_succeeds_or_raises_our_errors(sandbox_factory):
    handle = sandbox_factory(faults=0.3, seed=11, stall_seconds=0.3)
    results: list[object] = []
    async with client_for(handle, timeout=5.0, retries=8) as client:

        async def one(i: int) -> object:
            try:
                if i % 3 == 0:
                    return await client.execute("Shop")
                return await product_set(client, f"fault-{i}")
            except ShopifyError as exc:
                return exc

        results = await asyncio.gather(*(one(i) for i in range(30)), return_exceptions=True)
        small = {"variants": 1, "variantMetafields": 1, "metafields": 1, "media": 1}
        page = await client.execute("ProductsPage", {"first": 30, **small})
    strays = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, ShopifyError)
    ]
    assert strays == []
    assert sum(1 for r in results if isinstance(r, dict)) >= 27
    written = {p["handle"] for p in page["products"]["nodes"]}
    wanted = {f"fault-{i}" for i in range(30) if i % 3}
    assert written == wanted  # retried upserts: each product exactly once


async def test_timeouts_are_retried(sandbox_factory):
    handle = sandbox_factory(faults=1.0, seed=1, fault_kinds=("stall",), stall_seconds=5)
    async with client_for(handle, timeout=0.2, retries=2) as client:
        started = time.monotonic()
        with pytest.raises(TransportError, match="no answer within"):
            await client.execute("Shop")
        assert client.requests == 3
    assert time.monotonic() - started < 10  # not 3 x the 5 s stall


async def test_retry_after_is_honoured_on_429(sandbox_factory):
    handle = sandbox_factory(faults=1.0, seed=1, fault_kinds=("http_429",))
    async with client_for(handle, retries=1) as client:
        started = time.monotonic()
        with pytest.raises(ThrottledError, match="429"):
            await client.execute("Shop")
        assert client.requests == 2
    assert time.monotonic() - started >= 2.0  # the sandbox says Retry-After: 2


async def test_a_non_idempotent_mutation_is_not_retried_after_an_ambiguous_failure(
    sandbox_factory,
):
    handle = sandbox_factory()
    async with client_for(handle) as client:
        owner = (await product_set(client, "doomed"))["productSet"]["product"]["id"]
        handle.run(lambda: handle.sandbox.faults.configure(1.0, 5, ("commit_then_504",)))
        with pytest.raises(TransportError, match="not retried"):
            await client.execute("ProductDelete", {"id": owner})
        assert client.requests == 2
        handle.run(lambda: handle.sandbox.faults.configure(0.0))
        page = await client.execute("ProductsPage", {"query": "handle:doomed"})
    assert page["products"]["nodes"] == []  # it was committed: a blind retry would have failed


async def test_an_idempotent_upsert_is_retried_after_an_ambiguous_failure(sandbox_factory):
    handle = sandbox_factory(faults=0.5, seed=4, fault_kinds=("commit_then_504", "drop"))
    async with client_for(handle, retries=10) as client:
        for i in range(5):
            await product_set(client, f"twice-{i}")
        handle.run(lambda: handle.sandbox.faults.configure(0.0))
        page = await client.execute("ProductsPage", {"first": 10, "variants": 2})
    assert sorted(p["handle"] for p in page["products"]["nodes"]) == [
        f"twice-{i}" for i in range(5)
    ]


async def test_a_cancelled_request_does_not_block_the_next_ones(sandbox_factory):
    handle = sandbox_factory(latency_ms=500)
    async with client_for(handle) as client:
        probe = asyncio.create_task(client.execute("Shop"))
        await asyncio.sleep(0.1)  # the first request (the probe) is in flight
        probe.cancel()
        with pytest.raises(asyncio.CancelledError):
            await probe
        data = await asyncio.wait_for(client.execute("Shop"), timeout=5)
    assert data["shop"]["name"]


async def test_nothing_listening_is_retried_then_a_transport_error():
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = ClientConfig(store=parse_store(f"http://127.0.0.1:{port}"), max_retries=2)
    async with ShopifyClient(config, backoff_base=0.01) as client:
        with pytest.raises(TransportError, match="cannot connect"):
            await client.execute("ProductDelete", {"id": "gid://shopify/Product/1"})
        # Never reached a server, so even a non-idempotent mutation is safe to retry.
        assert client.requests == 3
