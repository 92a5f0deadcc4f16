"""The compiled schema check agrees with jsonschema: never laxer (a wrong yes would hide a
problem), and on product-shaped data not stricter either (a wrong no only costs time)."""

from __future__ import annotations

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
