"""Audit of issue 3, item 3 ("any further mutation the client comes to use"): every GraphQL
document the client sends validates against the sandbox's 2026-10 schema, so the sandbox serves
each operation the client uses (tests/contract holds them against Shopify's own schema). Checked
as sent: with the shared fragments appended (documents.load)."""

from __future__ import annotations

import pytest
from graphql import validate

from reconciler.sandbox.schema import load_schema
from reconciler.shopify import documents


@pytest.mark.parametrize("name", documents.names())
def test_client_document_is_served_by_the_sandbox(name):
    problems = validate(load_schema("2026-10"), documents.load(name).ast)
    assert [p.message for p in problems] == []
