"""A catalog's local media files: read only from inside the catalog directory, and their digest.

A media `src` may be a path inside the catalog directory (docs/catalog.md). Its bytes are read
twice: when the catalog is loaded, for a short SHA-256 that goes in the product (so a file
replaced under the same name changes the product and shows in the plan as
`media[PATH].sha256`), and when apply uploads it. Both read through `read_media`, which trusts
nothing validation saw earlier (the file may have been swapped since): the resolved path must
stay under the resolved catalog root, the last component is opened without following a link, it
must be a regular file of at most MEDIA_LIMIT bytes.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import stat
from pathlib import Path

from reconciler.errors import ReconcilerError
from reconciler.model import Product

MEDIA_LIMIT = 20 * 1024 * 1024  # Shopify's limit for an image (facts §7); other files alike
DIGEST_CHARS = 16  # 64 bits of SHA-256: enough to tell a replaced file, short in a plan


def is_local(src: str) -> bool:
    return not src.startswith(("https://", "http://"))


def read_media(root: Path, src: str, limit: int = MEDIA_LIMIT) -> bytes:
    """The bytes of catalog file `src`, or ReconcilerError: never anything outside `root`."""
    base = root.resolve()
    try:
        target = (base / src).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise ReconcilerError(f"media file {src!r} cannot be looked up: {exc}") from None
    if Path(src).is_absolute() or not target.is_relative_to(base):
        raise ReconcilerError(f"media file {src!r} is outside the catalog directory: not read")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        why = "it became a link" if exc.errno == errno.ELOOP else (exc.strerror or "unreadable")
        raise ReconcilerError(f"media file {src!r} cannot be read: {why}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ReconcilerError(f"media file {src!r} is not a regular file: not read")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ReconcilerError(f"media file {src!r} is larger than {limit // (1024 * 1024)} MB")
    if not data:
        raise ReconcilerError(f"media file {src!r} is empty")
    return data


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:DIGEST_CHARS]


def with_digests(product: Product, root: Path) -> Product:
    """`product` with each local media's `sha256` set. A file that cannot be read keeps none:
    validation reported why, and apply's upload refuses it again."""
    media = product.media or ()
    if not any(is_local(m.src) for m in media):
        return product
    done = tuple(
        dataclasses.replace(m, sha256=_digest_of(root, m.src)) if is_local(m.src) else m
        for m in media
    )
    return dataclasses.replace(product, media=done)


def _digest_of(root: Path, src: str) -> str | None:
    try:
        return digest(read_media(root, src))
    except ReconcilerError:
        return None
