"""Root fields productCreateMedia, productUpdate (scalars and `media:`), fileUpdate and
fileDelete; the rules are in media.py and product_set.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

from . import media as media_rules
from .gids import UserError, UserErrors, gid
from .product_set import product_set

# ProductUpdateInput fields that mean the same as productSet's (patch-only scalars and tags).
SCALARS = (
    "title",
    "handle",
    "descriptionHtml",
    "vendor",
    "productType",
    "tags",
    "status",
    "templateSuffix",
    "giftCardTemplateSuffix",
    "requiresSellingPlan",
    "seo",
    "redirectNewHandle",
)


def _plain(errors: list[UserError], rename: tuple[str, str] | None = None) -> list[dict]:
    out = []
    for e in errors:
        path = list(e.field) if e.field else None
        if path and rename and path[0] == rename[0]:
            path[0] = rename[1]
        out.append({"field": path, "message": e.message})
    return out


def _images_only(media: list[dict[str, Any]] | None) -> None:
    for item in media or ():
        if item.get("mediaContentType") != "IMAGE":
            raise GraphQLError(
                f"{item.get('mediaContentType')} media is not implemented by the sandbox"
            )


def _create_media(ctx: Any, args: dict[str, Any]) -> dict[str, Any]:
    _images_only(args["media"])
    product, added, problems = media_rules.create_media(ctx.store, args["productId"], args["media"])
    errors = [{"field": e.field, "message": e.message, "code": e.code} for e in problems]
    return {
        "media": added if product is not None else None,
        "mediaUserErrors": errors,
        "userErrors": [{"field": e["field"], "message": e["message"]} for e in errors],
        "product": product,
    }


def _identifier(args: dict[str, Any]) -> dict[str, Any] | None:
    ident = args.get("identifier")
    if ident:
        return ident
    data = args.get("product") or args.get("input") or {}
    return {"id": data["id"]} if data.get("id") else None


def _product_update(ctx: Any, args: dict[str, Any]) -> dict[str, Any]:
    from .resolvers import _product_by_identifier

    data = dict(args.get("product") or args.get("input") or {})
    if not data.get("deleteConflictingConstrainedMetafields"):  # a default, not a request
        data.pop("deleteConflictingConstrainedMetafields", None)
    unknown = sorted(k for k in data if k not in (*SCALARS, "id"))
    if unknown:
        raise GraphQLError(f"productUpdate {', '.join(unknown)} is not implemented by the sandbox")
    _images_only(args.get("media"))
    identifier = _identifier(args)
    if identifier is None:
        return {
            "product": None,
            "userErrors": [{"field": ["id"], "message": "Product id is required"}],
        }
    data.pop("id", None)
    found = _product_by_identifier(ctx, {"identifier": identifier})
    if found is None:
        return {
            "product": None,
            "userErrors": [{"field": ["id"], "message": "Product does not exist"}],
        }
    try:
        product = product_set(ctx.store, data, {"id": gid("Product", found.id)}) if data else found
    except UserErrors as exc:
        return {"product": None, "userErrors": _plain(exc.errors, ("input", "product"))}
    if args.get("media"):
        _, _, problems = media_rules.create_media(
            ctx.store, gid("Product", product.id), args["media"]
        )
        if problems:
            return {"product": product, "userErrors": _plain(problems)}
    return {"product": product, "userErrors": []}


def _file_update(ctx: Any, args: dict[str, Any]) -> dict[str, Any]:
    for item in args["files"]:
        for name in ("originalSource", "previewImageSource"):
            if item.get(name) is not None:
                raise GraphQLError(f"fileUpdate {name} is not implemented by the sandbox")
    try:
        files = media_rules.file_update(ctx.store, args["files"])
    except UserErrors as exc:
        return {
            "files": None,
            "userErrors": [
                {"field": e.field, "message": e.message, "code": e.code} for e in exc.errors
            ],
        }
    return {"files": files, "userErrors": []}


def _file_delete(ctx: Any, args: dict[str, Any]) -> dict[str, Any]:
    try:
        deleted = media_rules.delete_files(ctx.store, args["fileIds"])
    except UserErrors as exc:
        errors = [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]
        return {"deletedFileIds": None, "userErrors": errors}
    return {"deletedFileIds": deleted, "userErrors": []}


ROOTS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "productCreateMedia": _create_media,
    "productUpdate": _product_update,
    "fileUpdate": _file_update,
    "fileDelete": _file_delete,
}
