from __future__ import annotations

import json

import pytest
from sample_plans import check_golden, compared_plan, full_plan

from reconciler.render.json import PlanFileError, plan_from_json, render_json


def test_full_plan_golden():
    check_golden("full.json", render_json(full_plan()))


def test_contract_keys():
    data = json.loads(render_json(full_plan()))
    assert data["format_version"] == "1"
    assert list(data)[:8] == [
        "format_version", "catalog", "store", "api_version", "created_at", "changes", "summary",
        "estimate",
    ]  # fmt: skip
    assert "catalog_hash" in data  # what the plan was made from (saved plans check it)
    update = next(c for c in data["changes"] if c["action"] == "update")
    assert {"handle", "action", "reason", "diff", "mutation", "fingerprint"} <= set(update)


def test_round_trip_of_a_hand_made_plan():
    plan = full_plan()
    assert plan_from_json(render_json(plan)) == plan


def test_round_trip_of_a_compared_plan():
    plan = compared_plan()
    again = plan_from_json(render_json(plan))
    assert again == plan
    assert render_json(again) == render_json(plan)


def test_no_token_in_a_plan_file():
    text = render_json(compared_plan())
    assert "shpat_" not in text and "access_token" not in text.lower()


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", json.dumps({"format_version": "2", "changes": []}), '{"changes": 1}'],
)
def test_unreadable_plan_files_are_refused(text):
    with pytest.raises(PlanFileError):
        plan_from_json(text)
