"""One apply per store at a time: a lease kept on the store itself (docs/apply.md, "Locking").

The lease is one JSON shop metafield (`catalog_reconciler.apply_lease`): who holds it, since when,
until when. It lives on the store, not in a file, because the two applies that must not
interleave run on different machines (a merge in CI and a laptop, two merges). Every write
compares the digest read just before (`metafieldsSet` with `compareDigest`), so two applies that
race for a free or expired lease cannot both win: the loser's write is refused as stale.

- `acquire` takes a free, released or expired lease (an expired one with a warning: its holder
  stopped renewing, e.g. a killed CI job), or waits up to `timeout` seconds for the holder to let
  go, then fails naming the holder.
- `Lease.renew` pushes the expiry out while apply runs; `Lease.release` marks it released.
  A renewal that finds the lease no longer ours (someone ran `catalog unlock`) sets `lost`: apply
  must stop sending writes.
- `break_lease` is `catalog unlock` (as `terraform force-unlock`): it releases whatever lease is
  held, and says whose it was.

A write whose answer was lost (a 504 after Shopify committed it) is retried by the client and then
refused as stale against our own value; so a stale answer is always re-read, and a lease whose
`id` is ours is ours. Expiry uses the UTC wall clock of the machines involved: the default time to
live (5 minutes, renewed every minute) leaves room for clocks that disagree by a minute or two.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from reconciler.errors import LeaseError
from reconciler.model import MARKER_NAMESPACE

log = logging.getLogger("reconciler.apply")

LEASE_KEY = "apply_lease"
DEFAULT_TTL = 300.0  # seconds a lease lives without renewal
_STALE = "STALE_OBJECT"


class Client(Protocol):
    async def execute(self, name: str, variables: dict | None = ..., **kw: Any) -> dict: ...


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LeaseInfo:
    """What the lease metafield says."""

    id: str
    holder: str
    catalog: str
    started: datetime
    expires: datetime
    released: bool = False

    def free_at(self, now: datetime) -> bool:
        return self.released or now >= self.expires

    def describe(self) -> str:
        since = self.started.strftime("%Y-%m-%d %H:%M:%S UTC")
        until = self.expires.strftime("%H:%M:%S UTC")
        return f"{self.holder} (catalog '{self.catalog}', since {since}, expires {until})"

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "holder": self.holder,
                "catalog": self.catalog,
                "started": _iso(self.started),
                "expires": _iso(self.expires),
                "released": self.released,
            },
            sort_keys=True,
        )

    @staticmethod
    def from_json(text: str) -> LeaseInfo | None:
        """The lease, or None for a value this tool cannot read (treated as free, see _read)."""
        try:
            data = json.loads(text)
            return LeaseInfo(
                id=str(data["id"]),
                holder=str(data["holder"]),
                catalog=str(data.get("catalog", "")),
                started=_parse_iso(data["started"]),
                expires=_parse_iso(data["expires"]),
                released=bool(data.get("released", False)),
            )
        except (TypeError, ValueError, KeyError, AttributeError):
            return None


@dataclass(frozen=True)
class _Slot:
    """The metafield as read: the shop's id, the lease (None: none or unreadable), its digest."""

    shop_id: str
    info: LeaseInfo | None
    digest: str | None  # None: no metafield yet (a write must then find none)
    present: bool


class Lease:
    """A lease this run holds. `lost` is set when a renewal finds it taken from us."""

    def __init__(self, client: Client, slot: _Slot, info: LeaseInfo, ttl: float, now: Clock):
        self._client, self._slot, self.info = client, slot, info
        self._ttl, self._now = ttl, now
        self.lost = asyncio.Event()

    async def renew(self) -> None:
        info = replace(self.info, expires=_second(self._now()) + timedelta(seconds=self._ttl))
        if not await self._write(info):
            self.lost.set()
            raise LeaseError("the apply lease was taken from this run (catalog unlock?)")
        self.info = info

    async def release(self) -> None:
        if self.lost.is_set():
            return
        if not await self._write(replace(self.info, released=True)):
            log.warning("the apply lease was no longer ours when releasing it")

    async def _write(self, info: LeaseInfo) -> bool:
        slot = await _write(self._client, self._slot, info)
        if slot is None:
            return False
        self._slot = slot
        return True


async def acquire(
    client: Client,
    *,
    holder: str,
    catalog: str,
    ttl: float = DEFAULT_TTL,
    timeout: float = 0.0,
    poll: float = 5.0,
    now: Clock = utc_now,
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> Lease:
    """Take the store's apply lease, waiting up to `timeout` seconds for its holder."""
    waited = 0.0
    while True:
        slot = await _read(client)
        held = slot.info
        current = _second(now())
        if held is None or held.free_at(current):
            if held is not None and not held.released:
                log.warning("taking over an expired apply lease held by %s", held.describe())
            info = LeaseInfo(
                id=uuid.uuid4().hex,
                holder=holder,
                catalog=catalog,
                started=current,
                expires=current + timedelta(seconds=ttl),
            )
            written = await _write(client, slot, info)
            if written is not None:
                return Lease(client, written, info, ttl, now)
            continue  # another apply took it between our read and our write: look again
        if waited >= timeout:
            raise LeaseError(
                f"another apply holds the store's lease: {held.describe()}; wait for it, pass "
                "--lock-timeout SECONDS to wait, or run `catalog unlock` if it is stale"
            )
        step = min(poll, max(timeout - waited, 0.0))
        await sleep(step)
        waited += step


async def break_lease(client: Client, *, now: Clock = utc_now) -> LeaseInfo | None:
    """Release whatever lease is held (catalog unlock); return it, or None when none was held."""
    while True:
        slot = await _read(client)
        held = slot.info
        if held is None or held.released:
            return None
        if await _write(client, slot, replace(held, released=True)) is not None:
            return held


@contextlib.asynccontextmanager
async def held(
    client: Client, *, renew_every: float | None = None, **options: Any
) -> AsyncIterator[Lease]:
    """`async with held(client, holder=..., catalog=...) as lease:` acquire, renew, release."""
    lease = await acquire(client, **options)
    every = renew_every or options.get("ttl", DEFAULT_TTL) / 5

    async def keep() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await lease.renew()
            except LeaseError:
                log.error("the apply lease was taken from this run: stopping")
                return
            except Exception as exc:  # a failed renewal is retried at the next tick
                log.warning("could not renew the apply lease: %s", exc)

    task = asyncio.create_task(keep())
    try:
        yield lease
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await lease.release()


async def _read(client: Client) -> _Slot:
    data = await client.execute("ShopLease", {"namespace": MARKER_NAMESPACE, "key": LEASE_KEY})
    shop = data.get("shop") or {}
    field = shop.get("metafield")
    if not field:
        return _Slot(shop["id"], None, None, False)
    # A value this tool cannot read is no lease anyone holds: it is overwritten (compared).
    info = LeaseInfo.from_json(field.get("value") or "")
    return _Slot(shop["id"], info, field["compareDigest"], True)


async def _write(client: Client, slot: _Slot, info: LeaseInfo) -> _Slot | None:
    """Write `info` if the metafield is still as `slot` read it; None when someone else's write
    came first. A stale answer to our own retried write reads back as ours."""
    entry = {
        "ownerId": slot.shop_id,
        "namespace": MARKER_NAMESPACE,
        "key": LEASE_KEY,
        "type": "json",
        "value": info.to_json(),
        "compareDigest": slot.digest,
    }
    data = await client.execute("MetafieldsSet", {"metafields": [entry]}, check_user_errors=False)
    payload = data.get("metafieldsSet") or {}
    errors = payload.get("userErrors") or []
    if not errors:
        written = (payload.get("metafields") or [{}])[0]
        return replace(slot, info=info, digest=written.get("compareDigest"), present=True)
    if any(e.get("code") == _STALE for e in errors):
        again = await _read(client)
        if again.info == info:
            return again
        return None
    text = "; ".join(str(e.get("message")) for e in errors)
    raise LeaseError(f"could not write the apply lease: {text}")


def _second(moment: datetime) -> datetime:
    # The stored form has whole seconds; a lease compared after a round trip must stay equal.
    return moment.astimezone(UTC).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
