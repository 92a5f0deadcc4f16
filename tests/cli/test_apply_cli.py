"""`catalog apply` and `catalog unlock` as a user runs them, against the sandbox over HTTP."""

from __future__ import annotations

import json

import pytest

from reconciler.apply import lease
from reconciler.cli import main
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.store import ClientConfig, parse_store


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def count(sandbox) -> int:
    return sandbox.graphql("{ productsCount { count } }").json["data"]["productsCount"]["count"]


def test_apply_auto_approve_writes_a_report_and_the_next_plan_is_empty(capsys, sandbox, demo):
    report = demo.parent / "report.json"
    code, out, err = run(
        capsys, "apply", "--catalog", str(demo), "--store", sandbox.url, "--auto-approve",
        "--report", str(report),
    )  # fmt: skip
    assert code == 0, err
    assert "+ create ceramic-mug" in out  # the plan is shown before it is applied
    assert "Apply complete: 10 created" in out
    data = json.loads(report.read_text())
    assert data["ok"] is True and data["summary"]["created"] == 10
    assert all(p["ok"] for p in data["products"])
    code, out, _ = run(
        capsys, "plan", "--catalog", str(demo), "--store", sandbox.url, "--detailed-exitcode"
    )
    assert code == 0, out
    code, out, _ = run(capsys, "apply", "--catalog", str(demo), "--store", sandbox.url,
                       "--auto-approve")  # fmt: skip
    assert code == 0 and "No changes" in out


def test_without_a_terminal_or_auto_approve_apply_refuses_and_writes_nothing(capsys, sandbox, demo):
    code, _, err = run(capsys, "apply", "--catalog", str(demo), "--store", sandbox.url)
    assert code == 1
    assert "pass --auto-approve" in err
    assert count(sandbox) == 0


def test_unlock_breaks_a_held_lease_and_names_its_holder(capsys, sandbox, demo):
    async def hold() -> None:
        async with ShopifyClient(ClientConfig(store=parse_store(sandbox.url))) as client:
            await lease.acquire(client, holder="stuck CI job", catalog="demo")

    sandbox.call(hold())
    code, _, err = run(capsys, "apply", "--catalog", str(demo), "--store", sandbox.url,
                       "--auto-approve")  # fmt: skip
    assert code == 1 and "stuck CI job" in err and "catalog unlock" in err
    code, out, _ = run(capsys, "unlock", "--catalog", str(demo), "--store", sandbox.url)
    assert code == 0 and "stuck CI job" in out
    code, out, _ = run(capsys, "unlock", "--catalog", str(demo), "--store", sandbox.url)
    assert code == 0 and "No apply lease" in out
    code, out, err = run(capsys, "apply", "--catalog", str(demo), "--store", sandbox.url,
                         "--auto-approve")  # fmt: skip
    assert code == 0, err
