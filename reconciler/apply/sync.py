"""Sync mode: each change's calls sent as the plan holds them, many products in flight.

What was reviewed is what is sent: the calls come from the plan (shopify/input.py built them);
this module only fills the placeholders the plan could not know — `{{product.id}}` from the
productSet that created the product, `{{publication:NAME}}` from the store's publications — and
adds to the marker the ids of the media the run itself created (the plan cannot know them).

Order inside a product is the plan's (the marker last, so a product is never marked as applied
when it is not); products run concurrently, as many as `concurrency`, and the client admits each
request against its model of the cost bucket (shopify/throttle.py), so the bucket stays busy while
THROTTLED stays rare. Removals run after every write, and not at all when a write failed.
A failure stops that product's remaining calls (its marker is never written) and is reported
with Shopify's codes; userErrors are never retried.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from reconciler.apply import media
from reconciler.errors import ReconcilerError, TransportError, UserErrorsError
from reconciler.model import MARKER_KEY, MARKER_NAMESPACE, Marker
from reconciler.plan.model import REMOVALS, Change
from reconciler.shopify.input import PRODUCT_ID, PUBLICATION_PREFIX, VARIANT_PREFIX

DEFAULT_CONCURRENCY = 16


class Client(Protocol):
    async def execute(self, name: str, variables: dict | None = ..., **kw: Any) -> dict: ...


@dataclass
class Outcome:
    """What happened to one planned change."""

    handle: str
    action: str
    ok: bool = False
    error: str | None = None
    codes: tuple[str, ...] = ()  # Shopify's userError codes, when it refused a call
    calls: int = 0  # calls sent for it
    skipped: bool = False  # never started (removals after a failure, or interrupted)
    product_id: str | None = None
    seconds: float = 0.0


@dataclass
class Progress:
    """Counters a progress bar or periodic line reads while the run goes on."""

    total: int
    done: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)


async def run_changes(
    client: Client,
    changes: Iterable[Change],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    stop: Callable[[], bool] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    local_media: media.LocalMedia | None = None,
) -> list[Outcome]:
    """Send the calls of every change (no-ops skipped); writes first, then removals.
    `stop()` true: no further product is started (those in flight finish). `local_media`: the
    catalog directory local media files are uploaded from, and the bound on waiting for READY."""
    todo = [c for c in changes if c.action != "no-op"]
    writes = [c for c in todo if c.action not in REMOVALS]
    removals = [c for c in todo if c.action in REMOVALS]
    stop = stop or (lambda: False)
    publications = await _publication_ids(client, todo)
    runner = _Runner(client, publications, stop, on_done, concurrency, local_media)
    outcomes = await runner.run_all(writes)
    if any(not o.ok for o in outcomes):
        why = "not run: a write failed, and removals never follow a failed write"
        outcomes += [_skipped(c, why) for c in removals]
    else:
        outcomes += await runner.run_all(removals)
    return outcomes


class _Runner:
    def __init__(
        self,
        client: Client,
        publications: Mapping[str, str],
        stop: Callable[[], bool],
        on_done: Callable[[Outcome], None] | None,
        concurrency: int,
        local_media: media.LocalMedia | None = None,
    ):
        self.client, self.publications, self.stop = client, publications, stop
        self.on_done = on_done or (lambda _o: None)
        self.slots = asyncio.Semaphore(max(1, concurrency))
        self.local_media = local_media or media.LocalMedia()

    async def run_all(self, changes: list[Change]) -> list[Outcome]:
        return list(await asyncio.gather(*(self._one(c) for c in changes)))

    async def _one(self, change: Change) -> Outcome:
        async with self.slots:
            if self.stop():
                outcome = _skipped(change, "not run: apply was interrupted")
            else:
                outcome = await self._send(change)
        self.on_done(outcome)
        return outcome

    async def _send(self, change: Change) -> Outcome:
        outcome = Outcome(change.handle, change.action, product_id=change.product_id)
        started = time.monotonic()
        state = _Fill(change.product_id, dict(self.publications))
        try:
            for call in (change.mutation or {}).get("calls", ()):
                if state.variant_ids is None and _names_variants(call):
                    state.variant_ids = await _variant_ids(self.client, state.product_id)
                name, variables = call["operation"], state.variables(call)
                outcome.calls += 1
                sent = await self._with_uploads(variables, state)
                if name == "ProductUpdateMedia":
                    answer = await self._add_media(change, sent)
                else:
                    answer = await self.client.execute(name, sent)
                state.learn(name, variables, answer)
                files = (variables.get("input") or {}).get("files") if name == "ProductSet" else 0
                if files and state.product_id:
                    # A create that set variant images sent its media in productSet `files`:
                    # their ids, in `files` order, go in the marker (docs/marker.md).
                    ids = await _media_ids(self.client, state.product_id)
                    sources = [f.get("originalSource") for f in files]
                    state.created_media.update(zip(sources, ids, strict=False))
                if name == "ProductUpdateMedia" or files:
                    await self._settle(state)
            outcome.ok = True
            outcome.product_id = state.product_id
        except UserErrorsError as exc:
            outcome.error = str(exc)
            outcome.codes = tuple(str(e.get("code")) for e in exc.user_errors if e.get("code"))
        except ReconcilerError as exc:
            outcome.error = str(exc)
        outcome.seconds = time.monotonic() - started
        return outcome

    async def _with_uploads(self, variables: dict[str, Any], state: _Fill) -> dict[str, Any]:
        """The call as sent: each local media path (the plan's, as reviewed) replaced by the
        resourceUrl of its upload, each file uploaded once per product (apply/media.py)."""
        for src in media.local_sources(variables):
            if src not in state.uploaded:
                state.uploaded[src] = await media.upload(self.client, self.local_media, src)
        return media.with_urls(variables, state.uploaded) if state.uploaded else variables

    async def _settle(self, state: _Fill) -> None:
        """Wait for the media this product's calls created to be READY (a FAILED one fails the
        product, its new media deleted, so its marker is never written)."""
        new = {s: i for s, i in state.created_media.items() if i not in state.settled}
        await media.settle(self.client, new, self.local_media.wait)
        state.settled.update(new.values())

    async def _add_media(self, change: Change, variables: dict[str, Any]) -> dict[str, Any]:
        """productUpdate(media:) exactly once. It is no upsert: a lost answer (a timeout, a 504
        after Shopify committed) must not be resent blindly, or the image is there twice. So
        the product's media are listed around it: what appeared is what the call added."""
        owner = variables["product"]["id"]
        before = [] if change.action == "create" else await _media_ids(self.client, owner)
        for _attempt in range(3):
            try:
                return await self.client.execute("ProductUpdateMedia", variables)
            except TransportError:
                now = await _media_ids(self.client, owner)
                added = [i for i in now if i not in set(before)]
                if len(added) == len(variables["media"]):
                    nodes = [{"id": i} for i in added]
                    return {"productUpdate": {"product": {"id": owner, "media": {"nodes": nodes}}}}
                if added:
                    raise  # some but not all: the next plan shows what is missing
        return await self.client.execute("ProductUpdateMedia", variables)


async def _media_ids(client: Client, product_id: str) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        variables = {"id": product_id, "after": after, "first": 250}
        data = await client.execute("ProductMediaPage", variables)
        media = ((data.get("product") or {}).get("media")) or {}
        ids += [node["id"] for node in media.get("nodes") or ()]
        if not (media.get("pageInfo") or {}).get("hasNextPage"):
            return ids
        after = media["pageInfo"]["endCursor"]


def _names_variants(call: Mapping[str, Any]) -> bool:
    """Whether the call writes metafields of variants named by their options (the only place
    input.py puts a `{{variant:...}}` placeholder)."""
    if call["operation"] != "MetafieldsSet":
        return False
    owners = (m.get("ownerId") for m in call["variables"]["metafields"])
    return any(isinstance(o, str) and o.startswith(VARIANT_PREFIX) for o in owners)


async def _variant_ids(
    client: Client, product_id: str | None
) -> dict[tuple[tuple[str, str], ...], str]:
    if product_id is None:
        raise ReconcilerError("the product's id is not known yet (its create failed)")
    ids: dict[tuple[tuple[str, str], ...], str] = {}
    after = None
    while True:
        data = await client.execute("ProductVariantIds", {"id": product_id, "after": after})
        variants = ((data.get("product") or {}).get("variants")) or {}
        for node in variants.get("nodes") or ():
            options = tuple((o["name"], o["value"]) for o in node.get("selectedOptions") or ())
            ids[options] = node["id"]
        if not (variants.get("pageInfo") or {}).get("hasNextPage"):
            return ids
        after = variants["pageInfo"]["endCursor"]


def _label(options: tuple[tuple[str, ...], ...]) -> str:
    return "/".join(f"{name}={value}" for name, value in options) or "(no options)"


class _Fill:
    """The placeholders of one product's calls, filled as its earlier calls answer."""

    def __init__(self, product_id: str | None, publications: dict[str, str]):
        self.product_id = product_id
        self.publications = publications
        self.created_media: dict[str, str] = {}  # src -> media id, created by this run
        self.uploaded: dict[str, str] = {}  # local media path -> resourceUrl of its upload
        self.settled: set[str] = set()  # media ids seen READY
        # ((option, value), ...) -> variant id, read once a call names a variant by its options
        self.variant_ids: dict[tuple[tuple[str, str], ...], str] | None = None

    def variables(self, call: Mapping[str, Any]) -> dict[str, Any]:
        variables = _replace(call["variables"], self._value)
        if call["operation"] == "MetafieldsSet" and self.created_media:
            variables["metafields"] = [self._marker(m) for m in variables["metafields"]]
        return variables

    def learn(self, name: str, variables: Mapping[str, Any], answer: Mapping[str, Any]) -> None:
        if name == "ProductSet":
            product = (answer.get("productSet") or {}).get("product") or {}
            self.product_id = product.get("id") or self.product_id
        elif name == "ProductUpdateMedia":
            product = (answer.get("productUpdate") or {}).get("product") or {}
            nodes = ((product.get("media") or {}).get("nodes")) or []
            sources = [m["originalSource"] for m in variables.get("media") or ()]
            # `media(last: count)`: the media just added, in the order they were sent.
            for src, node in zip(sources, nodes[-len(sources) :], strict=False):
                self.created_media[src] = node["id"]

    def _value(self, text: str) -> str:
        if text == PRODUCT_ID:
            if self.product_id is None:
                raise ReconcilerError("the product's id is not known yet (its create failed)")
            return self.product_id
        if text.startswith(PUBLICATION_PREFIX) and text.endswith("}}"):
            name = text[len(PUBLICATION_PREFIX) : -2]
            if name not in self.publications:
                known = ", ".join(sorted(self.publications)) or "none"
                raise ReconcilerError(f"no sales channel named {name!r} (the store has: {known})")
            return self.publications[name]
        if text.startswith(VARIANT_PREFIX) and text.endswith("}}"):
            options = tuple(tuple(o) for o in json.loads(text[len(VARIANT_PREFIX) : -2]))
            found = (self.variant_ids or {}).get(options)
            if found is None:
                raise ReconcilerError(
                    f"the product has no variant {_label(options)} after its write"
                )
            return found
        return text

    def _marker(self, entry: dict[str, Any]) -> dict[str, Any]:
        if (entry.get("namespace"), entry.get("key")) != (MARKER_NAMESPACE, MARKER_KEY):
            return entry
        marker, problem = Marker.from_json(entry["value"])
        if marker is None:
            raise ReconcilerError(f"the plan's marker cannot be read: {problem}")
        ids = {**marker.media_id_map, **self.created_media}
        kept = {src: i for src, i in ids.items() if src in marker.media}
        data = json.loads(entry["value"])
        data["media_ids"] = dict(sorted(kept.items()))
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return {**entry, "value": text}


def _replace(value: Any, fill: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fill(value) if value.startswith("{{") else value
    if isinstance(value, list):
        return [_replace(v, fill) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, fill) for k, v in value.items()}
    return value


def _skipped(change: Change, why: str) -> Outcome:
    return Outcome(change.handle, change.action, error=why, skipped=True)


async def _publication_ids(client: Client, changes: list[Change]) -> dict[str, str]:
    """Publication name -> id, read once, only when some call names a publication."""
    if not any(PUBLICATION_PREFIX in json.dumps(c.mutation or {}) for c in changes):
        return {}
    names: dict[str, str] = {}
    after = None
    while True:
        data = await client.execute("Publications", {"first": 50, "after": after})
        page = data["publications"]
        for node in page["nodes"]:
            title = (node.get("catalog") or {}).get("title")
            if title:
                names.setdefault(title, node["id"])
        if not page["pageInfo"]["hasNextPage"]:
            return names
        after = page["pageInfo"]["endCursor"]
