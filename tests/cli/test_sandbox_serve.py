"""`catalog sandbox serve` as a user runs it: a foreground process on 127.0.0.1 until stopped."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from serve_helpers import start, stop

from reconciler.sandbox.testing import http


def graphql(url: str, query: str, token: str | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Shopify-Access-Token"] = token
    body = json.dumps({"query": query}).encode()
    return http("POST", f"{url}/admin/api/2026-10/graphql.json", body, headers)


def test_serve_answers_graphql_and_stops_cleanly(tmp_path: Path):
    state = tmp_path / "state.json"
    proc, url = start(
        "--state", str(state), "--token", "shpat_secret123", "--plan", "advanced", verbose=True
    )
    try:
        assert graphql(url, "{ shop { name } }").status == 401
        reply = graphql(url, "{ shop { name } }", token="shpat_secret123")
        assert reply.status == 200 and reply.json["data"]["shop"]["name"]
        status = reply.json["extensions"]["cost"]["throttleStatus"]
        assert status["maximumAvailable"] == 4000.0 and status["restoreRate"] == 200.0
    finally:
        code, out, err = stop(proc)
    assert code == 0
    assert url in err
    assert "requested=1 actual=1" in err  # -v: one line per request with its cost
    assert "shpat_secret123" not in err + out
    assert json.loads(state.read_text())["shop"]["plan"] == "advanced"


def test_serve_restore_rate_and_bucket(tmp_path: Path):
    proc, url = start("--restore-rate", "10", "--bucket", "50")
    try:
        status = graphql(url, "{ shop { name } }").json["extensions"]["cost"]["throttleStatus"]
        assert status["maximumAvailable"] == 50.0 and status["restoreRate"] == 10.0
    finally:
        code, _, _ = stop(proc)
    assert code == 0


def test_serve_port_in_use_is_a_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert proc.returncode == 1
    assert f"127.0.0.1:{port}" in proc.stderr and "Traceback" not in proc.stderr


def test_client_id_without_secret_is_a_usage_error():
    proc = subprocess.run(
        [sys.executable, "-m", "reconciler", "sandbox", "serve", "--client-id", "x"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 1 and "--client-secret" in proc.stderr


def test_serve_bulk_rate_paces_bulk_operations():
    proc, url = start("--bulk-rate", "10")
    try:
        seed = json.dumps({"products": [{"title": f"P{i}"} for i in range(20)]}).encode()
        assert http("POST", f"{url}/_sandbox/seed", seed).status == 200
        run = json.loads(
            graphql(
                url,
                'mutation { bulkOperationRunQuery(query: "{ products { edges { node { id } } } }")'
                " { bulkOperation { id } } }",
            ).text
        )["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        started = time.monotonic()
        poll = f'{{ bulkOperation(id: "{run}") {{ status objectCount }} }}'
        statuses = set()
        while True:
            op = json.loads(graphql(url, poll).text)["data"]["bulkOperation"]
            statuses.add(op["status"])
            if op["status"] == "COMPLETED":
                break
            assert time.monotonic() - started < 60
            time.sleep(0.05)
        assert "RUNNING" in statuses and op["objectCount"] == "20"
        assert time.monotonic() - started > 1.0  # 20 objects at 10 per second: 2 s
    finally:
        stop(proc)
