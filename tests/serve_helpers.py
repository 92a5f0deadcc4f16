"""`catalog sandbox serve` run as a user runs it: its own process on a free port of 127.0.0.1,
stopped with Ctrl-C (SIGINT). Shared by the CLI tests and the sandbox audit tests."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

from reconciler.sandbox.testing import http


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(*args: str, verbose: bool = False) -> tuple[subprocess.Popen, str]:
    """Start `serve` with `args`; returns the process and its base URL once it answers."""
    port = free_port()
    pre = ["-v"] if verbose else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *pre, "sandbox", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # a busy machine may take long to import and bind
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited early: {proc.communicate()}")
        try:
            if http("GET", f"{url}/_sandbox/health", timeout=1).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("serve did not come up")


def stop(proc: subprocess.Popen) -> tuple[int, str, str]:
    """Ctrl-C, then the exit code and everything it printed."""
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err
