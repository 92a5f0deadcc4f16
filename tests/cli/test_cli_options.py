"""The CLI as users type it (issue 8): global options on either side of the subcommand, the
sandbox's secrets from the environment, a port out of range, a corrupt sandbox state file, and a
--catalog that names no catalog. Each mistake is one clear message and exit 1, never an internal
error."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from serve_helpers import start, stop

from reconciler.cli import main
from reconciler.errors import ReconcilerError
from reconciler.sandbox.testing import http

PRODUCT = "handle: a\ntitle: A\nvariants:\n  - price: 1\n"
SHOP = json.dumps({"query": "{ shop { name } }"}).encode()


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return exited.value.code, out, err


@pytest.fixture
def catalog(no_store_env: Path) -> Path:
    (no_store_env / "catalog" / "products").mkdir(parents=True)
    (no_store_env / "catalog" / "products" / "a.yaml").write_text(PRODUCT)
    return no_store_env / "catalog"


def shop(url: str, token: str | None = None) -> int:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Shopify-Access-Token"] = token
    return http("POST", f"{url}/admin/api/2026-10/graphql.json", SHOP, headers).status


# --- global options before or after the subcommand ------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["-v", "plan"],
        ["plan", "-v"],
        ["plan", "--verbose", "--format", "json"],
    ],
)
def test_verbose_is_honoured_before_and_after_the_subcommand(capsys, catalog, args):
    code, _, err = run(capsys, *args, "--store", "sandbox")
    assert code == 0
    assert "operation=Publications" in err  # one line per request, from the client


@pytest.mark.parametrize(
    "args",
    [
        ["--log-format", "json", "plan", "-v"],
        ["plan", "-v", "--log-format", "json"],
        ["-v", "plan", "--log-format", "json"],
        ["--log-format", "text", "plan", "-v", "--log-format", "json"],  # the later one wins
    ],
)
def test_log_format_is_honoured_before_and_after_the_subcommand(capsys, catalog, args):
    code, _, err = run(capsys, *args, "--store", "sandbox")
    assert code == 0
    lines = [line for line in err.splitlines() if not line.startswith("Using the embedded")]
    records = [json.loads(line) for line in lines]
    assert "Publications" in {r.get("operation") for r in records}


@pytest.mark.parametrize("args", [["--debug", "validate"], ["validate", "--debug"]])
def test_debug_is_honoured_before_and_after_the_subcommand(no_store_env, args):
    # --debug lets the error through as a traceback instead of the one-line message
    with pytest.raises(ReconcilerError, match="no catalog at nowhere"):
        main([*args, "--catalog", "nowhere"])


def test_without_verbose_nothing_is_logged(capsys, catalog):
    code, _, err = run(capsys, "plan", "--store", "sandbox", "--log-format", "json")
    assert code == 0 and "operation=" not in err and "{" not in err


def test_global_options_on_nested_commands(capsys, no_store_env):
    # accepted by the `sandbox` group and by `serve` alike: the port is what is refused
    for args in (["sandbox", "-v", "serve"], ["sandbox", "serve", "--debug", "-v"]):
        code, _, err = run(capsys, *args, "--port", "70000")
        assert code == 1 and "No such option" not in err and "--port" in err


def test_serve_verbose_after_the_subcommand_logs_each_request():
    proc, url = start("-v", "--log-format", "json")
    try:
        assert shop(url) == 200
    finally:
        code, _, err = stop(proc)
    assert code == 0
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any("requested=1 actual=1" in r["message"] for r in records)  # JSON, one per request


# --- the sandbox's secrets from the environment ------------------------------------------------


def test_token_from_the_environment_is_required(monkeypatch):
    monkeypatch.setenv("CATALOG_SANDBOX_TOKEN", "shpat_from_env")
    proc, url = start()
    try:
        assert shop(url) == 401
        assert shop(url, "shpat_from_env") == 200
    finally:
        code, out, err = stop(proc)
    assert code == 0 and "shpat_from_env" not in out + err


def test_the_token_flag_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("CATALOG_SANDBOX_TOKEN", "shpat_from_env")
    proc, url = start("--token", "shpat_from_flag")
    try:
        assert shop(url, "shpat_from_env") == 401
        assert shop(url, "shpat_from_flag") == 200
    finally:
        stop(proc)


def test_client_credentials_from_the_environment(monkeypatch):
    monkeypatch.setenv("CATALOG_SANDBOX_CLIENT_ID", "cid")
    monkeypatch.setenv("CATALOG_SANDBOX_CLIENT_SECRET", "csecret")
    proc, url = start()
    try:
        assert shop(url) == 401
        form = b"grant_type=client_credentials&client_id=cid&client_secret=csecret"
        minted = http(
            "POST",
            f"{url}/admin/oauth/access_token",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert minted.status == 200
        assert shop(url, minted.json["access_token"]) == 200
    finally:
        stop(proc)


def test_help_names_the_environment_variables(capsys):
    code, out, _ = run(capsys, "sandbox", "serve", "--help")
    assert code == 0
    for name in (
        "CATALOG_SANDBOX_TOKEN",
        "CATALOG_SANDBOX_CLIENT_ID",
        "CATALOG_SANDBOX_CLIENT_SECRET",
    ):
        assert name in out


# --- --port --------------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["70000", "65536", "-1"])
def test_port_out_of_range_is_a_usage_error(capsys, no_store_env, port):
    code, _, err = run(capsys, "sandbox", "serve", "--port", port)
    assert code == 1
    assert "Error: Invalid value for '--port'" in err and "0<=x<=65535" in err
    assert "Internal error" not in err and "Traceback" not in err


def test_port_0_serves_on_a_free_port_and_says_which():
    proc = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "sandbox", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stderr.readline()  # blocks until the announcement (or exit)
        assert line.startswith("Sandbox serving Shopify Admin API at http://127.0.0.1:"), line
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        assert not url.endswith(":0")
        assert shop(url) == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    assert proc.returncode == 0


# --- a sandbox state file that is not one ---------------------------------------------------------

BAD_STATES = [
    pytest.param(b"{not json", "not JSON", id="not-json"),
    pytest.param(b"\xff\xfe\x00", "not JSON", id="binary"),
    pytest.param(b"[1, 2]", "a JSON list, not an object", id="a-list"),
    pytest.param(b'{"clock": 1}', "no 'next_ids' entry", id="missing-keys"),
    pytest.param(b'{"clock": 1, "next_ids": 3, "shop": 4}', "unexpected content", id="wrong-types"),
]


@pytest.mark.parametrize(("content", "reason"), BAD_STATES)
def test_corrupt_embedded_state_says_what_to_do(capsys, catalog, content, reason):
    state = catalog / ".catalog" / "sandbox.json"
    state.parent.mkdir()
    state.write_bytes(content)
    code, out, err = run(capsys, "plan")
    assert (code, out) == (1, "")
    last = err.splitlines()[-1]
    assert last.startswith(f"Error: {Path('catalog', '.catalog', 'sandbox.json')} is not a")
    assert f"sandbox state file ({reason}" in last
    assert last.endswith(
        ": delete or move it; the embedded store is disposable and starts empty without it"
    )
    assert "Internal error" not in err
    assert state.read_bytes() == content  # never overwritten
    state.unlink()  # and the advice works
    assert run(capsys, "plan")[0] == 0


def test_embedded_state_that_is_a_directory(capsys, catalog):
    (catalog / ".catalog" / "sandbox.json").mkdir(parents=True)
    code, _, err = run(capsys, "plan")
    assert code == 1 and "is not a sandbox state file (cannot read it:" in err
    assert "Internal error" not in err


def test_embedded_state_directory_that_cannot_be_made(capsys, catalog):
    (catalog / ".catalog").write_text("a file where the directory goes")
    code, _, err = run(capsys, "plan")
    assert code == 1
    assert err.splitlines()[-1].startswith(f"Error: cannot create {Path('catalog', '.catalog')}")
    assert "Internal error" not in err


@pytest.mark.parametrize(("content", "reason"), BAD_STATES[:3])
def test_corrupt_serve_state_is_one_clear_message(capsys, tmp_path, content, reason):
    state = tmp_path / "state.json"
    state.write_bytes(content)
    code, _, err = run(capsys, "sandbox", "serve", "--port", "0", "--state", str(state))
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(f"Error: {state} is not a sandbox state file")
    assert reason in err and "give --state another file" in err
    assert "Internal error" not in err
    assert state.read_bytes() == content


# --- --catalog naming no catalog ------------------------------------------------------------------


@pytest.fixture
def listener():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.3)
        yield server


def _contacted(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except TimeoutError:
        return False
    conn.close()
    return True


@pytest.mark.parametrize("command", ["validate", "plan"])
@pytest.mark.parametrize("where", ["empty", "missing"])
def test_a_directory_without_a_catalog_is_an_error(capsys, no_store_env, listener, command, where):
    if where == "empty":
        (no_store_env / "typo" / "product").mkdir(parents=True)  # not products/
    port = listener.getsockname()[1]
    store = ["--store", f"http://127.0.0.1:{port}"] if command == "plan" else []
    code, out, err = run(capsys, command, "--catalog", "typo", *store)
    assert (code, out) == (1, "")
    assert err == "Error: no catalog at typo: expected catalog.yaml or a products/ folder\n"
    assert not _contacted(listener)
    assert not (no_store_env / "typo" / ".catalog").exists()


@pytest.mark.parametrize("marker", ["catalog.yaml", "products"])
def test_a_catalog_with_no_products_is_still_a_warning(capsys, no_store_env, marker):
    root = no_store_env / "cat"
    root.mkdir()
    if marker == "products":
        (root / "products").mkdir()
    else:
        (root / "catalog.yaml").write_text("name: shop\n")
    code, out, _ = run(capsys, "validate", "--catalog", "cat")
    assert code == 0 and "the catalog has no products" in out
