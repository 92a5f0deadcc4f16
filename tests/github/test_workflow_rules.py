"""The security rules of the catalog workflow, held against the file itself: a pull request never
runs its own code with the store's token. Each rule is also shown to catch a bad edit."""

from __future__ import annotations

import copy
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTION = ROOT / ".github" / "actions" / "catalog" / "action.yml"
DEFAULT_BRANCH = "${{ github.event.repository.default_branch }}"
SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository"
# The write scopes each job may hold, and no more.
ALLOWED_WRITES = {
    "validate": set(),
    "plan": {"pull-requests", "issues"},
    "apply": set(),
    "drift": {"issues"},
}
# What a pull request controls; none of it may reach a `run:` script or a ref with secrets around.
PR_CONTROLLED = re.compile(
    r"github\.head_ref|pull_request\.head\.(ref|sha)|pull_request\.(title|body)"
)


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def triggers(workflow: dict[str, Any]) -> set[str]:
    on = workflow["on"]
    return {on} if isinstance(on, str) else set(on)


def runs_on_pull_requests(workflow: dict[str, Any], job: dict[str, Any]) -> bool:
    if not triggers(workflow) & {"pull_request", "pull_request_target"}:
        return False
    condition = str(job.get("if", ""))
    return "pull_request" in condition or "event_name" not in condition


def has_secrets(job: dict[str, Any]) -> bool:
    return "secrets." in yaml.safe_dump(job)


def checkout_problems(name: str, job: dict[str, Any], on_prs: bool) -> list[str]:
    problems = []
    for step in job.get("steps", []):
        if not str(step.get("uses", "")).startswith("actions/checkout@"):
            continue
        with_ = step.get("with") or {}
        if with_.get("persist-credentials") is not False:
            problems.append(f"{name}: a checkout keeps its credentials in .git")
        if with_.get("path"):  # a side checkout: the pull request's catalog only
            sparse = with_.get("sparse-checkout")
            if sparse != "/catalog/" or with_.get("sparse-checkout-cone-mode") is not False:
                problems.append(f"{name}: checkout into {with_['path']} is not catalog/ only")
        elif on_prs and with_.get("ref") != DEFAULT_BRANCH:
            problems.append(f"{name}: the workspace root (the tool) is not the default branch")
        if PR_CONTROLLED.search(str(with_.get("ref", ""))) and has_secrets(job):
            problems.append(f"{name}: checks out the pull request's head with secrets around")
    return problems


def action_problems(name: str, job: dict[str, Any]) -> list[str]:
    problems = []
    for step in job.get("steps", []):
        uses = str(step.get("uses", ""))
        if uses.startswith("./") and uses != "./.github/actions/catalog":
            problems.append(f"{name}: runs a local action other than the catalog's: {uses}")
        if "tool" in (step.get("with") or {}):
            problems.append(f"{name}: installs the tool from elsewhere than the default branch")
        if "run" in step and has_secrets(job):
            problems.append(f"{name}: a `run:` step beside the store's secrets")
        if PR_CONTROLLED.search(str(step.get("run", ""))):
            problems.append(f"{name}: pull-request text expanded into a script")
    return problems


def job_problems(workflow: dict[str, Any], name: str, job: dict[str, Any]) -> list[str]:
    problems = []
    permissions = job.get("permissions")
    if not isinstance(permissions, dict):
        return [f"{name}: no explicit permissions"]
    writes = {scope for scope, level in permissions.items() if level == "write"}
    if writes - ALLOWED_WRITES.get(name, set()):
        problems.append(f"{name}: more write permissions than it needs: {sorted(writes)}")
    on_prs = runs_on_pull_requests(workflow, job)
    if on_prs and has_secrets(job) and SAME_REPO not in str(job.get("if", "")):
        problems.append(f"{name}: secrets in a job that runs for pull requests from forks")
    if name == "apply":
        if on_prs or "github.event_name == 'push'" not in str(job.get("if", "")):
            problems.append("apply: may run on something else than a push")
        if job.get("environment") != "catalog-apply":
            problems.append("apply: not in the environment catalog-apply")
        concurrency = job.get("concurrency") or {}
        group = str(concurrency.get("group", ""))
        if "vars.SHOPIFY_STORE" not in group or concurrency.get("cancel-in-progress") is not False:
            problems.append("apply: not queued per store (or an apply may be cancelled halfway)")
    return problems + checkout_problems(name, job, on_prs) + action_problems(name, job)


def violations(workflow: dict[str, Any]) -> list[str]:
    problems = []
    if "pull_request_target" in triggers(workflow):
        problems.append("pull_request_target runs with secrets on a stranger's pull request")
    if workflow.get("permissions") != {}:
        problems.append("the workflow's default permissions are not empty")
    for name, job in workflow["jobs"].items():
        problems += job_problems(workflow, name, job)
    return problems


@pytest.fixture
def catalog_workflow() -> dict[str, Any]:
    return load(WORKFLOWS / "catalog.yml")


def test_the_catalog_workflow_keeps_every_rule(catalog_workflow):
    assert violations(catalog_workflow) == []
    assert set(catalog_workflow["jobs"]) == set(ALLOWED_WRITES)


def test_every_workflow_names_its_permissions():
    for path in WORKFLOWS.glob("*.yml"):
        workflow = load(path)
        assert "pull_request_target" not in triggers(workflow), path.name
        for name, job in workflow["jobs"].items():
            assert isinstance(job.get("permissions", workflow.get("permissions")), dict), name


def _edit(workflow: dict[str, Any], change) -> dict[str, Any]:
    edited = copy.deepcopy(workflow)
    change(edited)
    return edited


BAD_EDITS = {
    "pull_request_target": lambda w: w["on"].update(pull_request_target={}),
    "fork check dropped": lambda w: w["jobs"]["plan"].update(
        {"if": "github.event_name == 'pull_request'"}
    ),
    "plan checks out the head": lambda w: w["jobs"]["plan"]["steps"][0]["with"].update(
        ref="${{ github.event.pull_request.head.sha }}"
    ),
    "tool from the pull request": lambda w: w["jobs"]["plan"]["steps"][0]["with"].pop("ref"),
    "whole pull request checked out": lambda w: w["jobs"]["plan"]["steps"][1]["with"].pop(
        "sparse-checkout"
    ),
    "cone mode takes the root's files": lambda w: w["jobs"]["validate"]["steps"][1]["with"].pop(
        "sparse-checkout-cone-mode"
    ),
    "pinned tool input": lambda w: w["jobs"]["plan"]["steps"][2]["with"].update(
        tool="git+https://github.com/${{ github.event.pull_request.head.repo.full_name }}"
    ),
    "run step beside secrets": lambda w: w["jobs"]["plan"]["steps"].append({"run": "make"}),
    "write-all": lambda w: w["jobs"]["validate"]["permissions"].update(contents="write"),
    "no permissions": lambda w: w["jobs"]["drift"].pop("permissions"),
    "apply outside its environment": lambda w: w["jobs"]["apply"].pop("environment"),
    "apply cancelled halfway": lambda w: w["jobs"]["apply"]["concurrency"].update(
        {"cancel-in-progress": True}
    ),
    "apply on pull requests": lambda w: w["jobs"]["apply"].update(
        {"if": "github.event_name == 'pull_request'"}
    ),
    "credentials kept": lambda w: w["jobs"]["drift"]["steps"][0]["with"].pop("persist-credentials"),
    "default write permissions": lambda w: w.update(permissions="write-all"),
}


@pytest.mark.parametrize("edit", BAD_EDITS, ids=list(BAD_EDITS))
def test_each_rule_catches_a_bad_edit(catalog_workflow, edit):
    assert violations(_edit(catalog_workflow, BAD_EDITS[edit])) != []


def test_the_action_installs_the_tool_from_its_own_source_or_a_pinned_input():
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    [install] = [s for s in steps if "pip install" in s.get("run", "")]
    assert '"${CATALOG_TOOL:-$GITHUB_ACTION_PATH/../../..}"' in install["run"]
    assert install["env"] == {"CATALOG_TOOL": "${{ inputs.tool }}"}
    # The directory that holds the pull request's catalog is only read, never installed or run.
    assert "working-directory" not in yaml.safe_dump(install)
    assert all("working-directory" not in s for s in steps)
    [run] = [s for s in steps if s.get("id") == "run"]
    assert run["run"] == 'bash "$GITHUB_ACTION_PATH/run.sh" "$CATALOG_COMMAND"'
    assert all("${{" not in s.get("run", "") for s in steps)  # inputs reach scripts as env only


@pytest.mark.slow
def test_the_install_step_installs_this_checkout_into_its_own_environment(tmp_path):
    """The action's install step as the runner runs it (without the dependencies, to stay quick):
    `$GITHUB_ACTION_PATH/../../..` is this project, and the tool's bin lands on GITHUB_PATH."""
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    [install] = [s for s in action["runs"]["steps"] if "pip install" in s.get("run", "")]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_PATH": str(tmp_path / "github_path"),
        "GITHUB_ACTION_PATH": str(ACTION.parent),
        "CATALOG_TOOL": "",
        "PIP_NO_DEPS": "1",
    }
    done = subprocess.run(["bash", "-e", "-c", install["run"]], env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    bin_dir = tmp_path / "catalog-tool" / "bin"
    assert (tmp_path / "github_path").read_text() == f"{bin_dir}\n"
    assert (bin_dir / "catalog").is_file()
    pip_show = [str(bin_dir / "python"), "-m", "pip", "show", "-f", "shopify-catalog-reconciler"]
    shown = subprocess.run(pip_show, capture_output=True, text=True, timeout=120)
    assert "reconciler/github/__main__.py" in shown.stdout
