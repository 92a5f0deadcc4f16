"""Root fields for staged uploads and bulk operations (thin: the rules are in staged_uploads.py,
bulk.py, bulk_query.py and bulk_mutation.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

from . import bulk_mutation, bulk_query
from .bulk import BulkOperation, BulkOperations, limit_for, view
from .connections import connection
from .gids import UserError, parse_gid, parse_iso

NEEDS_SERVER = "{field} needs the sandbox server (staged uploads and bulk operations)"


def _sandbox(ctx: Any, field: str) -> Any:
    if ctx.sandbox is None:
        raise GraphQLError(NEEDS_SERVER.format(field=field))
    return ctx.sandbox


def _errors(errors: list[UserError]) -> list[dict[str, Any]]:
    return [{"field": e.field, "message": e.message, "code": e.code} for e in errors]


def _staged_uploads_create(ctx: Any, args: dict[str, Any]) -> dict[str, Any]:
    sandbox = _sandbox(ctx, "stagedUploadsCreate")
    targets, errors = sandbox.uploads.create(args["input"], ctx.store.shop.id)
    return {"stagedTargets": targets if not errors else None, "userErrors": errors}


def _limit_error(ops: BulkOperations, kind: str, version: str) -> UserError | None:
    limit = limit_for(version)
    if ops.active(kind) < limit:
        return None
    if limit == 1:
        # one at a time (before 2026-01): the code described as "another ... is already running"
        noun = "query" if kind == "QUERY" else "mutation"
        return UserError(
            f"A bulk {noun} operation for this app and shop is already in progress.",
            None,
            "OPERATION_IN_PROGRESS",
        )
    return UserError(
        f"Bulk operations limit reached: at most {limit} {kind.lower()} operations can run at "
        "the same time. Please try again later.",
        None,
        "LIMIT_REACHED",
    )


def _payload(ops: BulkOperations, op: BulkOperation | None, errors: list[UserError]) -> dict:
    return {"bulkOperation": view(ops, op) if op else None, "userErrors": _errors(errors)}


def _run_query(ctx: Any, args: dict[str, Any]) -> dict[str, Any]:
    sandbox = _sandbox(ctx, "bulkOperationRunQuery")
    ops: BulkOperations = sandbox.bulk
    schema = sandbox.schema(ctx.api_version)
    prepared, errors = bulk_query.prepare(schema, args["query"])
    if not errors:
        limited = _limit_error(ops, "QUERY", ctx.api_version)
        errors = [limited] if limited else []
    if errors:
        return _payload(ops, None, errors)
    bulk_ctx = type(ctx)(ctx.store, ctx.api_version, sandbox, True)
    work = bulk_query.export(
        schema, prepared, bulk_ctx, args["groupObjects"], ops.chunk(bulk_query.CHUNK)
    )
    op = ops.create("QUERY", args["query"], ctx.api_version, work)
    return _payload(ops, op, [])


def _run_mutation(ctx: Any, args: dict[str, Any]) -> dict[str, Any]:
    sandbox = _sandbox(ctx, "bulkOperationRunMutation")
    ops: BulkOperations = sandbox.bulk
    schema = sandbox.schema(ctx.api_version)
    document, errors = bulk_mutation.prepare(schema, args["mutation"])
    target = None
    if not errors:
        target = sandbox.uploads.uploaded(args["stagedUploadPath"])
        if target is None:
            errors = [
                UserError(
                    "The JSONL file could not be found. Try uploading the file again, and check "
                    "that you've entered the URL correctly for the stagedUploadPath mutation "
                    "argument.",
                    ["stagedUploadPath"],
                    "NO_SUCH_FILE",
                )
            ]
        elif target.resource != "BULK_MUTATION_VARIABLES":
            errors = [
                UserError(
                    "The JSONL file submitted via the stagedUploadsCreate mutation is invalid.",
                    ["stagedUploadPath"],
                    "INVALID_STAGED_UPLOAD_FILE",
                )
            ]
    if not errors:
        limited = _limit_error(ops, "MUTATION", ctx.api_version)
        errors = [limited] if limited else []
    if errors:
        return _payload(ops, None, errors)
    seed = (sandbox.config.seed or 0) * 7919 + ops.next_number
    work = bulk_mutation.run(sandbox, schema, document, ctx.api_version, target, seed)
    op = ops.create(
        "MUTATION",
        args["mutation"],
        ctx.api_version,
        work,
        client_identifier=args.get("clientIdentifier"),
    )
    return _payload(ops, op, [])


def _cancel(ctx: Any, args: dict[str, Any]) -> dict[str, Any]:
    ops: BulkOperations = _sandbox(ctx, "bulkOperationCancel").bulk
    op = ops.get(args["id"])
    if op is None:
        return {
            "bulkOperation": None,
            "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}],
        }
    if op.status not in ("CREATED", "RUNNING"):
        message = f"A bulk operation cannot be canceled when it is {op.status.lower()}"
        return {"bulkOperation": view(ops, op), "userErrors": [{"field": None, "message": message}]}
    ops.cancel(op)
    return {"bulkOperation": view(ops, op), "userErrors": []}


def _one(ctx: Any, args: dict[str, Any]) -> dict[str, Any] | None:
    ops: BulkOperations = _sandbox(ctx, "bulkOperation").bulk
    op = ops.get(args["id"])
    return view(ops, op) if op else None


def _current(ctx: Any, args: dict[str, Any]) -> dict[str, Any] | None:
    ops: BulkOperations = _sandbox(ctx, "currentBulkOperation").bulk
    kind = args.get("type") or "QUERY"
    mine = [op for op in ops.ops.values() if op.type == kind]
    return view(ops, mine[-1]) if mine else None


_TERM = re.compile(r"""(-)?(\w+):(>=|<=|>|<)?("[^"]*"|'[^']*'|\S+)""")


def _filter(ops: BulkOperations, query: str | None) -> Callable[[BulkOperation], bool]:
    """created_at, id, operation_type (also the guide's `type`), status; AND of all terms."""
    tests: list[Callable[[BulkOperation], bool]] = []
    for neg, name, cmp, raw in _TERM.findall(query or ""):
        value = raw.strip("'\"")
        test = _term(ops, name.lower(), cmp, value)
        if test is None:
            continue  # unknown fields are ignored, as in Shopify's search syntax
        tests.append((lambda t: lambda op: not t(op))(test) if neg else test)
    return lambda op: all(t(op) for t in tests)


def _term(ops: BulkOperations, name: str, cmp: str, value: str):
    if name in ("operation_type", "type"):
        return lambda op: op.type == value.upper()
    if name == "status":
        return lambda op: ops.status(op) == value.upper()
    if name == "id":
        parsed = parse_gid(value)
        number = parsed[1] if parsed else int(value) if value.isdigit() else -1
        return lambda op: _compare(op.number, cmp, number)
    if name == "created_at":
        moment = parse_iso(value)
        return None if moment is None else lambda op: _compare(op.created_at, cmp or ">", moment)
    return None


def _compare(left: int, cmp: str, right: int) -> bool:
    return {
        "": left == right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[cmp]


def _list(ctx: Any, args: dict[str, Any]) -> dict[str, Any]:
    ops: BulkOperations = _sandbox(ctx, "bulkOperations").bulk
    keep = _filter(ops, args.get("query"))
    rows = [op for op in ops.ops.values() if keep(op)]
    if (args.get("sortKey") or "CREATED_AT") == "COMPLETED_AT":
        key = lambda op: (-(op.completed_at or 2**62), -op.number)  # noqa: E731
    else:
        key = lambda op: (-op.created_at, -op.number)  # noqa: E731
    rows.sort(key=key)  # newest first by default
    page = connection(rows, args, key=key, reverse=args.get("reverse", False))
    for edge in page["edges"]:
        raw = edge.node
        edge.node = view(ops, raw)
        edge.key = (lambda r: lambda _n: key(r))(raw)
    page["nodes"] = [e.node for e in page["edges"]]
    return page


ROOTS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "stagedUploadsCreate": _staged_uploads_create,
    "bulkOperationRunQuery": _run_query,
    "bulkOperationRunMutation": _run_mutation,
    "bulkOperationCancel": _cancel,
    "bulkOperation": _one,
    "bulkOperations": _list,
    "currentBulkOperation": _current,
}
