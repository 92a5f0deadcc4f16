"""A tiny local GitHub: the REST answers a test gives it, served over real HTTP, every request
kept so that a test can say which writes reached GitHub."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest


@dataclass
class FakeGitHub:
    url: str = ""
    # (method, path without query) -> (status, JSON body, extra headers); unknown routes 404
    routes: dict[tuple[str, str], tuple[int, Any, dict[str, str]]] = field(default_factory=dict)
    calls: list[tuple[str, str, Any]] = field(default_factory=list)

    def on(self, method: str, path: str, body: Any, status: int = 200, **headers: str) -> None:
        self.routes[(method, path)] = (status, body, headers)

    def writes(self) -> list[tuple[str, str, Any]]:
        return [c for c in self.calls if c[0] != "GET"]

    def env(self) -> dict[str, str]:
        return {"GITHUB_TOKEN": "ghs_test", "GITHUB_API_URL": self.url}


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            sent = json.loads(self.rfile.read(size)) if size else None
            assert self.headers["Authorization"] == "Bearer ghs_test"
            fake.calls.append((self.command, self.path, sent))
            path = urlsplit(self.path).path
            if self.command == "GET" and "page=2" in self.path:
                path += "#2"
            status, body, headers = fake.routes.get(
                (self.command, path), (404, {"message": "Not Found"}, {})
            )
            raw = json.dumps(body).encode()
            self.send_response(status)
            for key, val in headers.items():
                self.send_header(key.replace("_", "-"), val.replace("{url}", fake.url))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
