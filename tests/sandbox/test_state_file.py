"""The state file with part 2's data: files (attached or not, processing or not), and saves made
off the event loop that never put an older snapshot over a newer one."""

from __future__ import annotations

import asyncio
import json

from graphql_helper import Shopify, product_set

from reconciler.sandbox import persist
from reconciler.sandbox.engine import Sandbox
from reconciler.sandbox.persist import StateFile, encode, load_store
from reconciler.sandbox.resolvers import find_node


def test_encoding_is_the_dump_as_json():
    shop = Shopify()
    product_set(shop, {"title": "Tee", "tags": ["a", "b"]})
    snapshot = shop.store.dump()
    assert json.loads(encode(snapshot)) == snapshot


def test_an_older_snapshot_never_replaces_a_newer_one(tmp_path):
    sandbox = Sandbox()
    state = StateFile(tmp_path / "state.json", sandbox)
    state._write(2, {"n": 2}, 0.0)
    state._write(1, {"n": 1}, 0.0)  # finished later, taken earlier
    assert json.loads((tmp_path / "state.json").read_text()) == {"n": 2}


def test_files_survive_a_reload_and_processing_ones_finish(tmp_path):
    shop = Shopify()
    made = product_set(
        shop,
        {
            "title": "Tee",
            "files": [
                {"originalSource": "https://img.example/a.png"},
                {"originalSource": "https://img.example/fail-b.png"},
            ],
        },
    )["product"]
    # detach the first file: it stays a file of the shop
    media = shop.store.products[1].media
    assert [m.status for m in media] == ["UPLOADED", "UPLOADED"]  # nothing ran the timeline
    kept = f"gid://shopify/MediaImage/{media[1].id}"
    product_set(shop, {"files": [{"id": kept}]}, {"id": made["id"]})
    path = tmp_path / "state.json"
    persist.write_atomic(path, persist.dump_bytes(shop.store))
    store = load_store(path)
    detached = find_node(store, f"gid://shopify/MediaImage/{media[0].id}")
    attached = store.products[1].media
    assert detached is not None and detached.status == "READY"
    assert [(m.status, m.error_code) for m in attached] == [("FAILED", "IMAGE_DOWNLOAD_FAILURE")]
    assert attached[0] is store.files[attached[0].id]  # one object per file


async def test_a_snapshot_that_spans_a_write_is_taken_again(tmp_path):
    from reconciler.sandbox.product_set import product_set as set_rule

    sandbox = Sandbox()
    for i in range(1200):  # three snapshot chunks
        set_rule(sandbox.store, {"title": f"P{i}"}, None)
    state = StateFile(tmp_path / "state.json", sandbox)

    async def write_between_chunks() -> None:
        await asyncio.sleep(0)  # the snapshot has dumped its first chunk
        set_rule(sandbox.store, {"title": "Changed"}, {"id": "gid://shopify/Product/1"})
        state.touch()

    await asyncio.gather(state._save_async(), write_between_chunks())
    if state._handle is not None:
        state._handle.cancel()
    saved = json.loads((tmp_path / "state.json").read_text())
    assert saved["products"][0]["title"] == "Changed"
    assert len(saved["products"]) == 1200
