"""Field-level before/after paths for two changed products' views."""

from __future__ import annotations

from reconciler.plan.diff import field_changes


def as_map(changes):
    return {c.path: (c.before, c.after) for c in changes}


def test_paths_read_like_the_catalog():
    before = {
        "title": "A",
        "tags": ["x", "y"],
        "variants": {"Size=M": {"price": "1.00", "sku": "M"}, "Size=S": {"price": "1.00"}},
        "metafields": {"custom.material": {"type": "single_line_text_field", "value": "Clay"}},
    }
    after = {
        "title": "B",
        "tags": ["x"],
        "variants": {"Size=M": {"price": "2.00", "sku": "M"}, "Size=L": {"price": "3.00"}},
        "metafields": {
            "custom.material": {"type": "single_line_text_field", "value": "Stone"},
            "custom.care": {"type": "single_line_text_field", "value": "Wash"},
        },
    }
    assert as_map(field_changes(before, after)) == {
        "title": ("A", "B"),
        "tags": (["x", "y"], ["x"]),
        "variants[Size=M].price": ("1.00", "2.00"),
        "variants[Size=S]": ({"price": "1.00"}, None),
        "variants[Size=L]": (None, {"price": "3.00"}),
        "metafields.custom.material": ("Clay", "Stone"),
        "metafields.custom.care": (None, "Wash"),
    }


def test_entries_with_nothing_in_common_still_read_per_entry():
    changes = field_changes(
        {"variants": {"Size=S": {"price": "1.00"}}},
        {"variants": {"Size=S": {"sku": "S"}, "Size=M": {"sku": "M"}}},
    )
    assert as_map(changes) == {
        "variants[Size=S]": ({"price": "1.00"}, {"sku": "S"}),
        "variants[Size=M]": (None, {"sku": "M"}),
    }


def test_drift_marks_its_key_only_and_equal_views_give_nothing():
    changes = field_changes(
        {"title": "A", "vendor": "V"}, {"title": "B", "vendor": "W"}, ("title",)
    )
    assert [(c.path, c.drift) for c in changes] == [("title", True), ("vendor", False)]
    assert (
        field_changes(
            {"variants": {"S": {"price": "1.00"}}}, {"variants": {"S": {"price": "1.00"}}}
        )
        == ()
    )


def test_variant_metafield_and_media_paths():
    changes = field_changes(
        {
            "variants": {"Size=S": {"metafields": {"c.fit": {"type": "t", "value": "a"}}}},
            "media": {"https://x/a.jpg": {"alt": "A"}},
        },
        {
            "variants": {"Size=S": {"metafields": {"c.fit": {"type": "t", "value": "b"}}}},
            "media": {"https://x/a.jpg": {"alt": "B"}},
        },
    )
    assert as_map(changes) == {
        "variants[Size=S].metafields.c.fit": ("a", "b"),
        "media[https://x/a.jpg].alt": ("A", "B"),
    }
