"""The recorded GitHub REST answers (answers/*.json) and the repository they belong to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = "acme/shop-catalog"
ANSWERS = Path(__file__).parent / "answers"


def answer(name: str) -> Any:
    """A recorded GitHub REST answer (a fresh copy each time: tests may edit it)."""
    return json.loads((ANSWERS / name).read_text(encoding="utf-8"))


def forbid_user(github) -> None:
    """GITHUB_TOKEN may not read /user: the steps then write as github-actions[bot]."""
    github.on("GET", "/user", answer("user_forbidden.json"), status=403)
