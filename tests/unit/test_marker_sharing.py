"""Markers read from a store share their repeated parts (memory of a 100,000-product plan)."""

from __future__ import annotations

from reconciler.model import Marker, Metafield, Option, Product, Variant


def product(handle: str, price: str) -> Product:
    return Product(
        handle=handle,
        title=handle,
        tags=frozenset({"a", "b"}),
        options=(Option("Size", ("S",)),),
        variants=(Variant(options=(("Size", "S"),), price=price),),
        metafields=(Metafield("custom", "x", "single_line_text_field", "y"),),
    )


def test_markers_read_back_share_key_sets_but_keep_their_own_values():
    one, _ = Marker.from_json(Marker.for_product(product("one", "1"), "shop").to_json())
    two, _ = Marker.from_json(Marker.for_product(product("two", "2"), "shop").to_json())
    assert one.keys is two.keys and one.metafields is two.metafields and one.tags is two.tags
    assert [k for k, _ in one.fields] == [k for k, _ in two.fields]
    assert all(a is b for (a, _), (b, _) in zip(one.fields, two.fields, strict=True))
    assert one.last_applied != two.last_applied and one.field_hashes != two.field_hashes
    assert one == Marker.for_product(product("one", "1"), "shop")
