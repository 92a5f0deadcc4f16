"""The demo catalog (catalog/) planned against a store that has lived a little (`seed_demo`):
every kind of line a reviewer meets, as docs/plan.md shows them."""

from __future__ import annotations

import shutil
from pathlib import Path

from plan_scenario_helpers import actions, desired, plan_json, run_plan, seed_demo

REPO = Path(__file__).resolve().parents[2]


def test_demo_catalog_against_a_lived_in_store(capsys, sandbox, tmp_path, no_store_env):
    shutil.copytree(REPO / "catalog", tmp_path / "catalog", ignore=shutil.ignore_patterns(".*"))
    seed_demo(sandbox, desired(tmp_path / "catalog"))
    code, plan = plan_json(capsys, "--store", sandbox.url, "--detailed-exitcode")
    assert code == 2
    assert actions(plan) == {
        "canvas-tote": "no-op",
        "ceramic-mug": "create",
        "classic-tee": "no-op",
        "espresso-beans": "no-op",  # someone else's tag is not a change
        "leather-wallet": "update",
        "linen-shirt": "update",
        "phone-case": "adopt",
        "summer-hat": "archive",
        "trail-runner": "no-op",
        "wool-beanie": "create",
        "yoga-mat": "no-op",
    }
    assert plan["unmanaged_count"] == 1
    code, out, _ = run_plan(capsys, "--store", sandbox.url)
    assert code == 0
    assert '~ variants[Default].price: "39.00" -> "45.00"  (drift: changed in the store)' in out
    assert '~ tags: ["linen"] -> ["linen", "summer"]' in out
    assert out.endswith(
        "Plan: 2 to create, 2 to update, 1 to archive, 0 to delete.\n"
        "Estimate: 207.6 points in 12 calls, about 0.2 s sync at 100 points/s, 2000-point "
        "bucket; apply mode: sync (bulk would take about 10.1 s).\n"
        "1 to adopt (apply only marks them as this catalog's).\n"
        "1 product(s) in the store are not this catalog's: left alone.\n"
    )
