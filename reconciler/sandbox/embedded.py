"""The embedded store behind `--store sandbox`: a private sandbox over real HTTP for one command.

The caller (the CLI's store selection) passes the state file, which lives under the catalog's
`.catalog/` directory; it is loaded when present and written atomically after every write and at
stop, so an interrupted command never leaves a torn file. No token is configured: the server binds
to 127.0.0.1 on a free port that only this process knows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError

from .persist import StateFileError, StateWriteError
from .testing import SandboxHandle, run_sandbox


def start_embedded(state_path: Path, **options: Any) -> SandboxHandle:
    """Start the embedded sandbox; `handle.url` is its base URL, `handle.stop()` saves and stops.

    A state file this sandbox cannot read is the user's to remove (it is never overwritten): the
    error says so, and that nothing of value is lost, since the embedded store is a scratch one.
    """
    state_path = Path(state_path)
    try:
        state_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReconcilerError(
            f"cannot create {state_path.parent} for the embedded sandbox's store: "
            f"{exc.strerror or exc}"
        ) from None
    try:
        return run_sandbox(state=state_path, **options)
    except StateFileError as exc:
        raise ReconcilerError(
            f"{exc}: delete or move it; the embedded store is disposable and starts empty "
            "without it"
        ) from None
    except StateWriteError as exc:
        raise ReconcilerError(str(exc)) from None
