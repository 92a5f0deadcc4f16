"""What a Shopify user does for staged uploads and bulk operations, over raw HTTP (urllib)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from reconciler.sandbox.testing import HttpResult, SandboxHandle, http

STAGE = """mutation($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}"""

RUN_MUTATION = """mutation($mutation: String!, $path: String!) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $path) {
    bulkOperation { id status type createdAt }
    userErrors { field message code }
  }
}"""

RUN_QUERY = """mutation($query: String!, $group: Boolean!) {
  bulkOperationRunQuery(query: $query, groupObjects: $group) {
    bulkOperation { id status type }
    userErrors { field message code }
  }
}"""

POLL = """query($id: ID!) { bulkOperation(id: $id) {
  id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url
  partialDataUrl query } }"""

PRODUCT_SET_MUTATION = """mutation call($input: ProductSetInput!,
    $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier) {
    product { id handle title }
    userErrors { field message code }
  }
}"""


def data(result: HttpResult) -> dict[str, Any]:
    body = result.json
    assert result.status == 200 and "errors" not in body, body
    return body["data"]


def multipart(parts: list[tuple[str, bytes | str]]) -> tuple[bytes, str]:
    """A multipart/form-data body with the parts in exactly the given order."""
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in parts:
        raw = value.encode() if isinstance(value, str) else value
        disposition = f'form-data; name="{name}"'
        if name == "file":
            disposition += '; filename="upload.jsonl"'
        chunks.append(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + raw + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def stage(
    sandbox: SandboxHandle,
    resource: str = "BULK_MUTATION_VARIABLES",
    filename: str = "vars.jsonl",
    mime: str = "text/jsonl",
    method: str | None = "POST",
    **extra: Any,
) -> dict[str, Any]:
    item = {"resource": resource, "filename": filename, "mimeType": mime, **extra}
    if method:
        item["httpMethod"] = method
    out = data(sandbox.graphql(STAGE, {"input": [item]}))["stagedUploadsCreate"]
    assert out["userErrors"] == [], out
    return out["stagedTargets"][0]


def post_form(target: dict[str, Any], content: bytes, file_last: bool = True, **override: str):
    params = [(p["name"], override.get(p["name"], p["value"])) for p in target["parameters"]]
    parts: list[tuple[str, bytes | str]] = [*params, ("file", content)]
    if not file_last:
        parts = [params[0], ("file", content), *params[1:]]
    body, content_type = multipart(parts)
    return http("POST", target["url"], body, {"Content-Type": content_type})


def param(target: dict[str, Any], name: str) -> str:
    return next(p["value"] for p in target["parameters"] if p["name"] == name)


def upload_jsonl(sandbox: SandboxHandle, lines: list[Any]) -> str:
    """Stage and upload variables; the `key` to pass as stagedUploadPath."""
    target = stage(sandbox)
    content = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    answer = post_form(target, content.encode())
    assert answer.status == 201, answer.text
    return param(target, "key")


def run_mutation(sandbox: SandboxHandle, mutation: str, path: str, version: str = "2026-10"):
    return data(
        sandbox.graphql(RUN_MUTATION, {"mutation": mutation, "path": path}, version=version)
    )["bulkOperationRunMutation"]


def run_query(sandbox: SandboxHandle, query: str, group: bool = False, version: str = "2026-10"):
    return data(sandbox.graphql(RUN_QUERY, {"query": query, "group": group}, version=version))[
        "bulkOperationRunQuery"
    ]


def poll(sandbox: SandboxHandle, op_id: str) -> dict[str, Any]:
    return data(sandbox.graphql(POLL, {"id": op_id}))["bulkOperation"]


def wait(sandbox: SandboxHandle, op_id: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        op = poll(sandbox, op_id)
        if op["status"] not in ("CREATED", "RUNNING", "CANCELING"):
            return op
        assert time.monotonic() < deadline, op
        time.sleep(0.02)


def download(url: str) -> list[dict[str, Any]]:
    answer = http("GET", url)
    assert answer.status == 200, answer.text
    return [json.loads(line) for line in answer.text.splitlines()]


def seed(sandbox: SandboxHandle, products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answer = sandbox.control("seed", {"products": products})
    assert answer.status == 200, answer.text
    return answer.json["products"]
