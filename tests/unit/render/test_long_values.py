"""Long and multi-line values are shown as diffs: two different values never look the same."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from sample_plans import check_golden, full_plan

from reconciler.plan.model import Change, FieldChange, Plan
from reconciler.render.json import plan_from_json, render_json
from reconciler.render.markdown import GITHUB_LIMIT, render_markdown
from reconciler.render.text import render_text
from reconciler.render.valuediff import LIMIT, as_json, diff_lines

WORDS = "soft cotton tee with a relaxed fit, washed for a lived-in feel and made to last. "
DESCRIPTION = "<p>" + WORDS * 40 + "</p>"


def _sides(before: str, after: str) -> tuple[list[str], list[str]]:
    """What the diff shows of each side: its own lines and the context lines."""
    lines = diff_lines(before, after)
    return [t for s, t in lines if s in "- @"], [t for s, t in lines if s in "+ @"]


def _one_change(*diff: FieldChange, handle: str = "tee") -> Plan:
    change = Change(handle=handle, action="update", reason="a field change", diff=diff)
    return Plan("main", "s", "2026-10", "2026-11-26T07:00:00Z", changes=(change,))


def test_values_that_differ_only_at_their_end_look_different():
    after = DESCRIPTION.replace("last. </p>", "last! </p>")
    text = render_text(_one_change(FieldChange("description_html", DESCRIPTION, after)))
    minus = [line for line in text.splitlines() if line.lstrip().startswith("- ")]
    plus = [line for line in text.splitlines() if line.lstrip().startswith("+ ")]
    assert len(minus) == len(plus) == 1
    assert minus[0].lstrip()[2:] != plus[0].lstrip()[2:]
    assert 'last! </p>"' in plus[0] and 'last. </p>"' in minus[0]
    assert len(plus[0]) < 2 * LIMIT  # an excerpt, not the whole value


def test_a_multi_line_value_is_a_line_diff_with_context():
    before = "\n".join(f"<li>item {i}</li>" for i in range(30))
    after = before.replace("item 15", "item fifteen")
    markdown = render_markdown(_one_change(FieldChange("description_html", before, after)))
    assert "@@ -14,5 +14,5 @@" in markdown
    assert '-    "<li>item 15</li>"' in markdown and '+    "<li>item fifteen</li>"' in markdown
    assert '     "<li>item 13</li>"' in markdown and "item 12<" not in markdown


def test_long_lists_are_diffed_too():
    before = [f"tag-{i:03}" for i in range(60)]
    text = render_text(_one_change(FieldChange("tags", before, [*before, "tag-new"])))
    assert '+   "tag-new"' in text and "tag-000" not in text


def test_the_json_plan_keeps_full_values():
    after = DESCRIPTION + "<p>and one more line</p>"
    plan = _one_change(FieldChange("description_html", DESCRIPTION, after))
    data = json.loads(render_json(plan))
    assert data["changes"][0]["diff"][0] == {
        "path": "description_html", "before": DESCRIPTION, "after": after, "drift": False,
    }  # fmt: skip
    assert plan_from_json(render_json(plan)) == plan


def test_huge_descriptions_stay_under_githubs_limit():
    old = ("word " * 10_000)[:50_000]
    changes = tuple(
        Change(
            handle=f"product-{i:03}",
            action="update",
            reason="1 field change (description_html)",
            diff=(FieldChange("description_html", old, old[:-10] + f"changed {i:03}"),),
        )
        for i in range(200)
    )
    plan = Plan("main", "s", "2026-10", "2026-11-26T07:00:00Z", changes=changes)
    text = render_markdown(plan, artifact="`plan.json`")
    assert len(text) < GITHUB_LIMIT
    assert all(f'changed {i:03}"' in text for i in range(200))


def test_huge_multi_line_descriptions_point_to_the_artifact():
    old = [f"<p>paragraph {i:04} of a very long description</p>" for i in range(1_000)]
    new = [line.replace("very", "rather") if i % 7 == 0 else line for i, line in enumerate(old)]
    changes = tuple(
        Change(
            handle=f"product-{i:03}",
            action="update",
            reason="1 field change (description_html)",
            diff=(FieldChange("description_html", "\n".join(old), "\n".join(new)),),
        )
        for i in range(200)
    )
    plan = Plan("main", "s", "2026-10", "2026-11-26T07:00:00Z", changes=changes)
    text = render_markdown(plan, artifact="`plan.json`")
    assert len(text) < GITHUB_LIMIT
    assert "more product(s) not shown here" in text and "`plan.json`" in text
    assert "more diff lines: the JSON plan has the values" in text


def test_long_values_golden():
    base = full_plan()
    after = DESCRIPTION.replace("relaxed", "loose", 1).replace("last. </p>", "last! </p>")
    lines = "<p>One</p>\n<p>Two</p>\n<p>Three</p>\n<p>Four</p>\n<p>Five</p>\n<p>Six</p>"
    change = replace(
        next(c for c in base.changes if c.action == "update"),
        diff=(
            FieldChange("body", lines, lines.replace("Four", "4").replace("Six", "Six ")),
            FieldChange("description_html", DESCRIPTION, after, drift=True),
        ),
        child_deletions=(),
        warnings=(),
    )
    plan = replace(base, changes=(change,))
    check_golden("long.txt", render_text(plan))
    check_golden("long.md", render_markdown(plan))


_TEXT = st.lists(st.sampled_from([*'ab <>/\n"\\é…', "cotton ", "\u2028"])).map("".join)


@st.composite
def _long_pairs(draw, multi_line: bool):
    words = draw(st.lists(st.sampled_from(["soft", "cotton", "tee", "<p>", "</p>", "a", " "]),
                          min_size=60, max_size=300))  # fmt: skip
    sep = "\n" if multi_line else " "
    before = sep.join(words)
    start = draw(st.integers(0, len(before)))
    end = draw(st.integers(start, min(len(before), start + 80)))
    after = before[:start] + draw(_TEXT) + before[end:]
    if draw(st.booleans()):  # a second change, far away
        at = draw(st.integers(0, len(after)))
        after = after[:at] + draw(_TEXT) + after[at:]
    return before, after


def _first_difference(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def _check_visible(before: str, after: str) -> None:
    minus, plus = _sides(before, after)
    assert minus != plus
    first = _first_difference(before, after)
    for side, lines in ((after, plus), (before, minus)):
        if first < len(side) and side[first] != "\n":
            piece = side[first : first + 3].split("\n")[0]
            assert as_json(piece)[1:-1] in "".join(lines)


@settings(max_examples=150, deadline=None)
@given(_long_pairs(multi_line=False))
def test_two_different_long_lines_never_look_the_same(pair):
    before, after = pair
    if before != after and len(as_json(before)) > LIMIT:
        _check_visible(before, after)


@settings(max_examples=150, deadline=None)
@given(_long_pairs(multi_line=True))
def test_two_different_multi_line_values_never_look_the_same(pair):
    before, after = pair
    if before != after:
        _check_visible(before, after)


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=201, max_size=600), st.text(min_size=201, max_size=600))
def test_any_two_different_strings_look_different(before, after):
    if before != after:
        minus, plus = _sides(before, after)
        assert minus != plus
