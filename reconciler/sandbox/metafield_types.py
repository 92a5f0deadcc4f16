"""Metafield types as Shopify documents them (fact sheet §4): which types exist, which values are
valid for each, and the canonical string the sandbox stores and reads back.

Written independently of the reconciler's own value handling on purpose: the sandbox checks our
client against Shopify's rules, not against itself.

Canonical read-back forms (fact sheet §10 is unconfirmed; see docs/sandbox.md): number_integer as
the plain integer, number_decimal as a plain decimal with at least one fractional digit and no
trailing zeros beyond it ("10" -> "10.0", "10.50" -> "10.5"; Ruby's BigDecimal#to_s("F"), which is
what a Rails app produces), json and the other JSON-valued types re-serialized compactly with key
order kept (Ruby's `to_json`), booleans lowercase, everything else as sent.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

TEXT_TYPES = ("single_line_text_field", "multi_line_text_field")
REFERENCE_TYPES = {
    "product_reference": "Product",
    "variant_reference": "ProductVariant",
    "collection_reference": "Collection",
    "file_reference": None,
    "page_reference": "Page",
    "customer_reference": "Customer",
    "company_reference": "Company",
    "metaobject_reference": "Metaobject",
    "mixed_reference": "Metaobject",
    "product_taxonomy_value_reference": "TaxonomyValue",
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
    *TEXT_TYPES,
    "number_integer",
    "number_decimal",
    "boolean",
    "date",
    "date_time",
    "color",
    "url",
    "id",
    "json",
    "rich_text_field",
    "money",
    "rating",
    "link",
    *UNITS,
    *REFERENCE_TYPES,
)
LISTABLE = tuple(
    t
    for t in SCALAR_TYPES
    if t not in ("boolean", "json", "money", "rich_text_field", "multi_line_text_field", "id")
)
ALL_TYPES = frozenset((*SCALAR_TYPES, *(f"list.{t}" for t in LISTABLE)))
ADMIN_FILTERABLE_TYPES = (
    "single_line_text_field",
    "boolean",
    *REFERENCE_TYPES,
    *(f"list.{t}" for t in REFERENCE_TYPES),
    "list.single_line_text_field",
)

_INT_MAX = 9_007_199_254_740_991
_DEC_MAX = Decimal("9999999999999.999999999")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
_URL_SCHEMES = ("https", "http", "mailto", "sms", "tel")
_GID = re.compile(r"^gid://shopify/([A-Za-z]+)/\d+$")
LIST_MAX = 128
SIZE_LIMITS = {"id": 2048, "url": 2048, "json": 131_072}
DEFAULT_SIZE_LIMIT = 65_536


class InvalidValue(ValueError):
    """The value is not valid for the type; the message is the user error's text."""


def canonical(type_name: str, value: str, currency: str = "USD") -> str:
    """The stored form of `value` for `type_name`, or InvalidValue."""
    if type_name not in ALL_TYPES:
        raise InvalidValue(f"'{type_name}' is not a valid metafield type")
    limit = SIZE_LIMITS.get(type_name, DEFAULT_SIZE_LIMIT)
    if len(value.encode()) > limit:
        raise InvalidValue(f"Value is too long (maximum is {limit} bytes)")
    if type_name.startswith("list."):
        return _canonical_list(type_name[5:], value, currency)
    return (
        _dumps(_one(type_name, value, currency))
        if _is_json_typed(type_name)
        else str(_one(type_name, value, currency))
    )


def _is_json_typed(type_name: str) -> bool:
    return type_name in ("json", "rich_text_field", "money", "rating", "link", *UNITS)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _canonical_list(item_type: str, value: str, currency: str) -> str:
    try:
        items = json.loads(value)
    except json.JSONDecodeError:
        raise InvalidValue("Value must be a JSON array") from None
    if not isinstance(items, list):
        raise InvalidValue("Value must be a JSON array")
    if len(items) > LIST_MAX:
        raise InvalidValue(f"Value has too many items (maximum is {LIST_MAX})")
    out = []
    for item in items:
        text = item if isinstance(item, str) else _dumps(item)
        out.append(
            _one(item_type, text if not isinstance(item, int | float) else str(item), currency)
        )
    return _dumps(out)


def _one(type_name: str, value: str, currency: str) -> Any:
    if type_name in TEXT_TYPES:
        if type_name == "single_line_text_field" and "\n" in value:
            raise InvalidValue("Value must be a single line of text")
        return value
    checker = _CHECKERS.get(type_name)
    if checker is not None:
        return checker(value, currency)
    if type_name in REFERENCE_TYPES:
        return _reference(type_name, value)
    if type_name in UNITS:
        return _measurement(type_name, value)
    raise InvalidValue(f"'{type_name}' is not a valid metafield type")


def _integer(value: str, _c: str) -> str:
    if not re.fullmatch(r"[+-]?\d+", value.strip()):
        raise InvalidValue("Value must be an integer")
    number = int(value)
    if abs(number) > _INT_MAX:
        raise InvalidValue("Value is out of range")
    return str(number)


def _decimal(value: str, _c: str) -> str:
    text = value.strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise InvalidValue("Value must be a decimal number")
    number = Decimal(text)
    if abs(number) > _DEC_MAX or -number.as_tuple().exponent > 9:  # type: ignore[operator]
        raise InvalidValue("Value is out of range (max 13 digits and 9 decimal places)")
    plain = format(number.normalize(), "f")
    return plain if "." in plain else plain + ".0"


def _boolean(value: str, _c: str) -> str:
    if value not in ("true", "false"):
        raise InvalidValue("Value must be true or false")
    return value


def _date(value: str, _c: str) -> str:
    if not _DATE.match(value):
        raise InvalidValue("Value must be a date in the format YYYY-MM-DD")
    return value


def _date_time(value: str, _c: str) -> str:
    if not _DATE_TIME.match(value):
        raise InvalidValue("Value must be an ISO 8601 date and time")
    return value


def _color(value: str, _c: str) -> str:
    if not _COLOR.match(value):
        raise InvalidValue("Value must be a hex color code like #fff123")
    return value


def _url(value: str, _c: str) -> str:
    scheme, sep, rest = value.partition(":")
    if not sep or scheme.lower() not in _URL_SCHEMES or not rest:
        raise InvalidValue("Value must be a URL with scheme https, http, mailto, sms or tel")
    return value


def _id(value: str, _c: str) -> str:
    if not value.strip():
        raise InvalidValue("Value can't be blank")
    return value


def _load(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise InvalidValue("Value must be valid JSON") from None


def _json(value: str, _c: str) -> Any:
    return _load(value)


def _rich_text(value: str, _c: str) -> Any:
    obj = _load(value)
    if (
        not isinstance(obj, dict)
        or obj.get("type") != "root"
        or not isinstance(obj.get("children"), list)
    ):
        raise InvalidValue("Value must be a rich text root object")
    return obj


def _money(value: str, currency: str) -> Any:
    obj = _load(value)
    if not isinstance(obj, dict) or set(obj) != {"amount", "currency_code"}:
        raise InvalidValue("Value must have amount and currency_code")
    try:
        Decimal(str(obj["amount"]))
    except InvalidOperation:
        raise InvalidValue("Amount must be a decimal") from None
    if obj["currency_code"] != currency:
        raise InvalidValue(f"Currency code must be the store's currency ({currency})")
    return obj


def _rating(value: str, _c: str) -> Any:
    obj = _load(value)
    if not isinstance(obj, dict) or not {"value", "scale_min", "scale_max"} <= set(obj):
        raise InvalidValue("Value must have value, scale_min and scale_max")
    try:
        low, high, v = (Decimal(str(obj[k])) for k in ("scale_min", "scale_max", "value"))
    except InvalidOperation:
        raise InvalidValue("Rating values must be decimals") from None
    if not low <= v <= high:
        raise InvalidValue("Rating value must be between scale_min and scale_max")
    return obj


def _link(value: str, _c: str) -> Any:
    obj = _load(value)
    if not isinstance(obj, dict) or not isinstance(obj.get("url"), str):
        raise InvalidValue("Value must have a url")
    _url(obj["url"], _c)
    return obj


def _measurement(type_name: str, value: str) -> Any:
    obj = _load(value)
    if not isinstance(obj, dict) or set(obj) != {"value", "unit"}:
        raise InvalidValue("Value must have value and unit")
    if isinstance(obj["value"], bool) or not isinstance(obj["value"], int | float):
        raise InvalidValue("Measurement value must be a number")
    if obj["unit"] not in UNITS[type_name]:
        raise InvalidValue(f"Unit must be one of {', '.join(UNITS[type_name])}")
    return obj


def _reference(type_name: str, value: str) -> str:
    m = _GID.match(value)
    expected = REFERENCE_TYPES[type_name]
    if m is None or (expected is not None and m.group(1) != expected):
        raise InvalidValue(f"Value must be a {expected or 'file'} global id")
    return value


_CHECKERS = {
    "number_integer": _integer,
    "number_decimal": _decimal,
    "boolean": _boolean,
    "date": _date,
    "date_time": _date_time,
    "color": _color,
    "url": _url,
    "id": _id,
    "json": _json,
    "rich_text_field": _rich_text,
    "money": _money,
    "rating": _rating,
    "link": _link,
}


def jsonish(type_name: str, value: str) -> Any:
    """`Metafield.jsonValue`: the parsed value for JSON-valued types, numbers as numbers."""
    if type_name.startswith("list.") or _is_json_typed(type_name):
        return json.loads(value)
    if type_name == "number_integer":
        return int(value)
    if type_name == "number_decimal":
        return value
    if type_name == "boolean":
        return value == "true"
    return value
