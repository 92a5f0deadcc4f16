"""Media and files: processing states, failures, productCreateMedia, productUpdate(media:),
fileUpdate references, variant files (facts §7, §10; pitfall 13)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from bulk_helper import data, param, post_form, seed, stage

SET = """mutation($input: ProductSetInput!) { productSet(input: $input) {
  product { id media(first: 10) { nodes { id status } } variants(first: 5) { nodes { id } } }
  userErrors { field code } } }"""
MEDIA = """query($id: ID!) { product(id: $id) { media(first: 10) { nodes { id alt status
  mediaErrors { code }
  ... on MediaImage { image { url } originalSource { url } fileStatus } } } } }"""
UPDATE_FILES = """mutation($files: [FileUpdateInput!]!) { fileUpdate(files: $files) {
  files { id alt } userErrors { field code } } }"""


def make(sandbox, **fields) -> dict:
    out = data(sandbox.graphql(SET, {"input": {"title": "Shirt", **fields}}))["productSet"]
    assert out["userErrors"] == [], out
    return out["product"]


def settled(sandbox, product_id: str, timeout: float = 30.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        nodes = data(sandbox.graphql(MEDIA, {"id": product_id}))["product"]["media"]["nodes"]
        if all(n["status"] in ("READY", "FAILED") for n in nodes):
            return nodes
        assert time.monotonic() < deadline, nodes
        time.sleep(0.02)


def test_files_start_uploaded_and_become_ready_on_cdn_urls(sandbox):
    source = "https://img.example/shirts/blue.png"
    made = make(sandbox, files=[{"originalSource": source, "alt": "Blue", "contentType": "IMAGE"}])
    assert made["media"]["nodes"][0]["status"] in ("UPLOADED", "PROCESSING")
    media = settled(sandbox, made["id"])[0]
    assert media["status"] == "READY" and media["fileStatus"] == "READY"
    assert media["mediaErrors"] == []
    image = urlsplit(media["image"]["url"])
    assert image.hostname == "cdn.shopify.com" and image.path.endswith("/blue.png")
    original = media["originalSource"]["url"]
    assert original != source  # no stable source URL (facts §10)
    expires = int(parse_qs(urlsplit(original).query)["Expires"][0])
    assert expires - time.time() <= 300 + 5


def test_processing_goes_through_the_documented_states(sandbox_factory):
    handle = sandbox_factory(processing_seconds=1.0)
    made = make(handle, files=[{"originalSource": "https://img.example/a.png"}])
    seen = []
    deadline = time.monotonic() + 30
    while not seen or seen[-1] != "READY":
        status = data(handle.graphql(MEDIA, {"id": made["id"]}))["product"]["media"]["nodes"][0][
            "status"
        ]
        if not seen or seen[-1] != status:
            seen.append(status)
        assert time.monotonic() < deadline, seen
        time.sleep(0.02)
    # In this order, and never READY at once; a poll this thread makes late (a busy machine)
    # may miss a state, so the order is what is asserted, with 1 s steps making a miss rare.
    order = ["UPLOADED", "PROCESSING", "READY"]
    assert seen == sorted(seen, key=order.index) and len(seen) >= 2


def test_failing_sources_end_failed_with_a_media_error(sandbox):
    made = make(
        sandbox,
        files=[
            {"originalSource": "https://img.example/fail-broken.png"},
            {"originalSource": "https://images.invalid/a.png"},
            {"originalSource": "https://img.example/ok.png"},
        ],
    )
    nodes = settled(sandbox, made["id"])
    assert [n["status"] for n in nodes] == ["FAILED", "FAILED", "READY"]
    assert nodes[0]["mediaErrors"] == [{"code": "IMAGE_DOWNLOAD_FAILURE"}]
    assert nodes[0]["image"] is None


def test_staged_resource_url_not_uploaded_fails(sandbox):
    target = stage(sandbox, "IMAGE", "never.png", "image/png", method="POST")
    made = make(sandbox, files=[{"originalSource": target["resourceUrl"]}])
    assert settled(sandbox, made["id"])[0]["mediaErrors"] == [{"code": "IMAGE_DOWNLOAD_FAILURE"}]
    uploaded = stage(sandbox, "IMAGE", "yes.png", "image/png", method="POST")
    assert post_form(uploaded, PNG_HEAD).status == 201
    assert param(uploaded, "key").endswith("yes.png")
    again = make(sandbox, files=[{"originalSource": uploaded["resourceUrl"]}])
    assert settled(sandbox, again["id"])[0]["status"] == "READY"


PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"  # the first bytes of any PNG


def test_an_uploaded_file_that_is_no_image_fails_as_an_unsupported_type(sandbox):
    target = stage(sandbox, "IMAGE", "notes.jpg", "image/jpeg", method="POST")
    assert post_form(target, b"just some text, named .jpg\n").status == 201
    made = make(sandbox, files=[{"originalSource": target["resourceUrl"]}])
    (media,) = settled(sandbox, made["id"])
    assert (media["status"], media["mediaErrors"]) == (
        "FAILED",
        [{"code": "UNSUPPORTED_IMAGE_FILE_TYPE"}],
    )


DELETE = """mutation($ids: [ID!]!) { fileDelete(fileIds: $ids) {
  deletedFileIds userErrors { field code } } }"""


def test_file_delete_removes_a_failed_file_from_its_product_and_refuses_unknown_ids(sandbox):
    made = make(sandbox, files=[{"originalSource": "https://img.example/fail-a.png"}])
    (failed,) = settled(sandbox, made["id"])
    assert failed["status"] == "FAILED"
    unknown = "gid://shopify/MediaImage/999999"
    refused = data(sandbox.graphql(DELETE, {"ids": [failed["id"], unknown]}))["fileDelete"]
    assert refused["userErrors"] == [{"field": ["fileIds", "1"], "code": "FILE_DOES_NOT_EXIST"}]
    assert [m["id"] for m in settled(sandbox, made["id"])] == [failed["id"]]  # nothing deleted
    done = data(sandbox.graphql(DELETE, {"ids": [failed["id"]]}))["fileDelete"]
    assert done == {"deletedFileIds": [failed["id"]], "userErrors": []}
    assert settled(sandbox, made["id"]) == []


def test_variant_file_must_also_be_in_product_files(sandbox):
    a = {"originalSource": "https://img.example/a.png"}
    variant = {"optionValues": [{"optionName": "Size", "name": "S"}], "file": a}
    options = [{"name": "Size", "values": [{"name": "S"}]}]
    out = data(
        sandbox.graphql(
            SET, {"input": {"title": "T", "productOptions": options, "variants": [variant]}}
        )
    )["productSet"]
    assert [e["code"] for e in out["userErrors"]] == ["INVALID_VARIANT"]
    made = make(sandbox, productOptions=options, variants=[variant], files=[a])
    assert len(made["media"]["nodes"]) == 1


def test_product_create_media(sandbox):
    made = make(sandbox)
    query = """mutation($id: ID!, $media: [CreateMediaInput!]!) {
      productCreateMedia(productId: $id, media: $media) {
        media { alt status } mediaUserErrors { field code } product { id } } }"""
    media = [
        {"originalSource": "https://img.example/x.png", "alt": "X", "mediaContentType": "IMAGE"},
        {"originalSource": "not a url", "mediaContentType": "IMAGE"},
    ]
    out = data(sandbox.graphql(query, {"id": made["id"], "media": media}))["productCreateMedia"]
    assert out["media"] == [{"alt": "X", "status": "UPLOADED"}]
    assert out["mediaUserErrors"] == [
        {"field": ["media", "1", "originalSource"], "code": "INVALID"}
    ]
    assert len(settled(sandbox, made["id"])) == 1
    missing = data(sandbox.graphql(query, {"id": "gid://shopify/Product/999", "media": media[:1]}))
    assert missing["productCreateMedia"]["mediaUserErrors"][0]["code"] == "PRODUCT_DOES_NOT_EXIST"


def test_product_update_with_media_appends(sandbox):
    made = make(sandbox, files=[{"originalSource": "https://img.example/1.png"}])
    query = """mutation($product: ProductUpdateInput!, $media: [CreateMediaInput!]) {
      productUpdate(product: $product, media: $media) {
        product { title media(first: 5) { nodes { id } } } userErrors { field message } } }"""
    out = data(
        sandbox.graphql(
            query,
            {
                "product": {"id": made["id"], "title": "Renamed"},
                "media": [
                    {"originalSource": "https://img.example/2.png", "mediaContentType": "IMAGE"}
                ],
            },
        )
    )["productUpdate"]
    assert out["userErrors"] == [] and out["product"]["title"] == "Renamed"
    assert len(out["product"]["media"]["nodes"]) == 2


def test_file_update_adds_and_removes_product_references(sandbox):
    first = make(sandbox, files=[{"originalSource": "https://img.example/shared.png"}])
    second = make(sandbox)
    file_id = settled(sandbox, first["id"])[0]["id"]
    out = data(
        sandbox.graphql(
            UPDATE_FILES,
            {"files": [{"id": file_id, "alt": "Shared", "referencesToAdd": [second["id"]]}]},
        )
    )["fileUpdate"]
    assert out == {"files": [{"id": file_id, "alt": "Shared"}], "userErrors": []}
    assert [n["id"] for n in settled(sandbox, second["id"])] == [file_id]
    data(
        sandbox.graphql(
            UPDATE_FILES, {"files": [{"id": file_id, "referencesToRemove": [first["id"]]}]}
        )
    )
    assert settled(sandbox, first["id"]) == []
    assert [n["alt"] for n in settled(sandbox, second["id"])] == ["Shared"]


def test_file_update_errors(sandbox_factory):
    handle = sandbox_factory(processing_seconds=5)
    made = make(handle, files=[{"originalSource": "https://img.example/slow.png"}])
    pending = made["media"]["nodes"][0]["id"]
    out = data(handle.graphql(UPDATE_FILES, {"files": [{"id": pending, "alt": "x"}]}))
    assert [e["code"] for e in out["fileUpdate"]["userErrors"]] == ["NON_READY_STATE"]
    out = data(
        handle.graphql(
            UPDATE_FILES, {"files": [{"id": "gid://shopify/MediaImage/999", "alt": "x"}]}
        )
    )
    assert [e["code"] for e in out["fileUpdate"]["userErrors"]] == ["FILE_DOES_NOT_EXIST"]


def test_removing_a_reference_clears_the_variant_image(sandbox):
    a = {"originalSource": "https://img.example/v.png"}
    options = [{"name": "Size", "values": [{"name": "S"}]}]
    variant = {"optionValues": [{"optionName": "Size", "name": "S"}], "file": a}
    made = make(sandbox, productOptions=options, variants=[variant], files=[a])
    file_id = settled(sandbox, made["id"])[0]["id"]
    data(
        sandbox.graphql(
            UPDATE_FILES, {"files": [{"id": file_id, "referencesToRemove": [made["id"]]}]}
        )
    )
    variant_media = data(
        sandbox.graphql(
            """query($id: ID!) { product(id: $id) { variants(first: 1) { nodes {
          media(first: 1) { nodes { id } } } } } }""",
            {"id": made["id"]},
        )
    )
    assert variant_media["product"]["variants"]["nodes"][0]["media"]["nodes"] == []


def test_unemulated_media_inputs_say_so(sandbox):
    made = make(sandbox)
    query = """mutation($id: ID!, $media: [CreateMediaInput!]!) {
      productCreateMedia(productId: $id, media: $media) { media { alt } } }"""
    video = [{"originalSource": "https://v.example/a.mp4", "mediaContentType": "VIDEO"}]
    body = sandbox.graphql(query, {"id": made["id"], "media": video}).json
    assert "not implemented by the sandbox" in body["errors"][0]["message"]
    body = sandbox.graphql(
        UPDATE_FILES,
        {
            "files": [
                {"id": "gid://shopify/MediaImage/1", "originalSource": "https://img.example/b.png"}
            ]
        },
    ).json
    assert "not implemented by the sandbox" in body["errors"][0]["message"]
    query = """mutation($p: ProductUpdateInput!) { productUpdate(product: $p) {
      product { id } } }"""
    body = sandbox.graphql(query, {"p": {"id": made["id"], "collectionsToJoin": []}}).json
    assert "collectionsToJoin is not implemented" in body["errors"][0]["message"]


def test_processing_needs_no_polling(sandbox):
    seed(sandbox, [{"title": "Seeded", "files": [{"originalSource": "https://img.example/s.png"}]}])
    # no GraphQL request meanwhile: the background timeline moves the file
    deadline = time.monotonic() + 30
    while True:
        media = sandbox.control("state").json["products"][0]["media"]
        if [m["status"] for m in media] == ["READY"]:
            break
        assert time.monotonic() < deadline, media
        time.sleep(0.05)


def test_a_refused_product_set_creates_no_file(sandbox):
    bad = {
        "title": "X",
        "files": [{"originalSource": "https://img.example/orphan.png"}],
        "productOptions": [{"name": "A", "values": [{"name": "1"}]}],  # VARIANTS_INPUT_MISSING
    }
    out = data(sandbox.graphql(SET, {"input": bad}))["productSet"]
    assert out["product"] is None and out["userErrors"]
    assert sandbox.control("state").json["files"] == []
    node = data(sandbox.graphql('{ node(id: "gid://shopify/MediaImage/1") { id } }'))["node"]
    assert node is None


def _cdn_names(sandbox, product_id: str) -> list[str]:
    nodes = settled(sandbox, product_id)
    return [urlsplit(n["image"]["url"]).path.rsplit("/", 1)[-1] for n in nodes]


def test_cdn_url_keeps_the_source_file_name(sandbox):
    # docs/sandbox.md, "Media URLs": the packt CSV pair (query dropped, `.jpg` added to a name
    # without extension); FileSetInput.filename ("the filename from the originalSource").
    made = make(
        sandbox,
        files=[
            {"originalSource": "https://images.example/photo-1494438639946?w=750"},
            {"originalSource": "https://img.example/a/Blue%20Shirt.png?x=1"},
            {"originalSource": "https://img.example/b/c.png", "filename": "named.png"},
        ],
    )
    assert _cdn_names(sandbox, made["id"]) == [
        "photo-1494438639946.jpg",
        "Blue%20Shirt.png",
        "named.png",
    ]


def test_a_file_name_in_use_gets_a_uuid_appended(sandbox):
    # duplicateResolutionMode APPEND_UUID, the default: "Append a UUID if filename is already
    # in use".
    first = make(sandbox, files=[{"originalSource": "https://img.example/front.jpg"}])
    second = make(sandbox, files=[{"originalSource": "https://other.example/x/front.jpg"}])
    assert _cdn_names(sandbox, first["id"]) == ["front.jpg"]
    (name,) = _cdn_names(sandbox, second["id"])
    stem, _, ext = name.rpartition(".")
    assert ext == "jpg" and stem.startswith("front_")
    assert len(stem.removeprefix("front_")) == 36  # a UUID
