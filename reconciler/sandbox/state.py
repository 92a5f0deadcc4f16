"""The sandbox store's state: one `Store` per sandbox instance, like a moto backend.

Objects are `__slots__` dataclasses holding integer ids (GIDs are formatted at the edge, see
`gids.py`), so 100,000 products with 5 variants each fit in well under the 1.5 GB budget. The rules
that change the state live beside this module (`product_set.py`, `products.py`, `metafields.py`);
they raise `UserErrors` and write nothing until every check has passed.

Time comes from an injectable clock that never repeats a second: Shopify's `DateTime` has whole
seconds, and `updatedAt` must move on every real change, so two writes in the same wall-clock second
get consecutive seconds (the clock runs ahead of the wall under load; see docs/sandbox.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from .timeline import Timeline

ONLINE_STORE = "Online Store"
POINT_OF_SALE = "Point of Sale"


class Clock:
    """Strictly increasing whole seconds since the epoch; `wall` is injectable for tests."""

    def __init__(self, wall: Callable[[], float] = time.time, start: int = 0) -> None:
        self._wall = wall
        self._last = start

    def now(self) -> int:
        self._last = max(int(self._wall()), self._last + 1)
        return self._last

    @property
    def last(self) -> int:
        return self._last


def fixed_clock(start: int = 1_767_225_600) -> Clock:
    """A deterministic clock (2026-01-01T00:00:00Z, then +1 s per tick) for tests."""
    return Clock(wall=lambda: 0.0, start=start - 1)


@dataclass(slots=True)
class OptionValue:
    id: int
    name: str


@dataclass(slots=True)
class Option:
    id: int
    name: str
    values: list[OptionValue]


@dataclass(slots=True)
class Metafield:
    id: int
    namespace: str
    key: str
    type: str
    value: str
    created_at: int
    updated_at: int


@dataclass(slots=True)
class Variant:
    id: int
    product_id: int
    option_value_ids: tuple[int, ...]
    price: str = "0.00"
    compare_at_price: str | None = None
    sku: str | None = None
    barcode: str | None = None
    taxable: bool = True
    inventory_policy: str = "DENY"
    show_unit_price: bool = False
    requires_components: bool = False
    tax_code: str | None = None
    inventory_item_id: int = 0
    tracked: bool = False
    requires_shipping: bool = True
    weight_value: float = 0.0
    weight_unit: str = "KILOGRAMS"
    unit_cost: str | None = None
    country_code_of_origin: str | None = None
    province_code_of_origin: str | None = None
    harmonized_system_code: str | None = None
    # location id -> (available, on_hand); None until stocked somewhere
    inventory: dict[int, list[int]] | None = None
    media_id: int | None = None
    metafields: list[Metafield] | None = None
    created_at: int = 0
    updated_at: int = 0


@dataclass(slots=True)
class Media:
    id: int
    alt: str | None
    original_source: str | None
    content_type: str
    filename: str | None
    created_at: int
    status: str = "READY"
    error_code: str | None = None  # MediaErrorCode when FAILED
    updated_at: int = 0


@dataclass(slots=True)
class Product:
    id: int
    handle: str
    title: str
    created_at: int
    updated_at: int
    status: str = "ACTIVE"
    description_html: str = ""
    vendor: str = ""
    product_type: str = ""
    tags: tuple[str, ...] = ()
    template_suffix: str | None = None
    gift_card: bool = False
    gift_card_template_suffix: str | None = None
    requires_selling_plan: bool = False
    seo_title: str | None = None
    seo_description: str | None = None
    category: str | None = None
    combined_listing_role: str | None = None
    options: list[Option] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    metafields: list[Metafield] | None = None
    media: list[Media] | None = None
    # ids of the (manual) collections the product belongs to, ascending; the store keeps the
    # reverse index in Collection.members
    collections: tuple[int, ...] = ()
    # publication id -> publish date (epoch seconds)
    publications: dict[int, int] | None = None


@dataclass(slots=True)
class Collection:
    """A manual (custom) collection; smart collections are not emulated (docs/sandbox.md)."""

    id: int
    title: str
    handle: str
    created_at: int
    updated_at: int
    description_html: str = ""
    sort_order: str = "BEST_SELLING"
    template_suffix: str | None = None
    seo_title: str | None = None
    seo_description: str | None = None
    # member product ids in the collection's manual order (a dict: ordered, O(1) removal)
    members: dict[int, None] = field(default_factory=dict)


@dataclass(slots=True)
class Publication:
    id: int
    name: str
    supports_future_publishing: bool
    auto_publish: bool = False


@dataclass(slots=True)
class Location:
    id: int
    name: str
    created_at: int
    updated_at: int


@dataclass(slots=True)
class MetafieldDefinition:
    id: int
    namespace: str
    key: str
    name: str
    type: str
    owner_type: str
    description: str | None
    admin_filterable: bool
    unique_values: bool
    validations: list[dict[str, str]]
    created_at: int
    updated_at: int


@dataclass(slots=True)
class Shop:
    id: int = 1
    name: str = "Sandbox Store"
    myshopify_domain: str = "sandbox.myshopify.com"
    email: str = "owner@sandbox.example"
    currency_code: str = "USD"
    plan: str = "standard"
    iana_timezone: str = "UTC"
    weight_unit: str = "KILOGRAMS"
    created_at: int = 0
    metafields: list[Metafield] | None = None


ID_KINDS = (
    "Product",
    "ProductVariant",
    "ProductOption",
    "ProductOptionValue",
    "InventoryItem",
    "Metafield",
    "MediaImage",
    "Publication",
    "Location",
    "MetafieldDefinition",
    "Collection",
    "ProductSetOperation",
    "ProductDeleteOperation",
)


class Store:
    """All state of one sandbox store, plus the indexes the rules and resolvers need."""

    def __init__(self, clock: Clock | None = None, shop: Shop | None = None) -> None:
        self.clock = clock or Clock()
        self._shop_template = shop
        # Seconds for each step of async work (product operations, media processing).
        self.step_seconds = 0.05
        # The staged uploads of the sandbox serving this store (media sources), if any.
        self.uploads: Any = None
        # The bulk operations registry of that sandbox (bulk.py), for node(id:)
        self.bulk: Any = None
        self.timeline = Timeline()
        self.reset()

    def reset(self) -> None:
        """Back to a fresh store: no products, the default publications and location."""
        self.next_ids: dict[str, int] = dict.fromkeys(ID_KINDS, 1)
        self.products: dict[int, Product] = {}
        self.by_handle: dict[str, int] = {}
        self.variants: dict[int, Variant] = {}
        self.inventory_items: dict[int, int] = {}  # inventory item id -> variant id
        self.redirects: dict[str, str] = {}  # old path -> new path
        self.definitions: dict[int, MetafieldDefinition] = {}
        self.publications: dict[int, Publication] = {}
        self.locations: dict[int, Location] = {}
        self.collections: dict[int, Collection] = {}
        # async productSet/productDelete operations by GID (in memory only, not dumped)
        self.operations: dict[str, dict[str, Any]] = {}
        # every file (MediaImage) by id, attached to products or not (the admin's Files page)
        self.files: dict[int, Media] = {}
        self.timeline.clear()
        now = self.clock.now()
        base = self._shop_template or Shop()
        self.shop = Shop(**{f.name: getattr(base, f.name) for f in fields(Shop)})
        self.shop.metafields = None
        self.shop.created_at = now
        for name, future in ((ONLINE_STORE, True), (POINT_OF_SALE, False)):
            pub = Publication(self.new_id("Publication"), name, future)
            self.publications[pub.id] = pub
        loc = Location(self.new_id("Location"), "Shop location", now, now)
        self.locations[loc.id] = loc

    def new_id(self, kind: str) -> int:
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value

    # -- lookups used by rules and resolvers --------------------------------------------------

    def product_by_handle(self, handle: str) -> Product | None:
        pid = self.by_handle.get(handle)
        return self.products.get(pid) if pid is not None else None

    def default_location(self) -> Location:
        return next(iter(self.locations.values()))

    def online_store(self) -> Publication:
        return next(p for p in self.publications.values() if p.name == ONLINE_STORE)

    def definition_for(
        self, owner_type: str, namespace: str, key: str
    ) -> MetafieldDefinition | None:
        for d in self.definitions.values():
            if d.owner_type == owner_type and d.namespace == namespace and d.key == key:
                return d
        return None

    # -- index maintenance (called by the rules when they commit) -----------------------------

    def put_product(self, product: Product, old_handle: str | None = None) -> None:
        if old_handle is not None and self.by_handle.get(old_handle) == product.id:
            del self.by_handle[old_handle]
        before = self.products.get(product.id)
        was = before.collections if before is not None else ()
        if product.collections or was:
            self._sync_members(product.id, was, product.collections)
        self.products[product.id] = product
        self.by_handle[product.handle] = product.id
        for v in product.variants:
            self.variants[v.id] = v
            self.inventory_items[v.inventory_item_id] = v.id

    def drop_variant(self, variant: Variant) -> None:
        self.variants.pop(variant.id, None)
        self.inventory_items.pop(variant.inventory_item_id, None)

    def drop_product(self, product: Product) -> None:
        for v in product.variants:
            self.drop_variant(v)
        self._sync_members(product.id, product.collections, ())
        del self.products[product.id]
        if self.by_handle.get(product.handle) == product.id:
            del self.by_handle[product.handle]

    def _sync_members(self, pid: int, was: tuple[int, ...], now: tuple[int, ...]) -> None:
        """Keep Collection.members in step with a product's collections (new ones go last)."""
        for cid in was:
            if cid not in now and cid in self.collections:
                self.collections[cid].members.pop(pid, None)
        for cid in now:
            self.collections[cid].members.setdefault(pid, None)

    # -- persistence --------------------------------------------------------------------------

    def dump(self, products: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The whole state as JSON-safe data (for `--state FILE` and the control endpoint);
        `products`: the products already dumped (dump_product), to skip that part."""
        attached = {m.id for p in self.products.values() for m in p.media or ()}
        if products is None:
            products = [_plain(p) for p in self.products.values()]
        return {
            "version": 1,
            "clock": self.clock.last,
            "next_ids": dict(self.next_ids),
            "shop": _plain(self.shop),
            "publications": [_plain(p) for p in self.publications.values()],
            "locations": [_plain(loc) for loc in self.locations.values()],
            "definitions": [_plain(d) for d in self.definitions.values()],
            "collections": [_plain(c) for c in self.collections.values()],
            "redirects": dict(self.redirects),
            "products": products,
            "files": [_plain(m) for m in self.files.values() if m.id not in attached],
        }

    @staticmethod
    def dump_product(product: Product) -> dict[str, Any]:
        return _plain(product)

    @classmethod
    def load(cls, data: dict[str, Any], clock: Clock | None = None) -> Store:
        store = cls(clock=clock)
        store.clock._last = max(store.clock.last, int(data["clock"]))
        store.next_ids.update(data["next_ids"])
        shop = dict(data["shop"])
        shop["metafields"] = _metafields_from(shop.get("metafields"))
        store.shop = Shop(**shop)
        store.publications = {p["id"]: Publication(**p) for p in data["publications"]}
        store.locations = {loc["id"]: Location(**loc) for loc in data["locations"]}
        store.definitions = {d["id"]: MetafieldDefinition(**d) for d in data["definitions"]}
        store.redirects = dict(data["redirects"])
        for raw in data.get("collections", ()):  # before products: they index into these
            raw = dict(raw)
            raw["members"] = dict.fromkeys(int(k) for k in raw["members"])  # JSON keeps the order
            store.collections[raw["id"]] = Collection(**raw)
        for raw in data["products"]:
            product = _product_from(raw)
            # a file attached to several products is one object
            product.media = [store.files.setdefault(m.id, m) for m in product.media or ()] or (
                product.media
            )
            store.put_product(product)
        for raw in data.get("files", ()):
            media = Media(**raw)
            store.files.setdefault(media.id, media)
        return store


_LEAVES = (str, int, float, bool, type(None))
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(obj: Any) -> Any:
    # hot for big stores (the state file): field names cached per class, leaves first
    kind = type(obj)
    if kind in _LEAVES:
        return obj
    names = _FIELD_NAMES.get(kind)
    if names is None and hasattr(obj, "__dataclass_fields__"):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(obj))
    if names is not None:
        out = {}
        for name in names:
            value = getattr(obj, name)
            out[name] = value if type(value) in _LEAVES else _plain(value)
        return out
    if kind is list or kind is tuple:
        return [x if type(x) in _LEAVES else _plain(x) for x in obj]
    if kind is dict:
        return {str(k): v if type(v) in _LEAVES else _plain(v) for k, v in obj.items()}
    return obj


def _metafields_from(raw: list[dict[str, Any]] | None) -> list[Metafield] | None:
    return None if raw is None else [Metafield(**m) for m in raw]


def _variant_from(raw: dict[str, Any]) -> Variant:
    raw = dict(raw)
    raw["option_value_ids"] = tuple(raw["option_value_ids"])
    raw["metafields"] = _metafields_from(raw.get("metafields"))
    if raw.get("inventory") is not None:
        raw["inventory"] = {int(k): list(v) for k, v in raw["inventory"].items()}
    return Variant(**raw)


def _product_from(raw: dict[str, Any]) -> Product:
    raw = dict(raw)
    raw["tags"] = tuple(raw["tags"])
    raw["collections"] = tuple(raw.get("collections", ()))
    raw["options"] = [
        Option(o["id"], o["name"], [OptionValue(**v) for v in o["values"]]) for o in raw["options"]
    ]
    raw["variants"] = [_variant_from(v) for v in raw["variants"]]
    raw["metafields"] = _metafields_from(raw.get("metafields"))
    if raw.get("media") is not None:
        raw["media"] = [Media(**m) for m in raw["media"]]
    if raw.get("publications") is not None:
        raw["publications"] = {int(k): v for k, v in raw["publications"].items()}
    return Product(**raw)
