"""The HTTP edge to GitHub's REST API: urllib.request, JSON in and out, pages followed by Link.

The token (GITHUB_TOKEN) goes only to GITHUB_API_URL (the API of the GitHub that runs the job) and
is never printed. Errors become GitHubError with GitHub's own message, never a traceback.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubError(RuntimeError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"GitHub answered {status}: {message}")
        self.status = status


class GitHub:
    def __init__(self, token: str, base: str = "https://api.github.com", timeout: float = 30):
        self._token = token
        self._base = base.rstrip("/")
        self._timeout = timeout

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GitHub:
        token = env.get("GITHUB_TOKEN")
        if not token:
            raise GitHubError(401, "GITHUB_TOKEN is not set")
        return cls(token, env.get("GITHUB_API_URL") or "https://api.github.com")

    def request(self, method: str, path: str, body: Any = None) -> tuple[Any, str]:
        url = path if path.startswith(self._base) else self._base + path
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self._token}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self._timeout) as resp:
                raw = resp.read()
                link = resp.headers.get("Link", "")
        except urllib.error.HTTPError as exc:
            raise GitHubError(exc.code, _message(exc.read())) from None
        except urllib.error.URLError as exc:
            raise GitHubError(0, f"cannot reach {self._base}: {exc.reason}") from None
        return (json.loads(raw) if raw else None), link

    def get_all(self, path: str) -> list[Any]:
        """Every page of a list answer (100 a page)."""
        sep = "&" if "?" in path else "?"
        items, url = [], f"{path}{sep}per_page=100"
        while url:
            page, link = self.request("GET", url)
            items.extend(page)
            found = _NEXT.search(link)
            url = found.group(1) if found and found.group(1).startswith(self._base) else ""
        return items

    def login(self, fallback: str) -> str:
        """Who the token writes as. GITHUB_TOKEN may not read /user (403): it writes as the
        Actions bot, `fallback`."""
        try:
            user, _ = self.request("GET", "/user")
        except GitHubError as exc:
            if exc.status in (401, 403):
                return fallback
            raise
        return user["login"]


def quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def _message(raw: bytes) -> str:
    try:
        return str(json.loads(raw).get("message", "")) or "no message"
    except (ValueError, AttributeError):
        return raw[:200].decode("utf-8", "replace")
