"""`catalog import` against the sandbox over HTTP with the real client: a store made by someone
else (products written through productSet, as the admin or another app would) imports into a
catalog that validates, plans only `adopt` with no field change, applies only markers, and then
plans empty; `--handle` imports only those; existing files are never replaced without --force
(and then nothing at all is written); import sends no mutation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from store_reads import unthrottled

from reconciler.applying import ApplyOptions, make_apply
from reconciler.catalog import read_catalog
from reconciler.cli import main
from reconciler.errors import UsageError
from reconciler.importing import ImportOptions, make_import
from reconciler.model import MARKER_KEY, MARKER_NAMESPACE, Marker
from reconciler.planning import PlanOptions, make_plan

IMAGE = "https://images.example.com/import/"


def variant(size: str, color: str, price: str, **extra) -> dict:
    values = [{"optionName": "Size", "name": size}, {"optionName": "Color", "name": color}]
    return {"optionValues": values, "price": price, **extra}


TEE = {
    "handle": "field-tee",
    "title": "Field Tee",
    "status": "ACTIVE",
    "vendor": "Acme",
    "productType": "Shirts",
    "tags": ["cotton", "summer"],
    "descriptionHtml": "<p>Soft <b>cotton</b>.</p>\n<ul><li>Regular fit</li></ul>",
    "seo": {"title": "Field Tee | Acme", "description": "A tee for the field."},
    "productOptions": [
        {"name": "Size", "values": [{"name": "S"}, {"name": "M"}]},
        {"name": "Color", "values": [{"name": "Sand"}, {"name": "Moss"}]},
    ],
    "variants": [
        variant(
            "S", "Sand", "19.00", compareAtPrice="25.00", sku="FT-S-SAND", barcode="0123",
            inventoryPolicy="CONTINUE",
            inventoryItem={"tracked": True, "cost": "7.50",
                           "measurement": {"weight": {"value": 0.2, "unit": "KILOGRAMS"}}},
            metafields=[{"namespace": "custom", "key": "fit", "type": "single_line_text_field",
                         "value": "slim"}],
        ),
        variant("S", "Moss", "19.00", sku="FT-S-MOSS", taxable=False),
        variant("M", "Sand", "21.5", sku="FT-M-SAND"),
        variant("M", "Moss", "21.50", sku="FT-M-MOSS",
                inventoryItem={"requiresShipping": False}),
    ],
    "metafields": [
        {"namespace": "custom", "key": "material", "type": "single_line_text_field",
         "value": "NO"},
        {"namespace": "custom", "key": "care", "type": "multi_line_text_field",
         "value": "Wash cold.\n:: not a command"},
        {"namespace": "custom", "key": "specs", "type": "json",
         "value": '{"gsm": 180.5, "origin": ["PT", "ES"], "organic": true, "note": null}'},
        {"namespace": "custom", "key": "colors", "type": "list.single_line_text_field",
         "value": '["sand", "moss"]'},
        {"namespace": "custom", "key": "sizes_cm", "type": "list.number_integer",
         "value": "[50, 52]"},
        {"namespace": "custom", "key": "pieces", "type": "number_integer", "value": "00042"},
        {"namespace": "custom", "key": "ratio", "type": "number_decimal", "value": "1.10"},
        {"namespace": "custom", "key": "organic", "type": "boolean", "value": "true"},
        {"namespace": "custom", "key": "launch", "type": "date", "value": "2026-03-01"},
        {"namespace": "custom", "key": "score", "type": "rating",
         "value": '{"value": "4.5", "scale_min": "1.0", "scale_max": "5.0"}'},
    ],
    "files": [
        {"originalSource": IMAGE + "field-tee-front.jpg", "alt": "Front",
         "contentType": "IMAGE"},
        {"originalSource": IMAGE + "field-tee-back.jpg", "contentType": "IMAGE"},
    ],
}  # fmt: skip
MUG = {
    "handle": "draft-mug",
    "title": "Draft Mug",
    "status": "DRAFT",
    "variants": [{"optionValues": [{"optionName": "Title", "name": "Default Title"}],
                  "price": "12"}],
    "productOptions": [{"name": "Title", "values": [{"name": "Default Title"}]}],
}  # fmt: skip
CAP = {**MUG, "handle": "old-cap", "title": "Old Cap", "status": "ARCHIVED", "tags": ["retired"]}


def marked(handle: str, catalog: str) -> dict:
    marker = Marker(catalog=catalog, last_applied="sha256:0")
    return {
        **MUG,
        "handle": handle,
        "title": handle.title(),
        "metafields": [
            {"namespace": MARKER_NAMESPACE, "key": MARKER_KEY, "type": "json",
             "value": marker.to_json()}
        ],
    }  # fmt: skip


def seed(sandbox, *products: dict) -> dict[str, str]:
    answer = sandbox.control("seed", {"products": list(products)})
    assert answer.status == 200, answer.text
    return {p["handle"]: p["id"] for p in answer.json["products"]}


def publish(sandbox, product_id: str, channel: str = "Online Store") -> None:
    pubs = unthrottled(sandbox, "{ publications(first: 10) { nodes { id catalog { title } } } }")
    pub = next(p["id"] for p in pubs["publications"]["nodes"] if p["catalog"]["title"] == channel)
    query = """mutation($id: ID!, $pub: ID!) { publishablePublish(id: $id,
        input: [{publicationId: $pub}]) { userErrors { message } } }"""
    errors = unthrottled(sandbox, query, {"id": product_id, "pub": pub})
    assert errors["publishablePublish"]["userErrors"] == []


def media_ready(sandbox) -> None:
    """Wait until the seeded images are processed (the sandbox processes them in steps)."""
    query = "{ products(first: 20) { nodes { media(first: 10) { nodes { status } } } } }"
    for _ in range(200):
        data = unthrottled(sandbox, query)["products"]["nodes"]
        if all(m["status"] == "READY" for p in data for m in p["media"]["nodes"]):
            return
        time.sleep(0.05)
    raise AssertionError("media never became READY")


@pytest.fixture
def store(sandbox):
    ids = seed(sandbox, TEE, MUG, CAP)
    publish(sandbox, ids["field-tee"])
    media_ready(sandbox)
    return sandbox


def do_import(catalog: Path, store, **options):
    return make_import(ImportOptions(catalog, store.url, **options), {})


def plan(catalog: Path, store):
    return make_plan(PlanOptions(catalog, store.url), {}).plan


def actions(p) -> dict[str, str]:
    return {c.handle: c.action for c in p.changes}


def _dump(store) -> list:
    from reconciler.sandbox.testing import http

    answer = http("GET", store.url + "/_sandbox/state")
    assert answer.status == 200
    return answer.json["products"]


def test_import_round_trip_adopts_then_marks_then_plans_empty(store, no_store_env):
    catalog = no_store_env / "catalog"
    before = _dump(store)
    result = do_import(catalog, store, name="shop")
    assert _dump(store) == before  # import wrote nothing to the store
    assert result.mode == "full"  # every product: one bulk export
    assert sorted(p.name for p in result.written) == [
        "draft-mug.yaml",
        "field-tee.yaml",
        "old-cap.yaml",
    ]
    assert result.settings_written == catalog / "catalog.yaml"
    loaded = read_catalog(catalog)
    assert [p for p in loaded.problems if p.severity == "error"] == []
    assert loaded.settings.name == "shop"
    tee = loaded.products["field-tee"]
    assert tee.status == "active" and tee.publications == frozenset({"Online Store"})
    assert loaded.products["draft-mug"].status == "draft"
    assert loaded.products["old-cap"].status == "archived"
    assert loaded.products["draft-mug"].publications is None  # unpublished: not managed
    # What differs from Shopify's defaults is there; what does not is left out.
    text = (catalog / "products/field-tee.yaml").read_text()
    assert "taxable: false" in text and "inventory_policy" in text and "tracked: true" in text
    assert "vendor" not in (catalog / "products/draft-mug.yaml").read_text()
    assert "\n::" not in text  # a value's line break is escaped, never a raw line

    first = plan(catalog, store)
    assert set(actions(first).values()) == {"adopt"}, [(c.handle, c.reason) for c in first.changes]
    assert all(c.diff == () and c.child_deletions == () for c in first.changes)

    applied = make_apply(ApplyOptions(catalog, store.url), {}, confirm=lambda plan: True)
    assert applied.report.ok, applied.report.summary_lines()
    after = {p["handle"]: p for p in _dump(store)}
    for product in before:
        now = after[product["handle"]]
        assert {k: v for k, v in now.items() if k not in ("metafields", "updated_at")} == {
            k: v for k, v in product.items() if k not in ("metafields", "updated_at")
        }, product["handle"]  # only the marker was written
    assert set(actions(plan(catalog, store)).values()) <= {"no-op"}


def test_handle_imports_only_those(store, no_store_env):
    catalog = no_store_env / "catalog"
    result = do_import(catalog, store, handles=("draft-mug",))
    assert [p.name for p in result.written] == ["draft-mug.yaml"]
    assert result.mode == "targeted"
    assert sorted(p.name for p in (catalog / "products").iterdir()) == ["draft-mug.yaml"]


def test_an_unknown_handle_exits_1_and_writes_nothing(store, no_store_env, capsys):
    catalog = no_store_env / "catalog"
    with pytest.raises(SystemExit) as exit_:
        main(["import", "--catalog", str(catalog), "--store", store.url,
              "--handle", "draft-mug", "--handle", "no-such-thing"])  # fmt: skip
    assert exit_.value.code == 1
    assert "no product with handle 'no-such-thing' in the store" in capsys.readouterr().err
    assert not catalog.exists() or not any(catalog.rglob("*.yaml"))


def test_existing_files_are_refused_without_force_and_replaced_with_it(store, no_store_env):
    catalog = no_store_env / "catalog"
    (catalog / "products").mkdir(parents=True)
    mine = catalog / "products/old-cap.yaml"
    mine.write_text("# mine\n")
    refused = r"(?s)1 file already exists; nothing was written .*products/old-cap\.yaml"
    with pytest.raises(UsageError, match=refused):
        do_import(catalog, store)
    assert sorted(p.name for p in catalog.rglob("*")) == ["old-cap.yaml", "products"]
    assert mine.read_text() == "# mine\n"
    result = do_import(catalog, store, force=True)
    assert len(result.written) == 3
    assert mine.read_text().startswith('handle: "old-cap"')
    assert not list(catalog.rglob(".*.tmp"))


def test_products_of_another_catalog_are_skipped_and_ours_imported(sandbox, no_store_env):
    seed(sandbox, marked("theirs", "other"), marked("ours", "shop"), MUG)
    catalog = no_store_env / "catalog"
    catalog.mkdir()
    (catalog / "catalog.yaml").write_text("name: shop\n")
    result = do_import(catalog, sandbox)
    assert sorted(p.name for p in result.written) == ["draft-mug.yaml", "ours.yaml"]
    assert [(s.handle, "'other'" in s.reason) for s in result.skipped] == [("theirs", True)]
    assert (catalog / "catalog.yaml").read_text() == "name: shop\n"  # never rewritten


def test_cli_import_prints_a_summary_and_the_skips(sandbox, no_store_env, capsys):
    seed(sandbox, marked("theirs", "other"), MUG)
    with pytest.raises(SystemExit) as exit_:
        main(["import", "--store", sandbox.url])
    assert exit_.value.code == 0
    out = capsys.readouterr()
    assert "Imported 1 of 2 products" in out.out
    assert "warning: theirs: not imported: it belongs to catalog 'other'" in out.err
    assert (no_store_env / "catalog/products/draft-mug.yaml").is_file()
    assert read_catalog(no_store_env / "catalog").settings.name == "sandbox-store"


def test_name_is_refused_when_catalog_yaml_names_the_catalog(sandbox, no_store_env):
    catalog = no_store_env / "catalog"
    catalog.mkdir()
    (catalog / "catalog.yaml").write_text("name: shop\n")
    with pytest.raises(UsageError, match="already names the catalog"):
        do_import(catalog, sandbox, name="other")


def test_a_handle_the_catalog_holds_in_another_file_is_skipped(sandbox, no_store_env):
    seed(sandbox, MUG)
    catalog = no_store_env / "catalog"
    (catalog / "products/kitchen").mkdir(parents=True)
    (catalog / "catalog.yaml").write_text("name: shop\n")
    mine = catalog / "products/kitchen/mug.yaml"
    mine.write_text('handle: draft-mug\ntitle: Mug\nvariants:\n  - price: "12.00"\n')
    result = do_import(catalog, sandbox, force=True)
    assert result.written == ()
    assert [(s.handle, "products/kitchen/mug.yaml" in s.reason) for s in result.skipped] == [
        ("draft-mug", True)
    ]
    assert not (catalog / "products/draft-mug.yaml").exists()  # no duplicate handle


def test_catalog_default_publications_leave_the_key_out_unless_the_product_differs(
    store, no_store_env
):
    catalog = no_store_env / "catalog"
    catalog.mkdir()
    (catalog / "catalog.yaml").write_text("name: shop\npublications: [Online Store]\n")
    do_import(catalog, store)
    assert "publications" not in (catalog / "products/field-tee.yaml").read_text()
    assert "publications: []" in (catalog / "products/draft-mug.yaml").read_text()
    assert set(actions(plan(catalog, store)).values()) == {"adopt"}


def test_media_still_processing_are_left_out_with_a_warning(sandbox_factory, no_store_env):
    slow = sandbox_factory(processing_seconds=30)
    seed(slow, TEE)
    catalog = no_store_env / "catalog"
    result = do_import(catalog, slow)
    assert [w for w in result.warnings if "2 media without an image URL" in w]
    assert "media" not in (catalog / "products/field-tee.yaml").read_text()
    first = plan(catalog, slow)
    assert [(c.action, c.diff) for c in first.changes] == [("adopt", ())]


def test_what_the_catalog_would_refuse_is_left_out_or_skipped_never_written(sandbox, no_store_env):
    hidden = "\u202e"  # a bidi override: the catalog refuses it in any text (Trojan Source)
    fine = {**MUG, "handle": "odd-metafield", "title": "Odd Metafield", "metafields": [
        {"namespace": "custom", "key": "note", "type": "single_line_text_field",
         "value": f"abc{hidden}def"},
        {"namespace": "custom", "key": "plain", "type": "single_line_text_field", "value": "ok"},
    ]}  # fmt: skip
    odd_title = {**MUG, "handle": "odd-title", "title": f"Mug {hidden}gum"}
    seed(sandbox, fine, odd_title)
    catalog = no_store_env / "catalog"
    result = do_import(catalog, sandbox)
    assert [p.name for p in result.written] == ["odd-metafield.yaml"]
    assert [(s.handle, s.reason.startswith("the catalog would refuse it: title")) for s in
            result.skipped] == [("odd-title", True)]  # fmt: skip
    assert any("odd-metafield: metafields[0]" in w for w in result.warnings)
    loaded = read_catalog(catalog)
    assert loaded.errors == []
    (kept,) = loaded.products["odd-metafield"].metafields
    assert kept.key == "plain"
    assert set(actions(plan(catalog, sandbox)).values()) == {"adopt"}
