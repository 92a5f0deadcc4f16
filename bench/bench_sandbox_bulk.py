"""Sandbox bulk operations at scale (not a test).

1. Export: a store of N products with 5 variants each (seeded through the store's productSet rule,
   not timed) exported with bulkOperationRunQuery over HTTP at an unthrottled bulk rate; prints the
   time from the run call to COMPLETED, objects/s, and a baseline measured in the same process:
   plain `json.dumps` of equivalent dicts, one line per object (the ratio says how much the
   sandbox adds over serializing the output).
2. Import: M productSet lines uploaded through stagedUploadsCreate + the upload endpoint, run with
   bulkOperationRunMutation against `catalog sandbox serve --bulk-rate 0` in its own process;
   prints time, lines/s and that process's peak RSS (VmHWM).

    .venv/bin/python bench/bench_sandbox_bulk.py [N] [M]      # default 100000 50000

Targets (issue 4): the export completes in <= 20 s; the import's peak RSS stays <= 2 GB.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

from reconciler.sandbox.product_set import product_set
from reconciler.sandbox.testing import http, run_sandbox

SIZES = ("XS", "S", "M", "L", "XL")
EXPORT = """{ products { edges { node { id handle title status vendor productType tags updatedAt
  variants { edges { node { id sku price inventoryPolicy
    selectedOptions { name value } } } } } } } }"""
IMPORT = """mutation call($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier) {
    product { id } userErrors { field code } } }"""


def product_input(i: int) -> dict:
    return {
        "handle": f"product-{i}",
        "title": f"Product {i}",
        "vendor": "Acme",
        "productType": "Shirts",
        "tags": ["bench", f"group-{i % 10}"],
        "productOptions": [{"name": "Size", "values": [{"name": s} for s in SIZES]}],
        "variants": [
            {
                "optionValues": [{"optionName": "Size", "name": s}],
                "price": "19.99",
                "sku": f"S-{i}-{s}",
            }
            for s in SIZES
        ],
    }


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    answer = http(
        "POST",
        f"{url}/admin/api/2026-10/graphql.json",
        body,
        {"Content-Type": "application/json"},
        120,
    )
    payload = answer.json
    assert "errors" not in payload, payload
    return payload["data"]


def wait(url: str, op_id: str) -> dict:
    poll = """query($id: ID!) { bulkOperation(id: $id) {
      status errorCode objectCount rootObjectCount fileSize url } }"""
    while True:
        op = graphql(url, poll, {"id": op_id})["bulkOperation"]
        if op["status"] not in ("CREATED", "RUNNING"):
            return op
        time.sleep(0.1)


def export(n: int) -> None:
    with run_sandbox(bulk_rate=0) as sandbox:

        def fill() -> None:
            for i in range(n):
                product_set(sandbox.sandbox.store, product_input(i), {"handle": f"product-{i}"})

        started = time.perf_counter()
        sandbox.run(fill)
        print(f"seeded {n} products x 5 variants in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        run = graphql(
            sandbox.url,
            """mutation($q: String!) { bulkOperationRunQuery(query: $q) {
              bulkOperation { id } userErrors { message } } }""",
            {"q": EXPORT},
        )["bulkOperationRunQuery"]
        op = wait(sandbox.url, run["bulkOperation"]["id"])
        seconds = time.perf_counter() - started
        objects = int(op["objectCount"])
        print(
            f"export: {op['status']} {objects} objects ({op['rootObjectCount']} products), "
            f"{int(op['fileSize']) / 2**20:.0f} MiB in {seconds:.2f} s = "
            f"{objects / seconds:.0f} objects/s"
        )
        base = baseline(sandbox, n)
        print(f"baseline json.dumps of the same objects: {base:.2f} s; ratio {seconds / base:.1f}x")
        print(
            "peak RSS of this process (store + sandbox + client): "
            f"{peak_rss(os.getpid()) / 2**20:.0f} MiB"
        )


def baseline(sandbox, n: int) -> float:
    def dumps_all() -> float:
        store = sandbox.sandbox.store
        started = time.perf_counter()
        with open(os.devnull, "w") as out:
            for p in store.products.values():
                out.write(
                    json.dumps(
                        {
                            "id": f"gid://shopify/Product/{p.id}",
                            "handle": p.handle,
                            "title": p.title,
                            "status": p.status,
                            "vendor": p.vendor,
                            "productType": p.product_type,
                            "tags": list(p.tags),
                            "updatedAt": p.updated_at,
                        }
                    )
                    + "\n"
                )
                for v in p.variants:
                    out.write(
                        json.dumps(
                            {
                                "id": f"gid://shopify/ProductVariant/{v.id}",
                                "sku": v.sku,
                                "price": v.price,
                                "inventoryPolicy": v.inventory_policy,
                                "selectedOptions": [{"name": "Size", "value": "S"}],
                                "__parentId": f"gid://shopify/Product/{p.id}",
                            }
                        )
                        + "\n"
                    )
        return time.perf_counter() - started

    return sandbox.run(dumps_all)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return psutil.Process(pid).memory_info().rss


def upload(url: str, path: Path) -> str:
    stage = """mutation { stagedUploadsCreate(input: [{resource: BULK_MUTATION_VARIABLES,
      filename: "vars.jsonl", mimeType: "text/jsonl", httpMethod: POST}]) {
      stagedTargets { url parameters { name value } } } }"""
    target = graphql(url, stage)["stagedUploadsCreate"]["stagedTargets"][0]
    boundary = uuid.uuid4().hex
    disposition = "\r\nContent-Disposition: form-data; name="
    head = b"".join(
        f'--{boundary}{disposition}"{p["name"]}"\r\n\r\n{p["value"]}\r\n'.encode()
        for p in target["parameters"]
    )
    head += f'--{boundary}{disposition}"file"; filename="v.jsonl"\r\n\r\n'.encode()
    body = head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    answer = http(
        "POST",
        target["url"],
        body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        300,
    )
    assert answer.status == 201, answer.text
    return next(p["value"] for p in target["parameters"] if p["name"] == "key")


def import_(m: int) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "sandbox",
            "serve",
            "--port",
            str(port),
            "--bulk-rate",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if http("GET", f"{url}/_sandbox/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "vars.jsonl"
            with open(path, "w") as out:
                for i in range(m):
                    out.write(
                        json.dumps(
                            {"input": product_input(i), "identifier": {"handle": f"product-{i}"}}
                        )
                        + "\n"
                    )
            size = path.stat().st_size
            started = time.perf_counter()
            with open(path, "rb") as handle:
                for raw in handle:
                    json.loads(raw)
            parse = time.perf_counter() - started
            key = upload(url, path)
        started = time.perf_counter()
        run = graphql(
            url,
            """mutation($m: String!, $p: String!) {
              bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) {
                bulkOperation { id } userErrors { message } } }""",
            {"m": IMPORT, "p": key},
        )["bulkOperationRunMutation"]
        op = wait(url, run["bulkOperation"]["id"])
        seconds = time.perf_counter() - started
        print(
            f"import: {op['status']} {op['objectCount']} lines ({size / 2**20:.0f} MiB file) "
            f"in {seconds:.1f} s = {m / seconds:.0f} lines/s; "
            f"sandbox peak RSS {peak_rss(proc.pid) / 2**20:.0f} MiB"
        )
        print(f"baseline json.loads of the same lines: {parse:.2f} s; ratio {seconds / parse:.0f}x")
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    export(n)
    import_(m)
