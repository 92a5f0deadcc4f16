"""Audit of issue 3, item 3 ("any further mutation the client comes to use"): every GraphQL
document the client sends validates against the sandbox's 2026-10 schema, so the sandbox serves
each operation the client uses (tests/contract holds them against Shopify's own schema)."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

import reconciler.shopify
from reconciler.sandbox.schema import load_schema

DOCUMENTS = sorted((Path(reconciler.shopify.__file__).parent / "graphql").glob("*.graphql"))


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_client_document_is_served_by_the_sandbox(path):
    problems = validate(load_schema("2026-10"), parse(path.read_text()))
    assert [p.message for p in problems] == []
