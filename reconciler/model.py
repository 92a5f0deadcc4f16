"""The normalized, immutable product model shared by the catalog side (desired) and the store side
(live).

Normalization happens here, at construction, so that phantom differences (`10` vs `"10.00"`, tag
order, HTML whitespace) never reach compare: two products that mean the same thing are equal and
have the same `content_hash()`.

Absence matters (contract.md, "What absence means"): a field left as `None` is one the catalog does
not manage; an empty collection means "none of ours". So optional fields default to `None`, never to
an empty value.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

STATUSES = ("active", "draft", "archived", "unlisted")
INVENTORY_POLICIES = ("deny", "continue")
WEIGHT_UNITS = ("GRAMS", "KILOGRAMS", "OUNCES", "POUNDS")

_CENT = Decimal("0.01")
_SPACE_RUN = re.compile(r"\s+")
_SPACE_BETWEEN_TAGS = re.compile(r">\s+<")


def money(value: str | int | Decimal) -> Decimal:
    """A money amount in canonical form: at least two decimals, no trailing zeros past them.

    Never goes through float. `"10"`, `10`, `"10.0"` and `"10.00"` all give `Decimal("10.00")`;
    `"10.125"` stays `Decimal("10.125")` (three-decimal currencies exist).
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"money must be a string, integer or Decimal, not {type(value).__name__}")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not a decimal amount: {value!r}")
    if amount.as_tuple().exponent >= -2:  # type: ignore[operator]
        return amount.quantize(_CENT)
    stripped = amount.normalize()
    return stripped if stripped.as_tuple().exponent < -2 else stripped.quantize(_CENT)  # type: ignore[operator]


def html(value: str) -> str:
    """HTML with insignificant whitespace folded, so editors and Shopify's re-serialization agree.

    Runs of whitespace become one space, whitespace between tags is dropped, and the ends are
    trimmed. (Whitespace inside <pre> is folded too; descriptions rarely carry it.)
    """
    return _SPACE_BETWEEN_TAGS.sub("><", _SPACE_RUN.sub(" ", value)).strip()


def tags(values: Any) -> frozenset[str]:
    """Tags as Shopify keeps them: trimmed, empty ones dropped, order and duplicates irrelevant."""
    return frozenset(t for t in (str(v).strip() for v in values) if t)


@dataclass(frozen=True, slots=True)
class Metafield:
    namespace: str
    key: str
    type: str
    value: str  # Shopify's canonical string form for the type (see metafield_values)

    @property
    def ref(self) -> tuple[str, str]:
        return (self.namespace, self.key)


@dataclass(frozen=True, slots=True)
class Weight:
    value: Decimal
    unit: str  # one of WEIGHT_UNITS

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _plain_decimal(self.value))


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    values: tuple[str, ...]  # in display order


@dataclass(frozen=True, slots=True)
class Media:
    src: str  # an https URL, or a path relative to the catalog directory
    alt: str | None = None


@dataclass(frozen=True, slots=True)
class Variant:
    # (option name, value) pairs in the product's option order; () for a product without options
    options: tuple[tuple[str, str], ...] = ()
    price: Decimal | None = None
    compare_at_price: Decimal | None = None
    sku: str | None = None
    barcode: str | None = None
    taxable: bool | None = None
    requires_shipping: bool | None = None
    tracked: bool | None = None
    cost: Decimal | None = None
    inventory_policy: str | None = None
    weight: Weight | None = None
    image: str | None = None  # the src of one of the product's media
    metafields: tuple[Metafield, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("price", "compare_at_price", "cost"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, money(value))
        if self.metafields is not None:
            object.__setattr__(self, "metafields", _sorted_metafields(self.metafields))

    @property
    def key(self) -> tuple[str, ...]:
        """The variant's identity inside its product: its option values in option order."""
        return tuple(value for _, value in self.options)


@dataclass(frozen=True, slots=True)
class Product:
    handle: str
    title: str | None = None
    previous_handles: tuple[str, ...] = ()
    status: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    tags: frozenset[str] | None = None
    description_html: str | None = None
    seo_title: str | None = None
    seo_description: str | None = None
    publications: frozenset[str] | None = None
    options: tuple[Option, ...] = ()
    variants: tuple[Variant, ...] = ()
    metafields: tuple[Metafield, ...] | None = None
    media: tuple[Media, ...] | None = None

    def __post_init__(self) -> None:
        if self.tags is not None and not isinstance(self.tags, frozenset):
            object.__setattr__(self, "tags", tags(self.tags))
        if self.publications is not None and not isinstance(self.publications, frozenset):
            object.__setattr__(self, "publications", frozenset(self.publications))
        if self.description_html is not None:
            object.__setattr__(self, "description_html", html(self.description_html))
        if self.metafields is not None:
            object.__setattr__(self, "metafields", _sorted_metafields(self.metafields))
        # Variants are kept in option-value order of the declared options, so two files that
        # list the same variants in another order describe the same product.
        object.__setattr__(self, "variants", tuple(sorted(self.variants, key=self._variant_rank)))

    def _variant_rank(self, variant: Variant) -> tuple[int, ...]:
        rank = []
        for option, value in zip(self.options, variant.key, strict=False):
            try:
                rank.append(option.values.index(value))
            except ValueError:
                rank.append(len(option.values))
        return tuple(rank)

    def managed_keys(self) -> frozenset[str]:
        """The top-level keys this product sets; the others are not managed (left alone live)."""
        keys = {f.name for f in fields(self) if getattr(self, f.name) is not None}
        keys.discard("previous_handles")
        if not self.options:
            keys.discard("options")
        return frozenset(keys)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready, canonical dict (sets sorted, Decimals as strings, unset keys left out)."""
        return _jsonable(self)

    def content_hash(self) -> str:
        """A stable hash of everything this product manages; the same meaning gives the same hash."""
        data = self.to_dict()
        data.pop("previous_handles", None)
        blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def _plain_decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    normalized = number.normalize()
    # normalize() turns 100 into 1E+2; keep plain notation for integers
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


def _sorted_metafields(items: Any) -> tuple[Metafield, ...]:
    return tuple(sorted(items, key=lambda m: (m.namespace, m.key)))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        out = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if item is None:
                continue
            out[f.name] = _jsonable(item)
        return out
    return value
