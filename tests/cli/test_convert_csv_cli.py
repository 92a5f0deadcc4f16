"""`catalog convert-csv` end to end through the console entry point."""

from __future__ import annotations

import pytest

from reconciler.cli import main

HEADER = "Handle,Title,Option1 Name,Option1 Value,Variant Price,Variant Taxable,Image Src\n"
GOOD = (
    HEADER
    + "tee,Tee,Size,S,19.00,false,https://img.example/tee.jpg\n"
    + "tee,,,M,19.00,false,\n"
    + "mug,Mug,Title,Default Title,12.00,,\n"
)
BAD_ROW = GOOD + "tee,,,L,abc,false,\n"


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["convert-csv", *args])
    out, err = capsys.readouterr()
    return exited.value.code, out, err


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_converts_into_one_file_per_product_that_validates(capsys, here):
    (here / "export.csv").write_text(GOOD)
    code, out, err = run(capsys, "export.csv", "--catalog", "shop")
    assert code == 0, err
    assert out == ""
    assert err.splitlines()[-1] == "Wrote 2 product files to shop/products."
    assert sorted(p.name for p in (here / "shop" / "products").iterdir()) == [
        "mug.yaml",
        "tee.yaml",
    ]
    with pytest.raises(SystemExit) as exited:
        main(["validate", "--catalog", "shop"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == "0 errors, 0 warnings\n"


def test_default_catalog_directory(capsys, here):
    (here / "export.csv").write_text(GOOD)
    assert run(capsys, "export.csv")[0] == 0
    assert (here / "catalog" / "products" / "tee.yaml").exists()


def test_a_bad_row_is_reported_and_skipped_exit_0(capsys, here):
    (here / "export.csv").write_text(BAD_ROW)
    code, _, err = run(capsys, "export.csv")
    assert code == 0
    assert "export.csv:5: Variant Price: not a decimal amount: 'abc': row skipped" in err
    assert (
        err.splitlines()[-1]
        == "Wrote 2 product files to catalog/products; 1 rows or products skipped."
    )
    assert "L" not in (here / "catalog" / "products" / "tee.yaml").read_text()


def test_strict_makes_a_skipped_row_exit_1(capsys, here):
    (here / "export.csv").write_text(BAD_ROW)
    code, _, err = run(capsys, "export.csv", "--strict")
    assert code == 1
    assert "export.csv:5: Variant Price" in err
    (here / "good.csv").write_text(GOOD)
    assert run(capsys, "good.csv", "--strict", "--catalog", "other")[0] == 0


def test_warnings_are_marked_and_do_not_fail(capsys, here):
    (here / "export.csv").write_text(GOOD.replace("19.00", "19"))
    code, _, err = run(capsys, "export.csv", "--strict")
    assert code == 0
    assert (
        "export.csv:2: Variant Price: amounts without decimals: read as money (2 cells) (warning)"
        in err
    )


def test_existing_files_are_never_overwritten_without_force(capsys, here):
    (here / "export.csv").write_text(GOOD)
    products = here / "catalog" / "products"
    products.mkdir(parents=True)
    (products / "tee.yaml").write_text("# mine\n")
    code, _, err = run(capsys, "export.csv")
    assert code == 1
    assert "catalog/products/tee.yaml: exists: not overwritten (--force replaces it)" in err
    assert (products / "tee.yaml").read_text() == "# mine\n"
    assert (products / "mug.yaml").exists()
    assert run(capsys, "export.csv", "--force")[0] == 0
    assert '"Tee"' in (products / "tee.yaml").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "export.csv:1: cannot read the file: No such file or directory"),
        (b"", "export.csv:1: empty file: no header row"),
        (b"Name,Price\nx,1\n", "export.csv:1: no Handle column: not a product CSV"),
        (
            b"Handle,Title\n\xff,x\n",
            "export.csv:2: invalid UTF-8 (byte 0xff); save the file as UTF-8",
        ),
    ],
)
def test_unusable_files_are_one_message_and_exit_1(capsys, here, content, message):
    if content is not None:
        (here / "export.csv").write_bytes(content)
    code, _, err = run(capsys, "export.csv")
    assert code == 1
    assert err.splitlines()[0] == message
    assert "Traceback" not in err
    assert not (here / "catalog").exists()


def test_excel_byte_order_mark_and_crlf_are_read(capsys, here):
    (here / "export.csv").write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    code, _, err = run(capsys, "export.csv")
    assert code == 0, err
    assert "warning" not in err
    assert (here / "catalog" / "products" / "mug.yaml").exists()
