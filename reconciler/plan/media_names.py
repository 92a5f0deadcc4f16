"""Which live media is a catalog media, on a product we have never written (no marker).

Shopify keeps no source URL (the image moves to its CDN), but it keeps the source's file name:
a media created from `originalSource` is named after the last segment of the source's path
(FileSetInput.filename: "If not provided, then the filename from the originalSource is used")
and served at `https://cdn.shopify.com/s/files/.../NAME.EXT?v=...`. The packt CSV pair shows it:
`https://images.unsplash.com/photo-1494438639946-1ebd1d20bf85?w=750` came back as
`.../products/photo-1494438639946-1ebd1d20bf85.jpg?v=1623104890` (query dropped, an extension
added to a name that had none). When the name is already in use, Shopify appends a UUID
(duplicateResolutionMode APPEND_UUID, the default); no other suffix is documented, so no other
is stripped (`front_1.jpg` is another file than `front.jpg`).

So two media are the same file when their names match after: percent-decoding, case folding, the
extension dropped when the source has none, and a trailing `_UUID` dropped from the live name.
Nothing else is folded: an image with another file name is another image (docs/plan.md).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_UUID = re.compile(
    r"[_-][0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE
)


def file_name(src: str) -> tuple[str, str]:
    """(stem, extension) of the file a URL or catalog path names, both case-folded."""
    path = urlsplit(src).path if "://" in src else src
    name = unquote(path.rstrip("/").rsplit("/", 1)[-1]).casefold()
    stem, dot, ext = name.rpartition(".")
    return (stem, ext) if dot and stem else (name, "")


def same_file(src: str, live_url: str | None) -> bool:
    """Whether the live media served at `live_url` was made from the catalog's `src`."""
    if not live_url:
        return False  # not processed yet (Shopify gives no image URL before READY)
    want, want_ext = file_name(src)
    stem, ext = file_name(live_url)
    if want_ext and ext != want_ext:
        return False
    return bool(want) and (stem == want or _UUID.sub("", stem) == want)
