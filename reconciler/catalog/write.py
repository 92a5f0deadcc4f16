"""Product dicts -> YAML files under `DIR/products/`, one file per product (convert-csv and
import: docs/csv.md, docs/getting-started.md).

The YAML is emitted here, not by a YAML library: every string is a JSON-style double-quoted
scalar, which YAML reads back as exactly that text (no YAML 1.1 reading of `NO`, `00123` or
`1.10`), so the file means what the CSV cell or the store said. Numbers are written plainly (the
loader reads them with YAML 1.2's core rules, as Decimal). A metafield's structured value (json,
list.*, money ...) is written as a YAML flow value. Keys come in one stable order, so writing
the same products twice gives the same bytes.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

PRODUCT_KEYS = (
    "handle", "previous_handles", "title", "status", "vendor", "product_type", "tags",
    "description_html", "seo", "publications",
    "options", "variants", "metafields", "media",
)  # fmt: skip
VARIANT_KEYS = (
    "options", "price", "compare_at_price", "cost", "sku", "barcode", "taxable",
    "requires_shipping", "tracked", "inventory_policy", "weight", "image", "metafields",
)  # fmt: skip
_ORDER = {
    "product": PRODUCT_KEYS,
    "variant": VARIANT_KEYS,
    "seo": ("title", "description"),
    "option": ("name", "values"),
    "weight": ("value", "unit"),
    "metafield": ("namespace", "key", "type", "value"),
    "media": ("src", "alt"),
}
_CHILD = {"variants": "variant", "options": "option", "metafields": "metafield", "media": "media"}
# Characters YAML does not allow unescaped in a double-quoted scalar (or reads as line breaks).
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_FILE_NAME = re.compile(r"[\w-]+")


@dataclass
class Written:
    files: list[Path] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)  # (file, why)


def quoted(text: str) -> str:
    """A double-quoted YAML scalar holding exactly `text`."""
    body = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", body)


def product_yaml(product: dict[str, Any]) -> str:
    """One product document, keys in PRODUCT_KEYS order."""
    return "\n".join(_mapping(product, "product", 0)) + "\n"


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal) and value.is_finite():
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as a catalog value")


def _flow(value: Any) -> str:
    """A YAML flow value (JSON-like: every string quoted) holding exactly `value`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{quoted(str(k))}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _ordered(data: dict[str, Any], kind: str) -> list[tuple[str, Any]]:
    order = _ORDER.get(kind)
    if order is None:  # a variant's option values: in the product's option order
        return list(data.items())
    known = [(k, data[k]) for k in order if k in data]
    return known + sorted((k, v) for k, v in data.items() if k not in order)


def _mapping(data: dict[str, Any], kind: str, indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for key, value in _ordered(data, kind):
        name = key if re.fullmatch(r"[a-z_]+", key) else quoted(key)
        if kind == "metafield" and key == "value" and isinstance(value, dict | list):
            lines.append(f"{pad}{name}: {_flow(value)}")
        elif isinstance(value, dict):
            lines.append(f"{pad}{name}:")
            lines += _mapping(value, key if key in _ORDER else "", indent + 2)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{pad}{name}:")
            for item in value:
                inner = _mapping(item, _CHILD.get(key, ""), indent + 4)
                lines.append(f"{pad}  - {inner[0].lstrip()}")
                lines += inner[1:]
        elif isinstance(value, list):
            lines.append(f"{pad}{name}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            lines.append(f"{pad}{name}: {_scalar(value)}")
    return lines


def write_products(
    catalog_dir: Path, products: list[dict[str, Any]], *, force: bool = False
) -> Written:
    """Write each product to `catalog_dir/products/<handle>.yaml`; an existing file is refused
    (kept as it is) unless `force`. Files are created exclusively, so a file that appears meanwhile
    is never overwritten either."""
    folder = catalog_dir / "products"
    folder.mkdir(parents=True, exist_ok=True)
    out = Written()
    for product in products:
        handle = product["handle"]
        if not _FILE_NAME.fullmatch(handle):
            out.refused.append((folder / "?.yaml", f"handle {handle!r} cannot be a file name"))
            continue
        path = folder / f"{handle}.yaml"
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
        try:
            fd = os.open(path, flags, 0o644)
        except FileExistsError:
            out.refused.append((path, "exists: not overwritten (--force replaces it)"))
            continue
        except OSError as exc:
            out.refused.append((path, f"cannot write: {exc.strerror or exc}"))
            continue
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle_file:
            handle_file.write(product_yaml(product))
        out.files.append(path)
    return out


def product_path(catalog_dir: Path, handle: str) -> Path | None:
    """Where a product of `handle` is written: `DIR/products/<handle>.yaml`; None when the handle
    cannot be a file name (only word characters and "-": never a path outside DIR)."""
    if not _FILE_NAME.fullmatch(handle):
        return None
    return catalog_dir / "products" / f"{handle}.yaml"


def write_files(files: Mapping[Path, str], *, force: bool = False) -> list[Path]:
    """Write every file or none: existing ones refused unless `force` (returns them, writes
    nothing). Each file is written to a temporary file beside it and then moved into place, so
    a reader never sees half a file; without `force` the move is a link, which fails rather than
    replace a file that appeared meanwhile."""
    if not force:
        existing = sorted(path for path in files if os.path.lexists(path))
        if existing:
            return existing
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.chmod(temp, 0o644)
            if force:
                os.replace(temp, path)
            else:
                os.link(temp, path)
        finally:
            if os.path.lexists(temp):
                os.unlink(temp)
    return []
