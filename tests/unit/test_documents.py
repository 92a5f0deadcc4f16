"""documents.load: shared fragments appended to the documents that spread them, cost estimates
unchanged by the move to fragments, and bulk texts sent with every fragment inlined."""

from __future__ import annotations

import pytest
from graphql import FragmentDefinitionNode, FragmentSpreadNode, parse, visit
from graphql.language import Visitor

from reconciler.errors import ShopifyError
from reconciler.shopify import documents
from reconciler.shopify.live import bulk_products_query

SIZES = {
    "first": 7,
    "variants": 30,
    "media": 3,
    "metafields": 12,
    "variantMetafields": 5,
    "publications": 6,
}

# Measured on aabafd1.. (faa7dbc), before the selections moved into fragments/.
BEFORE = {
    "BulkMarkers": (4.0, 4.0),
    "BulkProducts": (22.0, 22.0),
    "ProductMediaPage": (203.0, 17.0),
    "ProductMetafieldsPage": (253.0, 10.0),
    "ProductPublicationsPage": (153.0, 24.0),
    "ProductVariantsPage": (553.0, 94.0),
    "ProductsPage": (642.0, 3558.0),
    "ProductsRead": (622.0, 3075.0),
    "VariantMetafieldsPage": (253.0, 10.0),
}


def fragment_defs(text: str) -> list[str]:
    return [d.name.value for d in parse(text).definitions if isinstance(d, FragmentDefinitionNode)]


def spreads(text: str) -> list[str]:
    found: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_):
            found.append(node.name.value)

    visit(parse(text), Spreads())
    return found


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_cost_estimates_are_the_same_as_before_fragments(name):
    document = documents.load(name)
    got = (documents.estimate_cost(document, {}), documents.estimate_cost(document, SIZES))
    assert got == BEFORE[name]


@pytest.mark.parametrize("name", documents.names())
def test_every_document_sent_defines_each_fragment_it_spreads_once(name):
    text = documents.load(name).query
    defined = fragment_defs(text)
    assert len(defined) == len(set(defined))
    assert set(spreads(text)) == set(defined)


def test_fragments_are_appended_transitively(tmp_path, monkeypatch):
    (tmp_path / "Outer.graphql").write_text("fragment Outer on Product { id ...Inner }")
    (tmp_path / "Inner.graphql").write_text("fragment Inner on Product { handle }")
    monkeypatch.setattr(documents, "FRAGMENT_DIR", tmp_path)
    documents.fragment.cache_clear()
    try:
        ast = documents.with_fragments(parse("query Q { product(id: 1) { ...Outer ...Inner } }"))
    finally:
        documents.fragment.cache_clear()
    names = [d.name.value for d in ast.definitions if isinstance(d, FragmentDefinitionNode)]
    assert names == ["Outer", "Inner"]


def test_a_missing_fragment_is_named():
    with pytest.raises(ShopifyError, match="NoSuchFields"):
        documents.with_fragments(parse("query Q { shop { ...NoSuchFields } }"))


def test_inlining_splices_fragments_and_merges_identical_fields():
    text = documents.inline_fragments(
        "query Q { products { edges { node { ...ProductMarker ...Extra id } } } }\n"
        "fragment Extra on Product { id handle }"
    )
    assert "fragment" not in text and "..." not in text
    op = parse(text).definitions[0]
    node = op.selection_set.selections[0].selection_set.selections[0].selection_set.selections[0]
    fields = [(f.alias or f.name).value for f in node.selection_set.selections]
    assert fields == ["marker", "id", "handle"]  # `id` once, though Extra and the node select it


def test_bulk_texts_hold_no_fragment_and_the_same_fields_as_the_operation():
    text, pubs, refs = bulk_products_query(["gid://shopify/Publication/1"], ["custom.fit"])
    assert "fragment" not in text and "...MetafieldFields" not in text
    assert list(pubs) == ["pub0"] and refs == ("vmf0",)
    assert 'vmf0: metafield(namespace: "custom", key: "fit") {\n' in text
    inlined = documents.inline_fragments(documents.load("BulkProducts").query)
    assert documents.estimate_cost(documents.load("BulkProducts"), {}) == 22.0
    assert "fragment" not in inlined
