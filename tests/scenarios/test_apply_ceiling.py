"""A product whose one productSet would pass Shopify's 1000-point ceiling for a request (2048
variants, each with a metafield: facts §1.2) is written in parts, never failed: the plan moves the
variant metafields to metafieldsSet calls after the productSet, apply fills in the variants' ids,
and the next plan is empty. Against the sandbox over HTTP, which refuses a request over 1000."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_reads import unthrottled

from reconciler.applying import ApplyOptions, make_apply
from reconciler.plan.estimate import MAX_REQUEST_COST, call_cost
from reconciler.planning import PlanOptions, make_plan

SIZES = [f"S{i:02d}" for i in range(64)]
COLOURS = [f"C{i:02d}" for i in range(32)]  # 64 x 32 = 2048 variants, Shopify's limit


def write_catalog(root: Path, mode: str = "sync") -> Path:
    (root / "products").mkdir(parents=True)
    (root / "catalog.yaml").write_text("name: big\n")
    lines = [
        "handle: everything-tee",
        "title: Everything Tee",
        "options:",
        f"  - name: Size\n    values: [{', '.join(SIZES)}]",
        f"  - name: Colour\n    values: [{', '.join(COLOURS)}]",
        "variants:",
    ]
    for size in SIZES:
        for colour in COLOURS:
            lines += [
                f"  - options: {{Size: {size}, Colour: {colour}}}",
                '    price: "10.00"',
                "    metafields:",
                "      - {namespace: custom, key: code, type: single_line_text_field, "
                f"value: {size}-{colour}}}",
            ]
    (root / "products/everything-tee.yaml").write_text("\n".join(lines) + "\n")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["sync", "bulk"])
def test_a_product_over_the_request_ceiling_is_written_in_parts(
    tmp_path, no_store_env, sandbox_factory, mode
):
    # Plus's bucket: the 82 metafieldsSet calls of 25 variant owners each cost ~9,000 points,
    # a minute and a half of refill on a standard plan.
    sandbox = sandbox_factory(plan="plus")
    catalog = write_catalog(tmp_path / "catalog")
    plan = make_plan(PlanOptions(catalog, sandbox.url), {}).plan
    (change,) = plan.changes
    calls = change.mutation["calls"]
    assert calls[0]["operation"] == "ProductSet"
    assert all(call_cost(c) <= MAX_REQUEST_COST for c in calls)
    assert not any("ceiling" in w for w in change.warnings)
    moved = sum(len(c["variables"]["metafields"]) for c in calls[1:])
    assert moved == 2048 + 1  # every variant's metafield, and the marker

    options = ApplyOptions(catalog, sandbox.url, mode=mode)
    result = make_apply(options, {}, confirm=lambda p: True)
    assert result.report.ok, result.report.summary_lines()
    again = make_plan(PlanOptions(catalog, sandbox.url), {}).plan
    assert [c.action for c in again.changes] == ["no-op"]
    query = """{ products(first: 1) { nodes { variantsCount { count }
        variants(first: 3, reverse: true) { nodes { selectedOptions { value }
        metafield(namespace: "custom", key: "code") { value } } } } } }"""
    (product,) = unthrottled(sandbox, query)["products"]["nodes"]
    assert product["variantsCount"]["count"] == 2048
    for variant in product["variants"]["nodes"]:
        size, colour = (o["value"] for o in variant["selectedOptions"])
        assert variant["metafield"]["value"] == f"{size}-{colour}"
