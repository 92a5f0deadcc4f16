"""The ownership marker: round trip, tolerance (never raises), what it records, its size."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_builders import product

from reconciler import TOOL_NAME
from reconciler.model import Marker, Media, Metafield, Variant


def test_round_trip_keeps_every_field():
    desired = product(
        publications=frozenset({"Online Store"}),
        media=(Media("https://cdn.example.com/a.jpg", "A"), Media("b.jpg")),
        variants=(
            Variant(
                options=(("Size", "S"),),
                price="1",
                metafields=(Metafield("custom", "fit", "single_line_text_field", "slim"),),
            ),
            Variant(options=(("Size", "M"),), price="1", barcode="9"),
        ),
    )
    marker = Marker.for_product(
        desired, "main", {"https://cdn.example.com/a.jpg": "gid://shopify/MediaImage/7", "x": "y"}
    )
    again, problem = Marker.from_json(marker.to_json())
    assert problem is None and again == marker
    assert marker.tool == TOOL_NAME and marker.catalog == "main"
    assert marker.last_applied == desired.content_hash()
    assert marker.tags == {"cotton", "summer"}
    assert marker.metafields == {"custom.material"}
    assert marker.variant_metafields == {"custom.fit"}
    assert marker.variant_keys == {"price", "barcode"}
    assert marker.publications == {"Online Store"}
    assert marker.media == ("https://cdn.example.com/a.jpg", "b.jpg")
    # only media the product still has are recorded
    assert marker.media_id_map == {"https://cdn.example.com/a.jpg": "gid://shopify/MediaImage/7"}
    assert set(marker.field_hashes) == desired.managed_keys()


def test_json_is_compact_and_versioned():
    data = json.loads(Marker.for_product(product(), "main").to_json())
    assert data["format"] == 1 and data["tool"] == TOOL_NAME
    assert set(data) == {"format", "tool", "catalog", "last_applied", "managed", "media_ids"}


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (None, "no marker"),
        ("", "no marker"),
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"tool": "someone-else", "format": 1}', "another tool"),
        (json.dumps({"tool": TOOL_NAME, "format": 2, "catalog": "x"}), "format 2"),
        (json.dumps({"tool": TOOL_NAME, "format": 1}), "malformed"),
        (
            json.dumps(
                {
                    "tool": TOOL_NAME,
                    "format": 1,
                    "catalog": "x",
                    "last_applied": "h",
                    "managed": {"tags": "not-a-list"},
                }
            ),
            "malformed",
        ),
        (
            json.dumps(
                {
                    "tool": TOOL_NAME,
                    "format": 1,
                    "catalog": "x",
                    "last_applied": "h",
                    "managed": [],
                    "media_ids": {"a": 1},
                }
            ),
            "malformed",
        ),
    ],
)
def test_unreadable_or_foreign_markers_parse_to_none_with_a_reason(text, why):
    marker, problem = Marker.from_json(text)
    assert marker is None
    assert why in problem


def test_a_large_catalog_product_marker_stays_well_under_the_json_cap():
    tags = frozenset(f"tag-{i:03}-" + "x" * 40 for i in range(250))
    metafields = tuple(
        Metafield("custom", f"key_{i:03}", "single_line_text_field", "v") for i in range(200)
    )
    marker = Marker.for_product(product(tags=tags, metafields=metafields), "main")
    assert len(marker.to_json().encode()) < 128 * 1024 // 2


MANAGED = ["keys", "fields", "variant_keys", "tags", "metafields", "publications", "media"]
ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(
                        [
                            "format",
                            "tool",
                            "catalog",
                            "last_applied",
                            "managed",
                            "keys",
                            "tags",
                            "fields",
                            "media",
                            "media_ids",
                            "x",
                        ]
                    ),
                    inner,
                    max_size=5,
                )
            ),
            max_leaves=15,
        ).map(json.dumps),
        st.just("[" * 100_000),
        st.fixed_dictionaries(
            {"tool": st.just(TOOL_NAME), "format": st.just(1)},
            optional={
                "catalog": ANY,
                "last_applied": ANY,
                "managed": ANY | st.dictionaries(st.sampled_from(MANAGED), ANY, max_size=4),
                "media_ids": ANY,
            },
        ).map(json.dumps),
    )
)
def test_from_json_never_raises(text):
    marker, problem = Marker.from_json(text)
    assert (marker is None) != (problem is None)


def test_a_local_files_hash_is_recorded_and_read_back_and_absent_for_urls():
    url = Media("https://cdn.example.com/a.jpg", "A")
    local = Media("images/b.jpg", "B", sha256="0123456789abcdef")
    with_file = Marker.for_product(product(media=(url, local)), "main")
    again, problem = Marker.from_json(with_file.to_json())
    assert problem is None and again.media_sha256_map == {"images/b.jpg": "0123456789abcdef"}
    # A catalog without local files writes the marker exactly as before (no new key).
    only_url = Marker.for_product(product(media=(url,)), "main").to_json()
    assert "media_sha256" not in json.loads(only_url)
