"""Asynchronous productSet / productDelete (`synchronous: false`, facts §2.3, §5, pitfall 6).

The mutation answers at once with an operation in status CREATED; one step later it is ACTIVE and
the write happens (the same rules as the synchronous call, so the outcome is identical); one step
after that it is COMPLETE. Rule failures are the operation's `userErrors` (ProductSetUserError for
productSet, plain UserError for productDelete), never the payload's. Polled with
`productOperation(id:)` or `node(id:)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .gids import UserErrors, gid, gid_number
from .product_set import product_set
from .products import product_delete
from .state import Store


def _errors(exc: UserErrors, with_code: bool) -> list[dict[str, Any]]:
    out = []
    for e in exc.errors:
        d = e.as_dict()
        if not with_code:
            d.pop("code")
        out.append(d)
    return out


def _operation(store: Store, kind: str, work: Callable[[dict[str, Any]], None]) -> dict:
    op_id = gid(kind, store.new_id(kind))
    op: dict[str, Any] = {
        "__typename": kind,
        "id": op_id,
        "status": "CREATED",
        "product": None,
        "userErrors": [],
        "deletedProductId": None,
    }
    store.operations[op_id] = op

    def activate() -> None:
        op["status"] = "ACTIVE"
        work(op)

    def complete() -> None:
        op["status"] = "COMPLETE"

    store.timeline.at(store.step_seconds, activate)
    store.timeline.at(2 * store.step_seconds, complete)
    return op


def start_product_set(store: Store, data: dict[str, Any], identifier: Any) -> dict[str, Any]:
    def work(op: dict[str, Any]) -> None:
        try:
            op["product"] = product_set(store, data, identifier)
        except UserErrors as exc:
            op["userErrors"] = _errors(exc, with_code=True)

    return _operation(store, "ProductSetOperation", work)


def start_product_delete(store: Store, product_id: Any) -> dict[str, Any]:
    def work(op: dict[str, Any]) -> None:
        op["product"] = None
        try:
            op["deletedProductId"] = product_delete(store, product_id)
        except UserErrors as exc:
            op["userErrors"] = _errors(exc, with_code=False)

    op = _operation(store, "ProductDeleteOperation", work)
    # "The product on which the operation is being performed", until it is gone.
    op["product"] = store.products.get(gid_number(product_id, "Product") or -1)
    return op
