"""`products(query:)` / `productsCount(query:)` with Shopify's search syntax, sortKey and reverse;
metafield terms filter only with an admin-filterable definition (fact sheet §10)."""

from __future__ import annotations

import pytest
from graphql_helper import Shopify, product_set

FIND = """query($q: String, $sort: ProductSortKeys, $rev: Boolean) {
  products(first: 50, query: $q, sortKey: $sort, reverse: $rev) { nodes { handle } }
  productsCount(query: $q) { count precision }
}"""


@pytest.fixture(scope="module")
def shop() -> Shopify:
    shop = Shopify()
    rows = [
        ("alpha-tee", "Alpha Tee", "ACTIVE", ["summer", "Cotton"], "Acme", "Shirts", "SKU-A"),
        ("beta-hoodie", "Beta Hoodie", "DRAFT", ["winter"], "Acme", "Hoodies", "SKU-B"),
        ("gamma-cap", "Gamma Cap", "ARCHIVED", ["summer"], "Other Co", "Hats", "SKU-C"),
        ("delta-sock", "Delta Sock", "UNLISTED", [], "Other Co", "Socks", "SKU-D"),
    ]
    for handle, title, status, tags, vendor, ptype, sku in rows:
        made = product_set(
            shop,
            {
                "handle": handle,
                "title": title,
                "status": status,
                "tags": tags,
                "vendor": vendor,
                "productType": ptype,
                "productOptions": [{"name": "Title", "values": [{"name": "Default Title"}]}],
                "variants": [
                    {"sku": sku, "optionValues": [{"optionName": "Title", "name": "Default Title"}]}
                ],
                "metafields": [
                    {
                        "namespace": "reconciler",
                        "key": "catalog",
                        "type": "single_line_text_field",
                        "value": "main" if handle != "gamma-cap" else "other",
                    }
                ],
            },
            {"handle": handle},
        )
        assert made["userErrors"] == []
    return shop


def handles(shop: Shopify, query: str | None, sort: str = "ID", rev: bool = False) -> list[str]:
    data = shop(FIND, {"q": query, "sort": sort, "rev": rev})
    found = [n["handle"] for n in data["products"]["nodes"]]
    assert data["productsCount"] == {"count": len(found), "precision": "EXACT"}
    return found


ALL = ["alpha-tee", "beta-hoodie", "gamma-cap", "delta-sock"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (None, ALL),
        ("handle:beta-hoodie", ["beta-hoodie"]),
        ("handle:alpha-tee,gamma-cap", ["alpha-tee", "gamma-cap"]),
        ("tag:summer", ["alpha-tee", "gamma-cap"]),
        ("tag:cotton", ["alpha-tee"]),
        ("-tag:summer", ["beta-hoodie", "delta-sock"]),
        ("tag_not:summer", ["beta-hoodie", "delta-sock"]),
        ("status:active", ["alpha-tee"]),
        ("status:draft,archived", ["beta-hoodie", "gamma-cap"]),
        ("vendor:'Other Co'", ["gamma-cap", "delta-sock"]),
        ('vendor:"Other Co" AND tag:summer', ["gamma-cap"]),
        ("product_type:hats", ["gamma-cap"]),
        ("title:hoodie", ["beta-hoodie"]),
        ("sku:SKU-C", ["gamma-cap"]),
        ("tag:winter OR status:archived", ["beta-hoodie", "gamma-cap"]),
        ("(tag:winter OR tag:summer) -status:archived", ["alpha-tee", "beta-hoodie"]),
        ("NOT vendor:Acme", ["gamma-cap", "delta-sock"]),
        ("id:>2", ["gamma-cap", "delta-sock"]),
        ("id:<=gid://shopify/Product/1", ["alpha-tee"]),
        ("sock", ["delta-sock"]),
        ("no_such_field:x", ALL),
    ],
)
def test_query_terms(shop, query, expected):
    assert handles(shop, query) == expected


def test_metafield_term_is_ignored_without_admin_filterable_definition():
    shop = Shopify()
    for handle, value in (("ours", "main"), ("theirs", "other")):
        product_set(
            shop,
            {
                "title": handle,
                "metafields": [
                    {
                        "namespace": "reconciler",
                        "key": "catalog",
                        "type": "single_line_text_field",
                        "value": value,
                    }
                ],
            },
            {"handle": handle},
        )
    query = "metafields.reconciler.catalog:main"
    assert handles(shop, query) == ["ours", "theirs"]  # unfiltered, as Shopify does
    shop("""mutation { metafieldDefinitionCreate(definition: {name: "Catalog",
      namespace: "reconciler", key: "catalog", type: "single_line_text_field",
      ownerType: PRODUCT}) { userErrors { code } } }""")
    assert handles(shop, query) == ["ours", "theirs"]  # defined, but not admin-filterable
    shop2 = Shopify()
    shop2("""mutation { metafieldDefinitionCreate(definition: {name: "Catalog",
      namespace: "reconciler", key: "catalog", type: "single_line_text_field", ownerType: PRODUCT,
      capabilities: {adminFilterable: {enabled: true}}}) { userErrors { code } } }""")
    for handle, value in (("ours", "main"), ("theirs", "other")):
        product_set(
            shop2,
            {
                "title": handle,
                "metafields": [{"namespace": "reconciler", "key": "catalog", "value": value}],
            },
            {"handle": handle},
        )
    assert handles(shop2, query) == ["ours"]


def test_updated_at_range(shop):
    stamps = shop("{ products(first: 10) { nodes { handle updatedAt } } }")["products"]["nodes"]
    third = stamps[2]["updatedAt"]
    assert handles(shop, f"updated_at:>='{third}'") == ["gamma-cap", "delta-sock"]
    assert handles(shop, f"updated_at:<{third}") == ["alpha-tee", "beta-hoodie"]


@pytest.mark.parametrize(
    ("sort", "rev", "expected"),
    [
        ("TITLE", False, ["alpha-tee", "beta-hoodie", "delta-sock", "gamma-cap"]),
        ("TITLE", True, ["gamma-cap", "delta-sock", "beta-hoodie", "alpha-tee"]),
        ("ID", True, list(reversed(ALL))),
        ("VENDOR", False, ["alpha-tee", "beta-hoodie", "gamma-cap", "delta-sock"]),
        ("UPDATED_AT", True, list(reversed(ALL))),
    ],
)
def test_sort_keys(shop, sort, rev, expected):
    assert handles(shop, None, sort, rev) == expected


def test_products_count_limit_and_precision(shop):
    data = shop(
        "{ a: productsCount(limit: 2) { count precision } "
        "b: productsCount(limit: null) { count precision } }"
    )
    assert data["a"] == {"count": 2, "precision": "AT_LEAST"}
    assert data["b"] == {"count": 4, "precision": "EXACT"}
