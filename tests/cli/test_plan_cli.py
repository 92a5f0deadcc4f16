"""`catalog plan` as a user and a CI job meet it: flags, output formats, exit codes, the embedded
sandbox, errors (bad catalog, unreachable store), colour, logging. The store is the sandbox over
HTTP; the command runs through the console entry point (and once in a terminal, as a process)."""

from __future__ import annotations

import json
import os
import pty
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from store_env import STORE_ENV

from reconciler.cli import main
from reconciler.render.json import plan_from_json, render_json
from reconciler.render.markdown import GITHUB_LIMIT

TOKEN = "shpat_0123456789abcdef0123456789abcdef"


def product(handle: str, **extra) -> dict:
    return {"handle": handle, "title": handle.title(), "variants": [{"price": "10.00"}], **extra}


def write(root: Path, products: list[dict], **settings) -> Path:
    (root / "products").mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(json.dumps({"name": "shop", **settings}))
    for data in products:  # JSON is YAML
        (root / "products" / f"{data['handle']}.yaml").write_text(json.dumps(data))
    return root


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return exited.value.code, out, err


@pytest.fixture
def catalog(no_store_env: Path) -> Path:
    return no_store_env / "catalog"


@pytest.fixture
def listener():
    """A port that accepts connections and records whether anyone connected."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.3)
        yield server


def connected(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except TimeoutError:
        return False
    conn.close()
    return True


def test_bad_catalog_exits_1_with_every_problem_and_never_contacts_the_store(
    capsys, catalog, listener
):
    write(catalog, [product("a"), {"handle": "B", "title": "B", "variants": [{}]}])
    (catalog / "products" / "c.yaml").write_text("handle: c\ntitel: C\nvariants: [{price: 1}]\n")
    port = listener.getsockname()[1]
    code, out, err = run(capsys, "plan", "--store", f"http://127.0.0.1:{port}")
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert lines[-1] == "3 errors, 0 warnings"
    unknown = "catalog/products/c.yaml:2:1: titel: unknown key 'titel' (did you mean 'title'?)"
    assert unknown in lines
    assert not connected(listener)
    code, _, err = run(capsys, "plan")  # the default store: no sandbox started either
    assert code == 1 and "embedded sandbox" not in err
    assert not (catalog / ".catalog").exists()


def test_unreachable_store_is_one_clear_message(capsys, catalog, monkeypatch):
    write(catalog, [product("a")])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("SHOPIFY_MAX_RETRIES", "1")
    code, out, err = run(capsys, "plan", "--store", f"http://127.0.0.1:{port}")
    assert (code, out) == (1, "")
    # One warning when the first attempt failed (it is retried), then the one error.
    warning, error = err.splitlines()
    assert warning.startswith(f"cannot reach http://127.0.0.1:{port} (connection refused); retry")
    assert error.startswith(f"Error: cannot reach the store at http://127.0.0.1:{port} (")
    assert "cannot connect" in error
    assert "Traceback" not in err


def test_json_plan_round_trips_and_never_holds_the_token(
    capsys, catalog, sandbox_factory, monkeypatch
):
    store = sandbox_factory(token=TOKEN)
    write(catalog, [product("a", tags=["x"]), product("b")])
    monkeypatch.setenv("SHOPIFY_ACCESS_TOKEN", TOKEN)
    code, out, err = run(
        capsys, "-v", "plan", "--store", store.url, "--format", "json", "--out", "plan.json"
    )
    assert code == 0
    assert TOKEN not in out + err + Path("plan.json").read_text()
    assert Path("plan.json").read_text() == out
    plan = plan_from_json(out)
    assert render_json(plan) == out
    assert [c.action for c in plan.changes] == ["create", "create"]
    assert plan.store == store.url and plan.catalog == "shop" and plan.api_version == "2026-10"
    assert "operation=Publications" in err  # -v logs each request


def test_out_saves_the_json_plan_whatever_is_shown(capsys, catalog, sandbox):
    write(catalog, [product("a")])
    code, out, _ = run(capsys, "plan", "--store", sandbox.url, "--out", "saved.json")
    assert code == 0 and out.startswith("Catalog 'shop'")
    assert "Plan: 1 to create, 0 to update, 0 to archive, 0 to delete." in out
    saved = json.loads(Path("saved.json").read_text())
    assert saved["format_version"] == "1" and saved["summary"]["create"] == 1
    code, _, err = run(capsys, "plan", "--store", sandbox.url, "--out", "no/such/dir/p.json")
    assert code == 1 and "cannot write the plan to no/such/dir/p.json" in err


def test_markdown_stays_under_githubs_limit_and_points_to_the_plan_file(capsys, catalog, sandbox):
    long = "<p>" + "A very long description. " * 40 + "</p>"
    write(catalog, [product(f"p-{i:03}", description_html=long) for i in range(300)])
    code, out, _ = run(
        capsys, "plan", "--store", sandbox.url, "--format", "markdown", "--out", "plan.json"
    )
    assert code == 0
    assert len(out) < GITHUB_LIMIT
    assert "**Plan: 300 to create, 0 to update, 0 to archive, 0 to delete.**" in out
    assert "the complete plan is in the JSON plan file `plan.json`" in out


def test_detailed_exitcode_is_2_only_with_changes(capsys, catalog, sandbox):
    write(catalog, [])
    code, out, err = run(capsys, "plan", "--store", sandbox.url, "--detailed-exitcode")
    assert code == 0 and "No changes. The store matches the catalog." in out
    assert "the catalog has no products (warning)" in err
    write(catalog, [product("a")])
    assert run(capsys, "plan", "--store", sandbox.url, "--detailed-exitcode")[0] == 2
    assert run(capsys, "plan", "--store", sandbox.url)[0] == 0


def test_default_store_is_the_embedded_sandbox_announced_on_stderr(capsys, catalog):
    write(catalog, [product("a")])
    code, out, err = run(capsys, "plan", "--format", "json")
    assert code == 0
    assert json.loads(out)["store"] == "embedded sandbox"  # stdout is the JSON alone
    state = Path("catalog") / ".catalog" / "sandbox.json"
    assert err == (
        f"Using the embedded sandbox (no store configured); its store is kept in {state}.\n"
    )
    assert (catalog / ".catalog" / "sandbox.json").is_file()
    code, _, err = run(capsys, "plan", "--store", "sandbox", "--detailed-exitcode")
    assert code == 2 and "embedded sandbox (--store)" in err


def test_ci_without_a_store_fails_instead_of_planning_against_a_sandbox(
    capsys, catalog, monkeypatch
):
    write(catalog, [product("a")])
    monkeypatch.setenv("CI", "true")
    code, out, err = run(capsys, "plan")
    assert (code, out) == (1, "")
    assert err.startswith("Error: no store configured and CI=true")
    assert not (catalog / ".catalog").exists()


def test_usage_errors_exit_1_never_2(capsys, catalog, sandbox):
    write(catalog, [product("a")])
    assert run(capsys, "plan", "--format", "yaml")[0] == 1
    code, _, err = run(capsys, "plan", "--store", sandbox.url, "--target", "nope")
    assert code == 1 and "--target: no product with handle 'nope' in the catalog" in err


def test_catalog_warnings_go_to_stderr(capsys, catalog, sandbox):
    write(catalog, [product("a", variants=[{"price": 5, "compare_at_price": 4}])])
    code, out, err = run(capsys, "plan", "--store", sandbox.url, "--format", "json")
    assert code == 0 and json.loads(out)["summary"]["create"] == 1
    assert "compare_at_price" in err and "(warning)" in err


def test_json_logs_with_log_format_json(capsys, catalog, sandbox):
    write(catalog, [product("a")])
    code, _, err = run(capsys, "-v", "--log-format", "json", "plan", "--store", sandbox.url)
    assert code == 0
    records = [json.loads(line) for line in err.splitlines()]
    assert {"Publications", "ProductsCount"} <= {r.get("operation") for r in records}


@pytest.mark.parametrize("no_color", [None, "1"])
def test_colour_only_on_a_terminal_and_never_with_no_color(catalog, sandbox, no_color):
    write(catalog, [product("a")])
    env = {k: v for k, v in os.environ.items() if k not in STORE_ENV}
    if no_color:
        env["NO_COLOR"] = no_color
    command = [sys.executable, "-m", "reconciler", "plan", "--store", sandbox.url]
    primary, secondary = pty.openpty()
    try:
        process = subprocess.run(command, stdout=secondary, stderr=subprocess.PIPE, env=env)
        os.close(secondary)
        shown = _read_all(primary)
    finally:
        os.close(primary)
    assert process.returncode == 0, process.stderr
    assert ("\x1b[1;32m+ create a" in shown) is (no_color is None)
    piped = subprocess.run(command, capture_output=True, text=True, env=env)
    assert "\x1b[" not in piped.stdout and "+ create a" in piped.stdout


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


def test_the_bulk_figures_the_estimate_assumes_come_from_the_environment(
    capsys, catalog, sandbox, monkeypatch
):
    write(catalog, [product(f"p{i}") for i in range(3)])
    monkeypatch.setenv("CATALOG_BULK_RATE", "0.5")
    monkeypatch.setenv("CATALOG_BULK_START", "2")
    code, _, _ = run(capsys, "plan", "--store", sandbox.url, "--out", "slow.json")
    assert code == 0
    slow = json.loads(Path("slow.json").read_text())["estimate"]
    assert (slow["bulk_rate"], slow["bulk_start"]) == (0.5, 2.0)
    # Two phases (productSets, then markers) of 3 lines at half a line a second, 2 s each.
    assert slow["bulk_seconds"] == 2 * (2 + 3 / 0.5) and slow["mode"] == "sync"
    for name, text in (("CATALOG_BULK_RATE", "fast"), ("CATALOG_BULK_START", "-1")):
        monkeypatch.setenv(name, text)
        code, _, err = run(capsys, "plan", "--store", sandbox.url)
        assert code == 1 and f"{name} must be a number" in err and "Traceback" not in err
        monkeypatch.delenv(name)


def test_a_refused_token_is_one_line_on_stderr_not_a_traceback(catalog, sandbox_factory):
    """Every request fails at once: the error raised is shown; the others are not printed by
    asyncio at exit ("Task exception was never retrieved", with a traceback)."""
    store = sandbox_factory(token="shpat_the_right_one")
    write(catalog, [product("a")])
    env = {k: v for k, v in os.environ.items() if k not in STORE_ENV and not k.startswith("CI")}
    env["SHOPIFY_ACCESS_TOKEN"] = TOKEN
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", "--catalog", str(catalog), "--store",
         store.url],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "the access token was refused" in lines[0], done.stderr
    assert TOKEN not in done.stderr
