"""`catalog validate` end to end through the console entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.cli import main

REPO = Path(__file__).resolve().parents[2]
GOOD = "handle: a\ntitle: A\nvariants:\n  - price: 1\n"


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["validate", *args])
    out, err = capsys.readouterr()
    return exited.value.code, out, err


@pytest.fixture
def catalog(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "catalog" / "products").mkdir(parents=True)
    return tmp_path / "catalog"


def test_demo_catalog_passes(capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code, out, _ = run(capsys, "--catalog", str(REPO / "catalog"))
    assert (code, out) == (0, "0 errors, 0 warnings\n")


def test_default_catalog_directory_is_dot_catalog(capsys, catalog):
    (catalog / "products" / "a.yaml").write_text(GOOD)
    assert run(capsys)[:2] == (0, "0 errors, 0 warnings\n")


def test_errors_exit_1_and_are_all_listed_sorted(capsys, catalog):
    (catalog / "products" / "b.yaml").write_text("handle: B\ntitle: B\nvariants: [{}]\n")
    (catalog / "products" / "a.yaml").write_text(GOOD.replace("title: A", "titel: A"))
    code, out, _ = run(capsys)
    assert code == 1
    assert out.splitlines() == [
        "catalog/products/a.yaml:1:1: missing required key 'title'",
        "catalog/products/a.yaml:2:1: titel: unknown key 'titel' (did you mean 'title'?)",
        "catalog/products/b.yaml:1:9: handle: a handle is lowercase letters, digits, '-' and '_' "
        "without spaces, not 'B' (try 'b')",
        "3 errors, 0 warnings",
    ]


def test_warnings_alone_exit_0(capsys, catalog):
    text = "handle: a\ntitle: A\nvariants:\n  - {price: 2, compare_at_price: 1}\n"
    (catalog / "products" / "a.yaml").write_text(text)
    code, out, _ = run(capsys)
    assert code == 0
    assert out.endswith("(warning)\n0 errors, 1 warning\n")


def test_json_output_is_pure_json(capsys, catalog, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    (catalog / "products" / "a.yaml").write_text("handle: a\n")
    code, out, err = run(capsys, "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["errors"] == 2 and document["warnings"] == 0
    assert document["problems"][0] == {
        "file": "catalog/products/a.yaml",
        "line": 1,
        "col": 1,
        "where": "",
        "message": "missing required key 'title'",
        "severity": "error",
    }
    assert "::error file=catalog/products/a.yaml,line=1,col=1::missing required key 'title'" in err


def test_github_annotations_in_addition_to_text(capsys, catalog, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    text = "handle: a\ntitle: A\nvariants:\n  - {price: 2, compare_at_price: 1}\n"
    (catalog / "products" / "a.yaml").write_text(text + "---\nhandle: b\n")
    code, out, _ = run(capsys)
    assert code == 1
    assert "catalog/products/a.yaml:6:1: missing required key 'title'\n" in out
    assert (
        "::warning file=catalog/products/a.yaml,line=4,col=34::variants[0].compare_at_price: "
        "compare_at_price 1.00 is not above price 2.00: the product will not show as discounted\n"
    ) in out
    assert (
        "::error file=catalog/products/a.yaml,line=6,col=1::missing required key 'title'\n" in out
    )


def test_no_annotations_outside_github(capsys, catalog):
    (catalog / "products" / "a.yaml").write_text("handle: a\n")
    assert "::error" not in run(capsys)[1]


def test_missing_catalog_directory_is_one_clear_error(capsys, catalog):
    code, out, err = run(capsys, "--catalog", "nowhere")
    assert (code, out) == (1, "")
    assert err == "Error: no catalog at nowhere: expected catalog.yaml or a products/ folder\n"


def test_bad_format_is_a_usage_error_with_exit_1(capsys, catalog):
    code, _, err = run(capsys, "--format", "xml")
    assert code == 1 and "xml" in err


def test_annotation_text_is_escaped():
    from reconciler.errors import Problem
    from reconciler.render.problems import as_github

    problem = Problem("a,b:c.yaml", 1, 2, "tags[0]", "50% off\nnext")
    assert (
        as_github([problem])
        == "::error file=a%2Cb%3Ac.yaml,line=1,col=2::tags[0]: 50%25 off%0Anext\n"
    )
