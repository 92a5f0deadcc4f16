"""compare(desired, live) -> Plan: actions, reasons, three-way absence, ownership, removals."""

from __future__ import annotations

from dataclasses import replace

import pytest
from plan_builders import CATALOG, calls, live, product

from reconciler.model import Marker, Metafield, Option, Variant
from reconciler.plan.compare import compare
from reconciler.plan.estimate import call_cost
from reconciler.shopify.input import PRODUCT_ID, variant_placeholder


def plan_of(desired, live_products, **kw):
    kw.setdefault("catalog_name", CATALOG)
    return compare({p.handle: p for p in desired}, {x.handle: x for x in live_products}, **kw)


def only(plan):
    assert len(plan.changes) == 1, plan.changes
    return plan.changes[0]


def paths(change):
    return {c.path: (c.before, c.after) for c in change.diff}


def test_create_when_not_in_the_store():
    change = only(plan_of([product()], []))
    assert change.action == "create"
    ps = calls(change, "ProductSet")[0]
    assert ps["identifier"] == {"handle": "tee"}
    assert ps["input"]["title"] == "Classic Tee"
    assert change.mutation["calls"][-1]["operation"] == "MetafieldsSet"
    assert "title" in paths(change)
    assert change.cost.points > 10


def test_applied_product_is_a_noop_even_with_others_tags_and_metafields():
    desired = product()
    other = Metafield("reviews", "rating", "number_decimal", "4.5")
    current = live(desired, extra_tags=("sale",), extra_metafields=(other,))
    plan = plan_of([desired], [current])
    assert only(plan).action == "no-op"
    assert not plan.has_changes


def test_phantom_differences_are_not_changes():
    desired = product()
    variants = tuple(replace(v, price="19.0") for v in desired.variants)  # 19.0 vs 19.00
    current = live(desired, variants=variants, tags=frozenset(["summer", "cotton"]))
    assert only(plan_of([desired], [current])).action == "no-op"


def test_catalog_edit_is_an_update_without_drift():
    applied = product()
    desired = product(title="Classic Tee v2")
    change = only(plan_of([desired], [live(applied, applied=applied)]))
    assert change.action == "update"
    assert paths(change)["title"] == ("Classic Tee", "Classic Tee v2")
    assert "drift" not in change.reason
    assert calls(change, "ProductSet")[0]["input"] == {"title": "Classic Tee v2"}


def test_admin_edit_of_a_managed_field_is_drift():
    desired = product()
    change = only(plan_of([desired], [live(desired, title="Edited in admin")]))
    assert change.action == "update"
    assert "drift: title" in change.reason
    assert [c.drift for c in change.diff if c.path == "title"] == [True]


def test_matching_product_without_marker_is_adopted():
    desired = product()
    plan = plan_of([desired], [live(desired, marker=None)])
    change = only(plan)
    assert change.action == "adopt"
    assert [c["operation"] for c in change.mutation["calls"]] == ["MetafieldsSet"]
    marker, _ = Marker.from_json(calls(change, "MetafieldsSet")[0]["metafields"][-1]["value"])
    assert marker.catalog == CATALOG
    assert not plan.has_changes
    assert plan.unmanaged_count == 0


def test_unmarked_product_that_differs_is_an_update():
    desired = product()
    change = only(plan_of([desired], [live(desired, marker=None, vendor="Other")]))
    assert change.action == "update"
    assert "not yet marked" in change.reason


def test_dropped_tag_is_removed_only_if_we_set_it():
    applied = product(tags=frozenset({"cotton", "summer"}))
    desired = product(tags=frozenset({"cotton"}))
    current = live(applied, applied=applied, extra_tags=("sale",))
    change = only(plan_of([desired], [current]))
    assert paths(change)["tags"] == (["cotton", "summer"], ["cotton"])
    assert [(d.kind, d.name) for d in change.child_deletions] == [("tag", "summer")]
    assert calls(change, "ProductSet")[0]["input"]["tags"] == ["cotton", "sale"]


def test_tags_never_managed_are_left_alone():
    desired = product(tags=None)
    current = live(desired, extra_tags=("whatever",))
    assert only(plan_of([desired], [current])).action == "no-op"


def test_explicit_empty_tags_removes_ours_keeps_theirs():
    applied = product()
    desired = product(tags=frozenset())
    change = only(plan_of([desired], [live(applied, applied=applied, extra_tags=("sale",))]))
    assert calls(change, "ProductSet")[0]["input"]["tags"] == ["sale"]
    assert {d.name for d in change.child_deletions if d.kind == "tag"} == {"cotton", "summer"}


def test_dropped_metafield_deleted_others_kept_and_never_shown():
    applied = product()
    desired = product(metafields=None)
    other = Metafield("reviews", "rating", "number_decimal", "4.5")
    change = only(plan_of([desired], [live(applied, applied=applied, extra_metafields=(other,))]))
    assert paths(change) == {"metafields.custom.material": ("Cotton", None)}
    deletes = calls(change, "MetafieldsDelete")[0]["metafields"]
    assert deletes == [
        {"ownerId": "gid://shopify/Product/1", "namespace": "custom", "key": "material"}
    ]
    assert [(d.kind, d.name) for d in change.child_deletions] == [("metafield", "custom.material")]
    assert "reviews.rating" not in str(change.mutation)
    assert calls(change, "ProductSet") == []  # metafields never travel in productSet on update


def test_changed_metafield_goes_through_metafields_set_before_the_marker():
    applied = product()
    desired = product(
        metafields=(Metafield("custom", "material", "single_line_text_field", "Linen"),)
    )
    change = only(plan_of([desired], [live(applied, applied=applied)]))
    batch = calls(change, "MetafieldsSet")[-1]["metafields"]
    assert [(m["namespace"], m["key"], m["value"]) for m in batch[:-1]] == [
        ("custom", "material", "Linen")
    ]
    assert (batch[-1]["namespace"], batch[-1]["key"]) == ("catalog_reconciler", "marker")
    assert paths(change)["metafields.custom.material"] == ("Cotton", "Linen")


def test_dropped_publication_unpublished_others_kept():
    applied = product(publications=frozenset({"Online Store", "POS"}))
    desired = product(publications=frozenset({"Online Store"}))
    current = live(
        applied, applied=applied, publications=frozenset({"Online Store", "POS", "Shop"})
    )
    change = only(plan_of([desired], [current]))
    unpublish = calls(change, "PublishableUnpublish")[0]
    assert unpublish["input"] == [{"publicationId": "{{publication:POS}}"}]
    assert [(d.kind, d.name) for d in change.child_deletions] == [("publication", "POS")]
    assert calls(change, "PublishablePublish") == []


def test_dropped_optional_field_is_cleared_and_title_is_kept():
    applied = product()
    desired = product(vendor=None, title=None)
    change = only(plan_of([desired], [live(applied, applied=applied)]))
    assert paths(change) == {"vendor": ("Acme", "")}
    assert calls(change, "ProductSet")[0]["input"] == {"vendor": ""}


def test_title_dropped_alone_only_rewrites_the_marker():
    applied = product()
    desired = product(title=None)
    change = only(plan_of([desired], [live(applied, applied=applied)]))
    assert change.action == "update"
    assert "stopped managing title" in change.reason
    assert [c["operation"] for c in change.mutation["calls"]] == ["MetafieldsSet"]


def test_removal_only_for_this_catalogs_marker():
    mine = live(product("gone"), pid="1")
    theirs = live(product("theirs"), pid="2", marker=Marker("other", "sha256:x"))
    nobody = live(product("nobody"), pid="3", marker=None)
    plan = plan_of([], [mine, theirs, nobody])
    change = only(plan)
    assert (change.handle, change.action) == ("gone", "archive")
    assert calls(change, "ProductSet")[0] == {
        "identifier": {"id": "gid://shopify/Product/1"},
        "input": {"status": "ARCHIVED"},
    }
    assert plan.unmanaged_count == 2
    assert plan.removals_blocked_reason is None


def test_on_remove_delete_lists_every_variant():
    change = only(plan_of([], [live(product("gone"))], on_remove="delete"))
    assert change.action == "delete"
    assert [(d.kind, d.name) for d in change.child_deletions] == [
        ("product", "gone"),
        ("variant", "Size=S"),
        ("variant", "Size=M"),
    ]
    assert calls(change, "ProductDelete") == [{"id": "gid://shopify/Product/1"}]


def test_on_remove_ignore_plans_nothing():
    plan = plan_of([], [live(product("gone"))], on_remove="ignore")
    assert plan.changes == ()


def test_already_archived_product_is_not_archived_again():
    assert plan_of([], [live(product("gone"), status="archived")]).changes == ()


def test_incomplete_read_plans_no_removal_and_says_why():
    plan = plan_of(
        [], [live(product("gone"))], complete=False, incomplete_reason="bulk export failed"
    )
    assert plan.changes == ()
    assert "bulk export failed" in plan.removals_blocked_reason


def test_rename_from_previous_handle_keeps_the_product():
    old = product("basic-tee")
    desired = product("classic-tee", previous_handles=("basic-tee",))
    plan = plan_of([desired], [live(old, applied=old)])
    change = only(plan)
    assert (change.action, change.previous_handle) == ("rename", "basic-tee")
    assert paths(change)["handle"] == ("basic-tee", "classic-tee")
    ps = calls(change, "ProductSet")[0]
    assert ps["identifier"] == {"id": "gid://shopify/Product/1"}
    assert ps["input"]["handle"] == "classic-tee"
    assert ps["input"]["redirectNewHandle"] is True
    assert plan.has_changes


def test_previous_handle_of_another_catalog_is_not_taken():
    old = live(product("basic-tee"), marker=Marker("other", "sha256:x"))
    desired = product("classic-tee", previous_handles=("basic-tee",))
    plan = plan_of([desired], [old])
    change = only(plan)
    assert change.action == "create"
    assert "belongs to catalog 'other'" in change.warnings[0]
    assert plan.unmanaged_count == 1


def test_kept_variants_send_their_ids():
    applied = product()
    desired = product(
        variants=(
            Variant(options=(("Size", "S"),), price="19.00", sku="TEE-S"),
            Variant(options=(("Size", "M"),), price="21.00", sku="TEE-M"),
        )
    )
    change = only(plan_of([desired], [live(applied, applied=applied)]))
    assert paths(change) == {"variants[Size=M].price": ("19.00", "21.00")}
    variants = calls(change, "ProductSet")[0]["input"]["variants"]
    assert [v.get("id") for v in variants] == [
        "gid://shopify/ProductVariant/10",
        "gid://shopify/ProductVariant/11",
    ]
    assert variants[1]["price"] == "21.00"
    assert change.child_deletions == () and change.warnings == ()


def test_renamed_option_value_is_flagged_as_a_lost_variant_id():
    applied = product()
    desired = product(
        options=(Option("Size", ("S", "Medium")),),
        variants=(
            Variant(options=(("Size", "S"),), price="19.00", sku="TEE-S"),
            Variant(options=(("Size", "Medium"),), price="19.00", sku="TEE-M"),
        ),
    )
    change = only(plan_of([desired], [live(applied, applied=applied)]))
    assert [(d.kind, d.name, d.id) for d in change.child_deletions] == [
        ("variant", "Size=M", "gid://shopify/ProductVariant/11")
    ]
    assert any("cannot keep its id" in w for w in change.warnings)
    variants = calls(change, "ProductSet")[0]["input"]["variants"]
    assert "id" not in variants[1]


def test_removed_variant_is_listed():
    applied = product()
    desired = product(
        options=(Option("Size", ("S",)),),
        variants=(Variant(options=(("Size", "S"),), price="19.00", sku="TEE-S"),),
    )
    change = only(plan_of([desired], [live(applied, applied=applied)]))
    assert [(d.kind, d.name) for d in change.child_deletions] == [("variant", "Size=M")]
    assert change.warnings == ("variant [Size=M] (gid://shopify/ProductVariant/11) is deleted "
                               "with its inventory",)  # fmt: skip


def test_product_of_another_catalog_in_the_catalog_is_left_alone():
    desired = product()
    plan = plan_of([desired], [live(desired, marker=Marker("other", "sha256:x"), title="X")])
    change = only(plan)
    assert change.action == "no-op" and change.warnings
    assert plan.unmanaged_count == 1


def test_marker_of_a_newer_format_is_left_alone():
    desired = product()
    current = replace(live(desired, marker=None), marker_problem="marker format 2 is not 1")
    change = only(plan_of([desired], [current]))
    assert change.action == "no-op" and "newer tool" in change.reason


def test_truncated_live_read_is_not_compared():
    desired = product()
    change = only(plan_of([desired], [live(desired, complete=False, title="X")]))
    assert change.action == "no-op" and change.warnings


def test_changes_are_sorted_and_counted():
    a, b = product("b-tee"), product("a-tee")
    plan = plan_of([a, b], [live(product("z-gone"))])
    assert [c.handle for c in plan.changes] == ["a-tee", "b-tee", "z-gone"]
    assert plan.summary["create"] == 2 and plan.summary["archive"] == 1


def test_fingerprint_ignores_others_but_sees_managed_edits():
    applied = product()
    desired = product(title="New")
    base = only(plan_of([desired], [live(applied, applied=applied)]))
    other = Metafield("reviews", "rating", "number_decimal", "4.5")
    theirs = only(plan_of([desired], [live(applied, applied=applied, extra_metafields=(other,))]))
    edited = only(plan_of([desired], [live(applied, applied=applied, vendor="Edited")]))
    assert base.fingerprint == theirs.fingerprint
    assert base.fingerprint != edited.fingerprint


def test_unknown_on_remove_is_refused():
    with pytest.raises(ValueError):
        plan_of([], [], on_remove="prune")


def test_desired_hashes_computed_beforehand_settle_the_same_way():
    applied, desired = product(), product(title="New")
    live_products = [live(applied, applied=applied, pid="1"), live(product("b"), pid="2")]
    wanted = [desired, product("b")]
    hashes = {p.handle: p.content_hash() for p in wanted}
    at = "2026-11-26T07:00:00Z"
    with_hashes = plan_of(wanted, live_products, desired_hashes=hashes, created_at=at)
    assert with_hashes == plan_of(wanted, live_products, created_at=at)
    assert [c.action for c in with_hashes.changes] == ["no-op", "update"]


def test_rename_of_a_truncated_product_is_not_planned():
    old = product("basic-tee")
    desired = product("classic-tee", previous_handles=("basic-tee",))
    plan = plan_of([desired], [live(old, applied=old, complete=False)])
    change = only(plan)
    assert (change.handle, change.action, change.mutation) == ("classic-tee", "no-op", None)
    assert change.warnings


def test_a_create_over_the_request_cost_ceiling_is_planned_in_parts():
    sizes = tuple(f"S{i}" for i in range(2048))
    fit = (Metafield("custom", "fit", "single_line_text_field", "slim"),)
    huge = product(
        options=(Option("Size", sizes),),
        variants=tuple(
            Variant(options=(("Size", s),), price="1.00", metafields=fit) for s in sizes
        ),
    )
    change = only(plan_of([huge], []))
    assert not any("ceiling" in w for w in change.warnings)
    product_set, *rest = change.mutation["calls"]
    assert call_cost(product_set) <= 1000
    assert not any("metafields" in v for v in product_set["variables"]["input"]["variants"])
    owners = [m["ownerId"] for c in rest for m in c["variables"]["metafields"]]
    assert len(owners) == 2048 + 1  # each variant's metafield, then the marker
    assert owners[0] == variant_placeholder([("Size", "S0")]) and owners[-1] == PRODUCT_ID
    # A product that fits keeps its variant metafields inside productSet.
    small = product(variants=(Variant(options=(), price="1.00", metafields=fit),))
    (fits, _marker) = only(plan_of([small], [])).mutation["calls"]
    assert fits["variables"]["input"]["variants"][0]["metafields"]
