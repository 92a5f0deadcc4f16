"""compare on the lists shared with others: media, variant metafields, unread publications."""

from __future__ import annotations

from dataclasses import replace

from plan_builders import CATALOG, calls, live, product

from reconciler.model import LiveMedia, Marker, Media, Metafield, Variant
from reconciler.plan.compare import compare

FRONT, BACK = "https://cdn.example.com/front.jpg", "https://cdn.example.com/back.jpg"


def one(desired, current):
    plan = compare({desired.handle: desired}, {current.handle: current}, catalog_name=CATALOG)
    return plan.changes[0]


def applied_with_media(media_ids: dict[str, str]):
    applied = product(media=(Media(FRONT, "Front"), Media(BACK, "Back")))
    marker = Marker.for_product(applied, CATALOG, media_ids)
    return applied, marker


def test_media_kept_by_id_alt_change_and_detach_of_ours_only():
    applied, marker = applied_with_media({FRONT: "gid://m/1", BACK: "gid://m/2"})
    theirs = LiveMedia("gid://m/9", "Lifestyle")
    current = live(
        applied,
        marker=marker,
        media=(LiveMedia("gid://m/1", "Front"), LiveMedia("gid://m/2", "Back"), theirs),
    )
    assert one(applied, current).action == "no-op"
    desired = product(media=(Media(FRONT, "Front view"),))
    change = one(desired, current)
    assert {c.path: (c.before, c.after) for c in change.diff} == {
        f"media[{BACK}]": ({"alt": "Back"}, None),
        f"media[{FRONT}].alt": ("Front", "Front view"),
    }
    assert [(d.kind, d.name, d.id) for d in change.child_deletions] == [
        ("media", BACK, "gid://m/2")
    ]
    files = calls(change, "FileUpdate")[0]["files"]
    assert files == [
        {"id": "gid://m/1", "alt": "Front view"},
        {"id": "gid://m/2", "referencesToRemove": ["gid://shopify/Product/1"]},
    ]
    assert "gid://m/9" not in str(change.mutation)
    assert calls(change, "ProductUpdateMedia") == []


def test_media_deleted_in_the_admin_is_added_again():
    applied, marker = applied_with_media({FRONT: "gid://m/1", BACK: "gid://m/2"})
    current = live(applied, marker=marker, media=(LiveMedia("gid://m/1", "Front"),))
    change = one(applied, current)
    assert change.action == "update"
    added = calls(change, "ProductUpdateMedia")[0]["media"]
    assert added == [{"originalSource": BACK, "alt": "Back", "mediaContentType": "IMAGE"}]


def test_unmarked_product_media_are_matched_by_position():
    desired = product(media=(Media(FRONT, "Front"),))
    current = live(desired, marker=None, media=(LiveMedia("gid://m/5", "Front"),))
    change = one(desired, current)
    assert change.action == "adopt"
    assert any("by position" in w for w in change.warnings)
    marker, _ = Marker.from_json(calls(change, "MetafieldsSet")[-1]["metafields"][-1]["value"])
    assert marker.media_id_map == {FRONT: "gid://m/5"}


def test_dropped_variant_metafield_is_deleted_from_that_variant():
    fit = Metafield("custom", "fit", "single_line_text_field", "slim")
    theirs = Metafield("erp", "code", "single_line_text_field", "X1")
    applied = product(
        variants=(
            Variant(options=(("Size", "S"),), price="19.00", sku="TEE-S", metafields=(fit,)),
            Variant(options=(("Size", "M"),), price="19.00", sku="TEE-M"),
        )
    )
    desired = product()
    current = live(
        applied,
        applied=applied,
        variants=(replace(applied.variants[0], metafields=(fit, theirs)), applied.variants[1]),
    )
    change = one(desired, current)
    assert [(d.kind, d.name) for d in change.child_deletions] == [
        ("variant_metafield", "Size=S: custom.fit")
    ]
    assert calls(change, "MetafieldsDelete")[0]["metafields"] == [
        {"ownerId": "gid://shopify/ProductVariant/10", "namespace": "custom", "key": "fit"}
    ]
    assert "erp" not in str(change.diff) and calls(change, "ProductSet") == []


def test_publications_not_read_are_left_alone_with_a_warning():
    desired = product(publications=frozenset({"Online Store"}))
    current = live(desired, publications=None)
    change = one(desired, current)
    assert any("publications were not read" in w for w in change.warnings)
    assert calls(change, "PublishablePublish") == []


def test_unreadable_marker_is_replaced_with_a_warning():
    desired = product()
    current = replace(live(desired, marker=None), marker_problem="marker is not JSON (x)")
    change = one(desired, current)
    assert change.action == "adopt"
    assert any("will be replaced" in w for w in change.warnings)


def test_tags_not_read_are_never_sent():
    applied = product()
    desired = product(tags=frozenset({"new"}), title="T2")
    change = one(desired, live(applied, applied=applied, tags=None))
    assert any("tags were not read" in w for w in change.warnings)
    assert "tags" not in calls(change, "ProductSet")[0]["input"]
