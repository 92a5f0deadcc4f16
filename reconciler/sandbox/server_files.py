"""HTTP routes for files: the staged-upload endpoint (Google Cloud Storage's role) and bulk result
downloads. Both draw from the fault sequence like GraphQL requests (`--faults`).

  POST /_sandbox/uploads/          multipart form: every target parameter, then `file` (last)
  PUT  /_sandbox/uploads/{key}     signed URL (the default httpMethod), raw body
  GET  /_sandbox/bulk/{n}.jsonl    a bulk operation's result file (signed, expiring URL)

Fault kinds other than the transport ones (throttled, internal_error) answer 503 here, GCS's
"backend error"; commit_then_504 stores the upload, then answers 504.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from .faults import TRANSPORT_KINDS, gateway_body
from .staged_uploads import UploadError

CHUNK = 256 * 1024
Transport = Callable[[web.Request, str], Awaitable[web.StreamResponse]]


def _xml(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="application/xml")


async def _fault(request: web.Request, sandbox: Any, transport: Transport):
    """(response to send instead, or None; whether to answer 504 after committing)."""
    kind = sandbox.faults.pick()
    if kind is None:
        return None, False
    if kind in TRANSPORT_KINDS:
        return await transport(request, kind), False
    if kind == "commit_then_504":
        return None, True
    return web.Response(status=503, text=gateway_body(503), content_type="text/html"), False


def add_routes(app: web.Application, sandbox: Any, transport: Transport) -> None:
    uploads = sandbox.uploads

    async def post_upload(request: web.Request) -> web.StreamResponse:
        early, late_504 = await _fault(request, sandbox, transport)
        if early is not None:
            return early
        try:
            target, spooled, size = await _read_form(request, uploads)
        except UploadError as exc:
            return _xml(exc.status, exc.xml())
        uploads.commit(target, spooled, size)
        if late_504:
            return web.Response(status=504, text=gateway_body(504), content_type="text/html")
        return _xml(201, uploads.success_xml(target))

    async def put_upload(request: web.Request) -> web.StreamResponse:
        early, late_504 = await _fault(request, sandbox, transport)
        if early is not None:
            return early
        try:
            target = uploads.check_put(request.match_info["key"], dict(request.query))
            spooled, size = await _spool(request.content, uploads, target)
        except UploadError as exc:
            return _xml(exc.status, exc.xml())
        uploads.commit(target, spooled, size)
        if late_504:
            return web.Response(status=504, text=gateway_body(504), content_type="text/html")
        return web.Response(status=200)

    async def download(request: web.Request) -> web.StreamResponse:
        early, late_504 = await _fault(request, sandbox, transport)
        if early is not None:
            return early
        if late_504:
            return web.Response(status=504, text=gateway_body(504), content_type="text/html")
        status, code, path = sandbox.bulk.download(request.match_info["name"], dict(request.query))
        if path is None:
            return _xml(status, UploadError(status, code, _MESSAGES[code]).xml())
        return web.FileResponse(path, headers={"Content-Type": "application/jsonl"})

    app.router.add_post("/_sandbox/uploads/", post_upload)
    app.router.add_put("/_sandbox/uploads/{key:.+}", put_upload)
    app.router.add_get("/_sandbox/bulk/{name}", download)


_MESSAGES = {
    "NoSuchKey": "The specified key does not exist.",
    "SignatureDoesNotMatch": "The request signature we calculated does not match the signature "
    "you provided.",
    "ExpiredToken": "The provided token has expired.",
}


async def _read_form(request: web.Request, uploads: Any) -> tuple[Any, Path, int]:
    """Fields first, then `file`, which must be the last part (as GCS requires)."""
    try:
        reader = await request.multipart()
    except (AssertionError, ValueError, KeyError):
        raise UploadError(
            400, "InvalidArgument", "Invalid argument.", "Expected a multipart form."
        ) from None
    fields: dict[str, str] = {}
    target = spooled = None
    size = 0
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise UploadError(400, "InvalidArgument", "Invalid argument.", "Nested multipart.")
        if spooled is not None:
            spooled.unlink(missing_ok=True)
            raise UploadError(
                400,
                "InvalidArgument",
                "Invalid argument.",
                "POST object expects the file field to be the last field of the form.",
            )
        if part.name == "file":
            target = uploads.check_form(fields)
            spooled, size = await _spool(part, uploads, target)
        else:
            fields[part.name or ""] = (await part.read()).decode("utf-8", "replace")
    if target is None or spooled is None:
        raise UploadError(400, "InvalidArgument", "Invalid argument.", "Missing the file field.")
    return target, spooled, size


async def _spool(stream: Any, uploads: Any, target: Any) -> tuple[Path, int]:
    """Write the body to a temporary file, refusing it once it passes the target's limit."""
    path = uploads.spool_path()
    size = 0
    try:
        with open(path, "wb") as out:
            while True:
                chunk = await (
                    stream.read_chunk(CHUNK)
                    if hasattr(stream, "read_chunk")
                    else stream.read(CHUNK)
                )
                if not chunk:
                    break
                size += len(chunk)
                if size > target.limit:
                    raise uploads.too_large(target)
                out.write(chunk)
        if size < 1:  # the policy's content-length-range starts at 1
            raise UploadError(
                400,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum object size specified in your "
                "Policy Document.",
            )
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return path, size
