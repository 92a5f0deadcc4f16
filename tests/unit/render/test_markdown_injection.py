"""A catalog is a stranger's data: nothing in it may forge or hide part of the plan comment.

Every test renders the comment with GitHub's renderer (github_html.py) and looks at the HTML.
"""

from __future__ import annotations

import re

from github_html import github_html, parse
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_plans import hostile_plan

from reconciler.render.escape import NO_MENTION, code_span, markdown_text, visible
from reconciler.render.markdown import render_markdown
from reconciler.render.text import NO_CHANGES, summary_line
from reconciler.render.valuediff import as_json

FORGE = "demo` → `x`\n\n**No changes**\n\n<!--"
NASTY = [
    FORGE,
    "</details>\n\n# Approved by @octocat\n\n<details><summary>",
    "``` \n```diff\n+ all good\n```",
    "<img src=x onerror=alert(1)> &amp; &lt;b&gt;",
    "| a | b |\n| --- | --- |",
    "*bold* _it_ ~~gone~~ [link](http://evil.example) ![i](x) www.evil.example",
    "`",
    " ` ",
    "\\",
    "@org/team and @alice, mail a@b.example",
    "  -->  <!-- x",
]
SHOWN = 3  # hostile_plan shows an update, a rename and a foreign no-op with a warning


def _shown(text: str) -> str:
    """What a reader sees of `text` in HTML context: on one line, mentioning nobody."""
    return visible(text).replace("@", NO_MENTION)


def _check(s: str) -> None:
    plan = hostile_plan(s)
    markdown = render_markdown(plan)
    html = github_html(markdown)
    page = parse(markdown)
    assert "<!--" not in html and page.comments == []
    assert page.tags.count("details") == html.count("</details>") == SHOWN
    assert page.tags.count("h3") == 1 and page.tags.count("h4") == 1
    assert page.strong == [summary_line(plan), f"No removal planned: {_shown(s)}."]
    assert page.headings[0] == f"Catalog plan: {visible(s)} → {visible(s)} (API 2026-10)"
    prose = "".join(page.prose)
    assert f"owned by catalog {_shown(s)}: left alone" in prose
    assert f"No removal planned: {_shown(s)}." in prose
    assert not re.search(r"@[A-Za-z0-9]", prose)
    diffs = "".join(page.code)
    if "\n" in s:  # a multi-line title is a diff of its lines
        assert f"+    {as_json(s.split(chr(10))[-1] + '!')}" in diffs
    else:
        assert f"+ title: {as_json(s + '!')}" in diffs
    assert f"- tags: {as_json([s, 'b'])}" in diffs
    assert f"- deletes tag {visible(s)}" in diffs
    assert f"! warning: variant [{visible(s)}] is deleted with its inventory" in diffs
    assert f"  no-op {_shown(s)}" in page.code


def test_a_catalog_name_cannot_forge_no_changes_or_hide_the_plan():
    _check(FORGE)


def test_no_changes_is_said_only_when_there_are_none():
    page = parse(render_markdown(hostile_plan(FORGE, changes=False)))
    assert page.strong[0] == NO_CHANGES
    assert page.tags.count("details") == 0 and page.comments == []


def test_hostile_values_are_literal_text():
    for s in NASTY:
        _check(s)


def test_the_structure_does_not_depend_on_the_values():
    plain = parse(render_markdown(hostile_plan("shop"))).tags
    for s in NASTY:
        assert parse(render_markdown(hostile_plan(s))).tags == plain, s


_SPECIAL = st.sampled_from(
    ["`", "``", "<", ">", "&", "\n", "\r", "|", "*", "_", "@", "<!--", "</details>", "-->",
     "\\", " ", "#", "~", "[", "]", "(", ")", "!", "&amp;", "a", "b", "\u2028", "\x00", "é"]
)  # fmt: skip
_HOSTILE = st.one_of(
    st.lists(_SPECIAL, min_size=1, max_size=12).map("".join),
    st.text(min_size=1, max_size=20),
)


@settings(max_examples=120, deadline=None)
@given(_HOSTILE)
def test_any_text_renders_literally_and_keeps_the_structure(s):
    plain = parse(render_markdown(hostile_plan("shop"))).tags
    assert parse(render_markdown(hostile_plan(s))).tags == plain
    _check(s)


@settings(max_examples=200, deadline=None)
@given(_HOSTILE)
def test_a_code_span_round_trips(s):
    page = parse(f"x {code_span(s)} y")
    assert page.code == [visible(s)]


@settings(max_examples=200, deadline=None)
@given(_HOSTILE)
def test_markdown_text_round_trips_as_plain_text(s):
    page = parse(f"> **{markdown_text(s)}.**")
    assert page.tags == ["blockquote", "p", "strong"]
    assert "".join(page.prose).strip("\n") == _shown(s) + "."


def test_mentions_are_neutralized_outside_code():
    text = markdown_text("ping @alice and @org/team")
    assert "@alice" not in text and "@org" not in text
    assert text.replace(NO_MENTION, "@") == "ping @alice and @org/team"
