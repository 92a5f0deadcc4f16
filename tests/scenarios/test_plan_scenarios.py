"""`catalog plan` against the sandbox over HTTP, through the real command: each state of the store
a plan must recognize (absent, identical, drifted, unmarked, removed, another catalog's), --target,
and a faulty network giving the same plan."""

from __future__ import annotations

import pytest
from plan_scenario_helpers import (
    actions,
    desired,
    mug,
    plan_json,
    store_products,
    tee,
    without_time,
    write_catalog,
)

from reconciler.plan.estimate import sync_seconds
from reconciler.sandbox.faults import Faults


@pytest.fixture
def root(no_store_env):
    return no_store_env / "catalog"


def test_empty_store_plans_every_product_as_create(capsys, sandbox, root):
    write_catalog(root, [tee(), mug()])
    code, plan = plan_json(capsys, "--store", sandbox.url, "--detailed-exitcode")
    assert code == 2
    assert actions(plan) == {"mug": "create", "tee": "create"}
    assert plan["summary"]["create"] == 2
    assert plan["estimate"]["points"] > 0 and plan["estimate"]["restore_rate"] == 100.0
    assert plan["removals_blocked_reason"] is None


def test_store_written_by_the_plans_calls_is_all_no_op(capsys, sandbox, root):
    write_catalog(root, [tee(), mug(), tee("cap", title="Cap")])
    store_products(sandbox, desired(root).values())
    code, plan = plan_json(capsys, "--store", sandbox.url, "--detailed-exitcode")
    assert code == 0
    assert set(actions(plan).values()) == {"no-op"}
    assert plan["summary"]["no_op"] == 3 and plan["unmanaged_count"] == 0
    assert plan["estimate"]["points"] == 0


def test_price_changed_in_the_store_is_an_update_naming_the_drift(capsys, sandbox, root):
    write_catalog(root, [tee(), mug()])
    wanted = desired(root)
    write_catalog(root, [tee(price="15.00"), mug()])  # what the store holds after an admin edit
    store_products(sandbox, desired(root).values(), marker_of=wanted)
    write_catalog(root, [tee(), mug()])
    code, plan = plan_json(capsys, "--store", sandbox.url, "--detailed-exitcode")
    assert code == 2
    assert actions(plan) == {"mug": "no-op", "tee": "update"}
    change = next(c for c in plan["changes"] if c["handle"] == "tee")
    assert "drift: variants changed in the store" in change["reason"]
    prices = {d["path"]: (d["before"], d["after"], d["drift"]) for d in change["diff"]}
    assert prices == {
        "variants[Size=M].price": ("15.00", "19.00", True),
        "variants[Size=S].price": ("15.00", "19.00", True),
    }


def test_matching_unmarked_product_is_adopted_and_is_not_a_change(capsys, sandbox, root):
    write_catalog(root, [tee(), mug()])
    products = desired(root)
    store_products(sandbox, [products["tee"]], marked=False)
    store_products(sandbox, [products["mug"]])
    code, plan = plan_json(capsys, "--store", sandbox.url, "--detailed-exitcode")
    assert code == 0
    assert actions(plan) == {"mug": "no-op", "tee": "adopt"}
    calls = next(c for c in plan["changes"] if c["handle"] == "tee")["mutation"]["calls"]
    assert [c["operation"] for c in calls] == ["MetafieldsSet"]  # only the marker


@pytest.mark.parametrize("on_remove", ["archive", "delete"])
def test_product_dropped_from_the_catalog_is_removed_as_on_remove_says(
    capsys, sandbox, root, on_remove
):
    write_catalog(root, [tee(), mug()], on_remove=on_remove)
    store_products(sandbox, desired(root).values())
    write_catalog(root, [tee()], on_remove=on_remove)
    code, plan = plan_json(capsys, "--store", sandbox.url, "--detailed-exitcode")
    assert code == 2
    assert actions(plan) == {"mug": on_remove, "tee": "no-op"}
    removal = next(c for c in plan["changes"] if c["handle"] == "mug")
    assert removal["product_id"].startswith("gid://shopify/Product/")
    if on_remove == "delete":
        assert {d["kind"] for d in removal["child_deletions"]} == {"product", "variant"}
    else:
        assert removal["diff"] == [
            {"path": "status", "before": "active", "after": "archived", "drift": False}
        ]


def test_another_catalogs_products_are_counted_and_never_touched(capsys, sandbox, root):
    write_catalog(root, [tee(), mug(), tee("theirs"), mug("their-mug")])
    products = desired(root)
    store_products(sandbox, [products["tee"], products["mug"]])
    store_products(sandbox, [products["theirs"], products["their-mug"]], catalog="other")
    store_products(
        sandbox, [desired(write_catalog(root, [mug("by-hand")]))["by-hand"]], marked=False
    )
    write_catalog(root, [tee(), mug(), tee("theirs", price="99.00")])
    code, plan = plan_json(capsys, "--store", sandbox.url, "--detailed-exitcode")
    # "theirs" is in this catalog too, but another catalog owns it: left alone with a warning;
    # "their-mug" is not in this catalog: not removed, only counted; so is "by-hand" (no marker).
    assert actions(plan) == {"mug": "no-op", "tee": "no-op", "theirs": "no-op"}
    assert code == 0
    theirs = next(c for c in plan["changes"] if c["handle"] == "theirs")
    assert theirs["warnings"] == ["owned by catalog 'other': left alone"]
    assert plan["unmanaged_count"] == 3


def test_target_narrows_the_plan_and_computes_no_removals(capsys, sandbox, root):
    write_catalog(root, [tee(), mug(), tee("cap", title="Cap"), mug("bowl")])
    store_products(sandbox, desired(root).values())
    write_catalog(root, [tee(price="21.00"), mug(price="13.00"), tee("cap", title="Cap")])
    _, plan = plan_json(
        capsys, "--store", sandbox.url, "--target", "tee", "--target", "cap", "--target", "tee"
    )
    assert actions(plan) == {"cap": "no-op", "tee": "update"}  # bowl is not archived
    assert plan["removals_blocked_reason"] == (
        "no removal planned: the plan is targeted (--target), so removals are not computed"
    )
    _, plan = plan_json(capsys, "--store", sandbox.url)
    assert actions(plan) == {"bowl": "archive", "cap": "no-op", "mug": "update", "tee": "update"}


def test_faulty_network_gives_the_same_plan(capsys, sandbox_factory, root, monkeypatch):
    products = [tee(f"tee-{i}", price=f"{10 + i}.00") for i in range(12)] + [mug()]
    write_catalog(root, products)
    clean, faulty = sandbox_factory(), sandbox_factory()
    for handle in (clean, faulty):
        stored = desired(root)
        store_products(handle, [p for h, p in stored.items() if h != "tee-3"])
    write_catalog(root, [tee(f"tee-{i}", price="30.00") if i == 5 else p for i, p in
                         enumerate(products)])  # fmt: skip
    expected = without_time(plan_json(capsys, "--store", clean.url)[1])
    # Every kind of fault; a stall answers 504 after a second, a short timeout cuts the rest.
    monkeypatch.setenv("SHOPIFY_TIMEOUT", "5")
    injected = 0
    for seed, read in ((1, "auto"), (2, "auto"), (3, "full"), (4, "targeted")):
        faulty.control("faults", {"rate": 0.1, "seed": seed, "stall_seconds": 1})
        got = without_time(plan_json(capsys, "--store", faulty.url, "--read", read)[1])
        replay = Faults(0.1, seed)
        drawn = faulty.run(lambda: faulty.sandbox.faults.drawn)
        injected += sum(replay.pick() is not None for _ in range(drawn))
        assert _same(got, expected)
    assert injected >= 3


def _same(got: dict, expected: dict) -> bool:
    """The same plan, except what is specific to each store (product ids)."""

    def strip(plan: dict) -> list[dict]:
        return [
            {k: v for k, v in c.items() if k not in ("product_id", "mutation", "fingerprint")}
            for c in plan["changes"]
        ]

    assert actions(got)["tee-3"] == "create" and actions(got)["tee-5"] == "update"
    assert got["summary"] == expected["summary"] and got["estimate"] == expected["estimate"]
    return strip(got) == strip(expected)


def test_estimate_uses_the_stores_restore_rate(capsys, sandbox_factory, root):
    plus = sandbox_factory(plan="plus")
    write_catalog(root, [tee(), mug()])
    _, plan = plan_json(capsys, "--store", plus.url)
    estimate = plan["estimate"]
    assert estimate["restore_rate"] == 1000.0 and estimate["bucket"] == 20000.0
    seconds = sync_seconds(estimate["points"], estimate["calls"], 1000.0, 20000.0)
    assert estimate["seconds"] == round(seconds, 1)
