"""The `catalog` command: parse options, call the pipeline, render, pick the exit code.

Exit codes (docs/commands.md): 0 success, 1 any error (click's usage errors included, so that 2
can only mean "changes present" from `plan --detailed-exitcode`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reconciler.errors import ReconcilerError

if TYPE_CHECKING:
    from reconciler.plan.model import Plan

log = logging.getLogger("reconciler")
F = TypeVar("F", bound=Callable[..., Any])

# Every command that reads a catalog takes it the same way.
catalog_option = click.option(
    "--catalog",
    "catalog_dir",
    type=click.Path(file_okay=False),
    default="catalog",
    show_default=True,
    help="The catalog directory.",
)


def _global_option(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Record a global option wherever it was typed (`catalog -v plan` or `catalog plan -v`):
    either place turns a flag on, the last --log-format given wins."""
    if value is None or value is False:
        return
    settings = ctx.find_root().ensure_object(dict)
    settings[param.name] = value
    if ctx.parent is not None:  # the root's own values are applied once, in `cli` below
        _setup_logging(settings)


def global_options(command: F) -> F:
    """-v, --log-format and --debug, accepted by the group and by every command under it."""
    options = [
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            expose_value=False,
            callback=_global_option,
            help="Log each request: operation, cost, throttle, duration.",
        ),
        click.option(
            "--log-format",
            type=click.Choice(["text", "json"]),
            expose_value=False,
            callback=_global_option,
            help="Log lines as text (default) or as JSON objects.",
        ),
        click.option(
            "--debug",
            is_flag=True,
            expose_value=False,
            callback=_global_option,
            help="Show tracebacks.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@global_options
@click.version_option(package_name="shopify-catalog-reconciler")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Keep a Shopify store's product catalog as code.

    -v, --log-format and --debug may also follow the subcommand (catalog plan -v).
    """
    _setup_logging(ctx.ensure_object(dict))


def _setup_logging(settings: dict[str, Any]) -> None:
    from reconciler.logs import configure

    configure(
        verbose=bool(settings.get("verbose")), log_format=settings.get("log_format") or "text"
    )


def require_catalog(catalog_dir: str) -> Path:
    """The catalog directory, if it looks like one: a mistyped --catalog must fail, not pass as
    an empty catalog (an empty products/ folder is a catalog, with a warning)."""
    path = Path(catalog_dir)
    if not ((path / "catalog.yaml").exists() or (path / "products").is_dir()):
        raise ReconcilerError(
            f"no catalog at {catalog_dir}: expected catalog.yaml or a products/ folder"
        )
    return path


@cli.group()
@global_options
def sandbox() -> None:
    """The local Shopify Admin API sandbox."""


@sandbox.command("serve")
@global_options
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8787,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port; the URL is printed at start).",
)
@click.option(
    "--state",
    "state",
    type=click.Path(dir_okay=False),
    help="Load the store from FILE and save it there atomically (default: empty, in memory).",
)
@click.option(
    "--plan",
    type=click.Choice(["standard", "advanced", "plus", "enterprise"]),
    default="standard",
    show_default=True,
    help="Shop plan, sets the cost bucket and restore rate (2000/100, 4000/200, 20000/1000, "
    "40000/2000 points).",
)
@click.option(
    "--restore-rate",
    type=float,
    help="Cost points restored per second (overrides --plan; alone, bucket = 20 x rate).",
)
@click.option(
    "--bucket",
    type=float,
    help="Cost bucket size, maximumAvailable (overrides --plan; alone, rate = bucket / 20).",
)
@click.option(
    "--bulk-rate",
    type=click.IntRange(min=0),
    help="Bulk operation speed, objects per second (0: unthrottled; default 1000).",
)
@click.option(
    "--latency-ms",
    type=float,
    default=0.0,
    help="Milliseconds added to each GraphQL request, cost held meanwhile (productSet: more "
    "with more variants).",
)
@click.option(
    "--faults",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    help="Share of requests, 0..1, given an injected fault (HTTP 502/503/504/429, dropped "
    "connection, stall, THROTTLED, INTERNAL_SERVER_ERROR, 504 after commit).",
)
@click.option("--seed", type=int, help="Seed for reproducible faults and bulk line order.")
# Secrets from the environment too: a command line is visible to every user in `ps`.
@click.option(
    "--token",
    envvar="CATALOG_SANDBOX_TOKEN",
    show_envvar=True,
    help="Require this X-Shopify-Access-Token.",
)
@click.option(
    "--client-id",
    envvar="CATALOG_SANDBOX_CLIENT_ID",
    show_envvar=True,
    help="Client id for the client-credentials grant.",
)
@click.option(
    "--client-secret",
    envvar="CATALOG_SANDBOX_CLIENT_SECRET",
    show_envvar=True,
    help="Client secret for the client-credentials grant.",
)
def sandbox_serve(
    port: int,
    state: str | None,
    plan: str,
    restore_rate: float | None,
    bucket: float | None,
    bulk_rate: int | None,
    latency_ms: float,
    faults: float,
    seed: int | None,
    token: str | None,
    client_id: str | None,
    client_secret: str | None,
) -> int:
    """Run the sandbox in the foreground on 127.0.0.1 until interrupted."""
    from reconciler.sandbox.engine import Config
    from reconciler.sandbox.persist import StateFileError
    from reconciler.sandbox.server import serve_forever

    if bool(client_id) != bool(client_secret):
        raise click.UsageError(
            "--client-id and --client-secret go together "
            "(or CATALOG_SANDBOX_CLIENT_ID and CATALOG_SANDBOX_CLIENT_SECRET)"
        )
    config = Config(
        plan=plan,
        bucket=bucket,
        restore_rate=restore_rate,
        bulk_rate=bulk_rate,
        latency_ms=latency_ms,
        faults=faults,
        seed=seed,
        token=token,
        client_id=client_id,
        client_secret=client_secret,
    )

    def announce(url: str) -> None:
        where = f", state in {state}" if state else " (in memory)"
        click.echo(f"Sandbox serving Shopify Admin API at {url}{where}; Ctrl-C to stop.", err=True)
        click.echo(f"GraphQL: {url}/admin/api/2026-10/graphql.json", err=True)

    try:
        serve_forever(config, port, Path(state) if state else None, announce)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}"
        ) from exc
    except StateFileError as exc:  # never overwritten: the user decides what it was
        raise click.ClickException(
            f"{exc}: fix it, move it away, or give --state another file "
            "(a file that does not exist yet starts an empty store)"
        ) from exc
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    return 0


@cli.command("validate")
@global_options
@catalog_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def validate_command(catalog_dir: str, fmt: str) -> int:
    """Check the catalog offline: every problem at once; exit 1 on any error."""
    import os

    from reconciler.catalog import read_catalog
    from reconciler.render import problems as render

    result = read_catalog(require_catalog(catalog_dir))
    text = render.as_json(result.problems) if fmt == "json" else render.as_text(result.problems)
    click.echo(text, nl=False)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        click.echo(render.as_github(result.problems), nl=False, err=fmt == "json")
    return 1 if result.errors else 0


@cli.command("plan")
@global_options
@catalog_option
@click.option("--store", help="my-shop, https://host, http://127.0.0.1:PORT or sandbox.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--out", type=click.Path(dir_okay=False), help="Also save the plan (JSON) to FILE.")
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 0: no changes, 2: changes present, 1: error."
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="HANDLE",
    help="Plan only this product (repeatable); removals are then not computed.",
)
@click.option(
    "--read",
    "read_mode",
    type=click.Choice(["auto", "targeted", "full"]),
    default="auto",
    show_default=True,
    help="How to read the store: by handle, a full bulk export, or chosen by size.",
)
def plan_command(
    catalog_dir: str,
    store: str | None,
    fmt: str,
    out: str | None,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    read_mode: str,
) -> int:
    """Read the live store, compare it with the catalog, show what apply would do."""
    import os

    from reconciler.errors import CatalogError
    from reconciler.planning import PlanOptions, make_plan
    from reconciler.render import problems as render_problems
    from reconciler.render.json import render_json

    options = PlanOptions(require_catalog(catalog_dir), store, targets, read_mode)
    try:
        result = make_plan(options, os.environ, notify=lambda text: click.echo(text, err=True))
    except CatalogError as exc:
        click.echo(render_problems.as_text(exc.problems), nl=False, err=True)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            click.echo(render_problems.as_github(exc.problems), nl=False, err=True)
        return 1
    for problem in result.warnings:
        click.echo(render_problems.as_line(problem), err=True)  # escaped: no workflow command
    plan = result.plan
    if out:
        try:
            Path(out).write_text(render_json(plan), encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(
                f"cannot write the plan to {out}: {exc.strerror or exc}"
            ) from None
    click.echo(_render_plan(plan, fmt, out), nl=False)
    return 2 if detailed_exitcode and plan.has_changes else 0


def _render_plan(plan: Plan, fmt: str, out: str | None) -> str:
    import os

    if fmt == "json":
        from reconciler.render.json import render_json

        return render_json(plan)
    if fmt == "markdown":
        from reconciler.render.markdown import render_markdown

        artifact = f"the JSON plan file `{out}`" if out else "the JSON plan (`--format json`)"
        return render_markdown(plan, artifact=artifact)
    from reconciler.render.text import render_text

    # Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return render_text(plan, color=color)


@cli.command("apply")
@global_options
@click.argument("plan_file", required=False, metavar="[PLANFILE]")
@catalog_option
@click.option("--store", help="my-shop, https://host, http://127.0.0.1:PORT or sandbox.")
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option("--allow-removals", is_flag=True, help="Archive/delete more than max_removals.")
@click.option(
    "--target", "targets", multiple=True, metavar="HANDLE", help="Apply only this product."
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Seconds to wait for another apply's lease on the store.",
)
@click.option("--report", "report_file", type=click.Path(dir_okay=False), help="JSON report.")
@click.option("--mode", type=click.Choice(["auto", "sync", "bulk"]), default="auto")
@click.option(
    "--skip-stale", is_flag=True, help="With PLANFILE: apply the products that did not change."
)
def apply_command(
    plan_file: str | None,
    catalog_dir: str,
    store: str | None,
    auto_approve: bool,
    allow_removals: bool,
    targets: tuple[str, ...],
    lock_timeout: float,
    report_file: str | None,
    mode: str,
    skip_stale: bool,
) -> int:
    """Make the store match the catalog: plan, show, ask (only 'yes' proceeds), write."""
    import os

    from reconciler.applying import ApplyOptions, apply_saved, make_apply
    from reconciler.errors import UsageError

    if skip_stale and plan_file is None:
        raise UsageError(
            "--skip-stale applies to a saved plan: catalog apply PLANFILE --skip-stale"
        )
    if plan_file is not None and targets:
        raise UsageError("--target narrows a plan, not a saved one: plan with --target --out")
    options = ApplyOptions(
        require_catalog(catalog_dir), store, targets, allow_removals=allow_removals,
        lock_timeout=lock_timeout, mode=mode,
        progress="bar" if sys.stderr.isatty() else "lines",  # a bar redrawn in place, or CI lines
    )  # fmt: skip
    notify = lambda text: click.echo(text, err=True)  # noqa: E731
    if plan_file is not None:
        # A saved plan was reviewed already (as terraform apply PLANFILE): no question asked.
        result = apply_saved(Path(plan_file), options, os.environ, notify=notify,
                             skip_stale=skip_stale)  # fmt: skip
    else:
        if not auto_approve and not sys.stdin.isatty():
            raise UsageError("no terminal to ask for approval: pass --auto-approve to apply")
        result = make_apply(
            options, os.environ, notify=notify, confirm=lambda plan: _confirm(plan, auto_approve)
        )
    if not result.plan.actionable():
        click.echo(_render_plan(result.plan, "text", None), nl=False)
    report = result.report
    if report_file:
        try:
            Path(report_file).write_text(report.to_json(), encoding="utf-8")
        except OSError as exc:
            message = f"cannot write {report_file}: {exc.strerror or exc}"
            raise click.ClickException(message) from None
    from reconciler.render.escape import visible

    for line in report.summary_lines():
        click.echo(visible(line))
    return 0 if report.ok else 1


def _confirm(plan: Plan, auto_approve: bool) -> bool:
    click.echo(_render_plan(plan, "text", None), nl=False)
    if auto_approve:
        return True
    answer = click.prompt(
        "\nDo you want to perform these actions? Only 'yes' will be accepted", default=""
    )
    return answer.strip() == "yes"


@cli.command("unlock")
@global_options
@catalog_option
@click.option("--store", help="my-shop, https://host, http://127.0.0.1:PORT or sandbox.")
def unlock_command(catalog_dir: str, store: str | None) -> int:
    """Break the store's apply lease on purpose (as terraform force-unlock)."""
    import asyncio
    import os

    from reconciler.apply.lease import break_lease
    from reconciler.catalog import read_catalog
    from reconciler.planning import store_session
    from reconciler.shopify import store as stores
    from reconciler.shopify.client import ShopifyClient

    settings = read_catalog(require_catalog(catalog_dir)).settings
    config = stores.resolve(store, os.environ, settings)
    notify = lambda text: click.echo(text, err=True)  # noqa: E731
    with store_session(config, Path(catalog_dir), notify) as bound:

        async def run():
            async with ShopifyClient(bound) as client:
                return await break_lease(client)

        held = asyncio.run(run())
    if held is None:
        click.echo("No apply lease was held on the store.")
    else:
        click.echo(f"Broke the apply lease held by {held.describe()}.")
    return 0


@cli.command("import")
@global_options
@catalog_option
@click.option("--store", help="my-shop, https://host, http://127.0.0.1:PORT or sandbox.")
@click.option(
    "--handle",
    "handles",
    multiple=True,
    metavar="HANDLE",
    help="Import only this product (repeatable); default: every product in the store.",
)
@click.option("--force", is_flag=True, help="Replace product files that already exist.")
@click.option(
    "--name",
    help="The catalog's name when catalog.yaml is written (default: the store's name).",
)
def import_command(
    catalog_dir: str, store: str | None, handles: tuple[str, ...], force: bool, name: str | None
) -> int:
    """Write catalog YAML for the products in the live store (writes nothing to the store)."""
    import os

    from reconciler.catalog.load import display_path
    from reconciler.importing import ImportOptions, make_import
    from reconciler.render.escape import visible

    options = ImportOptions(Path(catalog_dir), store, handles, force, name)
    notify = lambda text: click.echo(text, err=True)  # noqa: E731
    result = make_import(options, os.environ, notify)
    for skipped in result.skipped:
        click.echo(f"warning: {visible(skipped.handle)}: not imported: {visible(skipped.reason)}",
                   err=True)  # fmt: skip
    for warning in result.warnings:
        click.echo(f"warning: {visible(warning)}", err=True)
    if result.settings_written is not None:
        where = display_path(result.settings_written)
        click.echo(f"Wrote {where} (catalog name {visible(result.catalog_name)!r}).")
    folder = display_path(Path(catalog_dir) / "products")
    skipped = f"; {len(result.skipped)} skipped" if result.skipped else ""
    click.echo(
        f"Imported {len(result.written)} of {result.products} products from "
        f"{visible(result.store)} into {folder}{skipped}. Next: catalog plan (expect only adopt)."
    )
    return 0


@cli.command("convert-csv")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(dir_okay=False))
@catalog_option
@click.option("--strict", is_flag=True, help="Exit 1 when any row could not be converted.")
@click.option("--force", is_flag=True, help="Replace product files that already exist.")
def convert_csv_command(csv_file: str, catalog_dir: str, strict: bool, force: bool) -> int:
    """Turn a Shopify product CSV export into catalog YAML (one file per product)."""
    from pathlib import Path

    from reconciler.catalog.csv_read import read_file
    from reconciler.catalog.load import display_path
    from reconciler.catalog.write import write_products

    converted = read_file(Path(csv_file), display_path(Path(csv_file)))
    for problem in converted.problems:
        suffix = " (warning)" if problem.severity == "warning" else ""
        click.echo(f"{problem}{suffix}", err=True)
    if not converted.products:
        click.echo("Error: no product could be converted.", err=True)
        return 1
    written = write_products(Path(catalog_dir), converted.products, force=force)
    for path, why in written.refused:
        click.echo(f"{display_path(path)}: {why}", err=True)
    folder = display_path(Path(catalog_dir) / "products")
    skipped = f"; {len(converted.errors)} rows or products skipped" if converted.errors else ""
    click.echo(f"Wrote {len(written.files)} product files to {folder}{skipped}.", err=True)
    return 1 if written.refused or (strict and converted.errors) else 0


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the command and map every outcome to the documented exit codes."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        code = cli.main(args=args, prog_name="catalog", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        code = 1
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = 1
    except ReconcilerError as exc:
        if debug:
            raise
        click.echo(f"Error: {exc}", err=True)
        code = 1
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = 1
    except Exception as exc:  # a bug: one line, not a traceback, unless --debug
        if debug:
            raise
        click.echo(
            f"Internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True
        )
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
