"""The composite action's script (.github/actions/catalog/run.sh), run as the workflow runs it:
bash, the installed `catalog` and `python -m reconciler.github`, against the sandbox over HTTP and
a local GitHub serving recorded REST answers. Only the runner's variables are made up here."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from github_answers import REPO, answer, forbid_user

ROOT = Path(__file__).resolve().parents[2]
RUN_SH = ROOT / ".github" / "actions" / "catalog" / "run.sh"
BIN = Path(sys.executable).parent  # where `catalog` and `python` are installed
TOKEN = "shpat_workflow_secret_1234"
COMMENTS = f"/repos/{REPO}/issues/7/comments"
ISSUES = f"/repos/{REPO}/issues"
PLAN_MARK = "<!-- catalog-plan:catalog -->"
DRIFT_MARK = "<!-- catalog-drift:catalog -->"


@dataclass
class Job:
    repo: Path  # the checkout that holds catalog/
    out: Path
    env: dict[str, str]

    @property
    def catalog(self) -> Path:
        return self.repo / "catalog"

    def summary(self) -> str:
        path = Path(self.env["GITHUB_STEP_SUMMARY"])
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def outputs(self) -> str:
        return Path(self.env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")

    def run(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(RUN_SH), command], env=self.env, cwd=self.repo.parent,
                              capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.fixture
def job(tmp_path, github, sandbox_factory) -> Job:
    store = sandbox_factory(token=TOKEN)
    repo = tmp_path / "pr"
    shutil.copytree(ROOT / "catalog", repo / "catalog", ignore=shutil.ignore_patterns(".catalog"))
    (tmp_path / "summary.md").touch()
    (tmp_path / "output").touch()
    env = {
        # Nothing inherited but PATH and HOME: no store settings of the machine running the tests.
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": github.url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "99",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "CATALOG_OUT": str(tmp_path / "out"),
        "CATALOG_WORKDIR": "pr",
        "CATALOG_DIR": "catalog",
        "CATALOG_PR": "7",
        "CATALOG_GITHUB_TOKEN": "ghs_test",
        "SHOPIFY_STORE": store.url,
        "SHOPIFY_ACCESS_TOKEN": TOKEN,
    }
    forbid_user(github)
    return Job(repo, tmp_path / "out", env)


def assert_no_token(job: Job, github, *texts: str) -> None:
    seen = [*texts, job.summary(), json.dumps(github.calls)]
    seen += [p.read_text(encoding="utf-8") for p in job.out.iterdir() if p.is_file()]
    assert not [t for t in seen if TOKEN in t]


def pr_issue(labels: list[dict[str, Any]]) -> dict[str, Any]:
    issue = answer("pr_issue.json")
    issue["labels"] = labels
    return issue


def test_plan_posts_one_comment_the_summary_and_the_plan_file(job, github):
    github.on("GET", COMMENTS, [])
    github.on("POST", COMMENTS, {"id": 2999}, status=201)
    github.on("GET", f"{ISSUES}/7", pr_issue([]))
    done = job.run("plan")
    assert done.returncode == 0, done.stderr
    [(method, path, sent)] = github.writes()  # creates only: no removals label
    assert (method, path) == ("POST", COMMENTS)
    assert sent["body"].startswith(PLAN_MARK + "\n")
    assert "ceramic-mug" in sent["body"]
    assert job.summary().startswith("## Plan\n") and "ceramic-mug" in job.summary()
    plan = json.loads((job.out / "plan.json").read_text(encoding="utf-8"))
    assert {c["action"] for c in plan["changes"]} == {"create"}
    assert "changes=true\n" in job.outputs()
    assert_no_token(job, github, done.stdout, done.stderr)


def test_the_next_push_edits_our_comment_never_the_strangers(job, github):
    comments = answer("pr_comments.json")
    for item in comments:  # the stranger's (2001) and ours (2002) both carry this catalog's marker
        item["body"] = item["body"].replace("<!-- catalog-plan:default -->", PLAN_MARK)
    github.on("GET", COMMENTS, comments)
    github.on("PATCH", f"{COMMENTS.rsplit('/', 2)[0]}/comments/2002", {"id": 2002})
    github.on("GET", f"{ISSUES}/7", pr_issue([]))
    done = job.run("plan")
    assert done.returncode == 0, done.stderr
    [(method, path, sent)] = github.writes()
    assert (method, path) == ("PATCH", f"{ISSUES}/comments/2002")
    assert sent["body"].startswith(PLAN_MARK + "\n") and "ceramic-mug" in sent["body"]


def test_a_failed_plan_replaces_the_comment_and_fails_the_job(job, github):
    (job.catalog / "products" / "broken.yaml").write_text("handle: [\n", encoding="utf-8")
    comments = answer("pr_comments.json")
    comments[1]["body"] = f"{PLAN_MARK}\nthe previous push's plan: no changes"
    github.on("GET", COMMENTS, comments)
    github.on("PATCH", f"{ISSUES}/comments/2002", {"id": 2002})
    done = job.run("plan")
    assert done.returncode == 1
    [(method, path, sent)] = github.writes()  # the comment; no label decided without a plan
    assert (method, path) == ("PATCH", f"{ISSUES}/comments/2002")
    assert "Plan failed" in sent["body"] and "no changes" not in sent["body"]
    assert "https://github.com/acme/shop-catalog/actions/runs/99" in sent["body"]
    assert "Plan failed" in job.summary()


def test_validate_annotates_the_repositorys_files_and_a_hostile_key_forges_nothing(job, github):
    hostile = '"tytle\\n::error file=README.md,line=1::forged\\r::add-mask::x": 1\n'
    (job.catalog / "products" / "evil.yaml").write_text("handle: evil\n" + hostile)
    done = job.run("validate")
    assert done.returncode == 1
    commands = [x for x in (done.stdout + done.stderr).splitlines() if x.startswith("::")]
    assert commands, done.stdout
    pattern = re.compile(r"::(error|warning) file=catalog/products/[\w./-]+,line=\d+,col=\d+::")
    assert all(pattern.match(line) for line in commands), commands
    [evil] = [line for line in commands if "unknown key" in line]
    assert evil.startswith("::error file=catalog/products/evil.yaml,line=2,col=1::tytle%0A::")
    assert github.calls == []  # validate talks to no GitHub


def test_apply_reports_then_drift_closes_and_reopens_the_issue(job, github):
    done = job.run("apply")
    assert done.returncode == 0, done.stderr
    report = json.loads((job.out / "report.json").read_text(encoding="utf-8"))
    assert report["ok"] is True and report["summary"]["created"] == 10
    assert "Apply complete" in (job.out / "apply.txt").read_text(encoding="utf-8")
    assert "**Apply complete**" in job.summary() and "| 10 |" in job.summary()
    assert github.calls == []  # apply writes nothing to GitHub

    issues = answer("drift_issues.json")
    for item in issues:
        item["body"] = item["body"].replace("<!-- catalog-drift:default -->", DRIFT_MARK)
    github.on("GET", ISSUES, issues)
    github.on("POST", f"{ISSUES}/42/comments", {"id": 1}, status=201)
    github.on("PATCH", f"{ISSUES}/42", {"number": 42})
    done = job.run("drift")  # store and catalog agree: our issue closes, the stranger's stays
    assert done.returncode == 0, done.stderr
    assert github.writes()[-1] == ("PATCH", f"{ISSUES}/42",
                                   {"state": "closed", "state_reason": "completed"})  # fmt: skip
    assert all("/41" not in w[1] for w in github.writes())

    github.calls.clear()
    (job.catalog / "products" / "home" / "ceramic-mug.yaml").unlink()
    done = job.run("drift")  # now the plan would archive the mug: the issue is refreshed
    assert done.returncode == 0, done.stderr
    [(method, path, sent)] = github.writes()
    assert (method, path) == ("PATCH", f"{ISSUES}/42") and "state" not in sent
    assert sent["body"].startswith(DRIFT_MARK + "\n") and "ceramic-mug" in sent["body"]
    assert_no_token(job, github, done.stdout, done.stderr)


def test_a_plan_that_archives_labels_the_pull_request(job, github):
    assert job.run("apply").returncode == 0
    (job.catalog / "products" / "home" / "ceramic-mug.yaml").unlink()
    github.on("GET", COMMENTS, [])
    github.on("POST", COMMENTS, {"id": 2999}, status=201)
    github.on("GET", f"{ISSUES}/7", pr_issue([]))
    github.on("POST", f"{ISSUES}/7/labels", [])
    done = job.run("plan")
    assert done.returncode == 0, done.stderr
    assert [w[:2] for w in github.writes()] == [("POST", COMMENTS), ("POST", f"{ISSUES}/7/labels")]
    assert github.writes()[1][2] == {"labels": ["catalog: removals"]}


def test_drift_on_an_empty_store_opens_the_issue(job, github):
    github.on("GET", ISSUES, [])
    github.on("POST", ISSUES, {"number": 50}, status=201)
    done = job.run("drift")
    assert done.returncode == 0, done.stderr
    [(method, path, sent)] = github.writes()
    assert (method, path) == ("POST", ISSUES) and sent["labels"] == ["catalog-drift"]
    assert "changes=true\n" in job.outputs()


def test_a_failed_drift_check_fails_and_closes_nothing(job, github):
    (job.catalog / "products" / "broken.yaml").write_text("handle: [\n", encoding="utf-8")
    github.on("GET", ISSUES, answer("drift_issues.json"))
    done = job.run("drift")
    assert done.returncode == 1
    assert github.writes() == []
    assert "plan failed" in done.stderr


def test_an_apply_that_stops_before_its_report_keeps_its_exit_code(job, github):
    (job.catalog / "products" / "broken.yaml").write_text("handle: [\n", encoding="utf-8")
    done = job.run("apply")
    assert done.returncode == 1
    assert not (job.out / "report.json").exists()
    assert "Apply failed before it wrote a report" in job.summary()


def test_a_plan_without_a_pull_request_writes_the_summary_and_talks_to_no_github(job, github):
    job.env["CATALOG_PR"] = ""  # a plan on a push, or run by hand
    done = job.run("plan")
    assert done.returncode == 0, done.stderr
    assert github.calls == []
    assert "ceramic-mug" in job.summary() and (job.out / "plan.json").is_file()
