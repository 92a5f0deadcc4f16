"""The project's documentation stands alone: every relative link in README.md and docs/*.md
points to a file of the repository, and none points outside it (no design notes of the team that
built it, no `../shared`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md")])
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")  # [text](target "title")
# The design notes the project was built from live outside it; `../shared/shopify-admin-schema/`
# may be named (where the tests look for Shopify's schemas), never linked.
OUTSIDE = re.compile(r"\.\./shared/design|design/README|contract\.md|shopify-facts\.md|/work/")


def relative_links(text: str) -> list[str]:
    targets = [m.group(1) for m in LINK.finditer(text)]
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:|^#", t)]


def test_the_docs_are_found():
    names = {p.name for p in DOCS}
    assert {"README.md", "commands.md", "catalog.md", "plan.md", "shopify-api.md"} <= names


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_relative_links_point_inside_the_repository(doc: Path):
    for target in relative_links(doc.read_text(encoding="utf-8")):
        path = (doc.parent / target.split("#", 1)[0]).resolve()
        assert path.is_relative_to(REPO), f"{doc.name}: {target} leaves the repository"
        assert path.exists(), f"{doc.name}: {target} does not exist"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_reference_to_files_outside_the_repository(doc: Path):
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        found = OUTSIDE.search(line)
        assert found is None, f"{doc.name}:{number}: refers to {found.group(0)!r}: {line.strip()}"


def test_docs_paths_named_in_backticks_exist():
    # "docs/plan.md" or `docs/sandbox.md` written as text (not as a link) must exist too
    for doc in DOCS:
        for name in set(re.findall(r"\bdocs/[\w.-]+\.md\b", doc.read_text(encoding="utf-8"))):
            assert (REPO / name).is_file(), f"{doc.name} names {name}, which does not exist"


def test_the_link_checker_sees_a_broken_link():
    assert relative_links("see [x](missing.md), [y](https://shopify.dev) and [z](#top)") == [
        "missing.md"
    ]
