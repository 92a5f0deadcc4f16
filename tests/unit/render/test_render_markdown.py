from __future__ import annotations

from sample_plans import check_golden, empty_plan, full_plan, huge_plan

from reconciler.render.markdown import GITHUB_LIMIT, render_markdown


def test_full_plan_golden():
    check_golden("full.md", render_markdown(full_plan(), artifact="`plan.json`"))


def test_removals_come_first():
    text = render_markdown(full_plan())
    assert text.index("#### Removals") < text.index("old-cap") < text.index("#### Changes")
    assert text.index("sticker") < text.index("classic-tee")


def test_empty_plan_golden():
    check_golden("empty.md", render_markdown(empty_plan()))


def test_always_under_githubs_limit_with_a_pointer_to_the_artifact():
    text = render_markdown(huge_plan(), artifact="`plan.json`")
    assert len(text) < GITHUB_LIMIT
    assert "more product(s) not shown here" in text and "`plan.json`" in text
    assert text.count("<details>") == text.count("</details>")


def test_one_huge_product_is_cut_short():
    plan = huge_plan(1)
    change = plan.changes[0]
    from dataclasses import replace

    from reconciler.plan.model import FieldChange

    big = replace(
        change,
        diff=tuple(FieldChange(f"variants[Size={i}].price", "1.00", "2.00") for i in range(2048)),
    )
    text = render_markdown(replace(plan, changes=(big,)))
    assert len(text) < 20_000 and "cut short" in text
