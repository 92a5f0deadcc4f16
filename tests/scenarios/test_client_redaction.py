"""Secrets are redacted by value, wherever a store echoes them (issue 8, item 3): a fake store on
127.0.0.1 echoes the token it received in a GraphQL `errors[].message`, a 403 body, a 404 HTML
page and a non-JSON 200; a refused token request echoes the posted form (`client_secret=...`); a
minted token is echoed back by a later request. None may appear in the exception's text, its
traceback, or (through `catalog -v plan`, in-process and as a subprocess) in stdout or stderr with
text or JSON logs. The secrets here have no `shp??_` prefix, so only redaction by value hides them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
import uuid
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from fake_store import Seen, fake_store, json_answer

from reconciler.cli import main
from reconciler.errors import AuthError, QueryError, TransportError
from reconciler.shopify.client import TOKEN_HEADER, ShopifyClient
from reconciler.shopify.store import ClientConfig, Credentials, parse_store


def secret(kind: str) -> str:
    # No known shape, and fresh per test: the redactor remembers every value of the process.
    return f"{kind}{uuid.uuid4().hex}"


def sent_token(seen: Seen) -> str:
    return seen.headers.get(TOKEN_HEADER.lower(), "")


def echo_in_graphql_errors(seen: Seen):
    return json_answer({"errors": [{"message": f"Invalid token {sent_token(seen)}"}]})


def echo_in_403(seen: Seen):
    text = f"[API] Invalid API key or access token: {sent_token(seen)}"
    return json_answer({"errors": text}, 403)


def echo_in_404_html(seen: Seen):
    page = f"<html><body><h1>Not Found</h1><p>token={sent_token(seen)}</p></body></html>"
    return 404, {"Content-Type": "text/html"}, page


def echo_in_non_json(seen: Seen):
    return 200, {"Content-Type": "text/plain"}, f"proxy says hello {sent_token(seen)}"


ECHOES = {
    "graphql errors": (echo_in_graphql_errors, QueryError),
    "403": (echo_in_403, AuthError),
    "404 html": (echo_in_404_html, TransportError),
    "non-json 200": (echo_in_non_json, TransportError),
}


def refused_mint(seen: Seen):
    """A refused token request that echoes the form it received, raw and decoded."""
    posted = parse_qs(seen.body).get("client_secret", [""])[0]
    return json_answer({"error": "invalid_client", "echo": seen.body, "secret": posted}, 401)


def minting_then_echoing(minted: str):
    def answer(seen: Seen):
        if seen.path.endswith("/admin/oauth/access_token"):
            return json_answer({"access_token": minted, "expires_in": 3600})
        return echo_in_graphql_errors(seen)

    return answer


def shown(exc: BaseException) -> str:
    return str(exc) + repr(exc) + "".join(traceback.format_exception(exc))


def client(url: str, **credentials) -> ShopifyClient:
    config = ClientConfig(
        store=parse_store(url), credentials=Credentials(**credentials), max_retries=0
    )
    return ShopifyClient(config, backoff_base=0.01)


# --- the client's exceptions -------------------------------------------------------------------


@pytest.mark.parametrize("echo", ECHOES)
async def test_a_token_echoed_by_the_store_is_not_in_the_error(echo):
    answer, kind = ECHOES[echo]
    token = secret("tok")
    with fake_store(answer) as store:
        async with client(store.url, access_token=token) as c:
            with pytest.raises(kind) as info:
                await c.execute("Shop")
    assert sent_token(store.seen[0]) == token  # it was echoed...
    assert token not in shown(info.value)  # ...and never shown
    assert "[REDACTED]" in str(info.value)


async def test_a_refused_token_request_does_not_show_the_client_secret():
    client_secret = secret("s3cret/+&=")  # form-encoding changes its spelling in the echo
    with fake_store(refused_mint) as store:
        async with client(store.url, client_id="cid", client_secret=client_secret) as c:
            with pytest.raises(AuthError, match="client credentials were refused") as info:
                await c.execute("Shop")
    text = shown(info.value)
    assert client_secret not in text and "s3cret%2F" not in text
    assert "[REDACTED]" in str(info.value)


async def test_a_minted_token_echoed_later_is_not_in_the_error():
    minted = secret("minted")
    with fake_store(minting_then_echoing(minted)) as store:
        async with client(store.url, client_id="cid", client_secret=secret("cs")) as c:
            with pytest.raises(QueryError) as info:
                await c.execute("Shop")
    assert sent_token(store.seen[-1]) == minted
    assert minted not in shown(info.value) + json.dumps(info.value.errors)


# --- what `catalog plan` prints ----------------------------------------------------------------


def write_catalog(root: Path) -> Path:
    catalog = root / "catalog"
    (catalog / "products").mkdir(parents=True)
    (catalog / "catalog.yaml").write_text("name: shop\n")
    (catalog / "products" / "a.yaml").write_text("handle: a\ntitle: A\nvariants: [{price: 1}]\n")
    return catalog


CASES = {
    **{name: (answer, "token") for name, (answer, _) in ECHOES.items()},
    "refused mint": (refused_mint, "client secret"),
    "minted token": (None, "minted token"),
}


def env_for(case: str) -> tuple[dict[str, str], str, object]:
    """The environment for a case, the secret that must not be shown, and the store's answer."""
    answer, kind = CASES[case]
    if kind == "token":
        token = secret("tok")
        return {"SHOPIFY_ACCESS_TOKEN": token}, token, answer
    client_secret = secret("cs")
    env = {"SHOPIFY_CLIENT_ID": "cid", "SHOPIFY_CLIENT_SECRET": client_secret}
    if kind == "client secret":
        return env, client_secret, answer
    minted = secret("minted")
    return env, minted, minting_then_echoing(minted)


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize("case", CASES)
def test_catalog_plan_never_prints_an_echoed_secret(
    case, log_format, no_store_env, monkeypatch, capsys
):
    env, hidden, answer = env_for(case)
    for name, value in {**env, "SHOPIFY_MAX_RETRIES": "0"}.items():
        monkeypatch.setenv(name, value)
    catalog = write_catalog(no_store_env)
    with fake_store(answer) as store, pytest.raises(SystemExit) as exited:
        main(["-v", "--log-format", log_format, "plan", "--catalog", str(catalog),
              "--store", store.url])  # fmt: skip
    out, err = capsys.readouterr()
    assert exited.value.code == 1
    assert hidden not in out + err
    assert "[REDACTED]" in err  # the echo did reach the message, redacted
    assert any(hidden in seen.everything for seen in store.seen)  # the store got it, as it may


def test_catalog_plan_as_a_process_never_prints_an_echoed_secret(no_store_env):
    token = secret("tok")
    catalog = write_catalog(no_store_env)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPIFY_") and k != "CI"}
    env.update(SHOPIFY_ACCESS_TOKEN=token, SHOPIFY_MAX_RETRIES="0")
    with fake_store(echo_in_graphql_errors) as store:
        done = subprocess.run(
            [sys.executable, "-m", "reconciler", "-v", "--log-format", "json", "plan",
             "--catalog", str(catalog), "--store", store.url],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert token not in done.stdout + done.stderr
    assert "Error:" in done.stderr and "[REDACTED]" in done.stderr
