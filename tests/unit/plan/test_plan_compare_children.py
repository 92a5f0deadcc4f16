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


CDN = "https://cdn.shopify.com/s/files/1/0000/0001/files/"


def adopted_ids(change) -> dict[str, str]:
    marker, _ = Marker.from_json(calls(change, "MetafieldsSet")[-1]["metafields"][-1]["value"])
    return marker.media_id_map


def test_unmarked_product_media_with_the_same_file_name_are_adopted():
    desired = product(media=(Media(FRONT, "Front"),))
    theirs = LiveMedia("gid://m/4", "Lifestyle", f"{CDN}lifestyle.jpg?v=1")
    ours = LiveMedia("gid://m/5", "Front", f"{CDN}front.jpg?v=1700000000")
    change = one(desired, live(desired, marker=None, media=(theirs, ours)))
    assert (change.action, change.diff) == ("adopt", ())
    assert adopted_ids(change) == {FRONT: "gid://m/5"}


def test_unmarked_product_with_another_image_at_the_same_position_is_a_media_change():
    desired = product(media=(Media(FRONT, "Front"),))
    other = LiveMedia("gid://m/5", "Front", f"{CDN}back.jpg?v=1")
    change = one(desired, live(desired, marker=None, media=(other,)))
    assert change.action == "update"
    assert [(c.path, c.before, c.after) for c in change.diff] == [
        (f"media[{FRONT}]", None, {"alt": "Front"})
    ]
    assert calls(change, "ProductUpdateMedia")[0]["media"] == [
        {"originalSource": FRONT, "alt": "Front", "mediaContentType": "IMAGE"}
    ]
    assert "gid://m/5" not in str(change.mutation)  # not ours: neither bound nor detached
    assert change.child_deletions == ()


def test_unmarked_media_binding_follows_file_names_not_positions():
    desired = product(media=(Media(FRONT, "Front"), Media(BACK, "Back")))
    swapped = (
        LiveMedia("gid://m/7", "Back", f"{CDN}back.jpg?v=1"),
        LiveMedia("gid://m/8", "Front", f"{CDN}front.jpg?v=1"),
    )
    change = one(desired, live(desired, marker=None, media=swapped))
    # Media order is not managed (the views key media by src): a reorder is no change.
    assert (change.action, change.diff) == ("adopt", ())
    assert adopted_ids(change) == {FRONT: "gid://m/8", BACK: "gid://m/7"}


def test_unmarked_media_same_name_another_alt_is_bound_and_the_alt_changes():
    desired = product(media=(Media(FRONT, "Front"),))
    media = (
        LiveMedia("gid://m/4", "Old", f"{CDN}other.jpg"),
        LiveMedia("gid://m/5", "Old", f"{CDN}front.jpg"),
    )
    current = live(desired, marker=None, media=media)
    change = one(desired, current)
    assert [(c.path, c.before, c.after) for c in change.diff] == [
        (f"media[{FRONT}].alt", "Old", "Front")
    ]
    assert calls(change, "FileUpdate")[0]["files"] == [{"id": "gid://m/5", "alt": "Front"}]


def test_unmarked_media_names_fold_only_what_shopify_rewrites():
    uuid = "0b6a5a1c-3d2e-4f7a-9c1b-2e5d8f0a7b36"
    cases = {
        f"{CDN}front_{uuid}.jpg?v=1": True,  # APPEND_UUID on a name in use
        f"{CDN}Front.JPG": True,
        f"{CDN}front_1.jpg": False,  # no such suffix is documented
        f"{CDN}front.png": False,
        f"{CDN}front-2.jpg": False,
        None: False,  # still processing: no URL yet
    }
    for url, same in cases.items():
        desired = product(media=(Media(FRONT, "Front"),))
        current = live(desired, marker=None, media=(LiveMedia("gid://m/5", "Front", url),))
        assert (one(desired, current).action == "adopt") is same, url
    # a source without extension: Shopify adds one (the packt CSV pair)
    bare = "https://images.example.com/photo-1494438639946-1ebd1d20bf85?w=750"
    desired = product(media=(Media(bare, None),))
    url = f"{CDN}photo-1494438639946-1ebd1d20bf85.jpg?v=1623104890"
    current = live(desired, marker=None, media=(LiveMedia("gid://m/5", None, url),))
    assert one(desired, current).action == "adopt"


def test_unmarked_media_still_processing_cannot_be_matched_so_the_product_waits():
    # It may be the image an interrupted apply created: adding it again would duplicate it.
    desired = product(media=(Media(FRONT, "Front"),))
    processing = LiveMedia("gid://m/5", "Front", None)
    change = one(desired, live(desired, marker=None, media=(processing,)))
    assert (change.action, change.mutation) == ("no-op", None)
    assert any("still being processed" in w for w in change.warnings)
    matched = (LiveMedia("gid://m/6", "Front", f"{CDN}front.jpg"), processing)
    change = one(desired, live(desired, marker=None, media=matched))
    assert (change.action, change.warnings) == ("adopt", ())


def test_marked_product_media_identity_stays_the_marker_ids():
    applied, marker = applied_with_media({FRONT: "gid://m/1", BACK: "gid://m/2"})
    # the CDN names do not matter once the marker records the ids
    current = live(
        applied,
        marker=marker,
        media=(
            LiveMedia("gid://m/1", "Front", f"{CDN}renamed.jpg"),
            LiveMedia("gid://m/2", "Back", f"{CDN}front.jpg"),
        ),
    )
    assert one(applied, current).action == "no-op"


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


def test_a_local_file_replaced_under_its_name_is_added_again_and_the_old_image_detached():
    local = "images/front.jpg"
    applied = product(media=(Media(local, "Front", sha256="aaaaaaaaaaaaaaaa"),))
    marker = Marker.for_product(applied, CATALOG, {local: "gid://m/1"})
    current = live(applied, marker=marker, media=(LiveMedia("gid://m/1", "Front"),))
    assert one(applied, current).action == "no-op"
    replaced = product(media=(Media(local, "Front", sha256="bbbbbbbbbbbbbbbb"),))
    change = one(replaced, current)
    assert {c.path: (c.before, c.after) for c in change.diff} == {
        f"media[{local}].sha256": ("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb")
    }
    added = calls(change, "ProductUpdateMedia")[0]["media"]
    assert added == [{"originalSource": local, "alt": "Front", "mediaContentType": "IMAGE"}]
    files = calls(change, "FileUpdate")[0]["files"]
    assert files == [{"id": "gid://m/1", "referencesToRemove": ["gid://shopify/Product/1"]}]
    assert [(d.kind, d.name, d.id) for d in change.child_deletions] == [
        ("media", local, "gid://m/1")
    ]
    # The same file under an unchanged name and alt: nothing to do, even without a recorded hash.
    unhashed = replace(marker, media_sha256=())
    again = live(applied, marker=unhashed, media=(LiveMedia("gid://m/1", "Front"),))
    assert one(applied, again).action == "no-op"
