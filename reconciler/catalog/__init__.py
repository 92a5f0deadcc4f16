"""The catalog: read `catalog/` into settings and products, with every problem found at once.

    result = read_catalog(Path("catalog"))
    result.require_valid()          # raises CatalogError if there is any error
    result.products["classic-tee"]  # reconciler.model.Product

Catalog content problems never raise here; they are `Problem`s in `result.problems`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.catalog.load import display_path, inside, load_file, product_files
from reconciler.catalog.media_files import with_digests
from reconciler.catalog.products import Entry, across, no_cyclic_gc, read_all
from reconciler.catalog.settings import Settings
from reconciler.catalog.validate import check_settings
from reconciler.errors import CatalogError, Problem
from reconciler.model import Product

__all__ = ["CatalogResult", "Settings", "read_catalog"]


@dataclass
class CatalogResult:
    settings: Settings = field(default_factory=Settings)
    # by handle; only products whose documents have no errors. A catalog with any error as a
    # whole is unusable: call require_valid() before acting on it.
    products: dict[str, Product] = field(default_factory=dict)
    sources: dict[str, tuple[str, int]] = field(default_factory=dict)  # handle -> (file, line)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def require_valid(self) -> None:
        if self.errors:
            raise CatalogError(self.problems)


def read_catalog(path: Path) -> CatalogResult:
    """Load and validate the catalog directory `path`."""
    result = CatalogResult()
    shown_dir = display_path(path)
    if not path.is_dir():
        result.problems.append(Problem(shown_dir, 1, 1, "", "catalog directory not found"))
        return result
    result.settings = _read_settings(path, result.problems)
    with no_cyclic_gc():  # also while checking across products and sorting: no cycles there either
        entries = _read_products(path, result)
        if not entries and not result.errors:
            where = display_path(path / "products")
            message = "the catalog has no products"
            result.problems.append(Problem(where, 1, 1, "", message, "warning"))
        result.problems.sort()
    return result


def _read_settings(path: Path, problems: list[Problem]) -> Settings:
    settings_file = path / "catalog.yaml"
    misnamed = path / "catalog.yml"
    if misnamed.exists():
        message = "ignored: the settings file is catalog.yaml"
        problems.append(Problem(display_path(misnamed), 1, 1, "", message, "warning"))
    if not os.path.lexists(settings_file):  # a link to nothing is reported, not skipped
        return Settings()
    root = os.path.realpath(path)
    loaded = load_file(settings_file, display_path(settings_file), single=True, root=root)
    problems.extend(loaded.problems)
    if not loaded.documents:
        return Settings()
    located, found = check_settings(loaded.documents[0])
    problems.extend(found)
    if found or loaded.problems or not isinstance(located.data, dict):
        return Settings()
    return Settings.from_data(located.data)


def _read_products(path: Path, result: CatalogResult) -> list[Entry]:
    products = path / "products"
    if not inside(os.path.realpath(products), os.path.realpath(path)):
        message = "a link to a directory outside the catalog directory: not read"
        result.problems.append(Problem(display_path(products), 1, 1, "", message))
        return []
    files, ignored, linked = product_files(products)
    for other in ignored:
        message = "ignored: product files must end in .yaml"
        result.problems.append(Problem(display_path(other), 1, 1, "", message, "warning"))
    for folder in linked:
        message = "ignored: a link to a directory is not followed (what it holds may be anywhere)"
        result.problems.append(Problem(display_path(folder), 1, 1, "", message, "warning"))
    entries, problems = read_all(files, path)
    result.problems += problems
    result.problems += across(entries)
    channels = result.settings.publications
    for entry in entries:
        product = entry.product
        if product is not None and product.handle not in result.products:
            if product.publications is None and channels:
                # catalog.yaml's `publications` is every product's default (docs/catalog.md).
                product = dataclasses.replace(product, publications=frozenset(channels))
            product = with_digests(product, path)  # local media files: their content's hash
            result.products[product.handle] = product
            result.sources[product.handle] = (entry.file, entry.line)
    return entries
