"""A hostile or broken "store" on 127.0.0.1 for the secrets tests: it answers every request with
what the test's `answer` function returns (a redirect, an echo of the token, ...) and records every
request it received (method, path, headers, body), so a test can assert what reached it.

It runs in a thread (http.server), so it serves async client tests and `catalog plan` run through
`reconciler.cli.main` (which starts its own event loop) alike.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Seen:
    """One request as the fake store received it."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: str

    @property
    def everything(self) -> str:
        """All the request's text, to search for a secret in."""
        return f"{self.method} {self.path}\n{json.dumps(self.headers)}\n{self.body}"


Answer = tuple[int, dict[str, str], str]  # status, headers, body


class FakeStore:
    def __init__(self, answer: Callable[[Seen], Answer]):
        self.answer = answer
        self.seen: list[Seen] = []
        store = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen = Seen(self.command, self.path, headers, body)
                store.seen.append(seen)
                status, extra, text = store.answer(seen)
                data = text.encode()
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _any

            def log_message(self, *args: object) -> None:  # keep pytest's output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def fake_store(answer: Callable[[Seen], Answer]) -> Iterator[FakeStore]:
    store = FakeStore(answer)
    try:
        yield store
    finally:
        store.close()


def json_answer(data: object, status: int = 200) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(data)


SHOP = {"data": {"shop": {"name": "Fake", "myshopifyDomain": "fake.myshopify.com"}}}


def working_store(seen: Seen) -> Answer:
    """What a real store would answer: a token for the grant, a shop for any GraphQL request."""
    if seen.path.endswith("/admin/oauth/access_token"):
        return json_answer({"access_token": "shpat_mintedbytherecorder", "expires_in": 3600})
    if seen.method == "GET":
        return 200, {"Content-Type": "application/jsonl"}, '{"id":1}\n{"id":2}\n'
    return json_answer(SHOP)
