"""The embedded store behind `--store sandbox`: a private sandbox over real HTTP for one command.

The caller (the CLI's store selection) passes the state file, which lives under the catalog's
`.catalog/` directory; it is loaded when present and written atomically after every write and at
stop, so an interrupted command never leaves a torn file. No token is configured: the server binds
to 127.0.0.1 on a free port that only this process knows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .testing import SandboxHandle, run_sandbox


def start_embedded(state_path: Path, **options: Any) -> SandboxHandle:
    """Start the embedded sandbox; `handle.url` is its base URL, `handle.stop()` saves and stops."""
    state_path = Path(state_path)
    state_path.parent.mkdir(parents=True, exist_ok=True)
    return run_sandbox(state=state_path, **options)
