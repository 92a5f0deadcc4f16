"""Which of a change's calls a bulk mutation line can carry (apply/bulk.py sends them; the estimate
in plan/estimate.py times them). Pure: it reads the calls the plan holds.

A bulk line runs one mutation with the variables written in the file, and its answer comes back
only when the whole operation has finished. So a call can go in bulk when everything it needs is
known before its phase starts: the product's id (from the plan, or from an earlier productSet
line of the same product) and nothing else the run learns. That holds for productSet without
`files` (a create that sets variant images needs the media ids its answer lists, for the marker),
metafieldsSet and metafieldsDelete. The first call that does not qualify, and every call after it,
goes sync, so the plan's order (the marker last) is kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.shopify.input import PRODUCT_ID

# operation -> (the bulk document sent as the mutation string, its payload field in results)
BULK_DOCUMENTS = {
    "ProductSet": ("ProductSetBulk", "productSet"),
    "MetafieldsSet": ("MetafieldsSetBulk", "metafieldsSet"),
    "MetafieldsDelete": ("MetafieldsDeleteBulk", "metafieldsDelete"),
}


def bulk_prefix(calls: Sequence[Mapping[str, Any]], product_id: str | None) -> int:
    """How many of `calls`, from the first, can be sent as bulk lines."""
    known = product_id is not None
    count = 0
    for call in calls:
        operation, variables = call.get("operation"), call.get("variables") or {}
        if operation not in BULK_DOCUMENTS:
            break
        text = json.dumps(variables)
        if operation == "ProductSet":
            if "{{" in text or (variables.get("input") or {}).get("files"):
                break
            known = True
        elif not known or "{{" in text.replace(PRODUCT_ID, ""):
            break
        count += 1
    return count
