"""Metafield rules: metafieldsSet, metafieldsDelete, metafieldDefinitionCreate, and the shared
checks productSet uses for its `metafields` inputs (fact sheet §4, pitfall 12).

Readings taken where Shopify is unconfirmed (docs/sandbox.md): a compareDigest that is not a digest
the store could have issued is INVALID_COMPARE_DIGEST; a well-formed digest that does not match the
stored value (or `compareDigest: null` when the metafield exists, or a digest for a metafield that
does not exist) is STALE_OBJECT. A write to a product's metafield moves the product's `updatedAt`.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from . import metafield_types as types
from .gids import UserError, UserErrors, parse_gid
from .state import Metafield, MetafieldDefinition, Product, Store, Variant

APP_NAMESPACE = "app--1"
MAX_SET = 25
OWNER_TYPES = {"Product": "PRODUCT", "ProductVariant": "PRODUCTVARIANT", "Shop": "SHOP"}
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def digest(mf: Metafield) -> str:
    return hashlib.sha256(f"{mf.type}\x00{mf.value}".encode()).hexdigest()


def resolve_namespace(namespace: str | None) -> str:
    """Omitted namespace and `$app` / `$app:x` map to the app-reserved namespace."""
    if namespace is None or namespace == "$app":
        return APP_NAMESPACE
    if namespace.startswith("$app:"):
        return f"{APP_NAMESPACE}--{namespace[5:]}"
    return namespace


def name_problem(namespace: str, key: str) -> tuple[str, str, str] | None:
    """(field, message, code) when namespace or key break Shopify's length/character rules."""
    for name, value, low, high in (("namespace", namespace, 3, 255), ("key", key, 2, 64)):
        if len(value) < low:
            return (
                name,
                f"{name.capitalize()} is too short (minimum is {low} characters)",
                "TOO_SHORT",
            )
        if len(value) > high:
            return (
                name,
                f"{name.capitalize()} is too long (maximum is {high} characters)",
                "TOO_LONG",
            )
        if not _NAME.match(value) and not value.startswith(APP_NAMESPACE):
            return name, f"{name.capitalize()} contains invalid characters", "INVALID"
    return None


def owner_of(store: Store, owner_id: Any) -> tuple[str, Product | Variant | Any] | None:
    parsed = parse_gid(owner_id)
    if parsed is None:
        return None
    kind, number = parsed
    found: Any = None
    if kind == "Product":
        found = store.products.get(number)
    elif kind == "ProductVariant":
        found = store.variants.get(number)
    elif kind == "Shop" and number == store.shop.id:
        found = store.shop
    return (OWNER_TYPES[kind], found) if found is not None else None


def resolve_type(
    store: Store, owner_type: str, namespace: str, key: str, type_name: str | None
) -> tuple[str | None, str | None]:
    """(type, problem): the definition's type when one exists, else the given type."""
    definition = store.definition_for(owner_type, namespace, key)
    if definition is not None:
        if type_name is not None and type_name != definition.type:
            return None, f"Type must be {definition.type} to match the metafield definition"
        return definition.type, None
    if type_name is None:
        return None, "Type can't be blank when there is no metafield definition"
    if type_name not in types.ALL_TYPES:
        return None, f"'{type_name}' is not a valid metafield type"
    return type_name, None


def unique_clash(store: Store, owner_type: str, ns: str, key: str, value: str, owner: Any) -> bool:
    definition = store.definition_for(owner_type, ns, key)
    if definition is None or not (definition.unique_values or definition.type == "id"):
        return False
    for product in store.products.values():
        if product is owner:
            continue
        for mf in product.metafields or ():
            if mf.namespace == ns and mf.key == key and mf.value == value:
                return True
    return False


def owner_metafields(owner: Any) -> list[Metafield]:
    if getattr(owner, "metafields", None) is None:
        owner.metafields = []
    return owner.metafields


def metafields_set(store: Store, inputs: list[dict[str, Any]]) -> list[Metafield]:
    """Set all or nothing; returns the metafields in input order."""
    if len(inputs) > MAX_SET:
        raise UserErrors(
            [
                UserError(
                    f"Exceeded the maximum metafields input limit of {MAX_SET}.",
                    ["metafields"],
                    "LESS_THAN_OR_EQUAL_TO",
                )
            ]
        )
    errors: list[UserError] = []
    planned: list[tuple[Any, str, str, str, str]] = []
    for i, item in enumerate(inputs):
        problem = _check_set_item(store, i, item)
        if isinstance(problem, UserError):
            errors.append(problem)
        else:
            planned.append(problem)
    if errors:
        raise UserErrors(errors)
    return [_write(store, *plan) for plan in planned]


def _err(i: int, field: str, message: str, code: str) -> UserError:
    return UserError(message, ["metafields", str(i), field], code, i)


def _check_set_item(store: Store, i: int, item: dict[str, Any]) -> UserError | tuple:
    owner = owner_of(store, item["ownerId"])
    if owner is None:
        return _err(i, "ownerId", "Owner does not exist.", "INVALID")
    owner_type, obj = owner
    ns, key = resolve_namespace(item.get("namespace")), item["key"]
    bad = name_problem(ns, key)
    if bad is not None:
        return _err(i, *bad)
    type_name, problem = resolve_type(store, owner_type, ns, key, item.get("type"))
    if problem is not None:
        code = "BLANK" if item.get("type") is None else "INVALID_TYPE"
        return _err(i, "type", problem, code)
    try:
        value = types.canonical(type_name, item["value"], store.shop.currency_code)
    except types.InvalidValue as exc:
        return _err(i, "value", str(exc), "INVALID_VALUE")
    existing = _find(obj, ns, key)
    if "compareDigest" in item:
        stale = _digest_problem(i, item["compareDigest"], existing)
        if stale is not None:
            return stale
    if unique_clash(store, owner_type, ns, key, value, obj):
        return _err(i, "value", "Value is already taken by another resource.", "TAKEN")
    return (obj, ns, key, type_name, value)


def _digest_problem(i: int, given: str | None, existing: Metafield | None) -> UserError | None:
    if given is not None and not _DIGEST.match(given):
        return _err(i, "compareDigest", "The compareDigest is invalid.", "INVALID_COMPARE_DIGEST")
    current = digest(existing) if existing is not None else None
    if given != current:
        return _err(
            i,
            "compareDigest",
            "The metafield has been modified since it was loaded.",
            "STALE_OBJECT",
        )
    return None


def _find(owner: Any, ns: str, key: str) -> Metafield | None:
    for mf in getattr(owner, "metafields", None) or ():
        if mf.namespace == ns and mf.key == key:
            return mf
    return None


def _write(store: Store, owner: Any, ns: str, key: str, type_name: str, value: str) -> Metafield:
    existing = _find(owner, ns, key)
    if existing is not None:
        if existing.type == type_name and existing.value == value:
            return existing
        existing.type, existing.value = type_name, value
        existing.updated_at = store.clock.now()
        _touch(store, owner, existing.updated_at)
        return existing
    now = store.clock.now()
    mf = Metafield(store.new_id("Metafield"), ns, key, type_name, value, now, now)
    owner_metafields(owner).append(mf)
    _touch(store, owner, now)
    return mf


def _touch(store: Store, owner: Any, now: int) -> None:
    if isinstance(owner, Variant):
        owner.updated_at = now
        owner = store.products[owner.product_id]
    if isinstance(owner, Product):
        owner.updated_at = now


def metafields_delete(store: Store, inputs: list[dict[str, Any]]) -> list[dict[str, str] | None]:
    """Delete each identified metafield; a missing one gives a null entry, not an error."""
    out: list[dict[str, str] | None] = []
    for item in inputs:
        owner = owner_of(store, item["ownerId"])
        ns = resolve_namespace(item["namespace"])
        found = _find(owner[1], ns, item["key"]) if owner else None
        if found is None:
            out.append(None)
            continue
        owner[1].metafields.remove(found)
        _touch(store, owner[1], store.clock.now())
        out.append({"ownerId": item["ownerId"], "namespace": ns, "key": item["key"]})
    return out


def definition_create(store: Store, data: dict[str, Any]) -> MetafieldDefinition:
    ns, key = resolve_namespace(data.get("namespace")), data["key"]
    bad = name_problem(ns, key)
    if bad is not None:
        raise UserErrors([UserError(bad[1], ["definition", bad[0]], bad[2])])
    if data["type"] not in types.ALL_TYPES:
        raise UserErrors([UserError("Type is invalid", ["definition", "type"], "INCLUSION")])
    if store.definition_for(data["ownerType"], ns, key) is not None:
        raise UserErrors([UserError("Key is in use", ["definition", "key"], "TAKEN")])
    caps = data.get("capabilities") or {}
    filterable = bool((caps.get("adminFilterable") or {}).get("enabled"))
    unique = bool((caps.get("uniqueValues") or {}).get("enabled"))
    if filterable and data["type"] not in types.ADMIN_FILTERABLE_TYPES:
        raise UserErrors(
            [
                UserError(
                    "The admin filterable capability is not available for this type.",
                    ["definition", "capabilities", "adminFilterable"],
                    "INVALID_CAPABILITY",
                )
            ]
        )
    now = store.clock.now()
    definition = MetafieldDefinition(
        store.new_id("MetafieldDefinition"),
        ns,
        key,
        data["name"],
        data["type"],
        data["ownerType"],
        data.get("description"),
        filterable,
        unique,
        [dict(v) for v in data.get("validations") or ()],
        now,
        now,
    )
    store.definitions[definition.id] = definition
    return definition


def count_for(store: Store, definition: MetafieldDefinition) -> int:
    objects: Any = store.products.values()
    if definition.owner_type == "PRODUCTVARIANT":
        objects = store.variants.values()
    return sum(1 for o in objects if _find(o, definition.namespace, definition.key) is not None)
