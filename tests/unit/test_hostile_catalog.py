"""A catalog arrives in a pull request, written by a stranger (issue 8, items 7-11): it cannot make
us read outside the catalog, run without bound, or hide text; each case is one clear problem."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from pathlib import Path

import pytest
from catalog_helpers import VARIANT, lines, product, read
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.catalog import read_catalog
from reconciler.catalog.load import MAX_FILE_BYTES, OUTSIDE
from reconciler.errors import Problem

NOT_REGULAR = "not a regular file (a directory, a pipe or a device): not read"


def _catalog(tmp_path: Path, monkeypatch, files: dict[str, str] | None = None) -> Path:
    """tmp_path/cat (the catalog, the current directory) and tmp_path/secrets.yaml beside it."""
    (tmp_path / "secrets.yaml").write_text("api_key: SECRET-123\npassword: hunter2\n")
    root = tmp_path / "cat"
    (root / "products").mkdir(parents=True)
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _read_soon(path: Path = Path(".")):
    """read_catalog, which must not block (opening a pipe would): a hang fails in a minute."""
    out = []
    thread = threading.Thread(target=lambda: out.append(read_catalog(path)), daemon=True)
    thread.start()
    thread.join(60)
    assert out, "read_catalog blocked"
    return out[0]


_READ = (
    "import json, sys; from pathlib import Path; from reconciler.catalog import read_catalog;"
    "print(json.dumps([str(p) for p in read_catalog(Path(sys.argv[1])).problems]))"
)


def _read_apart(path: Path) -> tuple[list[str], float]:
    """(the problem lines, the peak memory in MiB) of reading `path` in a process of its own."""
    child = subprocess.Popen([sys.executable, "-c", _READ, str(path)], stdout=subprocess.PIPE)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0
    return json.loads(out), usage.ru_maxrss / 1024  # KiB on Linux


def _peak_mib(function, *args):
    """(what `function` returned, the peak of Python allocations meanwhile, in MiB)."""
    tracemalloc.start()
    try:
        result = function(*args)
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


# Item 7: links


def test_a_link_to_a_file_outside_is_an_error_that_tells_nothing_of_it(tmp_path, monkeypatch):
    root = _catalog(tmp_path, monkeypatch)
    (root / "products" / "x.yaml").symlink_to(tmp_path / "secrets.yaml")
    (root / "products" / "gone.yaml").symlink_to(tmp_path / "no-such-file.yaml")
    result = _read_soon()
    assert lines(result) == [
        f"products/gone.yaml:1:1: {OUTSIDE}",  # not even whether it exists
        f"products/x.yaml:1:1: {OUTSIDE}",
    ]
    shown = " ".join(lines(result))
    assert "SECRET" not in shown and "api_key" not in shown and "secrets" not in shown


def test_a_link_to_a_device_or_a_pipe_is_never_opened(tmp_path, monkeypatch):
    root = _catalog(tmp_path, monkeypatch, {"products/pipes/a.yaml": product("a")})
    (root / "products" / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "outside-pipe")
    (root / "products" / "out.yaml").symlink_to(tmp_path / "outside-pipe")
    os.mkfifo(root / "products" / "pipes" / "pipe.yaml")  # a pipe inside the catalog
    (root / "products" / "in.yaml").symlink_to(root / "products" / "pipes" / "pipe.yaml")
    result = _read_soon()
    assert lines(result) == [
        f"products/in.yaml:1:1: {NOT_REGULAR}",
        f"products/out.yaml:1:1: {OUTSIDE}",
        f"products/pipes/pipe.yaml:1:1: {NOT_REGULAR}",
        f"products/zero.yaml:1:1: {OUTSIDE}",
    ]
    assert list(result.products) == ["a"]


def test_a_link_to_a_file_inside_the_catalog_is_read(tmp_path, monkeypatch):
    root = _catalog(tmp_path, monkeypatch, {"shared/tee.yaml": product("tee")})
    (root / "products" / "tee.yaml").symlink_to("../shared/tee.yaml")
    result = read_catalog(Path("."))
    assert result.problems == [] and result.sources == {"tee": ("products/tee.yaml", 1)}


def test_catalog_yaml_linked_outside_is_not_read(tmp_path, monkeypatch):
    root = _catalog(tmp_path, monkeypatch, {"products/a.yaml": product()})
    (root / "catalog.yaml").symlink_to(tmp_path / "secrets.yaml")
    result = read_catalog(Path("."))
    assert lines(result) == [f"catalog.yaml:1:1: {OUTSIDE}"]
    assert result.settings.name == "default"


def test_a_directory_is_not_a_settings_file(tmp_path, monkeypatch):
    root = _catalog(tmp_path, monkeypatch, {"products/a.yaml": product()})
    (root / "catalog.yaml").mkdir()
    assert lines(_read_soon()) == [f"catalog.yaml:1:1: {NOT_REGULAR}"]


def test_linked_directories_under_products_are_not_walked(tmp_path, monkeypatch):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "stolen.yaml").write_text(product("stolen"))
    root = _catalog(tmp_path, monkeypatch, {"products/a.yaml": product()})
    (root / "products" / "more").symlink_to(outside)
    result = read_catalog(Path("."))
    assert list(result.products) == ["a"]
    assert [(p.file, p.severity) for p in result.problems] == [("products/more", "warning")]
    assert "not followed" in result.problems[0].message


def test_a_products_directory_linked_outside_is_not_read(tmp_path, monkeypatch):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "stolen.yaml").write_text(product("stolen"))
    root = tmp_path / "cat"
    root.mkdir()
    (root / "products").symlink_to(outside)
    monkeypatch.chdir(root)
    result = read_catalog(Path("."))
    assert result.products == {}
    assert lines(result) == [
        "products:1:1: a link to a directory outside the catalog directory: not read"
    ]


# Item 8: bounded reading


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    _catalog(tmp_path, monkeypatch)
    with open("products/big.yaml", "wb") as sparse:
        sparse.truncate(MAX_FILE_BYTES + 1)  # no disk used; reading it would allocate 10 MiB
    result, peak = _peak_mib(read_catalog, Path("."))
    assert [(p.file, p.line, p.col) for p in result.problems] == [("products/big.yaml", 1, 1)]
    assert "more than the 10,485,760 (10 MiB) a catalog file may hold" in lines(result)[0]
    assert peak < 5


def test_the_30_mb_single_document_is_refused_before_parsing(tmp_path, monkeypatch):
    body = "tags: [" + "a, " * (10 * 1024 * 1024) + "a]\n"
    _catalog(tmp_path, monkeypatch, {"products/big.yaml": product(body=body)})
    result, peak = _peak_mib(read_catalog, Path("."))
    assert len(result.problems) == 1 and "not read" in result.problems[0].message
    assert peak < 5


def test_a_document_with_too_many_nodes_is_refused_before_it_is_composed(tmp_path, monkeypatch):
    # 9 MiB, under the size limit: composing it would take about 1.5 GB
    body = "tags: [" + "a," * (9 * 1024 * 1024 // 2) + "a]\n"
    _catalog(tmp_path, monkeypatch, {"products/big.yaml": product(body=body)})
    problems, peak = _read_apart(Path("."))
    assert problems == [
        "products/big.yaml:1:1: the document is too large: more than 200,000 values; "
        "the file is not read"
    ]
    assert peak < 300  # the whole process, Python included


def _bomb(name: str) -> str:
    """A document whose aliases repeat 10**9 values."""
    text = f"handle: {name}\ntitle: T\n{VARIANT}seo:\n  x0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        text += f"  x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n"
    return text


def test_many_alias_bombs_in_one_file_give_one_error(tmp_path, monkeypatch):
    text = "---\n".join(_bomb(f"p{i}") for i in range(200))  # about 60 KB
    _catalog(tmp_path, monkeypatch, {"products/bombs.yaml": text})
    result, peak = _peak_mib(read_catalog, Path("."))
    assert [p.file for p in result.problems] == ["products/bombs.yaml"]
    assert result.problems[0].line < 15  # in the first document
    assert "aliases in this file repeat more than 100,000 values" in result.problems[0].message
    assert peak < 200


def test_alias_budget_is_per_file_not_per_document(tmp_path, monkeypatch):
    # each document repeats 1,000 values, far under a document's limit; 200 of them are not
    tags = "tags: &t [" + ", ".join(["x"] * 1000) + "]\npublications: *t\n"
    text = "---\n".join(product(f"p{i}", tags) for i in range(200))
    _catalog(tmp_path, monkeypatch, {"products/many.yaml": text})
    result = read_catalog(Path("."))
    assert len(result.problems) == 1 and "aliases in this file" in result.problems[0].message
    assert len(result.products) == 100  # the documents before the budget ran out


def test_a_few_aliases_are_fine(tmp_path, monkeypatch):
    doc = product(body="tags: &t [a, b]\npublications: *t\n")
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert result.problems == [] and result.products["a"].tags == frozenset({"a", "b"})


# Item 9: a trailing newline is not the end of a value


@pytest.mark.parametrize(
    ("variants", "where"),
    [
        ('variants:\n  - price: "9.5\\n"\n', "variants[0].price"),
        (
            'variants:\n  - price: 9\n    compare_at_price: "9.5\\n"\n',
            "variants[0].compare_at_price",
        ),
        ('variants:\n  - price: 9\n    compare_at_price: "' + "9" * 20 + '.5\\n"\n', None),
        ('variants:\n  - price: 9\n    cost: "1\\n"\n', "variants[0].cost"),
        ('variants:\n  - price: 9\n    weight: {value: "1\\n", unit: GRAMS}\n', None),
    ],
)
def test_amounts_with_a_trailing_newline_are_refused(tmp_path, monkeypatch, variants, where):
    result = read(tmp_path, {"products/a.yaml": product(variants=variants)}, monkeypatch)
    assert len(result.errors) == 1 and "\\n'" in result.errors[0].message
    assert where is None or result.errors[0].where == where


@pytest.mark.parametrize(
    ("namespace", "key", "where"),
    [('"custom\\n"', "material", "namespace"), ("custom", '"xy\\n"', "key")],
)
def test_metafield_names_with_a_trailing_newline_are_refused(
    tmp_path, monkeypatch, namespace, key, where
):
    body = f"metafields:\n  - {{namespace: {namespace}, key: {key}, type: boolean, value: true}}\n"
    result = read(tmp_path, {"products/a.yaml": product(body=body)}, monkeypatch)
    assert [p.where for p in result.errors] == [f"metafields[0].{where}"]


def test_a_handle_and_an_api_version_with_a_trailing_newline_are_refused(tmp_path, monkeypatch):
    files = {"catalog.yaml": 'api_version: "2026-10\\n"\n', "products/a.yaml": product('"tee\\n"')}
    result = read(tmp_path, files, monkeypatch)
    assert [(p.file, p.where, p.line, p.col) for p in result.errors] == [
        ("catalog.yaml", "api_version", 1, 14),
        ("products/a.yaml", "handle", 1, 9),
    ]
    assert result.errors[0].message == "an API version looks like 2026-10, not '2026-10\\n'"
    assert "(try 'tee')" in result.errors[1].message


# Item 10: media src never makes an internal error


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ('"a\\0b.jpg"', "a NUL character (U+0000) is not allowed in text"),
        ("x" * 400 + ".jpg", "is longer than 255 bytes"),
        ("dir/" + "é" * 200 + ".jpg", "is longer than 255 bytes"),  # 400 bytes in UTF-8
        ("..", "'..' is outside the catalog directory"),
        ("products/../../up.jpg", "is outside the catalog directory"),
        ("/etc/passwd", "relative to the catalog directory, not as '/etc/passwd'"),
        ("products", "'products' is a directory, not a file"),
        ("loop.jpg", "loop.jpg"),
    ],
)
def test_hostile_media_paths_give_one_clear_error(tmp_path, monkeypatch, src, message):
    (tmp_path / "loop.jpg").symlink_to(tmp_path / "loop.jpg")
    body = f"media:\n  - src: {src}\n"
    result = read(tmp_path, {"products/a.yaml": product(body=body)}, monkeypatch)
    assert [(p.where, p.line, p.col) for p in result.errors] == [("media[0].src", 4, 10)]
    assert message in result.errors[0].message and len(result.errors[0].message) < 200


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600) | st.from_regex(r"\A[a-z./\x00~:]{0,300}\Z"))
def test_any_media_src_gives_problems_never_an_exception(src):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "products").mkdir()
        doc = product(body=f"media:\n  - src: {json.dumps(src)}\n")
        (Path(tmp) / "products" / "a.yaml").write_text(doc, encoding="utf-8")
        result = read_catalog(Path(tmp))
    assert all(isinstance(p, Problem) and p.line >= 1 for p in result.problems)


# Item 11: hidden characters and lookalike handles

FIELDS = {
    "title": ("handle: a\ntitle: {}\n" + VARIANT, "title"),
    "handle": ("handle: {}\ntitle: A\n" + VARIANT, "handle"),
    "vendor": (product(body="vendor: {}\n"), "vendor"),
    "product_type": (product(body="product_type: {}\n"), "product_type"),
    "description": (product(body="description_html: {}\n"), "description_html"),
    "tag": (product(body="tags: [x, {}]\n"), "tags[1]"),
    "seo": (product(body="seo: {{title: {}}}\n"), "seo.title"),
    "option name": (
        "handle: a\ntitle: A\noptions: [{{name: {}, values: [S]}}]\n"
        "variants:\n  - {{price: 1, options: {{{}: S}}}}\n",
        "options[0].name",
    ),
    "option value": (
        "handle: a\ntitle: A\noptions: [{{name: Size, values: [{}]}}]\n"
        "variants:\n  - {{price: 1, options: {{Size: {}}}}}\n",
        "options[0].values[0]",
    ),
    "sku": (product(variants="variants:\n  - {{price: 1, sku: {}}}\n"), "variants[0].sku"),
    "barcode": (product(variants="variants:\n  - {{price: 1, barcode: {}}}\n"), None),
    "alt": (product(body="media:\n  - {{src: 'https://x.example/a.jpg', alt: {}}}\n"), None),
    "metafield namespace": (
        product(body="metafields:\n  - {{namespace: {}, key: k1, type: boolean, value: true}}\n"),
        "metafields[0].namespace",
    ),
    "metafield value": (
        product(body="metafields:\n  - {{namespace: custom, key: k1, type: json, value: [{}]}}\n"),
        "metafields[0].value[0]",
    ),
}


@pytest.mark.parametrize("char", ["\\0", "\\u202e", "\\u2066", "\\u200f", "\\u061c"])
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_nul_and_bidi_controls_are_errors_in_every_text_field(tmp_path, monkeypatch, field, char):
    template, where = FIELDS[field]
    doc = template.replace("{}", f'"ab{char}c"').replace("{{", "{").replace("}}", "}")
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    hidden = [p for p in result.errors if "not allowed in text" in p.message]
    assert hidden and len(hidden) == len(result.errors), lines(result)
    assert where is None or hidden[0].where == where
    if field != "option name" and field != "option value":  # also a variant's option key/value
        assert len(hidden) == 1


def test_a_bidi_control_written_as_is_is_an_error_too(tmp_path, monkeypatch):
    doc = product(title="Sale\u202e50%")
    result = read(tmp_path, {"products/a.yaml": doc}, monkeypatch)
    assert lines(result) == [
        "products/a.yaml:2:8: title: the bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE) "
        "is not allowed in text: it makes text display in another order than it is stored"
    ]


def test_hidden_characters_in_settings_are_errors(tmp_path, monkeypatch):
    files = {"catalog.yaml": 'name: "shop\\u2067"\n', "products/a.yaml": product()}
    result = read(tmp_path, files, monkeypatch)
    assert [(p.file, p.where) for p in result.errors] == [("catalog.yaml", "name")]


def test_a_cyrillic_lookalike_handle_is_a_warning_at_both(tmp_path, monkeypatch):
    files = {
        "products/a.yaml": product("canvas-tote"),
        "products/b.yaml": "# the second a is Cyrillic\n" + product("c\u0430nvas-tote"),
    }
    result = read(tmp_path, files, monkeypatch)
    assert result.errors == [] and len(result.products) == 2
    assert lines(result) == [
        "products/a.yaml:1:9: handle: handle 'canvas-tote' looks the same as 'c\u0430nvas-tote'"
        " at products/b.yaml:2 ('\u0430' there is U+0430 CYRILLIC SMALL LETTER A)",
        "products/b.yaml:2:9: handle: handle 'c\u0430nvas-tote' looks the same as 'canvas-tote'"
        " at products/a.yaml:1 ('\u0430' here is U+0430 CYRILLIC SMALL LETTER A)",
    ]
    assert all(p.severity == "warning" for p in result.problems)


def test_full_width_and_greek_lookalikes_are_warnings(tmp_path, monkeypatch):
    files = {
        "products/a.yaml": product("tote"),
        "products/b.yaml": product("\uff54\uff4f\uff54\uff45"),  # full-width
        "products/c.yaml": product("t\u03bfte"),  # Greek omicron
        "products/d.yaml": product("x", "previous_handles: [t\u043ete]\n"),  # Cyrillic o
    }
    result = read(tmp_path, files, monkeypatch)
    assert [(p.file, p.where) for p in result.warnings] == [
        ("products/a.yaml", "handle"),
        ("products/b.yaml", "handle"),
        ("products/c.yaml", "handle"),
        ("products/d.yaml", "previous_handles[0]"),
    ]
    assert "products/b.yaml:1, " in result.warnings[0].message


def test_different_handles_in_other_scripts_are_not_lookalikes(tmp_path, monkeypatch):
    files = {
        "products/a.yaml": product("cafe"),
        "products/b.yaml": product("café"),
        "products/c.yaml": product("canvas-bag"),
        "products/d.yaml": product("日本語-tシャツ"),
        "products/e.yaml": product("tee-1"),
        "products/f.yaml": product("tee-l"),  # ASCII look-alikes are left alone
    }
    result = read(tmp_path, files, monkeypatch)
    assert result.problems == []


@pytest.mark.parametrize("value", ["1e999999999", "[1, {a: -9e999999999}]"])
def test_a_json_number_past_decimal_range_is_a_problem(tmp_path, monkeypatch, value):
    body = f"metafields:\n  - {{namespace: custom, key: k1, type: json, value: {value}}}\n"
    result = read(tmp_path, {"products/a.yaml": product(body=body)}, monkeypatch)
    assert [(p.where, p.line) for p in result.errors] == [("metafields[0].value", 4)]
    assert "is too large for JSON" in result.errors[0].message


def test_explaining_schema_problems_is_bounded_per_file(tmp_path, monkeypatch):
    # each document holds 150,000 tags and no variants: jsonschema would walk every tag
    doc = "handle: p{}\ntitle: T\ntags: [" + ", ".join(["x"] * 150_000) + "]\n"
    text = "---\n".join(doc.format(i) for i in range(3))
    _catalog(tmp_path, monkeypatch, {"products/long.yaml": text})
    result = read_catalog(Path("."))
    assert [p.message for p in result.problems][:1] == ["missing required key 'variants'"]
    assert [(p.line, "not explained" in p.message) for p in result.problems[1:]] == [
        (5, True),
        (9, True),
    ]
