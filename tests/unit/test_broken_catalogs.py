"""Each directory under tests/catalog_cases/ is a broken catalog; expected.txt holds the exact
problem lines `catalog validate` must print for it (paths relative to the case directory)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.catalog import read_catalog
from reconciler.render.problems import as_text

CASES = Path(__file__).resolve().parents[1] / "catalog_cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.txt").exists())


def test_the_corpus_is_large_enough():
    assert len(NAMES) >= 30


@pytest.mark.parametrize("name", NAMES)
def test_broken_catalog(name, monkeypatch):
    case = CASES / name
    monkeypatch.chdir(case)
    result = read_catalog(Path("."))
    lines = as_text(result.problems).splitlines()[:-1]  # without the "N errors" summary
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert lines == expected
    assert result.problems, "a broken catalog must report at least one problem"
    if any(p.severity == "error" for p in result.problems):
        assert result.errors
