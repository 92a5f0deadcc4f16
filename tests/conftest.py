"""Shared fixtures: the sandbox over real HTTP, in-process.

`sandbox`: one server per test session (per xdist worker), reset before each test (empty store,
full bucket, start-up settings); cheap. `sandbox_factory(**options)`: a server of its own with
custom options (token, client credentials, faults, latency, plan, state file ...), stopped after
the test.
Both give a `SandboxHandle` (`.url`, `.graphql_url(version)`, `.sandbox`, `.reset()`, `.stop()`).
`no_store_env`: a command run in the test sees no store settings of the machine running the tests
(SHOPIFY_*, CI, GITHUB_ACTIONS, NO_COLOR) and runs in `tmp_path`.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from store_env import STORE_ENV

from reconciler.sandbox.testing import SandboxHandle, run_sandbox


@pytest.fixture(scope="session")
def _session_sandbox() -> Iterator[SandboxHandle]:
    with run_sandbox() as handle:
        yield handle


@pytest.fixture
def sandbox(_session_sandbox: SandboxHandle) -> SandboxHandle:
    _session_sandbox.reset()
    return _session_sandbox


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., SandboxHandle]]:
    started: list[SandboxHandle] = []

    def make(**options: Any) -> SandboxHandle:
        handle = run_sandbox(**options)
        started.append(handle)
        return handle

    yield make
    for handle in started:
        handle.stop()


@pytest.fixture
def no_store_env(tmp_path, monkeypatch) -> Path:
    for name in STORE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def demo(tmp_path: Path, no_store_env: Path) -> Path:
    """A copy of the example catalog (without its embedded sandbox state), in tmp_path."""
    target = tmp_path / "catalog"
    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "catalog", target, ignore=shutil.ignore_patterns(".catalog"))
    return target


@pytest.fixture(autouse=True)
def _restore_reconciler_logging() -> Iterator[None]:
    # `catalog -v` run in-process (main([...])) configures the "reconciler" logger for a whole
    # process; without this, the next test in the worker would capture the sandbox's debug lines.
    logger = logging.getLogger("reconciler")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved
