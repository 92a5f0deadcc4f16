"""`catalog plan` on products never applied (no marker) whose images the sandbox holds: the
catalog's media are bound to live media by the file name Shopify keeps (plan/media_names.py),
never by position alone."""

from __future__ import annotations

import json
import time

import pytest
from plan_scenario_helpers import desired, plan_json, store_products, tee, write_catalog

from reconciler.model import Marker

FRONT = "https://images.example.com/demo/front.jpg"
BACK = "https://images.example.com/demo/back.jpg"
MEDIA = """query($h: String!) { productByHandle(handle: $h) { media(first: 10) {
  nodes { id status ... on MediaImage { image { url } } } } } }"""


@pytest.fixture
def root(no_store_env):
    return no_store_env / "catalog"


def ready_media(sandbox, handle: str) -> list[dict]:
    """The product's media once processed (Shopify gives an image URL only when READY)."""
    deadline = time.monotonic() + 30
    while True:
        answer = sandbox.graphql(MEDIA, {"h": handle}).json["data"]["productByHandle"]
        nodes = answer["media"]["nodes"]
        if all(n["status"] == "READY" for n in nodes):
            return nodes
        assert time.monotonic() < deadline, nodes
        time.sleep(0.05)


def stored_unmarked(sandbox, root, media: list[dict]) -> list[dict]:
    """`tee` in the store without a marker, holding `media`; its media as read back."""
    write_catalog(root, [tee(media=media)])
    store_products(sandbox, desired(root).values(), marked=False)
    return ready_media(sandbox, "tee")


def change_of(plan: dict, handle: str = "tee") -> dict:
    return next(c for c in plan["changes"] if c["handle"] == handle)


def marker_written(change: dict) -> Marker:
    last = change["mutation"]["calls"][-1]["variables"]["metafields"][-1]
    marker, problem = Marker.from_json(last["value"])
    assert problem is None
    return marker


def test_another_image_at_the_same_position_is_a_media_change(capsys, sandbox, root):
    live = stored_unmarked(sandbox, root, [{"src": BACK, "alt": "Front"}])
    write_catalog(root, [tee(media=[{"src": FRONT, "alt": "Front"}])])
    code, plan = plan_json(capsys, "--store", sandbox.url, "--detailed-exitcode")
    change = change_of(plan)
    assert (code, change["action"]) == (2, "update")
    assert [(d["path"], d["before"], d["after"]) for d in change["diff"]] == [
        (f"media[{FRONT}]", None, {"alt": "Front"})
    ]
    operations = [c["operation"] for c in change["mutation"]["calls"]]
    assert operations == ["ProductUpdateMedia", "MetafieldsSet"]
    assert live[0]["id"] not in json.dumps(change["mutation"])  # not ours: left alone
    assert marker_written(change).media_id_map == {}


def test_the_same_file_name_on_the_cdn_is_a_clean_adopt_of_that_media(capsys, sandbox, root):
    elsewhere = "https://uploads.example.org/2024/front.jpg?width=1200"
    live = stored_unmarked(
        sandbox, root, [{"src": BACK, "alt": "Back"}, {"src": elsewhere, "alt": "Front"}]
    )
    assert live[1]["image"]["url"].split("?")[0].endswith("/front.jpg")
    write_catalog(root, [tee(media=[{"src": FRONT, "alt": "Front"}])])
    code, plan = plan_json(capsys, "--store", sandbox.url, "--detailed-exitcode")
    change = change_of(plan)
    assert (code, change["action"], change["diff"]) == (0, "adopt", [])
    assert marker_written(change).media_id_map == {FRONT: live[1]["id"]}


def test_images_in_another_order_are_bound_by_file_name(capsys, sandbox, root):
    live = stored_unmarked(sandbox, root, [{"src": BACK, "alt": "Back"}, {"src": FRONT}])
    media = [{"src": FRONT}, {"src": BACK, "alt": "Back"}]
    write_catalog(root, [tee(media=media)])
    _, plan = plan_json(capsys, "--store", sandbox.url)
    change = change_of(plan)
    # Media order is not managed: a reorder is no change; the binding follows the names.
    assert (change["action"], change["diff"]) == ("adopt", [])
    assert marker_written(change).media_id_map == {BACK: live[0]["id"], FRONT: live[1]["id"]}


def test_a_second_upload_of_the_same_name_still_matches(capsys, sandbox, root):
    # Another product already uses front.jpg: Shopify appends a UUID to the new file's name.
    write_catalog(root, [tee("other", media=[{"src": FRONT}])])
    store_products(sandbox, desired(root).values())
    live = stored_unmarked(sandbox, root, [{"src": FRONT, "alt": "Front"}])
    assert not live[0]["image"]["url"].split("?")[0].endswith("/front.jpg")
    write_catalog(root, [tee(media=[{"src": FRONT, "alt": "Front"}])])
    _, plan = plan_json(capsys, "--store", sandbox.url)
    change = change_of(plan)
    assert (change["action"], change["diff"]) == ("adopt", [])
    assert marker_written(change).media_id_map == {FRONT: live[0]["id"]}
