"""Plan, write the plan's own calls, plan again: the fixpoint a catalog that validates must reach.

`write_plan` sends the plan's calls with apply's own executor (`apply/sync.run_changes`, what
`catalog apply` runs after asking) through a ShopifyClient to the store the plan was made
against. Nothing here knows the store is the sandbox, except `set_currency` (the sandbox's
control endpoint).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from reconciler.apply.sync import run_changes
from reconciler.catalog.settings import Settings
from reconciler.plan.model import Plan
from reconciler.planning import PlanOptions, make_plan
from reconciler.sandbox.testing import SandboxHandle
from reconciler.shopify import store as stores
from reconciler.shopify.client import ShopifyClient


def plan_of(sandbox: SandboxHandle, root: Path) -> Plan:
    return make_plan(PlanOptions(catalog_dir=root, store=sandbox.url), {}).plan


def write_plan(sandbox: SandboxHandle, plan: Plan) -> None:
    """Send every change's calls, in order, through the client: what apply will do."""
    config = stores.resolve(sandbox.url, {}, Settings())
    asyncio.run(_write(config, plan))


async def _write(config: stores.ClientConfig, plan: Plan) -> None:
    async with ShopifyClient(config) as client:
        outcomes = await run_changes(client, plan.changes)
    failed = [(o.handle, o.error) for o in outcomes if not o.ok]
    assert not failed, failed


def pending(plan: Plan) -> dict[str, Any]:
    """Every change that would still write something (no-op excluded), with its diff."""
    return {
        c.handle: (c.action, [(d.path, d.before, d.after) for d in c.diff])
        for c in plan.changes
        if c.action != "no-op"
    }


def set_currency(sandbox: SandboxHandle, code: str) -> None:
    answer = sandbox.control("shop", {"currency_code": code})
    assert answer.status == 200, answer.text


def raw_product_set(sandbox: SandboxHandle, variables: dict[str, Any]) -> dict[str, Any]:
    """A productSet someone else sends (an admin edit), not one of the plan's calls."""
    query = """mutation Edit($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
      productSet(identifier: $identifier, input: $input) {
        product { id } userErrors { field message code }
      }
    }"""
    answer = sandbox.graphql(query, variables)
    assert answer.status == 200 and not answer.json.get("errors"), answer.text
    payload = answer.json["data"]["productSet"]
    assert not payload["userErrors"], payload
    return payload
