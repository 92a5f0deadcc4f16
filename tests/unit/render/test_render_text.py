from __future__ import annotations

from sample_plans import check_golden, empty_plan, full_plan

from reconciler.render.text import render_text, summary_line


def test_full_plan_golden():
    check_golden("full.txt", render_text(full_plan()))


def test_colour_only_when_asked():
    plain = render_text(full_plan())
    coloured = render_text(full_plan(), color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;32m+ create classic-tee" in coloured
    check_golden("full_color.txt", coloured)


def test_summary_line_counts_rename_as_update_and_not_adopt():
    assert summary_line(full_plan()) == "Plan: 1 to create, 2 to update, 1 to archive, 1 to delete."


def test_no_changes():
    text = render_text(empty_plan())
    assert "No changes. The store matches the catalog." in text
    assert "Plan:" not in text and "apron" not in text
    check_golden("empty.txt", text)
