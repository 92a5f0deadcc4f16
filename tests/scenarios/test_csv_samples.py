"""The real Shopify CSV samples (../shared/samples/shopify-csv/): each converts, validates and
plans as clean adopts against a store holding them the way Shopify's own CSV importer would; each
applies to an empty store, after which the plan is empty.

The store is written with raw productSet calls built here from the CSV rows as written (not through
our input builder, not from the converted YAML): text as in the cells, tags as the cell's string,
Shopify's Title/Default Title option as the CSV has it, images as files from the Image Src URLs.
Skipped when the samples are absent (a fresh clone has no ../shared; CI has it).
"""

from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from plan_scenario_helpers import plan_json

from reconciler.applying import ApplyOptions, make_apply
from reconciler.catalog import read_catalog
from reconciler.catalog.csv_read import read_file
from reconciler.catalog.write import write_products
from reconciler.planning import PlanOptions, make_plan

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CATALOG_SHARED_DIR") or ROOT.parent / "shared")
SAMPLES = SHARED / "samples" / "shopify-csv"
FILES = (
    "shopifypartners-apparel.csv",
    "shopifypartners-home-and-garden.csv",
    "shopifypartners-jewelery.csv",
    "packt-products-import.csv",
    "packt-products-export.csv",
)
EDITED = "black-armchairs"  # the packt product whose description was edited in the admin

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no CSV samples at {SAMPLES}")

PRODUCT_SET = """mutation CsvImport($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product { id }
    userErrors { field message code }
  }
}"""
_GRAMS_PER = {"g": 1.0, "kg": 1000.0, "lb": 453.59237, "oz": 28.349523125}
_UNIT = {"g": "GRAMS", "kg": "KILOGRAMS", "lb": "POUNDS", "oz": "OUNCES"}


def _rows(name: str) -> list[dict[str, str]]:
    text = (SAMPLES / name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _by_handle(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    products: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        products.setdefault(row["Handle"], []).append(row)
    return products


def _flag(cell: str) -> bool:
    return cell.strip().lower() == "true"


def _status(first: dict[str, str]) -> str:
    if first.get("Status"):
        return first["Status"].upper()
    return "DRAFT" if first.get("Published", "").lower() == "false" else "ACTIVE"


def _variant(row: dict[str, str], names: list[str], first: dict[str, str]) -> dict[str, Any]:
    values = [row[f"Option{n} Value"] for n in range(1, len(names) + 1)]
    variant: dict[str, Any] = {
        "optionValues": [{"optionName": o, "name": v} for o, v in zip(names, values, strict=True)],
        "price": row["Variant Price"],
        "taxable": _flag(row["Variant Taxable"]),
        "inventoryPolicy": row["Variant Inventory Policy"].upper(),
    }
    for key, column in (("compareAtPrice", "Variant Compare At Price"), ("sku", "Variant SKU")):
        if row[column]:
            variant[key] = row[column]
    if row["Variant Barcode"]:
        variant["barcode"] = row["Variant Barcode"]
    unit = row["Variant Weight Unit"] or "g"
    item: dict[str, Any] = {
        "tracked": row["Variant Inventory Tracker"] == "shopify",
        "requiresShipping": _flag(row["Variant Requires Shipping"]),
        "measurement": {
            "weight": {
                "value": round(float(row["Variant Grams"] or 0) / _GRAMS_PER[unit], 3),
                "unit": _UNIT[unit],
            }
        },
    }
    if row.get("Cost per item"):
        item["cost"] = row["Cost per item"]
    variant["inventoryItem"] = item
    if row["Variant Image"]:
        variant["file"] = {"originalSource": row["Variant Image"], "contentType": "IMAGE"}
    return variant


def _files(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Images in Image Position order (rows without one after), then variant images not listed."""
    images = [(r.get("Image Position") or "", i, r) for i, r in enumerate(rows) if r["Image Src"]]
    images.sort(key=lambda x: (x[0] == "", int(x[0] or 0), x[1]))
    sources = [(r["Image Src"], r["Image Alt Text"]) for _, _, r in images]
    sources += [(r["Variant Image"], "") for r in rows if r["Variant Image"]]
    files, seen = [], set()
    for src, alt in sources:
        if src not in seen:
            seen.add(src)
            files.append({"originalSource": src, "alt": alt, "contentType": "IMAGE"})
    return files


def product_set_input(rows: list[dict[str, str]]) -> dict[str, Any]:
    """What Shopify's importer would write for one product's rows, from the cells as written."""
    first = rows[0]
    names = [first[f"Option{n} Name"] for n in (1, 2, 3) if first[f"Option{n} Name"]]
    variant_rows = [first] + [r for r in rows[1:] if r["Option1 Value"]]
    options = [
        {"name": name, "values": [{"name": v} for v in dict.fromkeys(r[f"Option{n}"
         " Value"] for r in variant_rows)]}
        for n, name in enumerate(names, 1)
    ]  # fmt: skip
    return {
        "handle": first["Handle"],
        "title": first["Title"],
        "descriptionHtml": first["Body (HTML)"],
        "vendor": first["Vendor"],
        "productType": first["Type"],
        "tags": first["Tags"],
        "status": _status(first),
        "seo": {"title": first["SEO Title"], "description": first["SEO Description"]},
        "productOptions": options,
        "variants": [_variant(r, names, first) for r in variant_rows],
        "files": _files(rows),
    }


def store_csv(store, name: str) -> None:
    for rows in _by_handle(_rows(name)).values():
        data = product_set_input(rows)
        answer = store.graphql(
            PRODUCT_SET, {"input": data, "identifier": {"handle": data["handle"]}}
        )
        assert answer.status == 200, answer.text
        body = answer.json
        assert not body.get("errors"), body
        assert not body["data"]["productSet"]["userErrors"], (data["handle"], body)
    _until_media_processed(store)


def _until_media_processed(store) -> None:
    """A merchant's store has processed its images (Shopify names them only once processed)."""
    query = "{ products(first: 30) { nodes { media(first: 20) { nodes { status } } } } }"
    for _ in range(600):  # bounded: processing takes a few sandbox steps (50 ms each)
        products = store.graphql(query).json["data"]["products"]["nodes"]
        statuses = [m["status"] for p in products for m in p["media"]["nodes"]]
        if all(status in ("READY", "FAILED") for status in statuses):
            return
        time.sleep(0.05)
    raise AssertionError("media still processing after 30 s")


def convert_to(name: str, root: Path) -> dict[str, Any]:
    converted = read_file(SAMPLES / name, name)
    assert not converted.errors, [str(p) for p in converted.errors]
    written = write_products(root, converted.products)
    assert not written.refused
    (root / "catalog.yaml").write_text('name: "csv"\n')
    result = read_catalog(root)
    assert not result.errors, [str(p) for p in result.problems]
    return {"converted": converted, "catalog": result}


def _unclean(plan: dict[str, Any], allowed: dict[str, set[str]] | None = None) -> list[str]:
    """Every change that is not an adopt without field changes, with its diff lines."""
    out = []
    for change in plan["changes"]:
        paths = {d["path"] for d in change.get("diff", ())}
        expected = (allowed or {}).get(change["handle"])
        if expected is not None and change["action"] == "update" and paths == expected:
            continue
        if change["action"] != "adopt" or paths:
            lines = [f"~ {d['path']}: {d['before']!r} -> {d['after']!r}" for d in change["diff"]]
            out.append(f"{change['handle']}: {change['action']} {lines}")
    return out


@pytest.fixture
def root(no_store_env):
    return no_store_env / "catalog"


@pytest.mark.parametrize("name", FILES)
def test_every_sample_converts_and_validates(name, root):
    result = convert_to(name, root)
    products = {row["Handle"] for row in _rows(name)}
    assert set(result["catalog"].products) == products
    warnings = [str(p) for p in result["converted"].warnings]
    assert any("columns the catalog does not carry" in w and "Variant Inventory Qty" in w
               for w in warnings)  # fmt: skip
    if name == "packt-products-import.csv":  # hand-written in a spreadsheet
        assert any("Variant Taxable: TRUE read as true" in w for w in warnings)
        assert any("Variant Price: amounts without decimals" in w for w in warnings)
    if name == "packt-products-export.csv":  # Shopify's own export: no spreadsheet artifacts
        assert not any("read as" in w or "without decimals" in w for w in warnings)


def test_default_title_and_variant_images_come_out_as_the_catalog_writes_them(root):
    products = convert_to("shopifypartners-jewelery.csv", root)["catalog"].products
    assert products["bangle-bracelet"].options == ()
    bracelet = products["chain-bracelet"]
    assert [o.name for o in bracelet.options] == ["Color"]
    assert {v.image for v in bracelet.variants} <= {m.src for m in bracelet.media}
    earrings = products["boho-earrings"].variants[0].weight  # 28 g in oz
    assert (str(earrings.value), earrings.unit) == ("0.988", "OUNCES")


@pytest.mark.parametrize("name", FILES)
def test_sample_in_the_store_plans_as_clean_adopts(capsys, sandbox, root, name):
    convert_to(name, root)
    store_csv(sandbox, name)
    _, plan = plan_json(capsys, "--catalog", str(root), "--store", sandbox.url)
    assert len(plan["changes"]) == len(_by_handle(_rows(name))) == 20
    assert _unclean(plan) == []
    assert plan["summary"]["adopt"] == 20


def test_packt_import_against_its_export_differs_only_by_the_edited_description(
    capsys, sandbox, root
):
    convert_to("packt-products-import.csv", root)
    store_csv(sandbox, "packt-products-export.csv")
    _, plan = plan_json(capsys, "--catalog", str(root), "--store", sandbox.url)
    assert len(plan["changes"]) == 20
    assert _unclean(plan, {EDITED: {"description_html"}}) == []
    edited = next(c for c in plan["changes"] if c["handle"] == EDITED)
    assert edited["action"] == "update"
    assert [d["path"] for d in edited["diff"]] == ["description_html"]
    assert plan["summary"]["adopt"] == 19


def _apply(root: Path, store) -> Any:
    result = make_apply(ApplyOptions(root, store.url), {}, confirm=lambda plan: True)
    assert result.report.ok, result.report.summary_lines()
    return result


def _changed(root: Path, store) -> dict[str, str]:
    plan = make_plan(PlanOptions(root, store.url), {}).plan
    return {c.handle: c.action for c in plan.changes if c.action != "no-op"}


@pytest.mark.parametrize("name", FILES)
def test_every_sample_applies_to_an_empty_store_and_then_plans_empty(sandbox, root, name):
    convert_to(name, root)
    result = _apply(root, sandbox)
    assert result.report.counts()["created"] == len(_by_handle(_rows(name)))
    assert _changed(root, sandbox) == {}
