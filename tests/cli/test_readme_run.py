"""The README's main command, run as a user runs it on a fresh machine: in a directory holding
only the example catalog, with no store configured (so against the embedded sandbox)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def main_command() -> list[list[str]]:
    """The commands of the README's "Run" block (one line of `cmd && cmd`)."""
    section = README.read_text().split("## Run\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README: the Run section has no sh block"
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(lines) == 1, "README: the main job is one line"
    commands = [shlex.split(part) for part in lines[0].split("&&")]
    assert all(c[0] == ".venv/bin/catalog" for c in commands), commands
    return [c[1:] for c in commands]


def test_the_readme_main_command_applies_the_example_catalog_then_plans_empty(demo):
    # `demo` is a copy of catalog/ at tmp_path/catalog, and no_store_env runs us in tmp_path.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPIFY_", "CATALOG_"))}
    env.pop("CI", None)
    env.pop("GITHUB_ACTIONS", None)
    results = [
        subprocess.run(
            [sys.executable, "-m", "reconciler", *args],
            cwd=demo.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        for args in main_command()
    ]
    applied, planned = results
    assert applied.returncode == 0, applied.stderr
    assert "Using the embedded sandbox" in applied.stderr
    assert "+ create ceramic-mug" in applied.stdout
    assert re.search(r"Apply complete: \d+ created", applied.stdout)
    assert " 0 failed" in applied.stdout
    assert planned.returncode == 0, planned.stderr
    assert "No changes. The store matches the catalog." in planned.stdout
    assert (demo / ".catalog" / "sandbox.json").is_file()
