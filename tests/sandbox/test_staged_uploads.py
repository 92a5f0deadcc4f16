"""stagedUploadsCreate and the upload endpoint, as a Shopify user drives them (facts §3.1, §7;
pitfall 9: the form's `file` field goes last; stagedUploadPath is the `key`)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from bulk_helper import (
    PRODUCT_SET_MUTATION,
    STAGE,
    data,
    param,
    post_form,
    run_mutation,
    stage,
    wait,
)

from reconciler.sandbox.testing import http

DOCUMENTED = {
    "Content-Type",
    "success_action_status",
    "acl",
    "key",
    "x-goog-date",
    "x-goog-credential",
    "x-goog-algorithm",
    "x-goog-signature",
    "policy",
}


def test_bulk_target_has_the_documented_form_parameters(sandbox):
    target = stage(sandbox)
    names = {p["name"] for p in target["parameters"]}
    assert names == DOCUMENTED
    assert param(target, "success_action_status") == "201"
    assert param(target, "acl") == "private"
    assert param(target, "Content-Type") == "text/jsonl"
    assert param(target, "key").endswith("/vars.jsonl")
    assert target["resourceUrl"] is None  # bulk variables are referenced by key, not URL
    assert target["url"].startswith(sandbox.url)


def test_upload_with_file_last_is_201_and_key_runs_as_staged_upload_path(sandbox):
    target = stage(sandbox)
    answer = post_form(target, b'{"input": {"title": "A"}}\n')
    assert answer.status == 201
    assert f"<Key>{param(target, 'key')}</Key>" in answer.text
    run = run_mutation(sandbox, PRODUCT_SET_MUTATION, param(target, "key"))
    assert run["userErrors"] == []
    assert wait(sandbox, run["bulkOperation"]["id"])["status"] == "COMPLETED"


def test_file_field_not_last_is_refused_and_nothing_is_stored(sandbox):
    target = stage(sandbox)
    answer = post_form(target, b'{"input": {"title": "A"}}\n', file_last=False)
    assert answer.status == 400
    assert "<Code>InvalidArgument</Code>" in answer.text
    run = run_mutation(sandbox, PRODUCT_SET_MUTATION, param(target, "key"))
    assert [e["code"] for e in run["userErrors"]] == ["NO_SUCH_FILE"]


@pytest.mark.parametrize(
    ("field", "value", "status", "code"),
    [
        ("key", "tmp/1/bulk/forged/vars.jsonl", 403, "AccessDenied"),
        ("Content-Type", "image/png", 403, "AccessDenied"),
        ("policy", "eyJjb25kaXRpb25zIjpbXX0=", 403, "SignatureDoesNotMatch"),
        ("x-goog-signature", "0" * 64, 403, "SignatureDoesNotMatch"),
    ],
)
def test_forged_or_altered_fields_are_refused(sandbox, field, value, status, code):
    target = stage(sandbox)
    answer = post_form(target, b"{}\n", **{field: value})
    assert answer.status == status
    assert f"<Code>{code}</Code>" in answer.text


def test_size_limit_is_enforced(sandbox_factory):
    handle = sandbox_factory(bulk_upload_limit=1000)
    target = stage(handle)
    assert post_form(target, b"x" * 1001).status == 400
    too_big = post_form(target, b"x" * 1001)
    assert "<Code>EntityTooLarge</Code>" in too_big.text
    assert post_form(target, b"x" * 1000).status == 201


def test_default_bulk_limit_is_100_mb(sandbox):
    import base64
    import json

    policy = json.loads(base64.b64decode(param(stage(sandbox), "policy")))
    ranges = [c for c in policy["conditions"] if isinstance(c, list)]
    assert ranges == [["content-length-range", 1, 100 * 1024 * 1024]]


def test_image_target_defaults_to_put_with_a_signed_url(sandbox):
    target = stage(sandbox, "IMAGE", "shirt.png", "image/png", method=None)
    assert {p["name"] for p in target["parameters"]} == {"content_type", "acl"}
    query = parse_qs(urlsplit(target["url"]).query)
    assert {"X-Goog-Signature", "X-Goog-Expires", "X-Goog-Credential"} <= set(query)
    assert target["resourceUrl"] and target["resourceUrl"].endswith("/shirt.png")
    put = http("PUT", target["url"], b"\x89PNG...", {"Content-Type": "image/png"})
    assert put.status == 200
    forged = target["url"].replace("X-Goog-Signature=", "X-Goog-Signature=0")
    assert http("PUT", forged, b"x", {"Content-Type": "image/png"}).status == 403


def test_video_and_model_need_file_size(sandbox):
    for resource in ("VIDEO", "MODEL_3D"):
        item = {"resource": resource, "filename": "a.mp4", "mimeType": "video/mp4"}
        out = data(sandbox.graphql(STAGE, {"input": [item]}))["stagedUploadsCreate"]
        assert out["stagedTargets"] is None
        assert out["userErrors"][0]["field"] == ["input", "0", "fileSize"]
        item["fileSize"] = "1000"
        out = data(sandbox.graphql(STAGE, {"input": [item]}))["stagedUploadsCreate"]
        assert out["userErrors"] == [] and out["stagedTargets"][0]["resourceUrl"]


def test_uploads_draw_faults(sandbox):
    target = stage(sandbox)
    sandbox.control("faults", {"rate": 1, "seed": 1, "kinds": ["http_503"]})
    assert post_form(target, b"{}\n").status == 503
    sandbox.control("faults", {"rate": 1, "seed": 1, "kinds": ["commit_then_504"]})
    assert post_form(target, b'{"input": {"title": "A"}}\n').status == 504
    sandbox.control("faults", {"rate": 0})
    # the 504 came after the file was stored: the key runs
    run = run_mutation(sandbox, PRODUCT_SET_MUTATION, param(target, "key"))
    assert run["userErrors"] == []


def test_uploaded_resource_url_is_an_original_source(sandbox):
    target = stage(sandbox, "IMAGE", "shirt.png", "image/png", method="POST")
    assert post_form(target, b"\x89PNG\r\n\x1a\n...").status == 201
    query = """mutation($input: ProductSetInput!) { productSet(input: $input) {
      product { id } userErrors { code } } }"""
    files = [{"originalSource": target["resourceUrl"], "contentType": "IMAGE"}]
    made = data(sandbox.graphql(query, {"input": {"title": "Shirt", "files": files}}))
    product_id = made["productSet"]["product"]["id"]
    status_query = """query($id: ID!) { product(id: $id) { media(first: 1) { nodes {
      status mediaErrors { code } } } } }"""
    deadline = time.monotonic() + 30
    while True:
        node = data(sandbox.graphql(status_query, {"id": product_id}))["product"]["media"]["nodes"][
            0
        ]
        if node["status"] in ("READY", "FAILED") or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert node == {"status": "READY", "mediaErrors": []}
