"""Small helpers to write a catalog into a temporary directory and read it back."""

from __future__ import annotations

from pathlib import Path

from reconciler.catalog import CatalogResult, read_catalog

VARIANT = 'variants:\n  - price: "1.00"\n'


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def read(root: Path, files: dict[str, str | bytes], monkeypatch) -> CatalogResult:
    write(root, files)
    monkeypatch.chdir(root)
    return read_catalog(Path("."))


def product(handle: str = "a", body: str = "", variants: str = VARIANT, title: str = "A") -> str:
    return f"handle: {handle}\ntitle: {title}\n{body}{variants}"


def lines(result: CatalogResult) -> list[str]:
    return [str(p) for p in result.problems]
