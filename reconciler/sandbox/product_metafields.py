"""productSet's `metafields` inputs (MetafieldInput) for the product and for each variant: the
owner's complete new metafield list, validated against the type rules (INVALID_METAFIELD),
existing entries keeping their id and timestamps.
Nothing is written here; product_set.py commits."""

from __future__ import annotations

from typing import Any

from .gids import UserError, gid_number
from .metafield_types import InvalidValue, canonical
from .metafields import OWNER_TYPES, name_problem, resolve_namespace, resolve_type, unique_clash
from .state import Metafield, Store


def product_metafields(
    store: Store, old: Any, inputs: list[dict[str, Any]], errors: list[UserError], path: list[str]
) -> list[Metafield]:
    """The owner's complete new metafield list; existing entries keep their id and timestamps."""
    owner_type = "PRODUCTVARIANT" if "variants" in path else OWNER_TYPES["Product"]
    current = {(m.namespace, m.key): m for m in (old.metafields or ())} if old else {}
    by_id = {m.id: m for m in current.values()}
    out: dict[tuple[str, str], Metafield] = {}
    for i, item in enumerate(inputs):
        where = [*path, str(i)] if path[-1] == "metafields" else path
        mf = _one_metafield(store, owner_type, item, current, by_id, old, errors, where)
        if mf is not None:
            out[(mf.namespace, mf.key)] = mf
    return list(out.values())


def _one_metafield(
    store: Store,
    owner_type: str,
    item: dict[str, Any],
    current: dict[tuple[str, str], Metafield],
    by_id: dict[int, Metafield],
    owner: Any,
    errors: list[UserError],
    where: list[str],
) -> Metafield | None:
    def bad(field: str, message: str) -> None:
        errors.append(UserError(message, [*where, field], "INVALID_METAFIELD"))

    existing = by_id.get(gid_number(item.get("id"), "Metafield") or -1) if item.get("id") else None
    if item.get("id") and existing is None:
        return bad("id", "Metafield does not exist")
    ns = existing.namespace if existing else item.get("namespace")
    key = existing.key if existing else item.get("key")
    if ns is None or key is None:
        return bad("key" if ns else "namespace", "Namespace and key are required")
    ns = resolve_namespace(ns)
    problem = name_problem(ns, key)
    if problem is not None:
        return bad(problem[0], problem[1])
    existing = existing or current.get((ns, key))
    type_name, message = resolve_type(store, owner_type, ns, key, item.get("type"))
    if message is not None:
        return bad("type", message)
    if item.get("value") is None:
        return bad("value", "Value can't be blank")
    try:
        value = canonical(type_name, item["value"], store.shop.currency_code)
    except InvalidValue as exc:
        return bad("value", str(exc))
    if unique_clash(store, owner_type, ns, key, value, owner):
        return bad("value", "Value is already taken by another resource")
    if existing is not None and existing.type == type_name and existing.value == value:
        return existing
    mid = existing.id if existing else store.new_id("Metafield")
    created = existing.created_at if existing else 0
    return Metafield(mid, ns, key, type_name, value, created, 0)
