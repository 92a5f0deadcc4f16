"""Shopify metafield types: which exist, whether a value fits one, and the value's canonical string.

Pure on purpose (no YAML, no jsonschema): the catalog side canonicalizes what the user wrote, and
the live side canonicalizes what Shopify returned (`from_shopify`), so compare sees one form.

A value handed to `canonical` is a Python value: `str` for a scalar as written, `int`/`bool`/
`Decimal` where a caller already has them, `dict`/`list` for the object, json and list types. A
`str` given to an object or list type is read as JSON text (Shopify's own form). Bad values raise
`ValueError` with a message meant for the user.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring  # what json.dumps(text, ensure_ascii=False) calls
from typing import Any

from reconciler.model import money

TEXT_TYPES = ("single_line_text_field", "multi_line_text_field")
REFERENCE_TYPES = {
    # type -> GID resource type it must name (None: any resource)
    "article_reference": "Article",
    "collection_reference": "Collection",
    "company_reference": "Company",
    "customer_reference": "Customer",
    "file_reference": None,
    "metaobject_reference": "Metaobject",
    "order_reference": "Order",
    "mixed_reference": "Metaobject",
    "page_reference": None,
    "product_reference": "Product",
    "product_taxonomy_value_reference": "TaxonomyValue",
    "variant_reference": "ProductVariant",
}
UNITS = {
    "weight": ("oz", "lb", "g", "kg"),
    "volume": (
        "ml",
        "cl",
        "l",
        "m3",
        "us_fl_oz",
        "us_pt",
        "us_qt",
        "us_gal",
        "imp_fl_oz",
        "imp_pt",
        "imp_qt",
        "imp_gal",
    ),
    "dimension": ("mm", "cm", "m", "in", "ft", "yd"),
}
SCALAR_TYPES = (
    *TEXT_TYPES, "number_integer", "number_decimal", "boolean", "date", "date_time", "color",
    "url", "id", *REFERENCE_TYPES,
)  # fmt: skip
OBJECT_TYPES = ("money", "weight", "volume", "dimension", "rating", "link", "rich_text_field")
# Types that have a list.* form (Shopify has no list of booleans, money, json, ids or rich text).
LISTABLE = (
    "single_line_text_field", "number_integer", "number_decimal", "date", "date_time", "color",
    "url", "weight", "volume", "dimension", "rating", "link", *REFERENCE_TYPES,
)  # fmt: skip
TYPES = frozenset((*SCALAR_TYPES, *OBJECT_TYPES, "json", *(f"list.{t}" for t in LISTABLE)))

MAX_LIST_ITEMS = 128
MAX_TEXT_BYTES = 65_536
MAX_JSON_BYTES = 131_072
MAX_SHORT_BYTES = 2_048  # id and url
_INTEGER_LIMIT = 9_999_999_999_999
_DECIMAL_LIMIT = Decimal("9999999999999.999999999")

_INTEGER = re.compile(r"[-+]?[0-9]+")
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_URL = re.compile(r"(?:(?:https?)://[^\s/?#]+[^\s]*|(?:mailto|sms|tel):[^\s]+)", re.IGNORECASE)
_GID = re.compile(r"gid://shopify/([A-Za-z][A-Za-z0-9]*)/[^\s/]+")
_CURRENCY = re.compile(r"[A-Z]{3}")


def is_known(type_: str) -> bool:
    return type_ in TYPES


def canonical(type_: str, value: Any) -> str:
    """Shopify's string form of `value` for a metafield of `type_`; ValueError if it won't fit."""
    if type_ not in TYPES:
        raise ValueError(f"unknown metafield type {type_!r}")
    if type_.startswith("list."):
        return _list(type_[5:], value)
    if type_ == "json":
        text = dumps(value)
        _limit(text, MAX_JSON_BYTES, "a json value")
        return text
    if type_ in OBJECT_TYPES:
        return dumps_ordered(_object(type_, _as_object(type_, value)))
    text = _scalar(type_, value)
    _limit(text, MAX_SHORT_BYTES if type_ in ("id", "url") else MAX_TEXT_BYTES, "the value")
    return text


def from_shopify(type_: str, value: str) -> str:
    """Canonical form of a value as Shopify returns it (a string; JSON for structured types)."""
    if type_ == "json" or type_.startswith("list."):
        try:
            value = json.loads(value, parse_float=Decimal)
        except ValueError:
            raise ValueError(f"not valid JSON for {type_}: {value!r}") from None
    return canonical(type_, value)


# --- scalars --------------------------------------------------------------------------------


def _scalar(type_: str, value: Any) -> str:
    if isinstance(value, (dict, list, tuple)):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        raise ValueError(f"a {type_} value must be a single value, not {kind}")
    if type_ == "boolean":
        return _boolean(value)
    text = _text(value)
    if not text.strip():
        raise ValueError("the value is empty (Shopify keeps no empty metafields)")
    if type_ == "single_line_text_field":
        if "\n" in text or "\r" in text:
            raise ValueError("single_line_text_field cannot hold a line break")
        return text
    if type_ == "multi_line_text_field":
        return text
    if type_ == "number_integer":
        return _integer(text)
    if type_ == "number_decimal":
        return _decimal_text(text)
    if type_ == "date":
        return _date(text)
    if type_ == "date_time":
        return _date_time(text)
    if type_ == "color":
        if not _COLOR.fullmatch(text):
            raise ValueError(f"a color is written #RRGGBB (six hex digits), not {text!r}")
        return text.lower()
    if type_ == "url":
        return _url(text)
    if type_ == "id":
        if not text.strip():
            raise ValueError("an id cannot be empty")
        return text
    return _reference(type_, text)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, (str, int)):
        return str(value)
    if value is None:
        raise ValueError("the value is empty")
    raise ValueError(f"unexpected value {value!r}")


def _boolean(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value in ("true", "false"):
        return value
    raise ValueError(f"a boolean is true or false, not {value!r}")


def _integer(text: str) -> str:
    if not _INTEGER.fullmatch(text):
        raise ValueError(f"not an integer: {text!r}")
    if len(text) > 20:
        raise ValueError(f"{text} is outside Shopify's integer range (±9,999,999,999,999)")
    number = int(text)
    if abs(number) > _INTEGER_LIMIT:
        raise ValueError(f"{text} is outside Shopify's integer range (±9,999,999,999,999)")
    return str(number)


def _decimal(text: str, what: str = "a decimal number") -> Decimal:
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"not {what}: {text!r}")
    return Decimal(text)


def _decimal_text(text: str) -> str:
    number = _decimal(text)
    if abs(number) > _DECIMAL_LIMIT:
        raise ValueError(f"{text} is outside Shopify's decimal range")
    if number.as_tuple().exponent < -9:  # type: ignore[operator]
        raise ValueError(f"{text} has more than 9 decimal places")
    return _plain(number)


def _plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros, keeping one decimal place: 10 -> "10.0"."""
    text = format(number.normalize(), "f")
    if "." not in text:
        text += ".0"
    return "0.0" if text in ("-0.0",) else text


def _date(text: str) -> str:
    if not _DATE.fullmatch(text):
        raise ValueError(f"a date is written YYYY-MM-DD, not {text!r}")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"no such date: {text}") from None
    return text


def _date_time(text: str) -> str:
    if not _DATE_TIME.fullmatch(text):
        raise ValueError(f"a date_time is written YYYY-MM-DDTHH:MM:SS (ISO 8601), not {text!r}")
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"no such date and time: {text}") from None
    return text


def _url(text: str) -> str:
    if not _URL.fullmatch(text):
        raise ValueError(f"a url needs one of the schemes https, http, mailto, sms, tel: {text!r}")
    return text


def _reference(type_: str, text: str) -> str:
    match = _GID.fullmatch(text)
    if not match:
        raise ValueError(f"a {type_} is a Shopify GID like gid://shopify/Product/123, not {text!r}")
    wanted = REFERENCE_TYPES[type_]
    if wanted and match.group(1) != wanted:
        raise ValueError(
            f"a {type_} must name a {wanted} (gid://shopify/{wanted}/...), not {text!r}"
        )
    return text


# --- objects --------------------------------------------------------------------------------


def _as_object(type_: str, value: Any) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_float=Decimal)
        except ValueError:
            raise ValueError(f"a {type_} value is a mapping (or its JSON text)") from None
    if not isinstance(value, dict):
        raise ValueError(f"a {type_} value is a mapping, e.g. {_EXAMPLES[type_]}")
    return value


_EXAMPLES = {
    "money": "{amount: '5.99', currency_code: CAD}",
    "weight": "{value: 2.5, unit: kg}",
    "volume": "{value: 20, unit: ml}",
    "dimension": "{value: 25, unit: cm}",
    "rating": "{value: '3.5', scale_min: '1.0', scale_max: '5.0'}",
    "link": "{text: Shop, url: 'https://example.com'}",
    "rich_text_field": "{type: root, children: [...]}",
}
_KEYS = {
    "money": ("amount", "currency_code"),
    "weight": ("value", "unit"),
    "volume": ("value", "unit"),
    "dimension": ("value", "unit"),
    "rating": ("value", "scale_min", "scale_max"),
    "link": ("text", "url"),
}


def _object(type_: str, value: dict) -> list[tuple[str, Any]]:
    """The object's (key, JSON-ready value) pairs in Shopify's key order."""
    if type_ == "rich_text_field":
        if value.get("type") != "root" or not isinstance(value.get("children"), list):
            raise ValueError("a rich_text_field is {type: root, children: [...]}")
        return [(k, value[k]) for k in sorted(value)]
    keys = _KEYS[type_]
    missing = [k for k in keys if k not in value]
    extra = sorted(str(k) for k in value if k not in keys)
    if missing or extra:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unknown {', '.join(extra)}"] if extra else []
        )
        raise ValueError(f"a {type_} value has keys {', '.join(keys)} ({'; '.join(parts)})")
    if type_ == "money":
        return _money(value)
    if type_ == "rating":
        return _rating(value)
    if type_ == "link":
        return [("text", _text(value["text"])), ("url", _url(_text(value["url"])))]
    number = _decimal(_text(value["value"]), f"a {type_} value")
    unit = value["unit"]
    if unit not in UNITS[type_]:
        raise ValueError(f"{type_} unit must be one of {', '.join(UNITS[type_])}, not {unit!r}")
    return [("value", _Number(_plain(number))), ("unit", unit)]


def _money(value: dict) -> list[tuple[str, Any]]:
    amount = _decimal(_text(value["amount"]), "a money amount")
    currency = value["currency_code"]
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise ValueError(f"currency_code is a 3-letter ISO code such as USD, not {currency!r}")
    return [("amount", str(money(amount))), ("currency_code", currency)]


def _rating(value: dict) -> list[tuple[str, Any]]:
    numbers = {k: _decimal(_text(value[k]), f"a rating {k}") for k in _KEYS["rating"]}
    if numbers["scale_min"] > numbers["scale_max"]:
        raise ValueError("a rating's scale_min is above its scale_max")
    if not numbers["scale_min"] <= numbers["value"] <= numbers["scale_max"]:
        raise ValueError("a rating's value must lie between scale_min and scale_max")
    return [(k, _plain(numbers[k])) for k in _KEYS["rating"]]


# --- lists ----------------------------------------------------------------------------------


def _list(item_type: str, value: Any) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_float=Decimal)
        except ValueError:
            raise ValueError(f"a list.{item_type} value is a list (or its JSON text)") from None
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"a list.{item_type} value is a list")
    if len(value) > MAX_LIST_ITEMS:
        raise ValueError(f"a list holds at most {MAX_LIST_ITEMS} items, not {len(value)}")
    items = []
    for index, item in enumerate(value):
        try:
            items.append(_list_item(item_type, item))
        except ValueError as exc:
            raise ValueError(f"item {index}: {exc}") from None
    text = "[" + ",".join(items) + "]"
    _limit(text, MAX_TEXT_BYTES, "the list")
    return text


def _list_item(item_type: str, item: Any) -> str:
    if item_type in OBJECT_TYPES:
        return dumps_ordered(_object(item_type, _as_object(item_type, item)))
    text = _scalar(item_type, item)
    if item_type == "number_integer":
        return text  # a JSON number, as Shopify keeps list.number_integer
    return json.dumps(text, ensure_ascii=False)


# --- JSON -----------------------------------------------------------------------------------


class _Number(str):
    """Text that is written into JSON as a bare number."""


def dumps(value: Any) -> str:
    """Compact JSON with sorted keys; Decimals written exactly (never through float)."""
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{encode_basestring(k)}:{dumps(v)}" for k, v in items) + "}"
    return _dump_leaf(value, dumps)


def dumps_ordered(pairs: list[tuple[str, Any]]) -> str:
    body = ",".join(f"{encode_basestring(k)}:{dumps(v)}" for k, v in pairs)
    return "{" + body + "}"


_JSON_CONSTANTS = {None: "null", True: "true", False: "false"}


def _dump_leaf(value: Any, recurse: Any) -> str:
    # json.dumps(value, ensure_ascii=False) for the plain leaves, without an encoder per call
    if value is None or value is True or value is False:
        return _JSON_CONSTANTS[value]
    if value.__class__ is str:
        return encode_basestring(value)
    if value.__class__ is int:
        return int.__repr__(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(recurse(v) for v in value) + "]"
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, (bool, int, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("JSON has no NaN or infinity")
        try:
            number = value.normalize()
        except ArithmeticError:  # decimal.Overflow: an exponent past the context's (1e999999999)
            raise ValueError(f"the number {_short_number(value)} is too large for JSON") from None
        if not -50 <= number.as_tuple().exponent <= 50:  # type: ignore[operator]
            return str(number)  # exponent form: still exact JSON, and bounded in size
        text = format(number, "f")
        return text if text != "-0" else "0"
    if isinstance(value, float):
        return _dump_leaf(Decimal(repr(value)), recurse)
    raise ValueError(f"cannot write {type(value).__name__} as JSON")


def _short_number(value: Decimal) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "..."


def _limit(text: str, limit: int, what: str) -> None:
    size = len(text.encode())
    if size > limit:
        raise ValueError(f"{what} is {size} bytes; Shopify allows at most {limit}")


def decimal_or_none(text: str) -> Decimal | None:
    try:
        return Decimal(text) if _DECIMAL.fullmatch(text) else None
    except InvalidOperation:
        return None
