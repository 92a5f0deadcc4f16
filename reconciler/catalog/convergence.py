"""What validates settles: catalog values put in the form Shopify stores them, or refused.

A value Shopify would store differently from what the catalog says could never settle: every plan
would show the change again, and every apply rewrite it (docs/plan.md, "How each field is
compared"). So, before the other rules run on a product document:

- text Shopify stores trimmed (title, vendor, product type, SEO, option names and values, tags,
  SKU, barcode) is trimmed here, with a warning saying what the store will hold; an option name or
  value that is blank once trimmed is an error (Shopify refuses it);
- tags that differ only in case are an error (Shopify keeps one spelling per tag), and so are more
  than 250 tags;
- an amount with more than two decimals is a warning offline: `plan` knows the store's currency
  and makes it an error when the currency has fewer decimals (`currency_problems`).

The trimming changes the document's data in place, so the rules after this one and the build see
what the store will hold (option values that collide once trimmed are reported as duplicates).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from reconciler.catalog.nodes import Path_, where_text
from reconciler.errors import Problem
from reconciler.model import (
    MONEY_DECIMALS,
    Product,
    currency_decimals,
    excess_decimals,
    money,
)

# What Shopify trims: NUL and ASCII whitespace, as Ruby's String#strip does (Shopify is a Rails
# application; docs/sandbox.md, "Text Shopify trims"). Unicode spaces such as U+00A0 are kept.
SHOPIFY_WHITESPACE = "\x00\t\n\v\f\r "

Finding = tuple[Path_, str, str, bool]

_MONEY = re.compile(r"[0-9]{1,16}(?:\.[0-9]{1,9})?")  # as rules.py bounds an amount
MAX_TAGS = 250  # Shopify's limit per product (REST Admin API, Product resource, `tags`)
MONEY_KEYS = ("price", "compare_at_price", "cost")
_TOP_TEXT = ("title", "vendor", "product_type")
_SEO_TEXT = ("title", "description")
_VARIANT_TEXT = {"sku": "SKU", "barcode": "barcode"}


def settle(data: dict) -> Iterator[Finding]:
    """Trim what Shopify trims (in place), and find what the store could never hold as written."""
    for key in _TOP_TEXT:
        yield from _trim(data, key, (key,), key.replace("_", " "))
    seo = data.get("seo")
    if isinstance(seo, dict):
        for key in _SEO_TEXT:
            yield from _trim(seo, key, ("seo", key), f"SEO {key}")
    yield from _options(data)
    yield from _tags(data)
    for index, variant in _items(data, "variants"):
        path: Path_ = ("variants", index)
        for key, label in _VARIANT_TEXT.items():
            yield from _trim(variant, key, (*path, key), label)
        chosen = variant.get("options")
        if isinstance(chosen, dict):
            variant["options"] = {_stripped(k): _stripped(v) for k, v in chosen.items()}
        yield from _amounts(variant, path)


def _stripped(value: Any) -> Any:
    return value.strip(SHOPIFY_WHITESPACE) if isinstance(value, str) else value


def _trim(holder: dict | list, key: Any, path: Path_, label: str) -> Iterator[Finding]:
    value = holder[key] if isinstance(holder, list) else holder.get(key)
    if not isinstance(value, str):
        return
    trimmed = value.strip(SHOPIFY_WHITESPACE)
    if trimmed == value or (not trimmed and label == "title"):
        return  # a blank title is refused by the rules after these
    holder[key] = trimmed
    yield path, f"{label} {value!r} is stored as {trimmed!r} by Shopify", "warning", False


def _items(data: dict, key: str) -> Iterator[tuple[int, dict]]:
    value = data.get(key)
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _options(data: dict) -> Iterator[Finding]:
    for index, option in _items(data, "options"):
        path: Path_ = ("options", index)
        yield from _trim(option, "name", (*path, "name"), "option name")
        if option.get("name") == "":
            yield (*path, "name"), "an option name cannot be blank", "error", False
        values = option.get("values")
        for vi in range(len(values) if isinstance(values, list) else 0):
            yield from _trim(values, vi, (*path, "values", vi), "option value")
            if values[vi] == "":
                yield (*path, "values", vi), "an option value cannot be blank", "error", False


def _tags(data: dict) -> Iterator[Finding]:
    tags = data.get("tags")
    if not isinstance(tags, list):
        return
    spellings: dict[str, tuple[str, int]] = {}
    for index in range(len(tags)):
        yield from _trim(tags, index, ("tags", index), "tag")
        tag = tags[index]
        if not isinstance(tag, str) or not tag:
            continue
        folded = tag.casefold()
        first = spellings.setdefault(folded, (tag, index))
        if first[0] != tag:
            message = (
                f"tag {tag!r} differs from tag {first[0]!r} (tags[{first[1]}]) only in case: "
                "Shopify keeps one spelling per tag"
            )
            yield ("tags", index), message, "error", False
    if len(spellings) > MAX_TAGS:
        message = f"at most {MAX_TAGS} tags (Shopify's limit), not {len(spellings)}"
        yield ("tags",), message, "error", False


def _amounts(variant: dict, path: Path_) -> Iterator[Finding]:
    for key in MONEY_KEYS:
        amount = _amount(variant.get(key))
        if amount is not None and excess_decimals(amount, MONEY_DECIMALS):
            message = (
                f"{key} {variant[key]} has more than {MONEY_DECIMALS} decimals: Shopify rounds it "
                "to the store currency's (plan checks it against the store)"
            )
            yield (*path, key), message, "warning", False


def _amount(value: Any) -> Decimal | None:
    """The amount, when it is one the other rules accept (they report the others)."""
    if value.__class__ is not str or not _MONEY.fullmatch(value):
        return None
    return money(value)


# --- Against the store's currency (plan) ----------------------------------------------------------


def currency_problems(
    products: Mapping[str, Product], sources: Mapping[str, tuple[str, int]], currency: str
) -> list[Problem]:
    """An error for every amount with more decimals than `currency` has (Shopify would round it,
    so the change would show again on every plan), at the file and line that set it."""
    decimals = currency_decimals(currency)
    places = "no decimals" if decimals == 0 else f"{decimals} decimal{'s' * (decimals != 1)}"
    out = []
    for handle, product in products.items():
        for variant in product.variants:
            for key in MONEY_KEYS:
                amount = getattr(variant, key)
                if amount is None or not excess_decimals(amount, decimals):
                    continue
                message = (
                    f"{key} {amount} has more decimals than the store's currency {currency} "
                    f"({places}): Shopify would round it, and every plan would show it again"
                )
                file, line = sources.get(handle, (handle, 1))
                line, col, where = _locate(file, line, variant, key)
                out.append(Problem(file, line, col, where, message))
    return out


def _locate(file: str, line: int, variant: Any, key: str) -> tuple[int, int, str]:
    """Where the document starting at `line` of `file` set `key` of `variant` (read again: this
    runs only for the few amounts in error)."""
    from reconciler.catalog.load import load_file
    from reconciler.catalog.nodes import convert

    path = Path(file)
    documents = load_file(path, file).documents if path.is_file() else []
    for doc in documents:
        if doc.line != line:
            continue
        located = convert(doc.node, frozenset())
        data = located.data if isinstance(located.data, dict) else {}
        for index, item in _items(data, "variants"):
            chosen = item.get("options")
            chosen = chosen if isinstance(chosen, dict) else {}
            names = {_stripped(k): _stripped(v) for k, v in chosen.items()}
            if tuple(names.get(n) for n, _ in variant.options) == variant.key and key in item:
                here: Path_ = ("variants", index, key)
                return (*located.where(here), where_text(here))
    return line, 1, key
