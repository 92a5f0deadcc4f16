"""Read every product file (in two processes when the catalog is large) and check across products.

A file's documents are read, checked and built independently of other files, so large catalogs
are split by file across processes; only the checks between products (handles and SKUs used
twice) need everything, and they run afterwards on each product's few claims.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.catalog import handover
from reconciler.catalog.build import build_product
from reconciler.catalog.characters import lookalike_handles
from reconciler.catalog.load import display_path, iter_documents
from reconciler.catalog.nodes import FileBudget, Path_, where_text
from reconciler.catalog.validate import check_product
from reconciler.errors import Problem
from reconciler.model import Product

PARALLEL_BYTES = 512 * 1024  # below this, starting processes costs more than it saves
CHILD_SHARE = 0.45


@dataclass(slots=True)
class Entry:
    """One product document, reduced to what the catalog and the checks across products need."""

    file: str
    line: int
    product: Product | None  # None when its document has an error
    # (kind, value, path, line, col) for each handle, previous handle ("handle") and SKU ("sku")
    claims: list[tuple[str, str, Path_, int, int]] = field(default_factory=list)


handover.register(Entry)


def read_file(
    file: Path, catalog_dir: Path, root: str | None = None
) -> tuple[list[Entry], list[Problem]]:
    """`root`: the catalog directory's real path (the file must resolve inside it)."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    budget = FileBudget()  # one for the whole file
    if root is None:
        root = os.path.realpath(catalog_dir)
    for doc in iter_documents(file, display_path(file), problems, root=root):
        located, found = check_product(doc, catalog_dir, budget)
        problems += found
        ok = not any(p.severity == "error" for p in found)
        entry = Entry(doc.file, doc.line, build_product(located) if ok else None)
        data = located.data if isinstance(located.data, dict) else {}
        for kind, value, path in _claims(data):
            entry.claims.append((kind, value, path, *located.where(path)))
        entries.append(entry)
        if budget.spent:
            break  # the rest of the file is not read (the problem says so)
    return entries, problems


def read_all(files: list[Path], catalog_dir: Path) -> tuple[list[Entry], list[Problem]]:
    """Every file's entries in file order, and their problems."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    with no_cyclic_gc():
        for file_entries, file_problems in _read_in_parallel(files, catalog_dir):
            entries += file_entries
            problems += file_problems
    return entries, problems


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Reading builds tens of thousands of live objects and no reference cycles worth collecting:
    the cyclic GC's repeated passes over them would cost more than the parsing itself.

    On the way out, everything made meanwhile would be the young generation, and the first
    collection after re-enabling would scan it all at once (0.2 s for 10,000 products). It is
    moved to the oldest generation instead (freeze, then unfreeze): scanned only by the next
    full collection, as long-lived objects are. None of it is garbage, so nothing is lost.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _read_many(files: list[Path], catalog_dir: Path) -> list[tuple[list[Entry], list[Problem]]]:
    root = os.path.realpath(catalog_dir)
    with no_cyclic_gc():
        return [read_file(f, catalog_dir, root) for f in files]


def _read_in_parallel(files: list[Path], catalog_dir: Path) -> list:
    """This process reads the first half while a forked one reads the second (large catalogs)."""
    can_fork = hasattr(os, "fork")
    if (os.cpu_count() or 1) < 2 or not can_fork or len(files) < 2 or not _large(files):
        return _read_many(files, catalog_dir)
    # The forked process also packs its results and this one unpacks them: give it less.
    middle = len(files) - max(1, round(len(files) * CHILD_SHARE))
    child = handover.Forked(_read_many, files[middle:], catalog_dir)
    try:
        first = _read_many(files[:middle], catalog_dir)
    except BaseException:
        child.cancel()
        raise
    second = child.result()
    if second is None:  # the forked reader failed: read its half here
        second = _read_many(files[middle:], catalog_dir)
    return first + second


def _large(files: list[Path]) -> bool:
    """Whether the files hold at least PARALLEL_BYTES (stops stat-ing once they do)."""
    size = 0
    for file in files:
        try:
            size += file.stat().st_size
        except OSError:
            continue  # reported when the file is read
        if size >= PARALLEL_BYTES:
            return True
    return False


def _claims(data: dict) -> list[tuple[str, str, Path_]]:
    out: list[tuple[str, str, Path_]] = []
    handle = data.get("handle")
    if isinstance(handle, str):
        out.append(("handle", handle, ("handle",)))
    previous = data.get("previous_handles")
    seen = {handle}
    for index, old in enumerate(previous if isinstance(previous, list) else []):
        if isinstance(old, str) and old not in seen:  # repeats are reported by the rules
            seen.add(old)
            out.append(("handle", old, ("previous_handles", index)))
    variants = data.get("variants")
    for index, variant in enumerate(variants if isinstance(variants, list) else []):
        if isinstance(variant, dict) and isinstance(variant.get("sku"), str) and variant["sku"]:
            out.append(("sku", variant["sku"], ("variants", index, "sku")))
    return out


def across(entries: list[Entry]) -> list[Problem]:
    """Handles (and previous handles) used by two products: errors; SKUs, and handles that look
    alike: warnings. Entries with such an error lose their product."""
    places: dict[tuple[str, str], list[tuple[Entry, Path_, int, int]]] = {}
    for entry in entries:
        for kind, value, path, line, col in entry.claims:
            places.setdefault((kind, value), []).append((entry, path, line, col))
    out = lookalike_handles(
        [
            (value, entry.file, line, col, path)
            for entry in entries
            for kind, value, path, line, col in entry.claims
            if kind == "handle"
        ]
    )
    for (kind, value), spots in places.items():
        if len(spots) < 2:
            continue
        severity = "error" if kind == "handle" else "warning"
        for entry, path, line, col in spots:
            others = ", ".join(
                f"{e.file}:{ln}" for e, p, ln, _ in spots if e is not entry or p != path
            )
            label = {"handle": "handle", "sku": "SKU"}[kind]
            if path[0] == "previous_handles":
                label = "previous handle"
            message = f"{label} {value!r} is also used at {others}"
            out.append(Problem(entry.file, line, col, where_text(path), message, severity))
            if severity == "error":
                entry.product = None
    return out
