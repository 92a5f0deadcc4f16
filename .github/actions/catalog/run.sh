#!/usr/bin/env bash
# The catalog action's one step: `bash run.sh validate|plan|apply|drift`, configured by the
# CATALOG_* variables action.yml sets from its inputs. tests/github/test_action_run.py runs this
# very script against the sandbox and a local GitHub, so keep every command here.
#
# Two rules hold the secrets apart: the store's token reaches only `catalog`, GitHub's token only
# `python -m reconciler.github` (each command gets its own environment). Neither is ever echoed.
# Nothing from the catalog's directory is executed: `catalog` is a console script, and Python
# runs with -P (the working directory is not put on sys.path).
set -euo pipefail

command="${1:?usage: run.sh validate|plan|apply|drift}"
catalog="${CATALOG_DIR:-catalog}"
workdir="${CATALOG_WORKDIR:-.}"
out="${CATALOG_OUT:?CATALOG_OUT: where the plan, the report and the comment go}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# The comment and the label need a pull request (a plan on a push or by hand has none).
comment="${CATALOG_COMMENT:-true}"
if [ -z "${CATALOG_PR:-}" ]; then comment=false; fi

# `catalog ...` without GitHub's token.
run_catalog() {
    (cd "$workdir" && env -u CATALOG_GITHUB_TOKEN -u GITHUB_TOKEN catalog "$@")
}

# `python -m reconciler.github ...` with GitHub's token and without the store's secrets.
github_step() {
    env -u SHOPIFY_ACCESS_TOKEN -u SHOPIFY_CLIENT_ID -u SHOPIFY_CLIENT_SECRET \
        GITHUB_TOKEN="${CATALOG_GITHUB_TOKEN:-}" python -P -m reconciler.github "$@"
}

# `catalog plan` into $out/plan.md and $out/plan.json; sets $plan_code (0 none, 2 changes, 1 error).
# Run from $out so that the Markdown names the plan file as the artifact holds it: `plan.json`.
make_plan() {
    local dir="$catalog"
    case "$dir" in /*) ;; *) dir="$(cd "$workdir" && pwd)/$catalog" ;; esac
    set +e
    (cd "$out" && env -u CATALOG_GITHUB_TOKEN -u GITHUB_TOKEN catalog plan --catalog "$dir" \
        --format markdown --out plan.json --detailed-exitcode >plan.md)
    plan_code=$?
    set -e
    if [ "$plan_code" -eq 2 ]; then changes=true; else changes=false; fi
    echo "changes=$changes" >>"${GITHUB_OUTPUT:-/dev/null}"
}

case "$command" in
validate)
    # Under GitHub Actions (GITHUB_ACTIONS=true) `catalog validate` also prints each problem as
    # an annotation; run from the checkout's root, the file names are the repository's.
    run_catalog validate --catalog "$catalog"
    ;;
plan)
    make_plan
    if [ "$plan_code" -ne 0 ] && [ "$plan_code" -ne 2 ]; then
        # Never leave an earlier push's plan standing as if it were this one's.
        github_step failed --out "$out/plan.md"
        github_step summary --title "Plan" --body-file "$out/plan.md"
        if [ "$comment" = true ]; then
            github_step comment --repo "$GITHUB_REPOSITORY" --pr "$CATALOG_PR" \
                --catalog "$catalog" --body-file "$out/plan.md"
        fi
        exit 1
    fi
    github_step summary --title "Plan" --body-file "$out/plan.md"
    if [ "$comment" = true ]; then
        github_step comment --repo "$GITHUB_REPOSITORY" --pr "$CATALOG_PR" \
            --catalog "$catalog" --body-file "$out/plan.md"
        github_step label --repo "$GITHUB_REPOSITORY" --pr "$CATALOG_PR" --plan "$out/plan.json"
    fi
    ;;
apply)
    flags=(--auto-approve --report "$out/report.json" --lock-timeout "${CATALOG_LOCK_TIMEOUT:-600}")
    if [ "${CATALOG_ALLOW_REMOVALS:-false}" = true ]; then flags+=(--allow-removals); fi
    set +e
    run_catalog apply --catalog "$catalog" "${flags[@]}" | tee "$out/apply.txt"
    code=${PIPESTATUS[0]}
    set -e
    github_step report --report "$out/report.json" --code "$code"
    exit "$code"
    ;;
drift)
    make_plan
    if [ "$plan_code" -eq 0 ] || [ "$plan_code" -eq 2 ]; then
        github_step summary --title "Drift check" --body-file "$out/plan.md"
    fi
    # Exit code 1 (the plan failed) decides nothing and fails the job: a broken run never
    # closes a real drift issue.
    github_step drift --repo "$GITHUB_REPOSITORY" --catalog "$catalog" \
        --exit-code "$plan_code" --body-file "$out/plan.md"
    ;;
*)
    echo "error: unknown command '$command' (validate, plan, apply or drift)" >&2
    exit 1
    ;;
esac
