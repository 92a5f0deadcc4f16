"""No redirect is followed with a secret (issue 8, item 1): a store on 127.0.0.1 answers a GraphQL
request or the token request with 301/302/303/307/308 pointing at a second local server, which
records every request. aiohttp would follow and strip only Authorization and Cookie, so without
`allow_redirects=False` the second server receives the X-Shopify-Access-Token header, or the
re-posted client secret. The bulk result download (no token) still follows redirects."""

from __future__ import annotations

import uuid

import pytest
from fake_store import FakeStore, Seen, fake_store, working_store

from reconciler.errors import RedirectError, UsageError
from reconciler.shopify.client import TOKEN_HEADER, ShopifyClient
from reconciler.shopify.store import ClientConfig, Credentials, parse_store

REDIRECTS = [301, 302, 303, 307, 308]


def secret(kind: str) -> str:
    # A fresh value per test: the redactor remembers every secret it was given in this process.
    return f"{kind}-{uuid.uuid4().hex}"


def client(url: str, *, token=None, client_id=None, client_secret=None) -> ShopifyClient:
    config = ClientConfig(
        store=parse_store(url),
        credentials=Credentials(
            access_token=token, client_id=client_id, client_secret=client_secret
        ),
        timeout=10,
        max_retries=3,
    )
    return ShopifyClient(config, backoff_base=0.01)


@pytest.fixture
def elsewhere():
    """The redirect's target: a working store that records whatever reaches it."""
    with fake_store(working_store) as store:
        yield store


def redirect_to(target: str, status: int):
    def answer(seen: Seen):
        return status, {"Location": target + seen.path}, ""

    return answer


def never_reached(store: FakeStore) -> None:
    """Nothing at all reached the redirect's target (so neither did any secret)."""
    assert store.seen == []


@pytest.mark.parametrize("status", REDIRECTS)
async def test_a_graphql_redirect_is_not_followed_and_names_its_target(status, elsewhere):
    token = secret("token")
    with fake_store(redirect_to(elsewhere.url, status)) as store:
        async with client(store.url, token=token) as c:
            with pytest.raises(RedirectError) as info:
                await c.execute("Shop")
    message = str(info.value)
    assert f"{store.url} answered HTTP {status}, a redirect to {elsewhere.host}" in message
    assert "not followed, because it would carry the access token" in message
    assert len(store.seen) == 1  # not retried either
    assert store.seen[0].headers[TOKEN_HEADER.lower()] == token  # the store itself got it
    never_reached(elsewhere)


@pytest.mark.parametrize("status", REDIRECTS)
async def test_a_redirect_of_the_token_request_does_not_re_post_the_secret(status, elsewhere):
    client_secret = secret("csecret")
    with fake_store(redirect_to(elsewhere.url, status)) as store:
        async with client(store.url, client_id="cid", client_secret=client_secret) as c:
            with pytest.raises(RedirectError) as info:
                await c.execute("Shop")
    message = str(info.value)
    assert f"answered HTTP {status}, a redirect to {elsewhere.host}" in message
    assert "it would carry the client secret" in message
    assert [s.path for s in store.seen] == ["/admin/oauth/access_token"]
    never_reached(elsewhere)


@pytest.mark.parametrize(
    ("location", "named"),
    [
        ("http://evil.example/admin/api/2026-10/graphql.json", "evil.example"),  # https -> http
        ("https://evil.example:8443/x", "evil.example:8443"),
        ("/admin/api/2025-10/graphql.json", None),  # relative: the same host
    ],
)
async def test_the_error_names_the_redirect_target_host(location, named):
    with fake_store(lambda seen: (307, {"Location": location}, "")) as store:
        async with client(store.url, token=secret("token")) as c:
            with pytest.raises(RedirectError) as info:
                await c.execute("Shop")
    assert f"a redirect to {named or store.host}:" in str(info.value)


async def test_the_bulk_result_download_follows_redirects_and_sends_no_token(elsewhere):
    token = secret("token")
    with fake_store(redirect_to(elsewhere.url, 302)) as store:
        async with client(store.url, token=token) as c:
            lines = [line async for line in c.download_lines(f"{store.url}/result.jsonl")]
    assert lines == [b'{"id":1}', b'{"id":2}']
    assert [s.path for s in elsewhere.seen] == ["/result.jsonl"]
    for seen in store.seen + elsewhere.seen:
        assert TOKEN_HEADER.lower() not in seen.headers
        assert token not in seen.everything


def test_the_client_refuses_to_send_a_secret_where_a_catalog_pointed():
    # store.select_store refuses this first; the client does not rely on it.
    target = parse_store("https://evil.example", "catalog.yaml")
    config = ClientConfig(store=target, credentials=Credentials(access_token=secret("token")))
    with pytest.raises(UsageError, match="may not send your token elsewhere"):
        ShopifyClient(config)
