"""The import pipeline (`catalog import`): store -> live read -> Product -> YAML -> files.

`make_import(ImportOptions(...), env, notify)` reads the live products (every product through a
bulk export, or the `--handle` ones page by page), turns each into a minimal product document
(catalog/from_live.py: only what differs from Shopify's defaults), and writes one file per
product under `DIR/products/`, plus a `catalog.yaml` when the directory has none. It sends no
mutation: the only writes are local files, and they are all-or-nothing (an existing file without
`force` refuses the whole import before anything is written).

Skipped with a warning: products marked by another catalog (they are that catalog's), products
whose marker a newer tool wrote, products whose read was truncated, and handles that cannot be a
file name. No printing here: the CLI renders `ImportResult`.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.catalog import read_catalog
from reconciler.catalog.from_live import Skipped, product_document
from reconciler.catalog.load import display_path
from reconciler.catalog.settings import Settings
from reconciler.catalog.write import product_path, product_yaml, quoted, write_files
from reconciler.errors import CatalogError, Problem, ShopifyError, TransportError, UsageError
from reconciler.model import LiveProduct
from reconciler.planning import Notify, store_session
from reconciler.shopify import bulk_read, documents
from reconciler.shopify import store as stores
from reconciler.shopify.client import ShopifyClient
from reconciler.shopify.live import LiveRead, read_live

SETTINGS_FILE = "catalog.yaml"
_NAME_CHARS = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class ImportOptions:
    catalog_dir: Path = Path("catalog")
    store: str | None = None  # --store
    handles: tuple[str, ...] = ()  # --handle H ...: only these (default: every product)
    force: bool = False  # --force: replace existing product files
    name: str | None = None  # --name: the catalog name of a new catalog.yaml


@dataclass(frozen=True)
class ImportResult:
    catalog_name: str
    store: str
    written: tuple[Path, ...]  # product files, in handle order
    settings_written: Path | None  # catalog.yaml, when this import created it
    skipped: tuple[Skipped, ...] = ()  # products not imported, and why
    warnings: tuple[str, ...] = ()  # imported, but something was left out (named)
    products: int = 0  # products read from the store
    mode: str = ""  # how the store was read (full / targeted)


@dataclass
class _Collected:
    docs: dict[Path, dict[str, Any]] = field(default_factory=dict)  # product file -> document
    files: dict[Path, str] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def make_import(
    options: ImportOptions, env: Mapping[str, str], notify: Notify | None = None
) -> ImportResult:
    """Read the store and write the catalog files (or raise: nothing written then)."""
    catalog_dir = options.catalog_dir
    settings, existing = _current_catalog(catalog_dir)
    config = stores.resolve(options.store, env, settings)
    has_settings = (catalog_dir / SETTINGS_FILE).exists()
    if options.name is not None and has_settings:
        raise UsageError(
            f"--name: {display_path(catalog_dir / SETTINGS_FILE)} already names "
            f"the catalog ({settings.name!r}); edit it there"
        )
    with store_session(config, catalog_dir, notify or (lambda _: None)) as bound:

        async def run() -> tuple[str, LiveRead]:
            async with ShopifyClient(bound) as client:
                try:
                    shop = (await client.execute("Shop"))["shop"]
                    name = settings.name if has_settings else (options.name or catalog_name(shop))
                    return name, await _read(client, name, options.handles)
                except TransportError as exc:
                    where = config.store.display
                    raise TransportError(f"cannot reach the store at {where} ({exc})") from exc

        name, live = asyncio.run(run())
    if not has_settings:
        settings = Settings(name=name)
    collected = _documents(catalog_dir, live, settings, existing)
    _check(collected)
    settings_path = None if has_settings else catalog_dir / SETTINGS_FILE
    _write(collected.files, settings_path, name, options.force)
    return ImportResult(
        catalog_name=name,
        store=config.store.display,
        written=tuple(collected.files),
        settings_written=settings_path,
        skipped=tuple(collected.skipped),
        warnings=tuple(collected.warnings),
        products=len(live.products),
        mode=live.mode,
    )


def _write(files: Mapping[Path, str], settings: Path | None, name: str, force: bool) -> None:
    """The product files and a new catalog.yaml, all or none (UsageError naming what exists)."""
    everything = dict(files)
    if settings is not None:
        everything[settings] = settings_yaml(name)
    try:
        refused = write_files(everything, force=force)
    except FileExistsError as exc:  # created by someone else between the check and the write
        raise UsageError(f"{exc.filename} appeared while importing; not overwritten") from exc
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename}: {exc.strerror or exc}") from exc
    if refused:
        listed = "\n".join(f"  {display_path(p)}" for p in refused)
        raise UsageError(
            f"{_files_exist(len(refused))}; nothing was written (--force replaces them):\n{listed}"
        )


def _files_exist(n: int) -> str:
    return "1 file already exists" if n == 1 else f"{n} files already exist"


def catalog_name(shop: Mapping[str, object]) -> str:
    """A new catalog's name from the store's: lowercase letters, digits and "-" (as a Terraform
    user names a workspace); the myshopify subdomain when the name has none of those."""
    for text in (shop.get("name"), str(shop.get("myshopifyDomain") or "").split(".")[0]):
        name = _NAME_CHARS.sub("-", str(text or "").lower()).strip("-")[:64].strip("-")
        if name:
            return name
    return Settings().name


def settings_yaml(name: str) -> str:
    """A minimal catalog.yaml: the catalog's name (its identity in the store) and a pointer."""
    return (
        "# Settings of this catalog (written by `catalog import`); every key is optional.\n"
        f"name: {quoted(name)}\n"
    )


def _current_catalog(catalog_dir: Path) -> tuple[Settings, dict[str, str]]:
    """The catalog's settings and the handles it already holds (handle -> file shown to users);
    a broken catalog.yaml stops the import (its name decides whose products these become)."""
    if not catalog_dir.exists():
        return Settings(), {}
    if not catalog_dir.is_dir():
        raise UsageError(f"--catalog: {display_path(catalog_dir)} is not a directory")
    catalog = read_catalog(catalog_dir)
    settings_errors = [
        p for p in catalog.problems
        if p.severity == "error" and Path(p.file).name == SETTINGS_FILE
    ]  # fmt: skip
    if settings_errors:
        raise CatalogError(settings_errors)
    existing = {h: str(source[0]) for h, source in catalog.sources.items()}
    return catalog.settings, existing


async def _read(client: ShopifyClient, name: str, handles: tuple[str, ...]) -> LiveRead:
    """The named products page by page, or every product by a bulk export."""
    if handles:
        wanted = set(handles)
        live = await read_live(
            client, catalog_name=name, handles=wanted, mode="targeted", removals=False
        )
        unknown = sorted(wanted - set(live.products))
        if unknown:
            raise UsageError(
                f"--handle: no product with handle {', '.join(map(repr, unknown))} in the store"
            )
        return live
    every, refs = await survey(client)
    if not every:
        return LiveRead({}, True, None, "full")
    return await read_live(
        client,
        catalog_name=name,
        handles=every,
        mode="full",
        removals=False,
        variant_metafields=refs,
    )


async def survey(client: ShopifyClient) -> tuple[set[str], set[str]]:
    """Every product handle (each product has at least one variant) and every variant metafield's
    `namespace.key`, from one bulk export (BulkVariantMetafields.graphql)."""
    text = documents.inline_fragments(documents.load("BulkVariantMetafields").query)
    result = await bulk_read.run_query(client, text)
    if result.problem():
        raise ShopifyError(f"cannot list the store's products: {result.problem()}")
    handles: set[str] = set()
    refs: set[str] = set()
    async for line in bulk_read.lines_of(client, result):
        row = json.loads(line)
        if "__parentId" in row:
            refs.add(f"{row['namespace']}.{row['key']}")
        else:
            handles.add((row.get("product") or {}).get("handle") or "")
    handles.discard("")
    return handles, refs


def _documents(
    catalog_dir: Path, live: LiveRead, settings: Settings, existing: Mapping[str, str]
) -> _Collected:
    out = _Collected()
    if live.unmanaged:
        out.warnings.append(
            f"{live.unmanaged} products were created while the import ran: not imported "
            "(import them with --handle)"
        )
    for handle in sorted(live.products):
        current: LiveProduct = live.products[handle]
        path = product_path(catalog_dir, handle)
        if path is None:
            out.skipped.append(Skipped(handle, "its handle cannot be a file name"))
            continue
        if handle in existing and Path(existing[handle]).resolve() != path.resolve():
            where = display_path(Path(existing[handle]))
            out.skipped.append(Skipped(handle, f"already in the catalog ({where})"))
            continue
        document = product_document(current, settings)
        if isinstance(document, Skipped):
            out.skipped.append(document)
            continue
        data, left_out = document
        out.warnings += [f"{handle}: {why}" for why in left_out]
        out.docs[path] = data
    return out


# A metafield the catalog refuses (an app's namespace, a key Shopify grandfathered ...): the
# problem's path inside the document, e.g. "metafields[3].key" or "variants[0].metafields[1]".
_METAFIELD_PATH = re.compile(r"(?:variants\[(\d+)\]\.)?metafields\[(\d+)\]")


def _check(out: _Collected) -> None:
    """Read every document back as the catalog will (the YAML, the schema, Shopify's rules), so
    that import never writes a file validate refuses: a metafield the catalog refuses is left
    out with a warning, a product with any other problem is skipped with it."""
    for path, problems in _problems(out.docs).items():
        doc, handle = out.docs[path], out.docs[path]["handle"]
        spots = [_METAFIELD_PATH.match(p.where) for p in problems]
        if all(spots) and _drop_metafields(doc, spots):
            out.warnings += [f"{handle}: {p.where} not imported: {p.message}" for p in problems]
            if not _problems({path: doc}):
                continue
        del out.docs[path]
        first = problems[0]
        out.skipped.append(Skipped(handle, f"the catalog would refuse it: {first.where}: "
                                   f"{first.message}"))  # fmt: skip
    out.files = {path: product_yaml(doc) for path, doc in out.docs.items()}


def _problems(docs: Mapping[Path, dict[str, Any]]) -> dict[Path, list[Problem]]:
    """The errors the catalog reader finds in each document, by the path it would be written to."""
    with tempfile.TemporaryDirectory(prefix="catalog-import-") as scratch:
        folder = Path(scratch) / "products"
        folder.mkdir()
        by_name = {}
        for path, doc in docs.items():
            (folder / path.name).write_text(product_yaml(doc), encoding="utf-8")
            by_name[path.name] = path
        found: dict[Path, list[Problem]] = {}
        for problem in read_catalog(Path(scratch)).problems:
            target = by_name.get(Path(problem.file).name)
            if problem.severity == "error" and target is not None:
                found.setdefault(target, []).append(problem)
        return found


def _drop_metafields(doc: dict[str, Any], spots: list[re.Match[str] | None]) -> bool:
    """Remove the metafields the problems point at; False if one is not there (nothing done)."""
    # (variant index or -1 for the product's own, metafield index), last first
    places = sorted({(int(m.group(1) or -1), int(m.group(2))) for m in spots if m}, reverse=True)
    for variant, index in places:
        owner = doc if variant < 0 else doc["variants"][variant]
        if index >= len(owner.get("metafields", ())):
            return False
    for variant, index in places:
        owner = doc if variant < 0 else doc["variants"][variant]
        del owner["metafields"][index]
        if not owner["metafields"]:
            del owner["metafields"]
    return True
