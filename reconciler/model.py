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
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any

STATUSES = ("active", "draft", "archived", "unlisted")
INVENTORY_POLICIES = ("deny", "continue")
WEIGHT_UNITS = ("GRAMS", "KILOGRAMS", "OUNCES", "POUNDS")
ZERO_WEIGHT_UNIT = "GRAMS"
# Shopify's own option of a product without options (shopify-facts.md §2.1): it means "no options"
DEFAULT_OPTION_NAME, DEFAULT_OPTION_VALUE = "Title", "Default Title"

_CENT = Decimal("0.01")
_LINE_BREAK = re.compile(r"\r\n?")
_HTML_SPACE = " \t\n\f"  # the HTML standard's ASCII whitespace, once \r is gone


def money(value: str | int | Decimal) -> Decimal:
    """A money amount in canonical form: at least two decimals, no trailing zeros past them.

    Never goes through float. `"10"`, `10`, `"10.0"` and `"10.00"` all give `Decimal("10.00")`;
    `"10.125"` stays `Decimal("10.125")` (three-decimal currencies exist).
    """
    if isinstance(value, bool | float):
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


# ISO 4217 minor units that are not 2 (the currencies a Shopify store can sell in); every other
# code has 2. Shopify stores an amount with the store currency's decimals (docs/plan.md).
_MINOR_UNITS = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
         "VUV", "XAF", "XOF", "XPF"),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}  # fmt: skip
MONEY_DECIMALS = 2  # what validate assumes offline, before the store's currency is known


def currency_decimals(currency: str) -> int:
    """The number of decimals of `currency`'s minor unit (ISO 4217): JPY 0, USD 2, KWD 3."""
    return _MINOR_UNITS.get(currency.upper(), 2)


def excess_decimals(amount: Decimal, decimals: int) -> bool:
    """Whether `amount` has more (non-zero) decimals than `decimals`: Shopify would round it."""
    return amount != amount.quantize(Decimal(1).scaleb(-decimals))


def html(value: str) -> str:
    """HTML as Shopify keeps it, with only what cannot render differently folded.

    Shopify stores `descriptionHtml` as sent (docs/sandbox.md, "HTML"): no whitespace is folded,
    because whitespace renders (`<b>Hello</b> <i>world</i>` is not `<b>Hello</b><i>world</i>`,
    and `<pre>` keeps every space). Folded here, on both sides alike: line breaks (`\r\n` and
    `\r` are `\n` to every HTML parser) and whitespace around the whole value (what a YAML block
    scalar adds; it never renders at the edge of the description's block). Only HTML's ASCII
    whitespace: a no-break space renders.
    """
    return _LINE_BREAK.sub("\n", value).strip(_HTML_SPACE)


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
        value = _plain_decimal(self.value)
        object.__setattr__(self, "value", value)
        if not value:
            # Zero is zero in every unit: one spelling, so `0 POUNDS` and `0 GRAMS` are equal.
            object.__setattr__(self, "unit", ZERO_WEIGHT_UNIT)


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    values: tuple[str, ...]  # in display order


@dataclass(frozen=True, slots=True)
class Media:
    src: str  # an https URL, or a path relative to the catalog directory
    alt: str | None = None
    # A local file's content, 16 hex digits of SHA-256 (catalog/media_files.py): a file replaced
    # under the same name is another image. None for a URL (Shopify keeps no source to compare).
    sha256: str | None = None

    def __post_init__(self) -> None:
        if self.alt == "":
            object.__setattr__(self, "alt", None)  # Shopify stores an empty alt as none


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
        if len(self.options) == 1 and _is_default_option(self.options[0]):
            object.__setattr__(self, "options", ())
            object.__setattr__(self, "variants", tuple(_no_options(v) for v in self.variants))
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
        """A stable hash of everything this product manages: the same meaning, the same hash."""
        data = self.to_dict()
        data.pop("previous_handles", None)
        blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def _is_default_option(option: Option) -> bool:
    return option.name == DEFAULT_OPTION_NAME and option.values == (DEFAULT_OPTION_VALUE,)


def _no_options(variant: Variant) -> Variant:
    return variant if not variant.options else replace(variant, options=())


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


# --- Ownership marker and live products (plan/compare inputs) ------------------------------------
# Where and how the marker is stored, and how fetch must build a LiveProduct: docs/marker.md.

MARKER_NAMESPACE = "catalog_reconciler"
MARKER_KEY = "marker"
MARKER_TYPE = "json"
MARKER_FORMAT = 1
_FIELD_HASH_LEN = 16


def field_hash(value: Any) -> str:
    """A short, stable hash of one field's canonical value (used for per-field drift detection)."""
    blob = json.dumps(_jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:_FIELD_HASH_LEN]


def metafield_ref(metafield: Metafield) -> str:
    return f"{metafield.namespace}.{metafield.key}"


@dataclass(frozen=True, slots=True)
class Marker:
    """What this tool wrote on a product: whose it is and what, exactly, the catalog set there.

    `keys`: the top-level Product keys the catalog managed at the last apply; `fields`: a short hash
    of each managed key's value as applied (so a field changed in the admin is told from one changed
    in the catalog); element sets for the lists shared with others (tags, metafields as "ns.key",
    variant metafields, publications, media srcs) so that only what we set is ever removed;
    `variant_keys`: the variant fields set on any variant; `media_ids`: src -> Shopify media id of
    the media the catalog created.
    """

    catalog: str
    last_applied: str
    keys: frozenset[str] = frozenset()
    fields: tuple[tuple[str, str], ...] = ()
    variant_keys: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    metafields: frozenset[str] = frozenset()
    variant_metafields: frozenset[str] = frozenset()
    publications: frozenset[str] = frozenset()
    media: tuple[str, ...] = ()
    media_ids: tuple[tuple[str, str], ...] = ()
    media_sha256: tuple[tuple[str, str], ...] = ()  # src -> Media.sha256 applied (local files)
    # srcs an apply was about to add when it last wrote this marker (written before the add, the
    # rest of the marker unchanged): a media of that file name found unrecorded is that add's
    pending_media: tuple[str, ...] = ()
    tool: str = ""
    format: int = MARKER_FORMAT

    def __post_init__(self) -> None:
        if not self.tool:
            from reconciler import TOOL_NAME

            object.__setattr__(self, "tool", TOOL_NAME)

    @property
    def field_hashes(self) -> dict[str, str]:
        return dict(self.fields)

    @property
    def media_id_map(self) -> dict[str, str]:
        return dict(self.media_ids)

    @property
    def media_sha256_map(self) -> dict[str, str]:
        return dict(self.media_sha256)

    @classmethod
    def for_product(
        cls, product: Product, catalog: str, media_ids: dict[str, str] | None = None
    ) -> Marker:
        """The marker apply writes after making the store match `product`."""
        keys = product.managed_keys()
        variant_keys = {
            f.name
            for v in product.variants
            for f in fields(v)
            if f.name not in ("options", "metafields") and getattr(v, f.name) is not None
        }
        media = tuple(m.src for m in product.media or ())
        ids = {src: i for src, i in (media_ids or {}).items() if src in media}
        return cls(
            catalog=catalog,
            last_applied=product.content_hash(),
            keys=keys,
            fields=tuple(sorted((k, field_hash(getattr(product, k))) for k in keys)),
            variant_keys=frozenset(variant_keys),
            tags=product.tags or frozenset(),
            metafields=frozenset(metafield_ref(m) for m in product.metafields or ()),
            variant_metafields=frozenset(
                metafield_ref(m) for v in product.variants for m in v.metafields or ()
            ),
            publications=product.publications or frozenset(),
            media=media,
            media_ids=tuple(sorted(ids.items())),
            media_sha256=tuple(sorted((m.src, m.sha256) for m in product.media or () if m.sha256)),
        )

    def to_json(self) -> str:
        data = {
            "format": self.format,
            "tool": self.tool,
            "catalog": self.catalog,
            "last_applied": self.last_applied,
            "managed": {
                "keys": sorted(self.keys),
                "fields": dict(self.fields),
                "variant_keys": sorted(self.variant_keys),
                "tags": sorted(self.tags),
                "metafields": sorted(self.metafields),
                "variant_metafields": sorted(self.variant_metafields),
                "publications": sorted(self.publications),
                "media": list(self.media),
            },
            "media_ids": dict(self.media_ids),
        }
        if self.media_sha256:  # only local files have one; a marker without stays as it was
            data["media_sha256"] = dict(self.media_sha256)
        if self.pending_media:
            data["pending_media"] = list(self.pending_media)
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @staticmethod
    def from_json(text: str | None) -> tuple[Marker | None, str | None]:
        """(marker, None), or (None, why) for a missing, unreadable, foreign or newer marker."""
        from reconciler import TOOL_NAME

        if text is None or not str(text).strip():
            return None, "no marker"
        try:
            data = json.loads(text)
        except (TypeError, ValueError, RecursionError) as exc:
            return None, f"marker is not JSON ({exc.__class__.__name__})"
        if not isinstance(data, dict):
            return None, "marker is not a JSON object"
        if data.get("tool") != TOOL_NAME:
            return None, f"marker written by another tool ({data.get('tool')!r})"
        if data.get("format") != MARKER_FORMAT:
            return None, f"marker format {data.get('format')!r} is not {MARKER_FORMAT}"
        try:
            return _marker_from(data), None
        except (TypeError, ValueError, AttributeError) as exc:
            return None, f"marker is malformed ({exc})"


# Every marker of a catalog repeats the same key sets and names; one shared instance of each
# keeps 100,000 markers read from a store about 300 MB smaller (bench/bench_plan.py). Bounded,
# so that a store of markers that all differ cannot grow it without end.
_SHARED: dict[Any, Any] = {}
_SHARED_MAX = 4096


def _shared(value: Any) -> Any:
    found = _SHARED.get(value)
    if found is not None:
        return found
    if len(_SHARED) < _SHARED_MAX:
        _SHARED[value] = value
    return value


def _strings(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    return _shared(frozenset(value))


def _string_map(value: Any, share_keys: bool = False) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("expected an object of strings")
    if share_keys:
        return tuple(sorted((_shared(k), v) for k, v in value.items()))
    return tuple(sorted(value.items()))


def _marker_from(data: dict[str, Any]) -> Marker:
    managed = data.get("managed") or {}
    if not isinstance(managed, dict):
        raise ValueError("managed is not an object")
    catalog, last = data.get("catalog"), data.get("last_applied")
    if not isinstance(catalog, str) or not catalog or not isinstance(last, str):
        raise ValueError("catalog or last_applied missing")
    media = managed.get("media") or []
    if not isinstance(media, list) or not all(isinstance(m, str) for m in media):
        raise ValueError("media is not a list of strings")
    return Marker(
        catalog=_shared(catalog),
        last_applied=last,
        keys=_strings(managed.get("keys")),
        fields=_string_map(managed.get("fields"), share_keys=True),
        variant_keys=_strings(managed.get("variant_keys")),
        tags=_strings(managed.get("tags")),
        metafields=_strings(managed.get("metafields")),
        variant_metafields=_strings(managed.get("variant_metafields")),
        publications=_strings(managed.get("publications")),
        media=tuple(media),
        media_ids=_string_map(data.get("media_ids")),
        media_sha256=_string_map(data.get("media_sha256")),
        pending_media=tuple(sorted(_strings(data.get("pending_media")))),
        tool=_shared(data["tool"]),
        format=data["format"],
    )


@dataclass(frozen=True, slots=True)
class LiveMedia:
    id: str  # Shopify media id (gid://shopify/MediaImage/N); the only stable identity of a media
    alt: str | None = None
    url: str | None = None  # where it can be seen now (not stable; never used for matching)


@dataclass(frozen=True)
class LiveProduct:
    """One product as read from the store, in the same normalized model as the catalog.

    Contract for fetch (docs/marker.md, "What fetch must produce"): `product` has every field read
    (no None for a field Shopify has: empty string / empty set instead), tags as read, every
    product metafield except the marker, variants keyed exactly as the catalog keys them (a product
    whose only option is Shopify's "Title"/"Default Title" has `options=()` and one variant with
    key `()`), each variant's metafields, publications as publication names (None when not read),
    `media=None` (live media are in `media`, by id). `variant_ids` maps each variant's key to its
    Shopify id. `marker`/`marker_problem` come from `Marker.from_json` of the marker metafield.
    `complete` is False when any connection of this product was truncated (variants, metafields,
    media beyond the page read): compare then plans no write for it.
    """

    id: str
    product: Product
    variant_ids: dict[tuple[str, ...], str]
    media: tuple[LiveMedia, ...] = ()
    updated_at: str | None = None
    marker: Marker | None = None
    marker_problem: str | None = None
    marker_id: str | None = None  # the marker metafield's id, when present
    complete: bool = True

    @property
    def handle(self) -> str:
        return self.product.handle
