"""An amount with more decimals than the store's currency can never settle (Shopify rounds it):
plan refuses it at its file and line, per the shop's currency (issue 9, item 5)."""

from __future__ import annotations

import pytest
from convergence_helpers import plan_of, set_currency
from plan_scenario_helpers import write_catalog

from reconciler.errors import CatalogError


def product(price: str) -> dict:
    return {"handle": "tee", "title": "Tee", "variants": [{"price": price, "sku": "T"}]}


@pytest.mark.parametrize(
    ("currency", "price", "refused"),
    [("USD", "10.005", True), ("USD", "10.50", False), ("JPY", "1000.5", True),
     ("JPY", "1000", False), ("KWD", "1.125", False), ("KWD", "1.1255", True)],
)  # fmt: skip
def test_more_decimals_than_the_currency_has_is_a_plan_error_at_the_line(
    sandbox, no_store_env, currency, price, refused
):
    root = write_catalog(no_store_env / "catalog", [product(price)])
    set_currency(sandbox, currency)
    if not refused:
        assert plan_of(sandbox, root).changes[0].action == "create"
        return
    with pytest.raises(CatalogError) as caught:
        plan_of(sandbox, root)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "products/tee.yaml:" in text and currency in text, text
