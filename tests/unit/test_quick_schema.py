"""The compiled schema check agrees with jsonschema: never laxer (a wrong yes would hide a
problem), and on product-shaped data not stricter either (a wrong no only costs time)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from test_validate_property import product

from reconciler.catalog.load import load_file
from reconciler.catalog.nodes import convert
from reconciler.catalog.quick_schema import compile_check
from reconciler.catalog.validate import (
    METAFIELD_FREE,
    PRODUCT_TYPED,
    SETTINGS_TYPED,
    quick_check,
    schema,
)

CASES = Path(__file__).parent.parent / "catalog_cases"
VALIDATORS = {
    name: jsonschema.Draft202012Validator(schema(name)) for name in ("product", "catalog")
}


def _agree(name: str, data: object) -> None:
    valid = not list(VALIDATORS[name].iter_errors(data))
    assert quick_check(name)(data) == valid, data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(product)
def test_agrees_with_jsonschema_on_product_shaped_data(document):
    for node in yaml.compose_all(yaml.safe_dump(document, allow_unicode=True)):
        _agree("product", convert(node, PRODUCT_TYPED, METAFIELD_FREE).data)


def test_agrees_with_jsonschema_on_every_broken_catalog():
    files = sorted(CASES.glob("*/**/*.yaml"))
    assert len(files) > 30
    for file in files:
        settings_file = file.name == "catalog.yaml"
        for doc in load_file(file, str(file)).documents:
            if settings_file:
                _agree("catalog", convert(doc.node, SETTINGS_TYPED).data)
            else:
                _agree("product", convert(doc.node, PRODUCT_TYPED, METAFIELD_FREE).data)


NEWLINE_CASES = [
    {"variants": [{"price": "9.5\n"}]},
    {"variants": [{"price": "9", "compare_at_price": "9" * 20 + ".5\n"}]},
    {"variants": [{"cost": "1\n", "weight": {"value": "1\n", "unit": "GRAMS"}}]},
    {"metafields": [{"namespace": "custom\n", "key": "xy", "type": "boolean", "value": True}]},
    {"metafields": [{"namespace": "custom", "key": "xy\n", "type": "boolean", "value": True}]},
]


@pytest.mark.parametrize("extra", NEWLINE_CASES)
def test_a_trailing_newline_fails_both_checks(extra):
    document = {"handle": "a", "title": "A", "variants": [{"price": "1"}], **extra}
    assert not quick_check("product")(document)
    _agree("product", document)
    _agree("product", json.loads(json.dumps(document).replace("\\n", "")))  # valid without


def test_an_api_version_with_a_trailing_newline_fails_both_checks():
    assert not quick_check("catalog")({"api_version": "2026-10\n"})
    _agree("catalog", {"api_version": "2026-10\n"})
    assert quick_check("catalog")({"api_version": "2026-10"})


def test_every_schema_pattern_ends_before_a_final_newline():
    """Python's `$` also matches before a final newline (jsonschema uses re.search): every
    pattern ends with `$(?!\\n)`, which means the very end in Python and in ECMA-262 alike."""
    patterns = re.findall(r'"pattern": ("(?:[^"\\\\]|\\\\.)*")', _schema_texts())
    assert len(patterns) >= 5
    for pattern in map(json.loads, patterns):
        assert pattern.endswith("$(?!\\n)"), pattern


def _schema_texts() -> str:
    root = Path(__file__).resolve().parents[2]
    return "".join(p.read_text(encoding="utf-8") for p in sorted(root.glob("schemas/*.json")))


def test_unknown_keywords_are_left_to_jsonschema():
    with pytest.raises(NotImplementedError):
        compile_check({"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}]}}})


def test_keywords_apply_only_to_their_kind_of_value():
    check = compile_check(
        {"minLength": 2, "minItems": 2, "required": ["a"], "pattern": "^x", "minimum": 3}
    )
    assert check(5) and check(True) and check(None) and check("xy") and check([1, 2])
    assert not check(2) and not check("x") and not check("yy") and not check({})
    assert check({"a": 1}) and not check([1])
