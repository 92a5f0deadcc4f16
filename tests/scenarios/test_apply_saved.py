"""`catalog apply PLANFILE`: a saved plan is sent only while it is still what was reviewed
(contract.md, "Plan file"), against the sandbox over HTTP with the real client."""

from __future__ import annotations

import json

import pytest

from reconciler.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def saved_plan(capsys, demo, store) -> tuple[str, dict]:
    path = str(demo.parent / "plan.json")
    code, _, err = run(capsys, "plan", "--catalog", str(demo), "--store", store.url, "--out", path)
    assert code == 0, err
    with open(path, encoding="utf-8") as f:
        return path, json.load(f)


def apply_file(capsys, demo, store, path: str, *more: str) -> tuple[int, str, str]:
    return run(capsys, "apply", path, "--catalog", str(demo), "--store", store.url, *more)


def pending(capsys, demo, store) -> int:
    code, _, _ = run(
        capsys, "plan", "--catalog", str(demo), "--store", store.url, "--detailed-exitcode"
    )
    return code


def retitle(store, handle: str, title: str) -> None:
    """The title edited "in the admin" after the plan was made."""
    query = "query($h: String!) { productByHandle(handle: $h) { id } }"
    product_id = store.graphql(query, {"h": handle}).json["data"]["productByHandle"]["id"]
    mutation = """mutation($i: ProductSetInput!, $id: ProductSetIdentifiers) {
        productSet(input: $i, identifier: $id) { userErrors { message } } }"""
    variables = {"i": {"title": title}, "id": {"id": product_id}}
    body = store.graphql(mutation, variables).json
    assert body["data"]["productSet"]["userErrors"] == [], body


def test_a_saved_plan_applies_without_asking_and_the_next_plan_is_empty(capsys, sandbox, demo):
    path, data = saved_plan(capsys, demo, sandbox)
    assert data["catalog_hash"].startswith("sha256:")
    assert saved_plan(capsys, demo, sandbox)[1]["catalog_hash"] == data["catalog_hash"]  # stable
    code, out, err = apply_file(capsys, demo, sandbox, path)  # no --auto-approve, no terminal
    assert code == 0, err
    assert "Apply complete: 10 created" in out
    assert pending(capsys, demo, sandbox) == 0


def test_a_product_changed_in_the_store_makes_the_plan_stale(capsys, sandbox, demo):
    assert run(capsys, "apply", "--catalog", str(demo), "--store", sandbox.url,
               "--auto-approve")[0] == 0  # fmt: skip
    for name in ("ceramic-mug", "canvas-tote"):
        path = next(demo.glob(f"products/**/{name}.yaml"))
        path.write_text(path.read_text().replace("status: active", "status: draft"))
    path, _ = saved_plan(capsys, demo, sandbox)
    retitle(sandbox, "ceramic-mug", "Mug, edited in the admin")
    code, _, err = apply_file(capsys, demo, sandbox, path)
    assert code == 1 and "stale" in err and "ceramic-mug" in err and "canvas-tote" not in err
    code, out, err = apply_file(capsys, demo, sandbox, path, "--skip-stale")
    assert code == 0, err
    assert "skipped ceramic-mug" in err and "1 updated" in out
    status = sandbox.graphql('{ productByHandle(handle: "canvas-tote") { status } }').json
    assert status["data"]["productByHandle"]["status"] == "DRAFT"
    mug = sandbox.graphql('{ productByHandle(handle: "ceramic-mug") { status } }').json
    assert mug["data"]["productByHandle"]["status"] == "ACTIVE"  # not written


def test_a_catalog_edited_after_planning_refuses_the_plan(capsys, sandbox, demo):
    path, before = saved_plan(capsys, demo, sandbox)
    plan_file = demo.parent / "plan.json"
    mug = demo / "products/home/ceramic-mug.yaml"
    mug.write_text(mug.read_text().replace('price: "16.00"', 'price: "17.00"'))
    assert saved_plan(capsys, demo, sandbox)[1]["catalog_hash"] != before["catalog_hash"]
    plan_file.write_text(json.dumps(before))
    code, _, err = apply_file(capsys, demo, sandbox, path, "--skip-stale")
    assert code == 1 and "no longer produces this plan" in err and "ceramic-mug" in err
    count = sandbox.graphql("{ productsCount { count } }").json["data"]["productsCount"]
    assert count["count"] == 0  # nothing was written


def test_a_hand_edited_plan_file_is_refused(capsys, sandbox, demo):
    path, data = saved_plan(capsys, demo, sandbox)
    change = next(c for c in data["changes"] if c["handle"] == "ceramic-mug")
    change["mutation"]["calls"][0]["variables"]["input"]["title"] = "Something else"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f)
    code, _, err = apply_file(capsys, demo, sandbox, path)
    assert code == 1 and "ceramic-mug" in err and "no longer produces" in err
    count = sandbox.graphql("{ productsCount { count } }").json["data"]["productsCount"]
    assert count["count"] == 0


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [("store", "other-shop.myshopify.com", "store"), ("catalog", "other", "catalog"),
     ("api_version", "2025-10", "API version")],
)  # fmt: skip
def test_a_plan_for_another_store_catalog_or_api_version_is_refused(
    capsys, sandbox, demo, key, value, named
):
    path, data = saved_plan(capsys, demo, sandbox)
    data[key] = value
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f)
    code, _, err = apply_file(capsys, demo, sandbox, path)
    assert code == 1 and f"for {named} {value!r}" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("text", ["", "{", "[]", '{"changes": []}', '{"format_version": "9"}'])
def test_a_file_that_is_not_a_plan_is_one_clear_error(capsys, sandbox, demo, text):
    path = demo.parent / "plan.json"
    path.write_text(text)
    code, _, err = apply_file(capsys, demo, sandbox, str(path))
    assert code == 1 and err.startswith("Error:") and "plan" in err
    assert "Traceback" not in err


def test_skip_stale_without_a_plan_file_is_a_usage_error(capsys, sandbox, demo):
    code, _, err = run(capsys, "apply", "--catalog", str(demo), "--store", sandbox.url,
                       "--skip-stale")  # fmt: skip
    assert code == 1 and "saved plan" in err
