"""Normalization never hides a real difference: HTML whitespace that renders, an image with
another file name, a price or a title edited in the store always show in the plan (marked or
not); what cannot render differently (line endings, the ends of the value) never does."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from plan_builders import CATALOG, live, product

from reconciler.model import LiveMedia, Marker, Media, Product, html
from reconciler.plan.compare import compare

CDN = "https://cdn.shopify.com/s/files/1/0000/0001/files/"
FRONT = "https://images.example.com/front.jpg"
INLINE = "<p><b>Hello</b> <i>world</i></p>"
PRE = "<pre>a  b\n  c</pre>"


def one(desired: Product, current):
    plan = compare({desired.handle: desired}, {current.handle: current}, catalog_name=CATALOG)
    return plan.changes[0]


def test_whitespace_between_inline_tags_is_a_change():
    assert html("<b>Hello</b> <i>world</i>") != html("<b>Hello</b><i>world</i>")
    desired = product(description_html="<b>Hello</b> <i>world</i>")
    current = live(desired, description_html="<b>Hello</b><i>world</i>")
    change = one(desired, current)
    assert change.action == "update"
    assert [c.path for c in change.diff] == ["description_html"]


def test_pre_content_is_kept_and_compared_as_is():
    assert html(PRE) == PRE
    desired = product(description_html=PRE)
    assert one(desired, live(desired, description_html="<pre>a b\n c</pre>")).action == "update"


def test_line_endings_and_the_ends_of_the_value_are_no_change():
    desired = product(description_html=f"{INLINE}\n{PRE}\n")  # a YAML block scalar's newline
    current = live(
        desired, description_html=f"  {INLINE}\r\n{PRE.replace(chr(10), chr(13) + chr(10))}"
    )
    assert one(desired, current).action == "no-op"
    assert html("\u00a0<p>x</p>") != html("<p>x</p>")  # a no-break space renders


@st.composite
def real_changes(draw):
    """(desired, live store value edits, live media) with one real difference drawn."""
    media = (Media(FRONT, "Front"),)
    desired = product(description_html=INLINE, media=media)
    kind = draw(st.sampled_from(["price", "title", "image", "inline_space", "pre_space"]))
    edits, live_media = {}, (LiveMedia("gid://m/1", "Front", f"{CDN}front.jpg?v=1"),)
    if kind == "price":
        cents = draw(st.integers(min_value=0, max_value=10**6).filter(lambda c: c != 1900))
        variant = replace(desired.variants[0], price=Decimal(cents) / 100)
        edits["variants"] = (variant, *desired.variants[1:])
    elif kind == "title":
        edits["title"] = draw(st.text(min_size=1, max_size=20).filter(lambda t: t != "Classic Tee"))
    elif kind == "image":
        name = draw(
            st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True).filter(lambda n: n != "front")
        )
        ext = draw(st.sampled_from(["jpg", "png", "webp"]))
        live_media = (LiveMedia("gid://m/2", "Front", f"{CDN}{name}.{ext}?v=2"),)
    elif kind == "inline_space":
        between = draw(st.sampled_from(["", "\n", "  ", "\t", " \n "]))
        edits["description_html"] = INLINE.replace("</b> <i>", f"</b>{between}<i>")
    else:
        desired = replace(desired, description_html=PRE)
        inside = draw(st.sampled_from(["", " ", "\n", "   ", "\t"]))
        edits["description_html"] = PRE.replace("a  b", f"a{inside}b")
    return desired, edits, live_media


@settings(max_examples=150, deadline=None)
@given(real_changes(), st.booleans())
def test_a_real_change_in_the_store_always_shows_in_the_plan(case, marked):
    desired, edits, live_media = case
    ids = {FRONT: "gid://m/1"}
    marker = Marker.for_product(desired, CATALOG, ids) if marked else None
    before = live(
        desired,
        marker=marker,
        media=(LiveMedia("gid://m/1", "Front", f"{CDN}front.jpg?v=1"),),
    )
    assert one(desired, before).action == ("no-op" if marked else "adopt")
    after = live(desired, marker=marker, media=live_media, **edits)
    change = one(desired, after)
    assert change.action == "update" and change.diff, (edits, live_media)
