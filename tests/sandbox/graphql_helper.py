"""Run raw GraphQL against a fresh sandbox store the way a Shopify user would send it: parse and
validate with graphql-core against the sandbox's schema, then execute with the sandbox resolvers."""

from __future__ import annotations

from typing import Any

from graphql import parse, validate

from reconciler.sandbox.resolvers import execute
from reconciler.sandbox.schema import load_schema
from reconciler.sandbox.state import Store, fixed_clock


class Shopify:
    def __init__(self, api_version: str = "2026-10") -> None:
        self.store = Store(clock=fixed_clock())
        self.api_version = api_version

    def raw(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The response body: {"data": ..., "errors": [...]} (errors only when present)."""
        schema = load_schema(self.api_version)
        document = parse(query)
        problems = validate(schema, document)
        if problems:
            return {"errors": [{"message": p.message} for p in problems]}
        result = execute(self.store, schema, document, variables, None, self.api_version)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [{"message": e.message, "path": e.path} for e in result.errors]
        return body

    def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data of a request that must not fail at the GraphQL level."""
        body = self.raw(query, variables)
        assert "errors" not in body, body["errors"]
        return body["data"]


PRODUCT_SET = """
mutation Set($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier) {
    product {
      id handle title status tags vendor productType descriptionHtml createdAt updatedAt
      options { id name position values optionValues { id name hasVariants } }
      variants(first: 50) {
        nodes {
          id title price compareAtPrice sku position
          selectedOptions { name value }
          inventoryItem { id tracked measurement { weight { value unit } } }
          inventoryQuantity
          metafields(first: 10) { nodes { namespace key type value } }
        }
      }
      metafields(first: 20) { nodes { id namespace key type value compareDigest } }
    }
    userErrors { field message code }
  }
}
"""


def product_set(shop: Shopify, input: dict[str, Any], identifier: dict | None = None) -> dict:
    data = shop(PRODUCT_SET, {"input": input, "identifier": identifier})
    return data["productSet"]


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]
