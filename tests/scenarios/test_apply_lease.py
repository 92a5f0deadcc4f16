"""The apply lease on the store, against the sandbox over HTTP with the real client: one holder at
a time, waiting, expiry and takeover, unlock, a lost lease, and a write whose answer was lost."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from reconciler.apply import lease
from reconciler.errors import LeaseError
from reconciler.model import MARKER_NAMESPACE
from reconciler.sandbox.faults import Faults
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.store import ClientConfig, parse_store

T0 = datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)


def client_for(handle, retries: int = 5) -> ShopifyClient:
    config = ClientConfig(store=parse_store(handle.url), max_retries=retries)
    return ShopifyClient(config, backoff_base=0.01, backoff_cap=0.05)


def at(moment: datetime):
    return lambda: moment


def stored(sandbox) -> dict | None:
    """The lease as the store holds it (read with a raw query, not through lease.py)."""
    query = (
        "query($n: String!, $k: String!) { shop { metafield(namespace: $n, key: $k) { value } } }"
    )
    body = sandbox.graphql(query, {"n": MARKER_NAMESPACE, "k": lease.LEASE_KEY}).json
    field = body["data"]["shop"]["metafield"]
    return json.loads(field["value"]) if field else None


async def test_a_second_apply_fails_naming_the_holder_until_the_first_releases(sandbox):
    async with client_for(sandbox) as first, client_for(sandbox) as second:
        held = await lease.acquire(first, holder="ci run 7", catalog="demo", now=at(T0))
        assert stored(sandbox)["holder"] == "ci run 7"
        with pytest.raises(LeaseError, match=r"ci run 7 \(catalog 'demo'"):
            await lease.acquire(second, holder="laptop", catalog="demo", now=at(T0))
        await held.release()
        assert stored(sandbox)["released"] is True
        again = await lease.acquire(second, holder="laptop", catalog="demo", now=at(T0))
    assert again.info.holder == "laptop"
    assert stored(sandbox)["holder"] == "laptop"


async def test_a_waiting_apply_gets_the_lease_once_the_holder_lets_go(sandbox):
    async with client_for(sandbox) as first, client_for(sandbox) as second:
        held = await lease.acquire(first, holder="merge 1", catalog="demo", now=at(T0))
        waits: list[float] = []

        async def sleep(seconds: float) -> None:  # the holder finishes while we wait
            waits.append(seconds)
            if len(waits) == 2:
                await held.release()

        got = await lease.acquire(
            second, holder="merge 2", catalog="demo", timeout=60, poll=5, now=at(T0), sleep=sleep
        )
    assert got.info.holder == "merge 2"
    assert waits == [5, 5]


async def test_waiting_gives_up_after_the_timeout(sandbox):
    async with client_for(sandbox) as first, client_for(sandbox) as second:
        await lease.acquire(first, holder="merge 1", catalog="demo", now=at(T0))
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)

        with pytest.raises(LeaseError, match="merge 1"):
            await lease.acquire(
                second, holder="merge 2", catalog="demo", timeout=12, poll=5, now=at(T0),
                sleep=sleep,
            )  # fmt: skip
    assert waits == [5, 5, 2]


async def test_an_expired_lease_is_taken_over_with_a_warning(sandbox, caplog):
    async with client_for(sandbox) as first, client_for(sandbox) as second:
        await lease.acquire(first, holder="killed job", catalog="demo", ttl=60, now=at(T0))
        later = at(T0 + timedelta(seconds=61))
        with caplog.at_level(logging.WARNING, logger="reconciler.apply"):
            got = await lease.acquire(second, holder="next job", catalog="demo", now=later)
    assert got.info.holder == "next job"
    assert any("expired apply lease held by killed job" in r.message for r in caplog.records)


async def test_renewal_moves_the_expiry_and_keeps_others_out(sandbox):
    clock = {"now": T0}
    async with client_for(sandbox) as first, client_for(sandbox) as second:
        held = await lease.acquire(
            first, holder="long apply", catalog="demo", ttl=60, now=lambda: clock["now"]
        )
        clock["now"] = T0 + timedelta(seconds=50)
        await held.renew()
        assert stored(sandbox)["expires"] == "2026-12-03T12:01:50Z"
        # Past the first expiry, but renewed: still held.
        with pytest.raises(LeaseError, match="long apply"):
            await lease.acquire(
                second, holder="x", catalog="demo", now=at(T0 + timedelta(seconds=70))
            )


async def test_unlock_breaks_the_lease_and_the_holder_learns_it_lost_it(sandbox):
    async with client_for(sandbox) as holder, client_for(sandbox) as admin:
        held = await lease.acquire(holder, holder="stuck apply", catalog="demo", now=at(T0))
        broken = await lease.break_lease(admin)
        assert broken is not None and broken.holder == "stuck apply"
        assert await lease.break_lease(admin) is None  # nothing held any more
        newcomer = await lease.acquire(admin, holder="fresh", catalog="demo", now=at(T0))
        with pytest.raises(LeaseError, match="taken from this run"):
            await held.renew()
        assert held.lost.is_set()
        await held.release()  # a lost lease is not released over the newcomer's
    assert stored(sandbox)["holder"] == "fresh"
    assert stored(sandbox)["released"] is False
    assert newcomer.info.id == stored(sandbox)["id"]


async def test_two_applies_racing_for_a_free_store_never_both_win(sandbox):
    for _ in range(5):
        sandbox.reset()
        async with client_for(sandbox) as a, client_for(sandbox) as b:
            results = await asyncio.gather(
                lease.acquire(a, holder="a", catalog="demo", now=at(T0)),
                lease.acquire(b, holder="b", catalog="demo", now=at(T0)),
                return_exceptions=True,
            )
        won = [r for r in results if isinstance(r, lease.Lease)]
        lost = [r for r in results if isinstance(r, LeaseError)]
        assert len(won) == 1 and len(lost) == 1, results
        assert stored(sandbox)["holder"] == won[0].info.holder


def _seed_failing_only_request(n: int, total: int = 8) -> int:
    """A fault seed whose first `total` requests pass except the n-th (1-based), which commits
    and then answers 504: found with the sandbox's own draw, so the scenario is deterministic."""
    for seed in range(100_000):
        faults = Faults(0.3, seed, ("commit_then_504",))
        picks = [faults.pick() for _ in range(total)]
        if picks == [None] * (n - 1) + ["commit_then_504"] + [None] * (total - n):
            return seed
    raise AssertionError("no seed found")


async def test_a_lease_write_whose_answer_was_lost_is_still_ours(sandbox):
    # Request 1 reads the free lease, request 2 writes it (committed, answer lost as a 504),
    # the client retries the write, which is refused as stale against our own value.
    seed = _seed_failing_only_request(2)
    sandbox.control("faults", {"rate": 0.3, "seed": seed, "kinds": ["commit_then_504"]})
    async with client_for(sandbox) as client:
        got = await lease.acquire(client, holder="ci", catalog="demo", now=at(T0))
    sandbox.control("faults", {"rate": 0})
    assert got.info.id == stored(sandbox)["id"]


async def test_an_unreadable_lease_value_is_overwritten_not_trusted(sandbox):
    async with client_for(sandbox) as client:
        shop = await client.execute("ShopLease", {"namespace": MARKER_NAMESPACE, "key": "x"})
        junk = {
            "ownerId": shop["shop"]["id"],
            "namespace": MARKER_NAMESPACE,
            "key": lease.LEASE_KEY,
            "type": "json",
            "value": '{"not": "a lease"}',
        }
        await client.execute("MetafieldsSet", {"metafields": [junk]})
        got = await lease.acquire(client, holder="ci", catalog="demo", now=at(T0))
    assert stored(sandbox)["id"] == got.info.id


async def test_held_renews_in_the_background_and_releases_at_the_end(sandbox):
    ticks = iter(T0 + timedelta(seconds=10 * i) for i in range(10_000))
    async with client_for(sandbox) as client:
        options = {"holder": "ci", "catalog": "demo", "now": lambda: next(ticks)}
        async with lease.held(client, renew_every=0.01, **options) as got:
            first = got.info.expires
            for _ in range(500):  # bounded; a renewal is due every 10 ms of the event loop
                await asyncio.sleep(0.01)
                if got.info.expires > first:
                    break
            assert got.info.expires > first
            assert stored(sandbox)["expires"] == lease._iso(got.info.expires)
    assert stored(sandbox)["released"] is True
