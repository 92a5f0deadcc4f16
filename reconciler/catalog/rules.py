"""Shopify's rules for one product, beyond what the JSON Schema says (shopify-facts.md).

Runs even when the schema found problems, so every check guards the shape it reads and skips
what is malformed (the schema has reported that already).

Each finding is (path, message, severity, point at the key?).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reconciler import metafield_values
from reconciler.catalog import convergence
from reconciler.catalog.media_files import MEDIA_LIMIT
from reconciler.catalog.nodes import Located, Path_, where_text
from reconciler.model import money

Finding = tuple[Path_, str, str, bool]

MAX_TEXT = 255
_SLUG_DROP = re.compile(r"[^\w-]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # what the schema lets through as money
_MONEY = re.compile(r"[0-9]{1,16}(?:\.[0-9]{1,9})?")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HTTPS_URL = re.compile(r"https://[^\s/?#]+[^\s]*", re.IGNORECASE)


def handle_problem(handle: str) -> str | None:
    """Why `handle` is not one Shopify accepts (contract.md), or None."""
    if not handle:
        return "a handle cannot be empty"
    if len(handle) > MAX_TEXT:
        return f"a handle is at most {MAX_TEXT} characters, not {len(handle)}"
    if all(c.isalnum() or c in "-_" for c in handle) and not any(c.isupper() for c in handle):
        return None
    slug = _SLUG_DROP.sub("-", handle.strip().lower()).strip("-")
    hint = f" (try {slug!r})" if slug else ""
    return (
        f"a handle is lowercase letters, digits, '-' and '_' without spaces, not {handle!r}{hint}"
    )


def product_rules(located: Located, catalog_dir: Path) -> Iterator[Finding]:
    data = located.data
    if not isinstance(data, dict):
        return
    yield from convergence.settle(data)  # first: the rules below see what the store will hold
    yield from _handles(data)
    title = data.get("title")
    if isinstance(title, str) and title and not title.strip():
        yield ("title",), "a title cannot be blank", "error", False
    yield from _tags(data)
    options = _options(data)
    yield from _option_rules(data)
    yield from _variant_options(data, options, located)
    srcs = yield from _media(data, catalog_dir)
    for index, variant in _items(data, "variants"):
        path: Path_ = ("variants", index)
        yield from _money_rules(variant, path)
        image = variant.get("image")
        if isinstance(image, str) and image not in srcs:
            yield (*path, "image"), _image_message(image, srcs), "error", False
        yield from metafield_rules(located, variant.get("metafields"), (*path, "metafields"))
    yield from metafield_rules(located, data.get("metafields"), ("metafields",))


def _handles(data: dict) -> Iterator[Finding]:
    handle = data.get("handle")
    if isinstance(handle, str) and len(handle) <= MAX_TEXT:  # the schema reports length
        reason = handle_problem(handle)
        if reason:
            yield ("handle",), reason, "error", False
    previous = data.get("previous_handles")
    if not isinstance(previous, list):
        return
    seen: set[str] = set()
    for index, old in enumerate(previous):
        if not isinstance(old, str):
            continue
        reason = handle_problem(old)
        if old == handle:
            reason = "a product's previous handle cannot be its own handle"
        elif old in seen:
            reason = f"{old!r} is listed twice"
        seen.add(old)
        if reason:
            yield ("previous_handles", index), reason, "error", False


def _tags(data: dict) -> Iterator[Finding]:
    tags = data.get("tags")
    for index, tag in enumerate(tags if isinstance(tags, list) else []):
        if isinstance(tag, str) and "," in tag:
            yield ("tags", index), f"a tag cannot contain a comma: {tag!r}", "error", False
        elif isinstance(tag, str) and len(tag) > MAX_TEXT:
            yield ("tags", index), f"a tag is at most {MAX_TEXT} characters", "error", False


def _items(data: dict, key: str) -> Iterator[tuple[int, dict]]:
    value = data.get(key)
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _options(data: dict) -> list[tuple[str, list[str]]]:
    """The well-formed options as (name, values)."""
    out = []
    for _, option in _items(data, "options"):
        name, values = option.get("name"), option.get("values")
        if isinstance(name, str) and isinstance(values, list):
            out.append((name, [v for v in values if isinstance(v, str)]))
    return out


def _option_rules(data: dict) -> Iterator[Finding]:
    names: dict[str, int] = {}
    for index, option in _items(data, "options"):
        name = option.get("name")
        if isinstance(name, str):
            folded = name.casefold()
            if folded in names:
                message = f"option name {name!r} is used twice (also options[{names[folded]}])"
                yield ("options", index, "name"), message, "error", False
            names.setdefault(folded, index)
        values = option.get("values")
        seen: dict[str, int] = {}
        for vi, value in enumerate(values if isinstance(values, list) else []):
            if not isinstance(value, str):
                continue
            if value.casefold() in seen:
                message = f"value {value!r} is listed twice in this option"
                yield ("options", index, "values", vi), message, "error", False
            seen.setdefault(value.casefold(), vi)


def _variant_options(data: dict, options: list, located: Located) -> Iterator[Finding]:
    variants = list(_items(data, "variants"))
    if not data.get("options") and len(variants) > 1:
        message = f"a product without options has exactly one variant, not {len(variants)}"
        yield ("variants",), message, "error", False
    combos: dict[tuple, int] = {}
    names = [name for name, _ in options]
    for index, variant in variants:
        path: Path_ = ("variants", index, "options")
        chosen = variant.get("options")
        if not isinstance(chosen, dict):
            if options and chosen is None:
                yield (("variants", index), f"missing options: {', '.join(names)}", "error", False)
            continue
        if not options and chosen:
            yield path, "the product declares no options", "error", False
            continue
        bad = False
        for name, values in options:
            value = chosen.get(name)
            if name not in chosen:
                yield path, f"missing option {name!r}", "error", False
                bad = True
            elif isinstance(value, str) and value not in values:
                message = f"{value!r} is not a value of option {name!r} ({', '.join(values)})"
                yield (*path, name), message, "error", False
                bad = True
        for name in chosen:
            if name not in names:
                message = f"unknown option {name!r} (the product's options: {', '.join(names)})"
                yield (*path, name), message, "error", True
                bad = True
        if bad or not options:
            continue
        combo = tuple(chosen.get(n) for n in names)
        if combo in combos:
            first = combos[combo]
            line = located.where(("variants", first))[0]
            message = f"same options as variants[{first}] (line {line})"
            yield path, message, "error", False
        combos.setdefault(combo, index)


def _money_rules(variant: dict, path: Path_) -> Iterator[Finding]:
    amounts = {}
    for key in ("price", "compare_at_price", "cost"):
        value = variant.get(key)
        if value.__class__ is str and _DECIMAL.fullmatch(value):
            if not _MONEY.fullmatch(value):
                yield (*path, key), f"amount {value} is too large or too precise", "error", False
                continue
            amounts[key] = value
    weight = variant.get("weight")
    value = weight.get("value") if isinstance(weight, dict) else None
    decimal = isinstance(value, str) and _DECIMAL.fullmatch(value)
    if decimal and not _MONEY.fullmatch(value):
        message = f"weight {value} is too large or too precise"
        yield (*path, "weight", "value"), message, "error", False
    if "price" not in amounts or "compare_at_price" not in amounts:
        return
    price, compare = money(amounts["price"]), money(amounts["compare_at_price"])
    if compare <= price:
        message = (
            f"compare_at_price {compare} is not above price {price}: "
            "the product will not show as discounted"
        )
        yield (*path, "compare_at_price"), message, "warning", False


def _media(data: dict, catalog_dir: Path):  # a generator that returns the product's media srcs
    srcs: dict[str, int] = {}
    for index, item in _items(data, "media"):
        src = item.get("src")
        if not isinstance(src, str) or not src:
            continue
        path: Path_ = ("media", index, "src")
        if src in srcs:
            yield path, f"the same media as media[{srcs[src]}]", "error", False
        srcs.setdefault(src, index)
        reason = media_src_problem(src, catalog_dir)
        if reason:
            yield path, reason, "error", False
    return srcs


def media_src_problem(src: str, catalog_dir: Path) -> str | None:
    if _SCHEME.match(src):
        if not src.lower().startswith("https://"):
            return f"media must be an https URL or a file in the catalog, not {_short(src)}"
        return None if _HTTPS_URL.fullmatch(src) else "not a valid URL"
    if "\x00" in src:
        return "a media file name cannot hold a NUL character"
    candidate = Path(src)
    if candidate.is_absolute() or src.startswith("~"):
        return f"a media file is given relative to the catalog directory, not as {_short(src)}"
    try:
        long = next((p for p in candidate.parts if len(os.fsencode(p)) > _NAME_MAX), None)
        if long is not None:
            return f"media file name {_short(long)} is longer than {_NAME_MAX} bytes"
        root = catalog_dir.resolve()
        target = (root / candidate).resolve()
        if not target.is_relative_to(root):
            return f"media file {_short(src)} is outside the catalog directory"
        if target.is_dir():
            return f"media file {_short(src)} is a directory, not a file"
        if not target.is_file():
            return f"media file {_short(src)} not found in the catalog directory"
        size = target.stat().st_size
        if size > MEDIA_LIMIT:
            limit = MEDIA_LIMIT // 2**20
            return f"media file {_short(src)} is larger than {limit} MB (Shopify's limit)"
        if size == 0:
            return f"media file {_short(src)} is empty"
        if target.suffix.lower() not in IMAGE_SUFFIXES:
            kinds = ", ".join(sorted(IMAGE_SUFFIXES))
            return f"media file {_short(src)} is not an image ({kinds}): media are images"
    except (OSError, RuntimeError, ValueError) as exc:  # RuntimeError: a link loop (3.11)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "a bad name"
        return f"media file {_short(src)} cannot be looked up: {reason}"
    return None


_NAME_MAX = 255  # bytes in one file name: Linux, macOS and Windows alike
# What apply adds a local file as: an IMAGE (videos and 3D models need other media types the
# catalog format does not carry), in the formats Shopify accepts for product images.
IMAGE_SUFFIXES = frozenset({".avif", ".gif", ".heic", ".jpeg", ".jpg", ".png", ".webp"})


def _short(text: str, limit: int = 80) -> str:
    """`text` quoted, cut to `limit` characters (a hostile value can be long)."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def _image_message(image: str, srcs: dict[str, int]) -> str:
    if not srcs:
        return f"image {image!r} must be one of the product's media, and the product has none"
    return f"image {image!r} is not one of the product's media"


def metafield_rules(located: Located, items: Any, path: Path_) -> Iterator[Finding]:
    if not isinstance(items, list):
        return
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        here: Path_ = (*path, index)
        namespace, key, type_ = item.get("namespace"), item.get("key"), item.get("type")
        if isinstance(namespace, str) and isinstance(key, str):
            ref = (namespace, key)
            if ref in seen:
                message = f"{namespace}.{key} is set twice (also {where_text((*path, seen[ref]))})"
                yield (*here, "key"), message, "error", False
            seen.setdefault(ref, index)
        if not isinstance(type_, str):
            continue
        if not metafield_values.is_known(type_):
            hint = _closest_type(type_)
            yield (*here, "type"), f"unknown metafield type {type_!r}{hint}", "error", False
            continue
        if "value" not in item:
            continue
        try:
            value_path = (*here, "value")
            value = metafield_input(located, type_, value_path)
            located.canonical[value_path] = metafield_values.canonical(type_, value)
        except ValueError as exc:
            yield (*here, "value"), str(exc), "error", False


def metafield_input(located: Located, type_: str, path: Path_) -> Any:
    """What to hand metafield_values for a value: its YAML values for json, else its text."""
    if type_ == "json":
        data = located.data
        for part in path:
            data = data[part]
        return data
    return located.text_tree(path)


def _closest_type(type_: str) -> str:
    import difflib

    close = difflib.get_close_matches(type_, sorted(metafield_values.TYPES), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
