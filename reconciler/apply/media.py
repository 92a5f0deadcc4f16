"""Media during apply: a catalog's local files uploaded first, and the wait for READY.

A media `src` that is a path inside the catalog directory is in the plan as that path (what was
reviewed is what is sent): before the call that creates the media, the file is uploaded through
`stagedUploadsCreate` (facts §7: resource by file type, POST form, the file last) and the path in
`originalSource` becomes the target's `resourceUrl`. That is the only substitution. Shopify names
the media after the uploaded file's name, which is the catalog file's name, so a product never
marked is still matched by name (plan/media_names.py).

The bytes sent are read at upload time, once per product, only from inside the catalog
directory with every check made again (catalog/media_files.py: validation checked the path when
planning, but the file may have been swapped since); what was checked is what is sent.

Media are processed asynchronously (UPLOADED -> PROCESSING -> READY | FAILED). Apply polls the
media this run created (only those, by id, one cheap `nodes` request per product at a modest
pace, through the client's cost model) until each is READY, at most `wait` seconds. A FAILED
media, or one still not READY at the bound, fails that product: the media the run created for it
are deleted (fileDelete), so the next apply adds them again instead of piling up copies, and the
error names the file and Shopify's `mediaErrors`.
"""

from __future__ import annotations

import asyncio
import mimetypes
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from reconciler.catalog.media_files import is_local, read_media
from reconciler.errors import ReconcilerError, UserErrorsError

DEFAULT_WAIT = 120.0  # seconds a product waits for its new media to be READY
POLL_FIRST, POLL_MAX = 0.25, 2.0  # the first poll's delay, doubling up to this
_RESOURCES = {"image": "IMAGE", "video": "VIDEO", "model": "MODEL_3D"}


class Client(Protocol):
    async def execute(self, name: str, variables: dict | None = ..., **kw: Any) -> dict: ...

    async def upload_staged(self, url: str, parameters: list, source: Any, **kw: Any) -> None: ...


@dataclass(frozen=True)
class LocalMedia:
    """Where local media files are read from, and how long apply waits for processing."""

    root: Path | None = None  # the catalog directory; None: local paths are refused
    wait: float = DEFAULT_WAIT


def local_sources(value: Any) -> list[str]:
    """The local paths among the `originalSource` values of a call's variables, in order."""
    found: list[str] = []
    _walk(value, lambda src: found.append(src) if src not in found else None)
    return found


def _walk(value: Any, see: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "originalSource" and isinstance(item, str) and is_local(item):
                see(item)
            else:
                _walk(item, see)
    elif isinstance(value, list):
        for item in value:
            _walk(item, see)


def with_urls(value: Any, urls: Mapping[str, str]) -> Any:
    """`value` with each local `originalSource` replaced by its uploaded resourceUrl."""
    if isinstance(value, dict):
        return {
            k: _url(urls, v) if k == "originalSource" else with_urls(v, urls)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [with_urls(v, urls) for v in value]
    return value


def _url(urls: Mapping[str, str], value: Any) -> Any:
    return urls.get(value, value) if isinstance(value, str) else value


def staged_input(src: str, size: int) -> dict[str, str]:
    """The StagedUploadInput of a catalog file: resource by its type (facts §7), POST form."""
    name = Path(src).name
    mime = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
    resource = _RESOURCES.get(mime.partition("/")[0], "FILE")
    return {
        "resource": resource,
        "filename": name,
        "mimeType": mime,
        "fileSize": str(size),
        "httpMethod": "POST",
    }


async def upload(client: Client, local: LocalMedia, src: str) -> str:
    """Upload catalog file `src` to a staged target; its resourceUrl (the media's source)."""
    if local.root is None:
        raise ReconcilerError(f"media file {src!r}: no catalog directory to read it from")
    data = await asyncio.to_thread(read_media, local.root, src)
    item = staged_input(src, len(data))
    answer = await client.execute("StagedUploadsCreate", {"input": [item]}, idempotent=True)
    targets = (answer.get("stagedUploadsCreate") or {}).get("stagedTargets") or []
    if not targets or not targets[0].get("resourceUrl"):
        raise ReconcilerError(f"media file {src!r}: stagedUploadsCreate returned no target")
    target = targets[0]
    await client.upload_staged(
        target["url"],
        target["parameters"],
        data,
        content_type=item["mimeType"],
        filename=item["filename"],
    )
    return target["resourceUrl"]


async def settle(client: Client, created: Mapping[str, str], wait: float) -> None:
    """Wait until every media in `created` (src -> id, made by this run) is READY. A FAILED one,
    or one not READY after `wait` seconds: all of `created` are deleted, then ReconcilerError."""
    if not created:
        return
    status = await _poll(client, list(created.values()), wait)
    bad = {src: status.get(i) for src, i in created.items() if status.get(i, ("?",))[0] != "READY"}
    if not bad:
        return
    await _delete(client, list(created.values()))
    raise ReconcilerError("; ".join(_why(src, got, wait) for src, got in bad.items()))


async def _poll(client: Client, ids: list[str], wait: float) -> dict[str, tuple[str, list]]:
    """id -> (status, mediaErrors), polled until none is processing or `wait` has passed."""
    deadline = time.monotonic() + max(0.0, wait)
    delay, status = POLL_FIRST, {}
    while True:
        pending = [i for i in ids if status.get(i, ("",))[0] not in ("READY", "FAILED")]
        answer = await client.execute("MediaStatus", {"ids": pending})
        for node in answer.get("nodes") or ():
            if node and node.get("id"):
                status[node["id"]] = (node.get("status") or "", node.get("mediaErrors") or [])
        if all(status.get(i, ("",))[0] in ("READY", "FAILED") for i in ids):
            return status
        left = deadline - time.monotonic()
        if left <= 0:
            return status
        await asyncio.sleep(min(delay, left))
        delay = min(delay * 2, POLL_MAX)


async def _delete(client: Client, ids: list[str]) -> None:
    try:
        await client.execute("FileDelete", {"fileIds": ids}, idempotent=True)
    except UserErrorsError as exc:
        codes = {str(e.get("code")) for e in exc.user_errors}
        if codes != {"FILE_DOES_NOT_EXIST"}:  # else: a resent delete after one that committed
            raise ReconcilerError(f"media could not be deleted after failing ({exc})") from None
    except ReconcilerError as exc:
        raise ReconcilerError(f"media could not be deleted after failing ({exc})") from None


def _why(src: str, got: tuple[str, list] | None, wait: float) -> str:
    if got is None:
        return f"media {src!r} was not found in the store after it was added"
    state, errors = got
    if state == "FAILED":
        said = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors) or "no reason"
        return f"media {src!r} FAILED processing in the store ({said}); {_DELETED}"
    return f"media {src!r} was still {state or 'processing'} after {wait:g} s; {_DELETED}"


_DELETED = "the media this apply added to the product were deleted"
