"""GraphQL execution over the store: thin resolvers that turn arguments into store calls and store
objects into GraphQL shapes (views*.py). The rules live in product_set.py, products.py and
metafields.py; user errors come back in the payloads with Shopify's codes and field paths.

Every field goes through one default resolver that knows which fields are implemented: a field the
schema keeps but the sandbox does not implement answers with a GraphQL error naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, GraphQLError, GraphQLSchema
from graphql import execute as graphql_execute
from graphql.language import DocumentNode

from . import manual_collections, operations, views_collections, views_store, views_variants  # noqa: F401  (register their field tables)
from . import metafields as mf_rules
from . import products as product_rules
from .bulk import view as bulk_view
from .connections import Edge, connection, page_size_error
from .gids import UserErrors, gid_number, parse_gid
from .product_set import product_set
from .search import compile_query, sort_key
from .state import (
    Collection,
    Location,
    Media,
    MetafieldDefinition,
    Product,
    Publication,
    Shop,
    Store,
    Variant,
)
from .views import (
    FIELDS,
    InventoryItemView,
    MetafieldView,
    OptionValueView,
    OptionView,
    count,
)

NOT_IMPLEMENTED = "{type}.{field} is not implemented by the sandbox"


@dataclass
class Context:
    store: Store
    api_version: str
    sandbox: Any = None  # the Sandbox (staged uploads, bulk operations), when served over HTTP
    bulk: bool = False  # running one line of a bulk mutation


def execute(
    store: Store,
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    api_version: str,
    sandbox: Any = None,
    bulk: bool = False,
) -> ExecutionResult:
    """Run an already parsed and validated document against the store."""
    result = graphql_execute(
        schema,
        document,
        root_value=None,
        context_value=Context(store, api_version, sandbox, bulk),
        variable_values=variables or {},
        operation_name=operation_name,
        field_resolver=resolve_field,
        type_resolver=resolve_type,
    )
    if hasattr(result, "__await__"):  # no resolver is async; keep the contract synchronous
        raise RuntimeError("sandbox resolvers must be synchronous")
    return result  # type: ignore[return-value]


def resolve_field(source: Any, info: Any, **args: Any) -> Any:
    type_name, field = info.parent_type.name, info.field_name
    if type_name in ("QueryRoot", "Mutation"):
        fn = ROOT.get(field)
        if fn is None:
            raise GraphQLError(NOT_IMPLEMENTED.format(type=type_name, field=field))
        check_input_sizes(field, args)
        return fn(info.context, args)
    if isinstance(source, Edge):
        return source.cursor() if field == "cursor" else source.node
    if isinstance(source, dict):
        if field in source:
            return source[field]
        raise GraphQLError(NOT_IMPLEMENTED.format(type=type_name, field=field))
    fn = FIELDS.get(type_name, {}).get(field)
    if fn is None:
        raise GraphQLError(NOT_IMPLEMENTED.format(type=type_name, field=field))
    return fn(source, info.context, args)


MAX_INPUT_ARRAY = 250
# Inputs documented to take more than 250 items (ProductSetInput: 2048 variants, 50,000 quantities;
# option values follow the variants they describe).
LARGE_INPUTS = {
    ("productSet", "input", "variants"),
    ("productSet", "variants", "optionValues"),
    ("productSet", "variants", "inventoryQuantities"),
    ("productSet", "values", ""),
}


def check_input_sizes(root: str, value: Any, parent: str = "", name: str = "") -> None:
    """Shopify refuses any input array over 250 items (fact sheet §1.5, pitfall 15)."""
    if isinstance(value, dict):
        for key, item in value.items():
            check_input_sizes(root, item, name, key)
    elif isinstance(value, list):
        exempt = (root, parent, name) in LARGE_INPUTS or (root, name, "") in LARGE_INPUTS
        if len(value) > MAX_INPUT_ARRAY and not exempt:
            raise GraphQLError(
                f"The input array size of {len(value)} is greater than the maximum allowed of "
                f"{MAX_INPUT_ARRAY}.",
                extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"},
            )
        for item in value:
            check_input_sizes(root, item, parent, name)


_TYPE_OF = {
    Product: "Product",
    Variant: "ProductVariant",
    InventoryItemView: "InventoryItem",
    MetafieldView: "Metafield",
    OptionView: "ProductOption",
    OptionValueView: "ProductOptionValue",
    Location: "Location",
    Publication: "Publication",
    Shop: "Shop",
    Media: "MediaImage",
    MetafieldDefinition: "MetafieldDefinition",
    Collection: "Collection",
}


def resolve_type(value: Any, _info: Any, _abstract: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("__typename")
    return _TYPE_OF.get(type(value))


# -- lookups ----------------------------------------------------------------------------------


def find_node(store: Store, value: Any) -> Any:
    parsed = parse_gid(value)
    if parsed is None:
        raise GraphQLError(f"Invalid global id '{value}'")
    kind, number = parsed
    found: Any = None
    if kind == "Product":
        found = store.products.get(number)
    elif kind == "ProductVariant":
        found = store.variants.get(number)
    elif kind == "InventoryItem":
        vid = store.inventory_items.get(number)
        found = InventoryItemView(store.variants[vid]) if vid is not None else None
    elif kind == "Location":
        found = store.locations.get(number)
    elif kind == "Publication":
        found = store.publications.get(number)
    elif kind == "MetafieldDefinition":
        found = store.definitions.get(number)
    elif kind == "Collection":
        found = store.collections.get(number)
    elif kind == "Shop" and number == store.shop.id:
        found = store.shop
    elif kind in ("ProductSetOperation", "ProductDeleteOperation"):
        found = store_operations(store).get(value)
    elif kind == "MediaImage":
        found = store.files.get(number)
    elif kind == "BulkOperation" and store.bulk is not None:
        op = store.bulk.get(value)
        found = bulk_view(store.bulk, op) if op is not None else None
    else:
        found = _find_child(store, kind, number)
    return found


def _find_child(store: Store, kind: str, number: int) -> Any:
    for m in store.shop.metafields or ():
        if kind == "Metafield" and m.id == number:
            return MetafieldView(m, store.shop)
    for p in store.products.values():
        for i, option in enumerate(p.options):
            if kind == "ProductOption" and option.id == number:
                return OptionView(option, i + 1, p)
            for v in option.values:
                if kind == "ProductOptionValue" and v.id == number:
                    return OptionValueView(v, p, i)
        if kind == "Metafield":
            for owner in (p, *p.variants):
                for m in owner.metafields or ():
                    if m.id == number:
                        return MetafieldView(m, owner)
    return None


def store_operations(store: Store) -> dict[str, dict[str, Any]]:
    return store.operations


def _product_by_identifier(ctx: Context, args: dict[str, Any]) -> Product | None:
    ident = args["identifier"]
    store = ctx.store
    if ident.get("id") is not None:
        return store.products.get(gid_number(ident["id"], "Product") or -1)
    if ident.get("handle") is not None:
        return store.product_by_handle(ident["handle"])
    custom = ident["customId"]
    ns, key = mf_rules.resolve_namespace(custom.get("namespace")), custom["key"]
    for p in store.products.values():
        for m in p.metafields or ():
            if m.namespace == ns and m.key == key and m.value == custom["value"]:
                return p
    return None


def _products(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    problem = page_size_error(args)
    if problem is not None:
        raise problem
    match = compile_query(ctx.store, args.get("query"))
    items = [p for p in ctx.store.products.values() if match is None or match(p)]
    key_name = args.get("sortKey") or "ID"
    key = sort_key(key_name)
    if key_name != "ID":  # products are held in id order already
        items.sort(key=key)
    return connection(items, args, key=key, reverse=args.get("reverse", False))


def _product_variants(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    """Every variant of the store, in id order (sorting and search are not emulated: refused)."""
    problem = page_size_error(args)
    if problem is not None:
        raise problem
    for name in ("query", "savedSearchId"):
        if args.get(name) is not None:
            raise GraphQLError(f"productVariants({name}:) is not emulated by the sandbox")
    if (args.get("sortKey") or "ID") != "ID":
        raise GraphQLError("productVariants(sortKey:) other than ID is not emulated by the sandbox")
    rows = sorted(ctx.store.variants.values(), key=lambda v: v.id)
    return connection(rows, args, key=lambda v: (v.id,), reverse=args.get("reverse", False))


def _products_count(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    match = compile_query(ctx.store, args.get("query"))
    n = sum(1 for p in ctx.store.products.values() if match is None or match(p))
    return count(n, args.get("limit"))


def _listing(rows: list[Any], args: dict[str, Any]) -> dict[str, Any]:
    return connection(rows, args, key=lambda r: (r.id,), reverse=args.get("reverse", False))


def _metafield_definitions(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    rows = [
        d
        for d in ctx.store.definitions.values()
        if d.owner_type == args["ownerType"]
        and (args.get("namespace") is None or d.namespace == args["namespace"])
        and (args.get("key") is None or d.key == args["key"])
    ]
    return _listing(rows, args)


def _location(ctx: Context, args: dict[str, Any]) -> Location | None:
    if args.get("id") is None:
        return ctx.store.default_location()
    return ctx.store.locations.get(gid_number(args["id"], "Location") or -1)


def _nodes(ctx: Context, args: dict[str, Any]) -> list[Any]:
    if len(args["ids"]) > 250:
        raise GraphQLError("The maximum number of ids is 250")
    return [find_node(ctx.store, i) for i in args["ids"]]


# -- mutations --------------------------------------------------------------------------------


def _errors(exc: UserErrors, with_code: bool = True) -> list[dict[str, Any]]:
    out = []
    for e in exc.errors:
        d = e.as_dict()
        if not with_code:
            d.pop("code")
        out.append(d)
    return out


def _product_set(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    # In a bulk operation productSet always runs synchronously (facts §2.3).
    if not args.get("synchronous", True) and not ctx.bulk:
        op = operations.start_product_set(ctx.store, args["input"], args.get("identifier"))
        return {"product": None, "productSetOperation": op, "userErrors": []}
    try:
        product, errors = product_set(ctx.store, args["input"], args.get("identifier")), []
    except UserErrors as exc:
        product, errors = None, _errors(exc)
    return {"product": product, "productSetOperation": None, "userErrors": errors}


def _product_delete(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    payload = {
        "deletedProductId": None,
        "productDeleteOperation": None,
        "shop": ctx.store.shop,
        "userErrors": [],
    }
    # Reading: bulk forces productDelete synchronous too (documented only for productSet).
    if not args.get("synchronous", True) and not ctx.bulk:
        op = operations.start_product_delete(ctx.store, args["input"]["id"])
        return {**payload, "productDeleteOperation": op}
    try:
        payload["deletedProductId"] = product_rules.product_delete(ctx.store, args["input"]["id"])
    except UserErrors as exc:
        payload["userErrors"] = _errors(exc, with_code=False)
    return payload


def _guarded(fn: Callable[[], Any], ok: str, with_code: bool = False) -> dict[str, Any]:
    try:
        return {ok: fn(), "userErrors": []}
    except UserErrors as exc:
        return {ok: None, "userErrors": _errors(exc, with_code)}


def _metafields_set(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    out = _guarded(
        lambda: mf_rules.metafields_set(ctx.store, args["metafields"]), "metafields", with_code=True
    )
    if out["metafields"] is not None:
        owners = [mf_rules.owner_of(ctx.store, m["ownerId"]) for m in args["metafields"]]
        out["metafields"] = [
            MetafieldView(m, o[1]) for m, o in zip(out["metafields"], owners, strict=True)
        ]
    return out


def _metafields_delete(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    if not args["metafields"]:
        return {
            "deletedMetafields": None,
            "userErrors": [
                {"field": ["metafields"], "message": "At least one identifier must be specified."}
            ],
        }
    return {
        "deletedMetafields": mf_rules.metafields_delete(ctx.store, args["metafields"]),
        "userErrors": [],
    }


def _definition_create(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    out = _guarded(
        lambda: mf_rules.definition_create(ctx.store, args["definition"]),
        "createdDefinition",
        with_code=True,
    )
    for e in out["userErrors"]:
        e.setdefault("elementKey", None)
    return out


def _collection_create(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    # 2026-10: "If both `collection` and `input` are provided, `collection` is used."
    arg = "collection" if args.get("collection") is not None else "input"
    data = args.get(arg)
    if data is None:
        raise GraphQLError("One of `collection` or `input` is required")
    return _guarded(
        lambda: manual_collections.collection_create(ctx.store, data, arg), "collection"
    )


def _publishable(fn: Callable[..., Any], ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    out = _guarded(lambda: fn(ctx.store, args["id"], args["input"]), "publishable")
    out["shop"] = ctx.store.shop
    return out


def _tags(fn: Callable[..., Any], ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    return _guarded(lambda: fn(ctx.store, args["id"], args["tags"]), "node")


ROOT: dict[str, Callable[[Context, dict[str, Any]], Any]] = {
    "shop": lambda c, _a: c.store.shop,
    "node": lambda c, a: find_node(c.store, a["id"]),
    "nodes": _nodes,
    "product": lambda c, a: c.store.products.get(gid_number(a["id"], "Product") or -1),
    "productByHandle": lambda c, a: c.store.product_by_handle(a["handle"]),
    "productByIdentifier": _product_by_identifier,
    "productVariant": lambda c, a: c.store.variants.get(
        gid_number(a["id"], "ProductVariant") or -1
    ),
    "productOperation": lambda c, a: store_operations(c.store).get(a["id"]),
    "products": _products,
    "productVariants": _product_variants,
    "productsCount": _products_count,
    "publications": lambda c, a: _listing(list(c.store.publications.values()), a),
    "locations": lambda c, a: _listing(list(c.store.locations.values()), a),
    "location": _location,
    "metafieldDefinitions": _metafield_definitions,
    "productSet": _product_set,
    "productDelete": _product_delete,
    "metafieldsSet": _metafields_set,
    "metafieldsDelete": _metafields_delete,
    "metafieldDefinitionCreate": _definition_create,
    "collectionCreate": _collection_create,
    "tagsAdd": lambda c, a: _tags(product_rules.tags_add, c, a),
    "tagsRemove": lambda c, a: _tags(product_rules.tags_remove, c, a),
    "publishablePublish": lambda c, a: _publishable(product_rules.publish, c, a),
    "publishableUnpublish": lambda c, a: _publishable(product_rules.unpublish, c, a),
}


# Part 2 root fields live in their own modules (imported last: they use this module's names).
from . import resolvers_bulk, resolvers_media  # noqa: E402

ROOT.update(views_collections.ROOTS)
ROOT.update(resolvers_bulk.ROOTS)
ROOT.update(resolvers_media.ROOTS)
