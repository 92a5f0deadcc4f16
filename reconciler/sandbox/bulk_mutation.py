"""bulkOperationRunMutation: the mutation's checks and the run over the JSONL file (facts §3.1-3.4).

Checks (userErrors, code INVALID_MUTATION, field ["mutation"]): the string parses and validates
against the version's schema; one mutation operation with exactly one root field; not
bulkOperationRunMutation / bulkOperationRunQuery; at most one connection in its selection.
`stagedUploadPath` must be the `key` of an uploaded BULK_MUTATION_VARIABLES target (NO_SUCH_FILE;
INVALID_STAGED_UPLOAD_FILE for a key of another resource).

The run: each line of the file is that mutation's variables, executed through the ordinary
resolvers (bulk=True: productSet and productDelete synchronous) without cost admission. Lines are
processed out of input order — chunks of the file in a seeded shuffled order, each chunk read in
reverse — and every result line carries the zero-based `__lineNumber`. A line that is not JSON or
whose variables are invalid gets a result line with `errors`; user errors stay in `data`; the
operation still ends COMPLETED. Uploading the file again while the operation reads it fails the
operation (FAILED, INTERNAL_SERVER_ERROR, results so far at partialDataUrl), as the docs warn.
The input is read line by line from disk and results are written as they come: neither file is
ever held in memory.
"""

from __future__ import annotations

import json
import random
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, get_named_type, parse
from graphql import validate as graphql_validate

from .bulk import FileChanged
from .bulk_query import _flatten, _is_connection
from .documents import execution_error
from .gids import UserError
from .resolvers import execute

REFUSED_ROOTS = ("bulkOperationRunMutation", "bulkOperationRunQuery")
CHUNK = 50


def prepare(schema: GraphQLSchema, text: str) -> tuple[Any, list[UserError]]:
    try:
        document = parse(text)
    except GraphQLError as exc:
        return None, [_invalid(f"Failed to parse the mutation - {exc.message}")]
    problems = graphql_validate(schema, document)
    if problems:
        return None, [_invalid(f"Invalid mutation: {problems[0].message}")]
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {d.name.value: d for d in document.definitions if hasattr(d, "type_condition")}
    if len(ops) != 1 or ops[0].operation.value != "mutation":
        return None, [_invalid("Bulk mutations must contain exactly one mutation operation.")]
    roots = _flatten(ops[0].selection_set.selections, fragments)
    if len(roots) != 1:
        return None, [_invalid("Bulk mutations must contain exactly one mutation field.")]
    name = roots[0].name.value
    if name in REFUSED_ROOTS:
        return None, [_invalid(f"`{name}` is not allowed in a bulk mutation.")]
    field = schema.mutation_type.fields[name]
    if _connections(get_named_type(field.type), roots[0], fragments) > 1:
        return None, [_invalid("Bulk mutations can contain at most one connection.")]
    return document, []


def _connections(parent: Any, node: Any, fragments: dict) -> int:
    if node.selection_set is None:
        return 0
    count = 0
    for f in _flatten(node.selection_set.selections, fragments):
        fdef = getattr(parent, "fields", {}).get(f.name.value)
        if fdef is None:
            continue
        count += (1 if _is_connection(fdef.type) else 0) + _connections(
            get_named_type(fdef.type), f, fragments
        )
    return count


def _invalid(message: str) -> UserError:
    return UserError(message, ["mutation"], "INVALID_MUTATION")


def line_offsets(path: Path) -> array:
    """Start offset of every line (a last line without newline counts; a final newline does
    not start a line)."""
    offsets = array("q")
    position = 0
    size = path.stat().st_size
    with open(path, "rb") as handle:
        for line in handle:
            if position < size:
                offsets.append(position)
            position += len(line)
    return offsets


def order(count: int, seed: int) -> Iterator[int]:
    """Line numbers out of input order, reproducibly: shuffled chunks, each read backwards."""
    starts = list(range(0, count, CHUNK))
    random.Random(seed).shuffle(starts)
    for start in starts:
        yield from range(min(start + CHUNK, count) - 1, start - 1, -1)


def run(sandbox: Any, schema: GraphQLSchema, document: Any, version: str, target: Any, seed: int):
    """The work of one bulk mutation: yields lines processed per chunk."""
    generation = target.generation
    source: Path = target.path

    def work(op: Any, out: BinaryIO) -> Iterator[int]:
        offsets = line_offsets(source)
        done = 0
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        with open(source, "rb") as handle:
            for n in order(len(offsets), seed):
                if target.generation != generation:
                    raise FileChanged(target.key)
                handle.seek(offsets[n])
                result = _one(sandbox, schema, document, version, handle.readline())
                result["__lineNumber"] = n
                out.write(dumps(result).encode() + b"\n")
                op.object_count += 1
                op.root_object_count += 1
                done += 1
                if done % sandbox.bulk.chunk(CHUNK) == 0:
                    yield done
                    done = 0
        if done:
            yield done

    return work


def _one(sandbox: Any, schema: GraphQLSchema, document: Any, version: str, raw: bytes) -> dict:
    try:
        variables = json.loads(raw)
    except ValueError as exc:
        return {"errors": [{"message": f"Invalid JSON on line: {exc}"}]}
    if not isinstance(variables, dict):
        return {"errors": [{"message": "Each line must be a JSON object of variables."}]}
    result = execute(
        sandbox.store, schema, document, variables, None, version, sandbox=sandbox, bulk=True
    )
    out: dict[str, Any] = {}
    if result.errors:
        out["errors"] = [execution_error(e) for e in result.errors]
    if result.data is not None:
        out["data"] = result.data
    return out
