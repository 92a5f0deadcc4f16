"""Shopify's product CSV -> product dicts in the catalog format (pure; docs/csv.md).

    converted = convert(text, "products.csv")
    converted.products   # [{"handle": ..., "title": ..., "variants": [...]}, ...] in file order
    converted.problems   # CsvProblems located by CSV line: "products.csv:12: Variant Price: ..."

Columns are found by header name (trimmed, any case) in every era of Shopify's export: the
classic names (`Variant Price`) and the 2024 ones (`Price`), with or without the optional columns.
A row that cannot be converted is an error and is skipped (the whole product when it is the
product's first row); the rest converts. Spreadsheet artifacts are normalized, with one warning
per kind and column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from reconciler.catalog.characters import text_problem
from reconciler.catalog.csv_cells import CsvProblem, Reader, Row, RowError
from reconciler.model import STATUSES

# Cells that make a further row a variant (a weight of 0 grams on an image row says nothing).
_VARIANT_CELLS = ("sku", "price", "compare_at_price", "barcode", "cost")
# Grams per unit, exact (the international avoirdupois pound is 453.59237 g by definition).
_GRAMS_PER = {
    "GRAMS": Decimal(1),
    "KILOGRAMS": Decimal(1000),
    "POUNDS": Decimal("453.59237"),
    "OUNCES": Decimal("28.349523125"),
}
_UNITS = {
    "g": "GRAMS", "gram": "GRAMS", "grams": "GRAMS",
    "kg": "KILOGRAMS", "kilogram": "KILOGRAMS", "kilograms": "KILOGRAMS",
    "lb": "POUNDS", "lbs": "POUNDS", "pound": "POUNDS", "pounds": "POUNDS",
    "oz": "OUNCES", "ounce": "OUNCES", "ounces": "OUNCES",
}  # fmt: skip
_WEIGHT_PLACES = Decimal("0.001")  # 1/1000 lb is 0.45 g: the grams survive the round trip
_DEFAULT_OPTION = ("title", "default title")


@dataclass
class Converted:
    products: list[dict[str, Any]] = field(default_factory=list)
    problems: list[CsvProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[CsvProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[CsvProblem]:
        return [p for p in self.problems if p.severity == "warning"]


def read_file(path: Path, shown: str) -> Converted:
    """convert() of a file's text (UTF-8, with or without Excel's byte order mark)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
        return Converted(problems=[CsvProblem(shown, 1, "", message)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        return Converted(problems=[CsvProblem(shown, line, "", message)])
    return convert(text, shown)


def convert(text: str, shown: str) -> Converted:
    """The products of one CSV file's text; `shown` names the file in problems."""
    records = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(records, None)
        if header is None:
            return Converted(problems=[CsvProblem(shown, 1, "", "empty file: no header row")])
        reader = Reader(shown, header)
        rows, line = [], records.line_num + 1
        for cells in records:
            if any(c.strip() for c in cells):
                rows.append(Row(line, cells))
            line = records.line_num + 1
    except csv.Error as exc:
        return Converted(problems=[CsvProblem(shown, records.line_num, "", f"invalid CSV: {exc}")])
    if "handle" not in reader.index:
        return Converted(problems=[CsvProblem(shown, 1, "", "no Handle column: not a product CSV")])
    products = [p for g in _groups(reader, rows) if (p := _product(reader, g)) is not None]
    reader.finish(rows)
    return Converted(products, sorted(reader.problems))


def _groups(reader: Reader, rows: list[Row]) -> list[list[Row]]:
    """Rows by product handle, in file order; a handle seen again later is merged (warned)."""
    groups: dict[str, list[Row]] = {}
    last = None
    for row in rows:
        handle = reader.cell(row, "handle")
        if not handle:
            reader.problems.append(
                CsvProblem(reader.shown, row.line, "Handle", "empty: row skipped")
            )
            continue
        if handle != handle.lower():
            reader.artifact(row.line, reader.names["handle"], "handles in capitals: lower-cased")
            handle = handle.lower()
        if handle in groups and handle != last:
            first = groups[handle][0].line
            message = f"handle {handle!r} is also used from line {first}: rows merged into it"
            reader.warn(row.line, reader.names["handle"], message)
        groups.setdefault(handle, []).append(row)
        last = handle
    return list(groups.values())


def _product(reader: Reader, rows: list[Row]) -> dict[str, Any] | None:
    first = rows[0]
    handle = reader.cell(first, "handle").lower()
    try:
        _check_text(reader, first)
        product = _product_fields(reader, first, handle)
        names = _option_names(reader, first)
        variants = [_variant(reader, first, names)]
    except RowError as exc:
        message = f"{exc.message}: product {handle!r} skipped (lines {first.line}-{rows[-1].line})"
        reader.problems.append(CsvProblem(reader.shown, first.line, exc.column, message))
        return None
    images = [_image(reader, first)]
    for row in rows[1:]:
        if reader.cell(row, "title"):
            reader.warn(row.line, reader.names["title"], "product cells on a further row: ignored")
        try:
            _check_text(reader, row)
            image = _image(reader, row)
            if _is_variant_row(reader, row):
                variants.append(_variant(reader, row, names, seen=tuple(variants)))
            images.append(image)
        except RowError as exc:
            reader.problems.append(
                CsvProblem(reader.shown, row.line, exc.column, f"{exc.message}: row skipped")
            )
    return _assemble(reader, product, names, variants, images)


def _check_text(reader: Reader, row: Row) -> None:
    """A cell the catalog could not hold as text (validation refuses NUL and bidirectional
    controls: characters.py) fails its row here, with its line, instead of in a YAML file."""
    columns = [(i, reader.names[f]) for f, i in reader.index.items()]
    columns += [(i, name) for i, _owner, _ns, _key, name in reader.metafields]
    for i, column in columns:
        problem = text_problem(row.cells[i]) if i < len(row.cells) else None
        if problem:
            raise RowError(column, problem)


def _product_fields(reader: Reader, row: Row, handle: str) -> dict[str, Any]:
    cell = reader.cell
    title = cell(row, "title")
    if not title:
        raise RowError("Title", "empty on the product's first row")
    if reader.flag(row, "gift_card"):
        raise RowError(reader.names["gift_card"], "gift cards are not carried by the catalog")
    product: dict[str, Any] = {"handle": handle, "title": title}
    status = _status(reader, row)
    if status is not None:
        product["status"] = status
    for key, name in (("vendor", "vendor"), ("product_type", "type")):
        if cell(row, name):
            product[key] = cell(row, name)
    tags = _tags(cell(row, "tags"))
    if tags:
        product["tags"] = tags
    body = reader.raw(row, "body")
    if body.strip():
        product["description_html"] = body
    seo = {k: cell(row, f"seo_{k}") for k in ("title", "description") if cell(row, f"seo_{k}")}
    if seo:
        product["seo"] = seo
    metafields = _metafields(reader, row, "product")
    if metafields:
        product["metafields"] = metafields
    return product


def _status(reader: Reader, row: Row) -> str | None:
    """Status wins; without it, Published FALSE is a draft and TRUE (or empty) active."""
    text = reader.cell(row, "status").lower()
    if text:
        if text not in STATUSES:
            raise RowError(reader.names["status"], f"unknown status {text!r}")
        return text
    if "status" in reader.index or "published" not in reader.index:
        return None
    published = reader.flag(row, "published")
    if published is False:
        reader.artifact(row.line, reader.names["published"], "FALSE without Status: draft")
        return "draft"
    return "active"


def _tags(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for tag in (t.strip() for t in text.split(",")):
        if tag:
            seen.setdefault(tag.lower(), tag)
    return list(seen.values())


def _option_names(reader: Reader, row: Row) -> list[str]:
    names = [reader.cell(row, f"option{n}_name") for n in (1, 2, 3)]
    for n in (1, 2):
        if not names[n - 1] and names[n]:
            raise RowError(f"Option{n} Name", f"empty while Option{n + 1} Name is set")
    return [name for name in names if name]


def _is_variant_row(reader: Reader, row: Row) -> bool:
    """A further row is a variant when it has option values; with only image cells, an image."""
    if any(reader.cell(row, f"option{n}_value") for n in (1, 2, 3)):
        return True
    if any(reader.cell(row, name) for name in _VARIANT_CELLS):
        raise RowError("Option1 Value", "empty on a row with variant cells")
    return False


def _variant(
    reader: Reader,
    row: Row,
    names: list[str],
    seen: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    values = [reader.cell(row, f"option{n}_value") for n in (1, 2, 3)]
    for n, value in enumerate(values, 1):
        if n <= len(names) and not value:
            raise RowError(
                f"Option{n} Value", f"empty, but the product has option {names[n - 1]!r}"
            )
        if n > len(names) and value:
            raise RowError(f"Option{n} Value", f"set, but the product has no Option{n} Name")
    variant: dict[str, Any] = {"options": dict(zip(names, values, strict=False))}
    for other in seen:
        if other["options"] == variant["options"]:
            raise RowError("Option1 Value", f"the same option values as line {other['_line']}")
    variant["_line"] = row.line
    for key in ("price", "compare_at_price", "cost"):
        if (amount := reader.amount(row, key)) is not None:
            variant[key] = amount
    for key in ("sku", "barcode"):
        if reader.cell(row, key):
            variant[key] = reader.cell(row, key)
    _variant_flags(reader, row, variant)
    weight = _weight(reader, row)
    if weight is not None:
        variant["weight"] = weight
    if reader.cell(row, "variant_image"):
        variant["image"] = reader.cell(row, "variant_image")
    metafields = _metafields(reader, row, "variant")
    if metafields:
        variant["metafields"] = metafields
    return variant


def _variant_flags(reader: Reader, row: Row, variant: dict[str, Any]) -> None:
    # Shopify's defaults (taxable, requires shipping, deny) are left out: unmanaged is the same.
    for key in ("taxable", "requires_shipping"):
        if reader.flag(row, key) is False:
            variant[key] = False
    if "tracker" in reader.index:
        tracker = reader.cell(row, "tracker").lower()
        if tracker in ("", "shopify"):
            variant["tracked"] = tracker == "shopify"
        else:
            reader.artifact(row.line, reader.names["tracker"], "tracked by another app: left out")
    policy = reader.cell(row, "policy").lower()
    policy = {"true": "continue", "false": "deny"}.get(policy, policy)
    if policy not in ("", "deny", "continue"):
        raise RowError(reader.names["policy"], f"expected deny or continue, not {policy!r}")
    if policy == "continue":
        variant["inventory_policy"] = "continue"


def _weight(reader: Reader, row: Row) -> dict[str, str] | None:
    """Variant Grams in the row's own Variant Weight Unit (grams when it has none); 0 left out."""
    text = reader.cell(row, "grams")
    if not text:
        return None
    try:
        grams = Decimal(text)
    except InvalidOperation:
        raise RowError(reader.names["grams"], f"not a number of grams: {text!r}") from None
    if not grams.is_finite() or grams < 0:
        raise RowError(reader.names["grams"], f"not a number of grams: {text!r}")
    spelled = reader.cell(row, "weight_unit").lower()
    unit = _UNITS.get(spelled or "g")
    if unit is None:
        raise RowError(reader.names["weight_unit"], f"unknown unit {spelled!r} (g, kg, lb, oz)")
    if grams == 0:
        return None
    value = grams / _GRAMS_PER[unit]
    if unit in ("POUNDS", "OUNCES"):
        value = value.quantize(_WEIGHT_PLACES, rounding=ROUND_HALF_EVEN)
    return {"value": _plain(value), "unit": unit}


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _image(reader: Reader, row: Row) -> tuple[int | None, int, str, str] | None:
    src = reader.cell(row, "image_src")
    position = reader.cell(row, "image_position")
    if not src:
        return None
    number = None
    if position:
        if not position.isdigit() or int(position) < 1:
            raise RowError(reader.names["image_position"], f"not a position: {position!r}")
        number = int(position)
    return (number, row.line, src, reader.cell(row, "image_alt"))


def _metafields(reader: Reader, row: Row, owner: str) -> list[dict[str, str]]:
    out = []
    for i, kind, namespace, key, name in reader.metafields:
        value = reader.clean(row, row.cells[i] if i < len(row.cells) else "", name)
        if kind == owner and value:
            # The CSV does not say the type: text, on one line or several.
            type_ = "multi_line_text_field" if "\n" in value else "single_line_text_field"
            out.append({"namespace": namespace, "key": key, "type": type_, "value": value})
    return out


def _assemble(
    reader: Reader,
    product: dict[str, Any],
    names: list[str],
    variants: list[dict[str, Any]],
    images: list[tuple[int | None, int, str, str] | None],
) -> dict[str, Any]:
    for variant in variants:
        variant.pop("_line")
    values = [list(dict.fromkeys(v["options"][name] for v in variants)) for name in names]
    default = [n.lower() for n in names] == [_DEFAULT_OPTION[0]] and [
        v.lower() for v in values[0]
    ] == [_DEFAULT_OPTION[1]]
    if default or not names:
        for variant in variants:
            del variant["options"]
    else:
        product["options"] = [{"name": n, "values": v} for n, v in zip(names, values, strict=True)]
    product["variants"] = variants
    media = _media(reader, images, variants)
    if media:
        product["media"] = media
    return product


def _media(
    reader: Reader,
    images: list[tuple[int | None, int, str, str] | None],
    variants: list[dict[str, Any]],
) -> list[dict[str, str]]:
    """Images in Image Position order (rows without one after, in file order), then variant
    images that no row lists as an image."""
    found = sorted((i for i in images if i is not None), key=_rank)
    media: dict[str, dict[str, str]] = {}
    for _, line, src, alt in found:
        if src in media:
            reader.warn(line, reader.names["image_src"], "the same image twice: listed once")
            continue
        media[src] = {"src": src, **({"alt": alt} if alt else {})}
    for variant in variants:
        if "image" in variant and variant["image"] not in media:
            media[variant["image"]] = {"src": variant["image"]}
    return list(media.values())


def _rank(image: tuple[int | None, int, str, str]) -> tuple[int, int, int]:
    position, line, _, _ = image
    return (position is None, position or 0, line)
