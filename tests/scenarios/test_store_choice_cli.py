"""Store choices `catalog plan` refuses before contacting anything (issue 8, items 2 and 14): an
empty `--store` or `SHOPIFY_STORE` is an error, not the embedded sandbox; a `store:` in
catalog.yaml that points away from Shopify and this machine is refused, token or not, and the
message says how to name that host deliberately."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def write_catalog(root: Path, store: str | None = None) -> Path:
    catalog = root / "catalog"
    (catalog / "products").mkdir(parents=True)
    settings = "name: shop\n" + (f"store: {store}\n" if store else "")
    (catalog / "catalog.yaml").write_text(settings)
    (catalog / "products" / "a.yaml").write_text("handle: a\ntitle: A\nvariants: [{price: 1}]\n")
    return catalog


@pytest.mark.parametrize("blank", ["", "  "])
def test_an_empty_store_flag_or_variable_is_an_error(blank, no_store_env, monkeypatch, capsys):
    catalog = write_catalog(no_store_env)
    code, out, err = run(capsys, "plan", "--catalog", str(catalog), "--store", blank)
    assert (code, out) == (1, "")
    assert err == (
        "Error: --store is empty: name a store, or pass --store sandbox for the embedded sandbox\n"
    )
    monkeypatch.setenv("SHOPIFY_STORE", blank)
    code, out, err = run(capsys, "plan", "--catalog", str(catalog))
    assert (code, out) == (1, "")
    assert err.startswith("Error: SHOPIFY_STORE is empty: name a store")
    assert not (catalog / ".catalog").exists()  # no embedded sandbox was started


@pytest.mark.parametrize("token", [None, "custom-token-0123456789"])
def test_a_catalog_store_elsewhere_is_refused(token, no_store_env, monkeypatch, capsys):
    if token:
        monkeypatch.setenv("SHOPIFY_ACCESS_TOKEN", token)
    catalog = write_catalog(no_store_env, store="https://evil.example")
    code, out, err = run(capsys, "plan", "--catalog", str(catalog))
    assert (code, out) == (1, "")
    assert err == (
        "Error: catalog.yaml: store: https://evil.example is not a *.myshopify.com store; a "
        "catalog file (which a pull request can change) may not send your token elsewhere: pass "
        "it yourself with --store https://evil.example or SHOPIFY_STORE\n"
    )
