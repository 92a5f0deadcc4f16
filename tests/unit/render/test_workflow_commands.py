"""No output of ours can be a GitHub Actions workflow command, whatever the catalog holds.

The runner reads a line as a command when, after leading whitespace, it starts with `::` (or the
older `##[`). So no line of any renderer may start so, and no raw control character or line
separator from the input may reach the output (the lines are split here with str.splitlines,
which breaks at more characters than any runner does).
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_plans import hostile_plan

from reconciler.errors import Problem
from reconciler.render.json import plan_from_json, render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.problems import as_github, as_json, as_line, as_text
from reconciler.render.text import render_text

COMMANDS = [
    "\n::error file=x.yaml,line=1::forged",
    "\r\n::stop-commands::tok",
    "::add-mask::secret",
    "x\r::warning::cr alone",
    "\u2028::error::line separator",
    "\u0085::error::next line",
    "\x0b::error::vertical tab",
    "\n   ::set-output name=a::b",
    "\n##[error]old syntax",
    "\x1b[2K\r::error::erased",
]
_RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SGR = re.compile("\x1b\\[[0-9;]*m")  # our own colours


def _assert_no_command(output: str, *, annotations: int = 0) -> None:
    assert not _RAW.search(_SGR.sub("", output)), repr(output)
    starts = [line for line in output.splitlines() if line.lstrip().startswith(("::", "##["))]
    assert len(starts) == annotations, starts


def _problems(s: str) -> list[Problem]:
    return [
        Problem(f"products/{s}.yaml", 3, 5, f"metafields.{s}", f"unknown key {s}"),
        Problem(s, 1, 1, "", s, severity="warning"),
        Problem(f"{s}.yaml", 2, 1, s, "bad value", severity="warning"),
    ]


@pytest.mark.parametrize("s", COMMANDS)
def test_problems_text_and_json_print_no_command(s):
    problems = _problems(s)
    _assert_no_command(as_text(problems))
    _assert_no_command(as_json(problems))
    for p in problems:
        _assert_no_command(as_line(p))


@pytest.mark.parametrize("s", COMMANDS)
def test_annotations_are_one_line_each(s):
    problems = _problems(s)
    output = as_github(problems)
    _assert_no_command(output, annotations=len(problems))
    assert all(re.match(r"::(error|warning) file=[^:]*,line=\d+,col=\d+::", line) for line in
               output.splitlines())  # fmt: skip


def test_problems_json_keeps_the_exact_text():
    s = COMMANDS[0] + COMMANDS[4]
    data = json.loads(as_json(_problems(s)))
    assert {p["message"] for p in data["problems"]} >= {s, f"unknown key {s}"}


@pytest.mark.parametrize("s", COMMANDS)
def test_plans_print_no_command(s):
    plan = hostile_plan(s)
    _assert_no_command(render_text(plan))
    _assert_no_command(render_text(plan, color=True))
    _assert_no_command(render_markdown(plan))
    _assert_no_command(render_json(plan))
    assert plan_from_json(render_json(plan)) == plan


def test_a_file_name_cannot_start_a_line_with_a_command():
    line = as_line(Problem("::error file=x::y.yaml", 1, 1, "", "m"))
    assert line == "./::error file=x::y.yaml:1:1: m"


def test_control_characters_are_shown_escaped():
    line = as_line(Problem("a.yaml", 1, 2, "tags[0]\n", "bad \x1b[31mred\u2028"))
    assert line == "a.yaml:1:2: tags[0]\\n: bad \\x1b[31mred\\u2028"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30).map(
    lambda t: "\n::" + t))  # fmt: skip
def test_any_text_prints_no_command(s):
    plan = hostile_plan(s)
    for output in (render_text(plan), render_markdown(plan), render_json(plan),
                   as_text(_problems(s)), as_json(_problems(s))):  # fmt: skip
        _assert_no_command(output)
    _assert_no_command(as_github(_problems(s)), annotations=3)
