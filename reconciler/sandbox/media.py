"""Media and files: creation, processing (UPLOADED -> PROCESSING -> READY | FAILED), fileUpdate
references, and productCreateMedia (facts §7, pitfall 13).

Nothing is fetched (the sandbox has no network): processing is a timeline of status changes. A
source fails, with a MediaErrorCode, when
- its URL's path contains `fail-` or its host ends with `.invalid` (the documented way for tests to
  see FAILED): IMAGE_DOWNLOAD_FAILURE (GENERIC_FILE_DOWNLOAD_FAILURE for FILE content);
- it is a resourceUrl of this sandbox's staged uploads that was never uploaded: same codes;
- it is an IMAGE whose uploaded bytes start with no image format's signature (a text file named
  `.jpg`): UNSUPPORTED_IMAGE_FILE_TYPE. Only uploaded files are read: a URL is never fetched.
READY images are served from cdn.shopify.com-shaped URLs; `originalSource.url` is a signed URL
valid for five minutes (facts §10: media keeps no stable source URL).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .gids import UserError, UserErrors, gid, gid_number, refuse
from .state import Media, Product, Store

ORIGINAL_TTL = 300
FAIL_MARK = "fail-"
MESSAGES = {
    "IMAGE_DOWNLOAD_FAILURE": "Media could not be processed because the image could not be "
    "downloaded.",
    "GENERIC_FILE_DOWNLOAD_FAILURE": "File could not be processed because the source could not be "
    "downloaded.",
    "UNSUPPORTED_IMAGE_FILE_TYPE": "Media could not be created because the image is an unsupported "
    "file type.",
}
# The first bytes of the image formats Shopify accepts (JPEG, PNG, GIF, WebP, HEIC/AVIF, SVG).
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def create(
    store: Store,
    source: str,
    alt: str | None = None,
    content_type: str | None = None,
    filename: str | None = None,
) -> Media:
    """A new file, UPLOADED now; processing moves it on the store's timeline."""
    now = store.clock.last
    number = store.new_id("MediaImage")
    kind = content_type or "IMAGE"
    media = Media(
        number,
        alt,
        source,
        kind,
        _unique(store, filename or _basename(source, kind), number),
        now,
        status="UPLOADED",
        updated_at=now,
    )
    # registered in store.files by the caller once its write commits (productSet is atomic)
    step = store.step_seconds
    store.timeline.at(step, lambda: _set(store, media, "PROCESSING"))
    store.timeline.at(3 * step, lambda: finish(store, media))
    return media


def _set(store: Store, media: Media, status: str) -> None:
    if media.status in ("UPLOADED", "PROCESSING"):
        media.status = status
        media.updated_at = store.clock.now()


def finish(store: Store, media: Media) -> None:
    if media.status not in ("UPLOADED", "PROCESSING"):
        return
    code = failure(store, media)
    media.error_code = code
    _set(store, media, "FAILED" if code else "READY")


def settle(store: Store) -> None:
    """Finish every file still processing (a store loaded from a file has no timeline)."""
    for media in store.files.values():
        finish(store, media)


def failure(store: Store, media: Media) -> str | None:
    source = media.original_source or ""
    parts = urlsplit(source)
    missing = False
    if store.uploads is not None:
        key = store.uploads.key_of_url(source)
        target = store.uploads.uploaded(key) if key is not None else None
        missing = key is not None and target is None
        if target is not None and media.content_type == "IMAGE" and not _is_image(target.path):
            return "UNSUPPORTED_IMAGE_FILE_TYPE"
    if missing or FAIL_MARK in parts.path or (parts.hostname or "").endswith(".invalid"):
        return (
            "GENERIC_FILE_DOWNLOAD_FAILURE"
            if media.content_type == "FILE"
            else ("IMAGE_DOWNLOAD_FAILURE")
        )
    return None


def _is_image(path: Any) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    if head.startswith(IMAGE_SIGNATURES):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"avif", b"mif1"):
        return True
    text = head.lstrip().lower()
    return text.startswith((b"<svg", b"<?xml")) and b"<svg" in text


def _basename(source: str, content_type: str = "IMAGE") -> str:
    """The file name Shopify gives a file made from `source` (docs/sandbox.md, "Media URLs"):
    the last segment of the URL's path, percent-decoded, the query dropped; an image whose name
    has no extension gets `.jpg` (the packt CSV pair: `.../photo-1494438639946-1ebd1d20bf85?w=750`
    became `.../photo-1494438639946-1ebd1d20bf85.jpg?v=...`; the sandbox reads no bytes, so it
    takes every such image for a JPEG)."""
    name = unquote(urlsplit(source).path.rsplit("/", 1)[-1]) or "file"
    if content_type == "IMAGE" and "." not in name.strip("."):
        name += ".jpg"
    return name


def _unique(store: Store, name: str, number: int) -> str:
    """duplicateResolutionMode APPEND_UUID (the default): "Append a UUID if filename is already
    in use". Where the UUID goes is not documented: the sandbox puts `_UUID` before the
    extension, a UUID derived from the file's id so that runs are repeatable."""
    if all(m.filename != name for m in store.files.values()):
        return name
    stem, dot, ext = name.rpartition(".")
    stem, ext = (stem, dot + ext) if dot and stem else (name, "")
    return f"{stem}_{uuid.uuid5(uuid.NAMESPACE_URL, f'sandbox-file:{number}')}{ext}"


# -- read-back ------------------------------------------------------------------------------


def cdn_url(store: Store, media: Media) -> str:
    return (
        f"https://cdn.shopify.com/s/files/1/0000/{store.shop.id:04d}/files/"
        f"{quote(media.filename or 'file')}"
        f"?v={media.updated_at}"
    )


def original_url(store: Store, media: Media, now: int) -> str | None:
    if media.original_source is None:
        return None
    base = store.uploads.base_url if store.uploads is not None else "http://127.0.0.1"
    expires = now + ORIGINAL_TTL
    sig = hashlib.sha256(f"{media.id}:{expires}:{media.original_source}".encode()).hexdigest()
    return f"{base}/_sandbox/originals/{media.id}?Expires={expires}&Signature={sig[:32]}"


def errors(media: Media) -> list[dict[str, Any]]:
    if media.error_code is None:
        return []
    return [{"code": media.error_code, "details": None, "message": MESSAGES[media.error_code]}]


# -- mutations ------------------------------------------------------------------------------


def create_media(
    store: Store, product_id: Any, inputs: list[dict[str, Any]], path: str = "media"
) -> tuple[Product | None, list[Media], list[UserError]]:
    """productCreateMedia / productUpdate(media:): add every valid input, report the others."""
    product = store.products.get(gid_number(product_id, "Product") or -1)
    if product is None:
        return (
            None,
            [],
            [UserError("Product does not exist", ["productId"], "PRODUCT_DOES_NOT_EXIST")],
        )
    added, problems = [], []
    for i, item in enumerate(inputs):
        source = item.get("originalSource") or ""
        if urlsplit(source).scheme not in ("http", "https"):
            problems.append(
                UserError("Image URL is invalid", [path, str(i), "originalSource"], "INVALID")
            )
            continue
        media = create(store, source, item.get("alt"), item.get("mediaContentType"))
        store.files[media.id] = media
        added.append(media)
    if added:
        product.media = [*(product.media or ()), *added]
        product.updated_at = store.clock.now()
    return product, added, problems


def file_update(store: Store, inputs: list[dict[str, Any]]) -> list[Media]:
    """fileUpdate: alt, filename and product references; the file must be READY."""
    found, problems = [], []
    for i, item in enumerate(inputs):
        media = store.files.get(gid_number(item["id"], "MediaImage") or -1)
        if media is None:
            problems.append(
                UserError("File does not exist", ["files", str(i), "id"], "FILE_DOES_NOT_EXIST")
            )
        elif media.status != "READY":
            problems.append(
                UserError(
                    "The file is not in the READY state.",
                    ["files", str(i), "id"],
                    "NON_READY_STATE",
                )
            )
        else:
            for key in ("referencesToAdd", "referencesToRemove"):
                for ref in item.get(key) or ():
                    if gid_number(ref, "Product") not in store.products:
                        problems.append(
                            UserError(
                                "The target resource does not exist.",
                                ["files", str(i), key],
                                "REFERENCE_TARGET_DOES_NOT_EXIST",
                            )
                        )
            found.append((media, item))
    if problems:
        raise UserErrors(problems)
    for media, item in found:
        _apply(store, media, item)
    return [m for m, _ in found]


def _apply(store: Store, media: Media, item: dict[str, Any]) -> None:
    now = store.clock.now()
    if "alt" in item and item["alt"] is not None:
        media.alt = item["alt"]
    if item.get("filename"):
        media.filename = item["filename"]
    media.updated_at = now
    for ref in item.get("referencesToAdd") or ():
        product = store.products[gid_number(ref, "Product")]
        if all(m.id != media.id for m in product.media or ()):
            product.media = [*(product.media or ()), media]
            product.updated_at = now
    for ref in item.get("referencesToRemove") or ():
        product = store.products[gid_number(ref, "Product")]
        if any(m.id == media.id for m in product.media or ()):
            product.media = [m for m in product.media or () if m.id != media.id]
            for v in product.variants:  # "clears the image from any product variants"
                if v.media_id == media.id:
                    v.media_id = None
            product.updated_at = now


def delete_files(store: Store, ids: list[Any]) -> list[str]:
    """fileDelete: every id must name a file (else nothing is deleted, FILE_DOES_NOT_EXIST);
    each file is removed from the store's Files and from every product and variant using it.
    Any status may be deleted (a FAILED file is how one gets rid of it)."""
    found, problems = [], []
    for i, file_id in enumerate(ids):
        media = store.files.get(gid_number(file_id, "MediaImage") or -1)
        if media is None:
            message = f"File id {file_id} does not exist."
            problems.append(UserError(message, ["fileIds", str(i)], "FILE_DOES_NOT_EXIST"))
        else:
            found.append(media)
    if problems:
        raise UserErrors(problems)
    now = store.clock.now()
    gone = {m.id for m in found}
    for product in store.products.values():
        if any(m.id in gone for m in product.media or ()):
            product.media = [m for m in product.media or () if m.id not in gone]
            for v in product.variants:
                if v.media_id in gone:
                    v.media_id = None
            product.updated_at = now
    for media in found:
        store.files.pop(media.id, None)
    return [media_gid(m) for m in found]


def find(store: Store, media_gid: Any) -> Media | None:
    return store.files.get(gid_number(media_gid, "MediaImage") or -1)


def media_gid(media: Media) -> str:
    return gid("MediaImage", media.id)


__all__ = ["create", "create_media", "delete_files", "file_update", "find", "refuse", "settle"]
