"""The cells of a Shopify product CSV: which column is which field, in every era of the export's
headers, and each cell read as text, flag or money with its spreadsheet artifacts noted (csv_read
turns the rows into products; docs/csv.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reconciler.model import money

# Our field -> the header names (lower case) it has had across Shopify's export eras.
COLUMNS: dict[str, tuple[str, ...]] = {
    "handle": ("handle", "url handle"),
    "title": ("title",),
    "body": ("body (html)", "body html", "description"),
    "vendor": ("vendor",),
    "type": ("type", "custom product type"),
    "tags": ("tags",),
    "published": ("published", "published on online store"),
    "status": ("status",),
    **{
        f"option{n}_{part}": (f"option{n} {part}",) for n in (1, 2, 3) for part in ("name", "value")
    },
    "sku": ("variant sku", "sku"),
    "grams": ("variant grams", "weight value (grams)"),
    "tracker": ("variant inventory tracker", "inventory tracker"),
    "policy": ("variant inventory policy", "continue selling when out of stock"),
    "price": ("variant price", "price"),
    "compare_at_price": ("variant compare at price", "compare-at price", "compare at price"),
    "requires_shipping": ("variant requires shipping", "requires shipping"),
    "taxable": ("variant taxable", "charge tax"),
    "barcode": ("variant barcode", "barcode"),
    "image_src": ("image src", "product image url"),
    "image_position": ("image position",),
    "image_alt": ("image alt text",),
    "gift_card": ("gift card",),
    "seo_title": ("seo title",),
    "seo_description": ("seo description",),
    "variant_image": ("variant image", "variant image url"),
    "weight_unit": ("variant weight unit", "weight unit for display"),
    "cost": ("cost per item",),
}
_FIELD_OF = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
_METAFIELD_COLUMN = re.compile(r"\((product|variant)\.metafields\.([^.()\s]+)\.([^()\s]+)\)\s*$")
# Namespaces whose values are not text we can type: Shopify's taxonomy metafields hold metaobject
# names, Google Shopping's app metafields have non-text types.
_UNTYPED_NAMESPACES = ("shopify", "mm-google-shopping")
# A leading apostrophe is Excel's mark for "keep this as text" before what it would read as a
# number, a formula or a boolean; a title such as "'Til Dawn" keeps its apostrophe.
_EXCEL_TEXT = re.compile(r"'(?=[0-9+\-=@.]|true$|false$)", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class CsvProblem:
    file: str
    line: int
    column: str
    message: str
    severity: str = field(default="error", compare=False)  # "error" | "warning"

    def __str__(self) -> str:
        where = f" {self.column}:" if self.column else ""
        return f"{self.file}:{self.line}:{where} {self.message}"


class RowError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


@dataclass
class Row:
    line: int
    cells: list[str]


class Reader:
    """One file's header map, its artifact warnings (one per kind and column) and its problems."""

    def __init__(self, shown: str, header: list[str]):
        self.shown = shown
        self.problems: list[CsvProblem] = []
        self.artifacts: dict[tuple[str, str], list[int]] = {}  # (column, message) -> lines
        self.index: dict[str, int] = {}  # our field -> column index
        self.names: dict[str, str] = {}  # our field -> the header as written (trimmed)
        self.metafields: list[tuple[int, str, str, str, str]] = []  # (index, owner, ns, key, name)
        self.ignored: list[tuple[int, str]] = []
        for i, raw in enumerate(header):
            self._header(i, raw)

    def _header(self, i: int, raw: str) -> None:
        name = raw.strip()
        if name != raw:
            self.artifact(1, name, "header padded with spaces: trimmed")
        found = _FIELD_OF.get(name.lower())
        meta = _METAFIELD_COLUMN.search(name)
        if found is not None and found not in self.index:
            self.index[found], self.names[found] = i, name
        elif found is not None:
            self.warn(1, name, "the same column twice: the first one is read")
        elif meta is not None and meta.group(2) not in _UNTYPED_NAMESPACES:
            self.metafields.append((i, meta.group(1), meta.group(2), meta.group(3), name))
        elif name:
            self.ignored.append((i, name))

    def warn(self, line: int, column: str, message: str) -> None:
        self.problems.append(CsvProblem(self.shown, line, column, message, "warning"))

    def artifact(self, line: int, column: str, message: str) -> None:
        lines = self.artifacts.setdefault((column, message), [])
        if not lines or lines[-1] != line:  # a cell read twice is one cell
            lines.append(line)

    def raw(self, row: Row, name: str) -> str:
        i = self.index.get(name)
        return row.cells[i] if i is not None and i < len(row.cells) else ""

    def cell(self, row: Row, name: str) -> str:
        """The cell as text, trimmed and without Excel's text apostrophe (each noted once)."""
        return self.clean(row, self.raw(row, name), self.names.get(name, name))

    def clean(self, row: Row, value: str, column: str) -> str:
        text = value.strip()
        if text != value and text:
            self.artifact(row.line, column, "cells padded with spaces: trimmed")
        if _EXCEL_TEXT.match(text):
            self.artifact(row.line, column, "leading apostrophe (Excel's text mark): removed")
            text = text[1:]
        return text

    def flag(self, row: Row, name: str) -> bool | None:
        """A TRUE/FALSE cell (any case); None when empty."""
        text = self.cell(row, name)
        if not text:
            return None
        if text.lower() not in ("true", "false"):
            raise RowError(self.names[name], f"expected true or false, not {text!r}")
        if text not in ("true", "false"):
            self.artifact(row.line, self.names[name], f"{text} read as {text.lower()}")
        return text.lower() == "true"

    def amount(self, row: Row, name: str) -> str | None:
        text = self.cell(row, name)
        if not text:
            return None
        try:
            value = money(text)
        except ValueError:
            raise RowError(self.names[name], f"not a decimal amount: {text!r}") from None
        if value < 0:
            raise RowError(self.names[name], f"a negative amount: {text!r}")
        if "." not in text:
            self.artifact(row.line, self.names[name], "amounts without decimals: read as money")
        return str(value)

    def finish(self, rows: list[Row]) -> None:
        for (column, message), lines in self.artifacts.items():
            more = f" ({len(lines)} cells)" if len(lines) > 1 else ""
            self.warn(lines[0], column, message + more)
        used = [name for i, name in self.ignored if any(at(r, i) for r in rows)]
        gift = self.index.get("gift_card")
        if gift is not None and any(at(r, gift).lower() == "false" for r in rows):
            used.append(self.names["gift_card"] + " (false)")
        if used:
            self.warn(1, "", "columns the catalog does not carry, ignored: " + ", ".join(used))


def at(row: Row, i: int) -> str:
    return row.cells[i].strip() if i < len(row.cells) else ""
