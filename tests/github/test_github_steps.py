"""`python -m reconciler.github` against a local GitHub serving recorded REST answers."""

from __future__ import annotations

import json
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from github_answers import REPO, answer, forbid_user

from reconciler.github import decide
from reconciler.github.__main__ import main

COMMENTS = f"/repos/{REPO}/issues/7/comments"


def run(github, monkeypatch, *args: str) -> int:
    for key, val in github.env().items():
        monkeypatch.setenv(key, val)
    return main(list(args))


@pytest.fixture
def plan_md(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text("### Plan for catalog `default`\n**1 to create**\n", encoding="utf-8")
    return path


def test_comment_edits_our_comment_in_place_not_the_strangers_with_the_same_marker(
    github, monkeypatch, plan_md, capsys
):
    forbid_user(github)
    github.on("GET", COMMENTS, answer("pr_comments.json"))
    github.on("PATCH", f"/repos/{REPO}/issues/comments/2002", {"id": 2002})
    code = run(github, monkeypatch, "comment", "--repo", REPO, "--pr", "7",
               "--body-file", str(plan_md))  # fmt: skip
    assert code == 0, capsys.readouterr().err
    [(method, path, sent)] = github.writes()
    assert (method, path) == ("PATCH", f"/repos/{REPO}/issues/comments/2002")
    assert sent["body"] == "<!-- catalog-plan:default -->\n" + plan_md.read_text()


def test_comment_is_created_when_only_strangers_carry_the_marker(github, monkeypatch, plan_md):
    forbid_user(github)
    strangers = [c for c in answer("pr_comments.json") if c["user"]["type"] == "User"]
    github.on("GET", COMMENTS, strangers)
    github.on("POST", COMMENTS, {"id": 2999}, status=201)
    assert run(github, monkeypatch, "comment", "--repo", REPO, "--pr", "7",
               "--body-file", str(plan_md)) == 0  # fmt: skip
    [(method, path, sent)] = github.writes()
    assert (method, path) == ("POST", COMMENTS)
    assert sent["body"].startswith("<!-- catalog-plan:default -->\n### Plan")


def test_comment_of_another_catalog_is_left_alone(github, monkeypatch, plan_md):
    forbid_user(github)
    github.on("GET", COMMENTS, answer("pr_comments.json"))
    github.on("POST", COMMENTS, {"id": 2999}, status=201)
    assert run(github, monkeypatch, "comment", "--repo", REPO, "--pr", "7", "--catalog", "other2",
               "--body-file", str(plan_md)) == 0  # fmt: skip
    assert [w[:2] for w in github.writes()] == [("POST", COMMENTS)]


def test_comment_on_a_later_page_is_found_by_following_link(github, monkeypatch, plan_md):
    forbid_user(github)
    page1 = [c for c in answer("pr_comments.json") if c["id"] != 2002]
    page2 = [c for c in answer("pr_comments.json") if c["id"] == 2002]
    github.on("GET", COMMENTS, page1, Link=f'<{{url}}{COMMENTS}?per_page=100&page=2>; rel="next"')
    github.on("GET", COMMENTS + "#2", page2)
    github.on("PATCH", f"/repos/{REPO}/issues/comments/2002", {"id": 2002})
    assert run(github, monkeypatch, "comment", "--repo", REPO, "--pr", "7",
               "--body-file", str(plan_md)) == 0  # fmt: skip
    assert [w[:2] for w in github.writes()] == [("PATCH", f"/repos/{REPO}/issues/comments/2002")]


def test_comment_unchanged_is_not_written_again(github, monkeypatch, plan_md):
    forbid_user(github)
    mine = answer("pr_comments.json")[1]
    mine["body"] = "<!-- catalog-plan:default -->\n" + plan_md.read_text()
    github.on("GET", COMMENTS, [mine])
    assert run(github, monkeypatch, "comment", "--repo", REPO, "--pr", "7",
               "--body-file", str(plan_md)) == 0  # fmt: skip
    assert github.writes() == []


def test_a_personal_token_is_matched_by_its_own_login(github, monkeypatch, plan_md):
    github.on("GET", "/user", {"login": "alice", "id": 7})
    comments = answer("pr_comments.json")
    comments[3]["body"] = "<!-- catalog-plan:default -->\nalice's bot run"
    github.on("GET", COMMENTS, comments)
    github.on("PATCH", f"/repos/{REPO}/issues/comments/2004", {"id": 2004})
    assert run(github, monkeypatch, "comment", "--repo", REPO, "--pr", "7",
               "--body-file", str(plan_md)) == 0  # fmt: skip
    assert [w[:2] for w in github.writes()] == [("PATCH", f"/repos/{REPO}/issues/comments/2004")]


def test_github_error_is_one_line_and_exit_1(github, monkeypatch, plan_md, capsys):
    forbid_user(github)
    github.on("GET", COMMENTS, {"message": "Bad credentials"}, status=401)
    assert run(github, monkeypatch, "comment", "--repo", REPO, "--pr", "7",
               "--body-file", str(plan_md)) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert err == "error: GitHub answered 401: Bad credentials\n"


ISSUES = f"/repos/{REPO}/issues"


def drift(github, monkeypatch, plan_md, code: int) -> int:
    forbid_user(github)
    return run(github, monkeypatch, "drift", "--repo", REPO, "--exit-code", str(code),
               "--body-file", str(plan_md))  # fmt: skip


def test_drift_opens_one_labelled_issue_when_none_of_ours_is_open(github, monkeypatch, plan_md):
    strangers_and_prs = [i for i in answer("drift_issues.json") if i["number"] != 42]
    github.on("GET", ISSUES, strangers_and_prs)
    github.on("POST", ISSUES, {"number": 50}, status=201)
    assert drift(github, monkeypatch, plan_md, 2) == 0
    [(method, path, sent)] = github.writes()
    assert (method, path) == ("POST", ISSUES)
    assert sent["labels"] == ["catalog-drift"]
    assert sent["body"].startswith("<!-- catalog-drift:default -->\n")
    [get] = [c for c in github.calls if c[0] == "GET" and c[1].startswith(ISSUES)]
    assert "state=open" in get[1] and "labels=catalog-drift" in get[1]


def test_drift_updates_our_open_issue(github, monkeypatch, plan_md):
    github.on("GET", ISSUES, answer("drift_issues.json"))
    github.on("PATCH", f"{ISSUES}/42", {"number": 42})
    assert drift(github, monkeypatch, plan_md, 2) == 0
    [(method, path, sent)] = github.writes()
    assert (method, path) == ("PATCH", f"{ISSUES}/42") and "state" not in sent


def test_drift_closes_our_issue_when_store_and_catalog_agree(github, monkeypatch, plan_md):
    github.on("GET", ISSUES, answer("drift_issues.json"))
    github.on("POST", f"{ISSUES}/42/comments", {"id": 1}, status=201)
    github.on("PATCH", f"{ISSUES}/42", {"number": 42})
    assert drift(github, monkeypatch, plan_md, 0) == 0
    assert github.writes()[-1] == ("PATCH", f"{ISSUES}/42",
                                   {"state": "closed", "state_reason": "completed"})  # fmt: skip
    assert all("/41" not in w[1] for w in github.writes())


def test_drift_does_nothing_when_in_step_and_no_issue(github, monkeypatch, plan_md):
    github.on("GET", ISSUES, [answer("drift_issues.json")[0]])
    assert drift(github, monkeypatch, plan_md, 0) == 0
    assert github.writes() == []


def test_a_failed_plan_never_closes_the_drift_issue(github, monkeypatch, plan_md, capsys):
    github.on("GET", ISSUES, answer("drift_issues.json"))
    assert drift(github, monkeypatch, plan_md, 1) == 1
    assert github.writes() == []
    assert "plan failed" in capsys.readouterr().err


def plan_file(tmp_path, *actions: str):
    path = tmp_path / "plan.json"
    changes = [{"handle": f"p{i}", "action": a, "reason": ""} for i, a in enumerate(actions)]
    path.write_text(json.dumps({"format_version": 1, "changes": changes}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("actions", "labels", "write"),
    [
        (("create", "delete"), [], ("POST", f"{ISSUES}/7/labels")),
        (("archive",), "recorded", None),
        (("update",), "recorded", ("DELETE", f"{ISSUES}/7/labels/catalog%3A%20removals")),
        (("update", "no-op"), [], None),
    ],
)
def test_removals_label_follows_the_plan(github, monkeypatch, tmp_path, actions, labels, write):
    issue = answer("pr_issue.json")
    if labels != "recorded":
        issue["labels"] = labels
    github.on("GET", f"{ISSUES}/7", issue)
    github.on("POST", f"{ISSUES}/7/labels", [])
    github.on("DELETE", f"{ISSUES}/7/labels/catalog%3A%20removals", [])
    plan = plan_file(tmp_path, *actions)
    assert run(github, monkeypatch, "label", "--repo", REPO, "--pr", "7", "--plan", str(plan)) == 0
    assert [w[:2] for w in github.writes()] == ([write] if write else [])


def test_body_over_githubs_limit_is_cut_below_it():
    body = decide.with_marker("line\n" * 20_000, decide.marker("plan", "default"))
    assert len(body) <= decide.COMMENT_LIMIT
    assert body.startswith("<!-- catalog-plan:default -->\n")
    assert "JSON plan artifact" in body


def test_marker_of_an_odd_catalog_name_stays_one_html_comment():
    assert decide.marker("plan", "a --> b") == "<!-- catalog-plan:a_--__b -->"


def test_summary_appends_to_the_job_summary(tmp_path, monkeypatch, plan_md):
    target = tmp_path / "summary.md"
    target.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    assert main(["summary", "--title", "Plan", "--body-file", str(plan_md)]) == 0
    assert target.read_text() == "earlier step\n## Plan\n\n" + plan_md.read_text()


def _report(tmp_path, products: list[dict]) -> Path:
    path = tmp_path / "report.json"
    failed = sum(1 for p in products if not p["ok"])
    document = {"format_version": "1", "catalog": "demo", "store": "x", "ok": not failed,
                "interrupted": False, "requests": 12, "duration_s": 3.25, "products": products,
                "summary": {"created": 1, "updated": 0, "failed": failed}}  # fmt: skip
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_report_summary_shows_a_hostile_error_as_text(tmp_path, monkeypatch):
    target = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    hostile = "boom\n::error::forged <img src=x onerror=alert(1)> @alice [x](https://evil.example)"
    report = _report(tmp_path, [
        {"handle": "mug", "action": "create", "ok": True},
        {"handle": "t`ee\n::warning::x", "action": "update", "ok": False, "error": hostile,
         "source": "catalog/products/tee.yaml:3"},
    ])  # fmt: skip
    assert main(["report", "--report", str(report), "--code", "1"]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("## Apply\n\n**Apply incomplete** for catalog `demo`.")
    assert "| created | updated | failed |" in text and "| 1 | 0 | 1 |" in text
    assert not [line for line in text.splitlines() if line.lstrip().startswith("::")]
    html = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    assert "<img" not in html and "<a " not in html and "@alice" not in html
    assert "forged &lt;img src=x" in html  # shown, as text
    assert "at `catalog/products/tee.yaml:3`" in text


def test_report_summary_without_a_report_names_the_exit_code(tmp_path, monkeypatch):
    target = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    assert main(["report", "--report", str(tmp_path / "missing.json"), "--code", "1"]) == 0
    assert "Apply failed before it wrote a report** (exit code 1)" in target.read_text()


def test_failed_note_links_the_run_from_the_runners_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_RUN_ID", "31")
    out = tmp_path / "plan.md"
    assert main(["failed", "--out", str(out)]) == 0
    assert "(https://github.com/acme/shop-catalog/actions/runs/31)" in out.read_text()
