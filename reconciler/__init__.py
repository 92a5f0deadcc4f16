"""Shopify product catalog as code: validate, plan and apply YAML against the Admin GraphQL API."""

__version__ = "0.1.0"
TOOL_NAME = "shopify-catalog-reconciler"
