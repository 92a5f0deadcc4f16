"""`python -m reconciler.github comment|drift|label|summary|failed|report`: the workflows' GitHub
steps (.github/actions/catalog/run.sh runs them).

Not `catalog` subcommands: the command list is fixed by the contract, and these only make sense
inside GitHub Actions. Each prints what it did in one line; any failure is one line and exit 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from reconciler.github import decide, texts
from reconciler.github.api import GitHub, GitHubError, quote


def comment(gh: GitHub, repo: str, pr: int, catalog: str, text: str, author: str) -> str:
    mark = decide.marker("plan", catalog)
    body = decide.with_marker(text, mark)
    comments = gh.get_all(f"/repos/{repo}/issues/{pr}/comments")
    step = decide.comment_step(decide.find_ours(comments, mark, gh.login(author)), body)
    if step.action == "create":
        made, _ = gh.request("POST", f"/repos/{repo}/issues/{pr}/comments", {"body": body})
        return f"created comment {made['id']}"
    if step.action == "update":
        gh.request("PATCH", f"/repos/{repo}/issues/comments/{step.number}", {"body": body})
        return f"updated comment {step.number}"
    return f"comment {step.number} already up to date"


def drift(gh: GitHub, repo: str, catalog: str, code: int, text: str, author: str) -> str:
    mark = decide.marker("drift", catalog)
    body = decide.with_marker(text, mark)
    label = quote(decide.DRIFT_LABEL)
    issues = gh.get_all(f"/repos/{repo}/issues?state=open&labels={label}")
    step = decide.drift_step(code, decide.find_ours(issues, mark, gh.login(author)), body)
    if step.action == "create":
        new = {"title": f"Store drifted from catalog {catalog}", "body": body,
               "labels": [decide.DRIFT_LABEL]}  # fmt: skip
        made, _ = gh.request("POST", f"/repos/{repo}/issues", new)
        return f"opened issue #{made['number']}"
    if step.action == "update":
        gh.request("PATCH", f"/repos/{repo}/issues/{step.number}", {"body": body})
        return f"updated issue #{step.number}"
    if step.action == "close":
        note = {"body": "The store agrees with the catalog again: closing."}
        gh.request("POST", f"/repos/{repo}/issues/{step.number}/comments", note)
        closing = {"state": "closed", "state_reason": "completed"}
        gh.request("PATCH", f"/repos/{repo}/issues/{step.number}", closing)
        return f"closed issue #{step.number}"
    return "no drift issue to change"


def label(gh: GitHub, repo: str, pr: int, plan_text: str) -> str:
    plan = decide.read_plan(plan_text)
    issue, _ = gh.request("GET", f"/repos/{repo}/issues/{pr}")
    step = decide.label_step(plan, issue.get("labels") or [])
    name = decide.REMOVALS_LABEL
    if step == "add":
        gh.request("POST", f"/repos/{repo}/issues/{pr}/labels", {"labels": [name]})
        return f"added label {name!r}"
    if step == "remove":
        gh.request("DELETE", f"/repos/{repo}/issues/{pr}/labels/{quote(name)}")
        return f"removed label {name!r}"
    return "label unchanged"


def summary(env: Mapping[str, str], title: str, text: str) -> str:
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        raise ValueError("GITHUB_STEP_SUMMARY is not set (not in GitHub Actions?)")
    with open(target, "a", encoding="utf-8") as out:
        out.write(decide.summary_text(title, text))
    return "wrote the job summary"


def failed(env: Mapping[str, str], out: str) -> str:
    Path(out).write_text(texts.plan_failed(env), encoding="utf-8")
    return f"wrote the failed-plan note to {out}"


def report(env: Mapping[str, str], report_file: str, code: int) -> str:
    path = Path(report_file)
    text = path.read_text(encoding="utf-8") if path.is_file() else None
    return summary(env, "Apply", texts.report_summary(text, code))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m reconciler.github")
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("comment", "drift", "label"):
        s = sub.add_parser(name)
        s.add_argument("--repo", required=True, help="owner/name (GITHUB_REPOSITORY)")
        s.add_argument("--author", default=decide.ACTIONS_BOT, help="login the token writes as")
        if name != "drift":
            s.add_argument("--pr", type=int, required=True)
        if name != "label":
            s.add_argument("--catalog", default="default", help="the catalog's name")
            s.add_argument("--body-file", required=True, help="the plan as Markdown")
    sub.choices["drift"].add_argument("--exit-code", type=int, required=True)
    sub.choices["label"].add_argument("--plan", required=True, help="the JSON plan file")
    s = sub.add_parser("summary")
    s.add_argument("--title", required=True)
    s.add_argument("--body-file", required=True)
    s = sub.add_parser("failed", help="write the note that replaces a plan that failed")
    s.add_argument("--out", required=True)
    s = sub.add_parser("report", help="the apply report as the job summary")
    s.add_argument("--report", required=True, help="the JSON report (may be missing)")
    s.add_argument("--code", type=int, required=True, help="catalog apply's exit code")
    return p


def run(argv: Sequence[str], env: Mapping[str, str]) -> str:
    args = _parser().parse_args(argv)
    read = lambda path: Path(path).read_text(encoding="utf-8")  # noqa: E731
    if args.command == "summary":
        return summary(env, args.title, read(args.body_file))
    if args.command == "failed":
        return failed(env, args.out)
    if args.command == "report":
        return report(env, args.report, args.code)
    gh = GitHub.from_env(env)
    if args.command == "comment":
        return comment(gh, args.repo, args.pr, args.catalog, read(args.body_file), args.author)
    if args.command == "drift":
        text = read(args.body_file)
        return drift(gh, args.repo, args.catalog, args.exit_code, text, args.author)
    return label(gh, args.repo, args.pr, read(args.plan))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        print(run(sys.argv[1:] if argv is None else argv, os.environ))
    except SystemExit as exc:  # argparse's usage error is 2; here, as in `catalog`, 2 is not used
        return 0 if exc.code in (0, None) else 1
    except (GitHubError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
