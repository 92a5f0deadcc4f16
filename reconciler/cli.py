"""The `catalog` command: parse options, call the pipeline, render, choose the exit code. Nothing else.

Exit codes (contract.md): 0 success, 1 any error (click's usage errors included, so that 2 can only
mean "changes present" from `plan --detailed-exitcode`).
"""

from __future__ import annotations

import logging
import sys

import click

from reconciler.errors import ReconcilerError

log = logging.getLogger("reconciler")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log each request: operation, cost, throttle, duration.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="shopify-catalog-reconciler")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, log_format: str, debug: bool) -> None:
    """Keep a Shopify store's product catalog as code."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    _setup_logging(verbose, log_format)


def _setup_logging(verbose: bool, log_format: str) -> None:
    from reconciler.logs import configure

    configure(verbose=verbose, log_format=log_format)


@cli.group()
def sandbox() -> None:
    """The local Shopify Admin API sandbox."""


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the command and map every outcome to contract.md's exit codes."""
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
        click.echo(f"Internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
