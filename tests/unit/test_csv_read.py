"""csv_read: Shopify product CSVs of every era of columns -> catalog product dicts, and write.py's
YAML read back by the catalog loader as the same text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.catalog import read_catalog
from reconciler.catalog.convergence import SHOPIFY_WHITESPACE
from reconciler.catalog.csv_read import convert
from reconciler.catalog.write import product_yaml, quoted, write_products

CLASSIC = (
    "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,"
    "Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,"
    "Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,"
    "Variant Fulfillment Service,Variant Price,Variant Compare At Price,Variant Requires Shipping,"
    "Variant Taxable,Variant Barcode,Image Src,Image Position,Image Alt Text,Gift Card,SEO Title,"
    "SEO Description,Google Shopping / Gender,Variant Image,Variant Weight Unit,Variant Tax Code,"
    "Cost per item,Status\n"
)


def row(**cells: str) -> str:
    """One CLASSIC row from the cells named (by position in CLASSIC's header)."""
    names = CLASSIC.strip().split(",")
    keys = {n.lower().replace(" ", "_").replace("(", "").replace(")", ""): n for n in names}
    values = {keys[k]: v for k, v in cells.items()}
    return ",".join(_cell(values.get(n, "")) for n in names) + "\n"


def _cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def run(text: str):
    converted = convert(text, "products.csv")
    return converted, {p["handle"]: p for p in converted.products}


def messages(converted, severity: str | None = None) -> list[str]:
    return [str(p) for p in converted.problems if severity in (None, p.severity)]


TEE = (
    CLASSIC
    + row(handle="tee", title="Tee", body_html="<p>Soft</p>", vendor="Acme", type="Shirts",
          tags="cotton, Summer", published="true", option1_name="Size", option1_value="S",
          option2_name="Color", option2_value="Red", variant_sku="TEE-S-R", variant_grams="200",
          variant_inventory_tracker="shopify", variant_inventory_policy="continue",
          variant_price="19.00", variant_compare_at_price="25.00",
          variant_requires_shipping="true", variant_taxable="false", variant_barcode="123",
          image_src="https://img.example/tee-front.jpg", image_position="1",
          image_alt_text="Front", gift_card="false", seo_title="Tee!", cost_per_item="7.50",
          variant_image="https://img.example/tee-red.jpg", variant_weight_unit="kg",
          status="active")
    + row(handle="tee", option1_value="M", option2_value="Red", variant_grams="250",
          variant_price="21.00", variant_requires_shipping="true", variant_taxable="true",
          variant_inventory_policy="deny", variant_weight_unit="g",
          image_src="https://img.example/tee-back.jpg", image_position="3")
    + row(handle="tee", image_src="https://img.example/tee-side.jpg", image_position="2",
          image_alt_text="Side")
    + row(handle="mug", title="Mug", option1_name="Title", option1_value="Default Title",
          variant_price="12.00", variant_grams="0", variant_weight_unit="kg", status="draft")
)  # fmt: skip


def test_classic_columns_multi_row_product_image_rows_and_variant_images():
    converted, products = run(TEE)
    assert not converted.errors, messages(converted)
    tee = products["tee"]
    assert list(tee) == [
        "handle", "title", "status", "vendor", "product_type", "tags", "description_html",
        "seo", "options", "variants", "media",
    ]  # fmt: skip
    assert tee["tags"] == ["cotton", "Summer"] and tee["seo"] == {"title": "Tee!"}
    assert tee["options"] == [
        {"name": "Size", "values": ["S", "M"]},
        {"name": "Color", "values": ["Red"]},
    ]
    small, medium = tee["variants"]
    assert small == {
        "options": {"Size": "S", "Color": "Red"},
        "price": "19.00",
        "compare_at_price": "25.00",
        "cost": "7.50",
        "sku": "TEE-S-R",
        "barcode": "123",
        "taxable": False,
        "tracked": True,
        "inventory_policy": "continue",
        "weight": {"value": "0.2", "unit": "KILOGRAMS"},
        "image": "https://img.example/tee-red.jpg",
    }
    # Shopify's defaults (taxable, requires shipping, deny) are left unmanaged
    assert medium == {
        "options": {"Size": "M", "Color": "Red"},
        "price": "21.00",
        "tracked": False,
        "weight": {"value": "250", "unit": "GRAMS"},
    }
    # images in Image Position order, then the variant image no row lists
    assert tee["media"] == [
        {"src": "https://img.example/tee-front.jpg", "alt": "Front"},
        {"src": "https://img.example/tee-side.jpg", "alt": "Side"},
        {"src": "https://img.example/tee-back.jpg"},
        {"src": "https://img.example/tee-red.jpg"},
    ]


def test_default_title_is_no_options_and_zero_weight_is_left_out():
    _, products = run(TEE)
    mug = products["mug"]
    assert "options" not in mug
    assert mug["variants"] == [{"price": "12.00", "tracked": False}]
    assert mug["status"] == "draft"


def test_not_carried_columns_are_named_once():
    text = TEE.replace(",Google Shopping / Gender,", ",Google Shopping / Gender,", 1)
    lines = text.splitlines(keepends=True)
    lines[1] = lines[1].replace(",false,Tee!,,,", ",false,Tee!,,Unisex,", 1)
    converted, _ = run("".join(lines))
    ignored = [m for m in messages(converted) if "does not carry" in m]
    assert ignored == [
        "products.csv:1: columns the catalog does not carry, ignored: "
        "Google Shopping / Gender, Gift Card (false)"
    ]


def test_oldest_era_without_position_status_weight_unit_or_cost():
    text = (
        "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,"
        "Variant Grams,Variant Price,Image Src\n"
        "lamp,Lamp,,Acme,,,FALSE,Title,Default Title,500,30,https://img.example/a.jpg\n"
        "lamp,,,,,,,,,,,https://img.example/b.jpg\n"
        "vase,Vase,,,,,,Title,Default Title,,15.5,\n"
    )
    converted, products = run(text)
    assert not converted.errors
    lamp = products["lamp"]
    assert lamp["status"] == "draft"  # Published FALSE and no Status column
    assert lamp["variants"] == [{"price": "30.00", "weight": {"value": "500", "unit": "GRAMS"}}]
    assert [m["src"] for m in lamp["media"]] == [
        "https://img.example/a.jpg",
        "https://img.example/b.jpg",
    ]
    assert products["vase"]["status"] == "active"  # Published empty: Shopify publishes
    assert products["vase"]["variants"] == [{"price": "15.50"}]
    assert "products.csv:2: Published: FALSE without Status: draft" in messages(converted)


def test_2024_era_headers_linked_options_unit_prices_and_metafields():
    text = (
        "Title,URL handle,Description,Vendor,Product category,Type,Tags,Published on online store,"
        "Status,SKU,Barcode,Option1 name,Option1 value,Option1 Linked To,Price,Compare-at price,"
        "Cost per item,Charge tax,Unit price total measure,Unit price total measure unit,"
        "Inventory tracker,Inventory quantity,Continue selling when out of stock,"
        "Weight value (grams),Weight unit for display,Requires shipping,Fulfillment service,"
        "Product image URL,Image position,Image alt text,Variant image URL,Gift card,SEO title,"
        "SEO description,Material (product.metafields.custom.material),"
        "Color (product.metafields.shopify.color-pattern),"
        "Batch (variant.metafields.custom.batch)\n"
        "Cap,cap,<p>A cap</p>,Acme,Apparel > Hats,Hats,cap,TRUE,Active,CAP-1,,Color,Blue,"
        "shopify.color-pattern.blue,20.00,,5.00,TRUE,100,ml,shopify,4,FALSE,100,lb,TRUE,manual,"
        "https://img.example/cap.jpg,1,Blue cap,,FALSE,,,Wool,blue,B1\n"
    )
    converted, products = run(text)
    assert not converted.errors, messages(converted)
    cap = products["cap"]
    assert cap["status"] == "active" and cap["product_type"] == "Hats"
    assert cap["options"] == [{"name": "Color", "values": ["Blue"]}]
    assert cap["variants"] == [
        {
            "options": {"Color": "Blue"},
            "price": "20.00",
            "cost": "5.00",
            "sku": "CAP-1",
            "tracked": True,
            "weight": {"value": "0.22", "unit": "POUNDS"},  # 100 g = 0.220462... lb
            "metafields": [
                {
                    "namespace": "custom",
                    "key": "batch",
                    "type": "single_line_text_field",
                    "value": "B1",
                }
            ],
        }
    ]
    assert cap["metafields"] == [
        {
            "namespace": "custom",
            "key": "material",
            "type": "single_line_text_field",
            "value": "Wool",
        }
    ]
    assert cap["media"] == [{"src": "https://img.example/cap.jpg", "alt": "Blue cap"}]
    ignored = next(m for m in messages(converted) if "does not carry" in m)
    not_carried = (
        "Product category", "Option1 Linked To", "Unit price total measure", "Inventory quantity",
        "Color (product.metafields.shopify.color-pattern)",
    )  # fmt: skip
    for column in not_carried:
        assert column in ignored


@pytest.mark.parametrize(
    ("grams", "unit", "value", "written"),
    [
        ("1000", "kg", "1", "KILOGRAMS"),
        ("12.5", "kg", "0.0125", "KILOGRAMS"),
        ("28", "oz", "0.988", "OUNCES"),  # 0.98767... rounded half-even to 3 places
        ("454", "lb", "1.001", "POUNDS"),
        ("453.59237", "LB", "1", "POUNDS"),
        ("250", "g", "250", "GRAMS"),
        ("250", "", "250", "GRAMS"),
    ],
)
def test_grams_become_a_weight_in_the_rows_unit(grams, unit, value, written):
    text = CLASSIC + row(handle="w", title="W", variant_price="1.00", variant_grams=grams,
                         variant_weight_unit=unit)  # fmt: skip
    converted, products = run(text)
    assert not converted.errors
    assert products["w"]["variants"][0]["weight"] == {"value": value, "unit": written}


def test_spreadsheet_artifacts_are_normalized_with_one_warning_each():
    header = CLASSIC.replace("Variant SKU", " Variant SKU ")
    text = (
        header
        + row(handle="Mug", title=" Mug ", variant_sku="'00123", variant_price="12",
              variant_taxable="TRUE", variant_requires_shipping="FALSE")
        + row(handle="Tee", title="Tee", variant_price="19", variant_taxable="FALSE")
        + row(handle="mug", image_src="https://img.example/m.jpg")
    )  # fmt: skip
    converted, products = run(text)
    assert not converted.errors
    mug = products["mug"]
    assert mug["title"] == "Mug"
    assert mug["variants"] == [
        {"price": "12.00", "sku": "00123", "requires_shipping": False, "tracked": False}
    ]
    assert mug["media"] == [{"src": "https://img.example/m.jpg"}]
    assert products["tee"]["variants"] == [{"price": "19.00", "taxable": False, "tracked": False}]
    assert sorted(messages(converted, "warning")) == sorted([
        "products.csv:1: Variant SKU: header padded with spaces: trimmed",
        "products.csv:2: Handle: handles in capitals: lower-cased (2 cells)",
        "products.csv:2: Title: cells padded with spaces: trimmed",
        "products.csv:2: Variant SKU: leading apostrophe (Excel's text mark): removed",
        "products.csv:2: Variant Price: amounts without decimals: read as money (2 cells)",
        "products.csv:2: Variant Taxable: TRUE read as true",
        "products.csv:2: Variant Requires Shipping: FALSE read as false",
        "products.csv:3: Variant Taxable: FALSE read as false",
        "products.csv:4: Handle: handle 'mug' is also used from line 2: rows merged into it",
    ])  # fmt: skip


def test_an_apostrophe_that_is_text_is_kept():
    text = CLASSIC + row(handle="song", title="'Til Dawn", variant_price="1.00")
    _, products = run(text)
    assert products["song"]["title"] == "'Til Dawn"


def test_a_bad_row_is_reported_with_its_line_and_skipped():
    text = (
        CLASSIC
        + row(handle="tee", title="Tee", body_html="<p>two\nlines</p>", option1_name="Size",
              option1_value="S", variant_price="19.00")
        + row(handle="tee", option1_value="M", variant_price="nineteen")
        + row(handle="tee", option1_value="L", variant_price="19.00", variant_weight_unit="stone",
              variant_grams="5")
        + row(handle="bad", title="Bad", variant_price="-1")
        + row(handle="bad", image_src="https://img.example/bad.jpg")
        + row(handle="tee", option1_value="XL", variant_price="19.00")
    )  # fmt: skip
    converted, products = run(text)
    # the first product's body spans lines 2-3, so its second row is line 4
    assert messages(converted, "error") == [
        "products.csv:4: Variant Price: not a decimal amount: 'nineteen': row skipped",
        "products.csv:5: Variant Weight Unit: unknown unit 'stone' (g, kg, lb, oz): row skipped",
        "products.csv:6: Variant Price: a negative amount: '-1': product 'bad' skipped (lines 6-7)",
    ]
    assert set(products) == {"tee"}
    assert [v["options"]["Size"] for v in products["tee"]["variants"]] == ["S", "XL"]
    assert products["tee"]["options"] == [{"name": "Size", "values": ["S", "XL"]}]


def test_text_the_catalog_refuses_skips_its_row_at_conversion():
    """NUL and bidirectional controls would be written to YAML that validation then refuses:
    the row (or product) is reported with its CSV line instead, and the rest converts."""
    text = (
        CLASSIC
        + row(handle="hat", title="Hat\x00", variant_price="5.00")
        + row(handle="tee", title="Tee", option1_name="Size", option1_value="S",
              variant_price="19.00")
        + row(handle="tee", option1_value="M\u202e", variant_price="19.00")
    )  # fmt: skip
    converted, products = run(text)
    assert messages(converted, "error") == [
        "products.csv:2: Title: a NUL character (U+0000) is not allowed in text: "
        "product 'hat' skipped (lines 2-2)",
        "products.csv:4: Option1 Value: the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE)"
        " is not allowed in text: it makes text display in another order than it is stored: "
        "row skipped",
    ]
    assert set(products) == {"tee"}
    assert [v["options"]["Size"] for v in products["tee"]["variants"]] == ["S"]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"option1_value": ""}, "Option1 Value: empty on a row with variant cells: row skipped"),
        ({"option1_value": "S"}, "Option1 Value: the same option values as line 2: row skipped"),
        ({"option2_value": "x"}, "Option2 Value: set, but the product has no Option2 Name"),
        (
            {"image_src": "https://img.example/a.jpg", "image_position": "first"},
            "Image Position: not a position: 'first': row skipped",
        ),
        ({"variant_taxable": "yes"}, "Variant Taxable: expected true or false, not 'yes'"),
    ],
)
def test_further_rows_that_cannot_be_read(cells, expected):
    text = (
        CLASSIC
        + row(handle="tee", title="Tee", option1_name="Size", option1_value="S",
              variant_price="1.00")
        + row(handle="tee", **{"option1_value": "M", "variant_price": "1.00", **cells})
    )  # fmt: skip
    converted, products = run(text)
    assert len(converted.errors) == 1
    assert str(converted.errors[0]).startswith("products.csv:3: " + expected)
    assert len(products["tee"]["variants"]) == 1


def test_first_row_problems_skip_the_product():
    text = (
        CLASSIC
        + row(handle="card", title="Card", gift_card="TRUE", variant_price="25.00")
        + row(handle="anon", variant_price="1.00")
        + row(handle="odd", title="Odd", status="gone", variant_price="1.00")
        + row(title="No handle", variant_price="1.00")
        + row(handle="ok", title="OK", variant_price="1.00")
    )  # fmt: skip
    converted, products = run(text)
    assert set(products) == {"ok"}
    assert [p.line for p in converted.errors] == [2, 3, 4, 5]
    assert "gift cards are not carried" in str(converted.errors[0])
    assert "Title: empty on the product's first row" in str(converted.errors[1])


def test_files_that_are_not_product_csvs():
    assert messages(convert("", "x.csv")) == ["x.csv:1: empty file: no header row"]
    not_products = messages(convert("a,b\n1,2\n", "x.csv"))
    assert not_products == ["x.csv:1: no Handle column: not a product CSV"]


@pytest.mark.parametrize(
    "text", ["NO", "00123", "1.10", "null", "~", "#x", 'say "hi"\n\\', "é\u2028"]
)
def test_written_strings_read_back_as_the_same_text(tmp_path, text):
    product = {"handle": "p", "title": text, "tags": [text],
               "variants": [{"sku": text, "price": "1.00", "taxable": False}]}  # fmt: skip
    write_products(tmp_path, [product])
    result = read_catalog(tmp_path)
    assert not result.errors, result.problems
    read = result.products["p"]
    assert (read.title, read.variants[0].sku, read.variants[0].taxable) == (text, text, False)


def test_line_separators_are_escaped():
    assert quoted("a\u2028b\x85") == '"a\\u2028b\\u0085"'


def test_writer_never_overwrites_unless_forced(tmp_path):
    first = {"handle": "p", "title": "One", "variants": [{"price": "1.00"}]}
    assert [f.name for f in write_products(tmp_path, [first]).files] == ["p.yaml"]
    second = {**first, "title": "Two"}
    refused = write_products(tmp_path, [second]).refused
    assert [(p.name, why.split(":")[0]) for p, why in refused] == [("p.yaml", "exists")]
    assert '"One"' in (tmp_path / "products" / "p.yaml").read_text()
    assert write_products(tmp_path, [second], force=True).files
    assert '"Two"' in (tmp_path / "products" / "p.yaml").read_text()


def test_documents_are_stable_and_in_key_order():
    _, products = run(TEE)
    text = product_yaml(products["tee"])
    keys = [line.split(":")[0] for line in text.splitlines() if not line.startswith(" ")]
    assert keys == ["handle", "title", "status", "vendor", "product_type", "tags",
                    "description_html", "seo", "options", "variants", "media"]  # fmt: skip
    assert product_yaml(run(TEE)[1]["tee"]) == text


# NUL and bidi controls are refused by catalog validation (hidden text), so not generated here.
HIDDEN = "\x00\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    text=st.text(st.characters(exclude_categories=("Cs",), exclude_characters=HIDDEN), max_size=40)
)
def test_any_text_written_reads_back_as_itself(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("quoted")
    product = {"handle": "p", "title": "P", "variants": [{"price": "1.00", "sku": text}]}
    write_products(root, [product])
    result = read_catalog(root)
    assert not result.errors, [str(p) for p in result.problems]
    # The catalog keeps what Shopify would store: the text trimmed as Shopify trims it.
    assert (result.products["p"].variants[0].sku or "") == text.strip(SHOPIFY_WHITESPACE)


def test_an_image_row_may_carry_a_zero_weight():
    text = (
        CLASSIC
        + row(handle="mug", title="Mug", variant_price="1.00", variant_grams="0")
        + row(handle="mug", image_src="https://img.example/m.jpg", variant_grams="0",
              variant_weight_unit="kg")
    )  # fmt: skip
    converted, products = run(text)
    assert not converted.errors
    assert products["mug"]["media"] == [{"src": "https://img.example/m.jpg"}]
