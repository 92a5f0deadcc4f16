"""Store selection, API version, credentials and limits: contract.md, "Choosing the store"."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from reconciler.errors import UsageError
from reconciler.shopify.store import (
    SANDBOX,
    SHOPIFY,
    URL,
    ClientConfig,
    Credentials,
    parse_store,
    resolve,
    select_api_version,
    select_credentials,
    select_limits,
    select_store,
)


@dataclass(frozen=True)
class FakeSettings:
    """Stands in for catalog.settings.Settings: any object with these attributes will do."""

    name: str = "default"
    api_version: str = "2026-10"
    store: str | None = None
    on_remove: str = "archive"
    max_removals: int = 25
    publications: tuple = ()
    timeout: float = 30
    max_retries: int = 5


# --- the contract's table ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["my-shop", "my-shop.myshopify.com", "MY-SHOP.myshopify.com "])
def test_shop_name_or_domain_means_the_myshopify_endpoint(value):
    target = parse_store(value)
    assert target.kind == SHOPIFY
    assert target.display == "my-shop.myshopify.com"
    assert (
        target.graphql_url("2026-10")
        == "https://my-shop.myshopify.com/admin/api/2026-10/graphql.json"
    )
    assert target.token_url == "https://my-shop.myshopify.com/admin/oauth/access_token"


@pytest.mark.parametrize(
    ("value", "base"),
    [
        ("https://shop.example.com", "https://shop.example.com"),
        ("https://shop.example.com:8443/", "https://shop.example.com:8443"),
        ("https://proxy.example.com/shopify", "https://proxy.example.com/shopify"),
    ],
)
def test_https_url_is_that_base_url(value, base):
    target = parse_store(value)
    assert (target.kind, target.base_url) == (URL, base)
    assert target.graphql_url("2025-10") == f"{base}/admin/api/2025-10/graphql.json"


@pytest.mark.parametrize(
    ("value", "base"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:9000", "http://localhost:9000"),
        ("http://[::1]:7000", "http://[::1]:7000"),
        ("http://127.0.0.2:1234", "http://127.0.0.2:1234"),  # all of 127/8 is loopback
    ],
)
def test_plain_http_is_allowed_to_this_machine(value, base):
    target = parse_store(value)
    assert (target.kind, target.base_url) == (URL, base)


@pytest.mark.parametrize(
    "value",
    ["http://my-shop.myshopify.com", "http://10.0.0.5:8080", "http://example.com", "http://[::2]"],
)
def test_plain_http_is_refused_for_any_other_host(value):
    with pytest.raises(UsageError, match="plain http is refused"):
        parse_store(value)


def test_sandbox_value_means_the_embedded_sandbox_until_bound():
    target = parse_store("sandbox")
    assert target.kind == SANDBOX
    with pytest.raises(UsageError, match="not been started"):
        target.graphql_url("2026-10")
    bound = target.bind("http://127.0.0.1:5555/")
    assert bound.kind == SANDBOX
    assert bound.graphql_url("2026-10") == "http://127.0.0.1:5555/admin/api/2026-10/graphql.json"


@pytest.mark.parametrize(
    "value", ["my shop", "shop.example.com", "ftp://host", "-shop", "https://", "my_shop"]
)
def test_values_outside_the_table_are_refused_with_a_clear_message(value):
    with pytest.raises(UsageError):
        parse_store(value)


def test_credentials_in_a_url_are_refused_and_never_shown():
    with pytest.raises(UsageError) as info:
        parse_store("https://user:shpat_abc@shop.example.com")
    assert "shpat_abc" not in str(info.value)


# --- precedence ----------------------------------------------------------------------------------


def test_flag_beats_environment_beats_settings():
    env = {"SHOPIFY_STORE": "env-shop"}
    settings = FakeSettings(store="yaml-shop")
    assert select_store("flag-shop", env, settings).display == "flag-shop.myshopify.com"
    assert select_store(None, env, settings).display == "env-shop.myshopify.com"
    assert select_store(None, {}, settings).display == "yaml-shop.myshopify.com"
    assert select_store(None, {}, settings).source == "catalog.yaml"


def test_settings_may_be_a_plain_mapping():
    assert select_store(None, {}, {"store": "map-shop"}).display == "map-shop.myshopify.com"


def test_default_is_the_embedded_sandbox():
    target = select_store(None, {}, None)
    assert (target.kind, target.source) == (SANDBOX, "default")


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_in_ci_there_is_no_default(ci):
    with pytest.raises(UsageError, match="CI=true"):
        select_store(None, {"CI": ci}, FakeSettings())


@pytest.mark.parametrize("ci", [{}, {"CI": "true"}])
@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_an_empty_store_is_an_error_not_the_sandbox(ci, blank):
    # GitHub Actions turns a missing secret into an empty string: that must fail, never fall back
    # to the embedded sandbox (issue 8, item 14).
    with pytest.raises(UsageError, match=r"^--store is empty: name a store, or pass --st"):
        select_store(blank, ci, FakeSettings(store="yaml-shop"))
    with pytest.raises(UsageError, match=r"^SHOPIFY_STORE is empty: .*--store sandbox"):
        select_store(None, {**ci, "SHOPIFY_STORE": blank}, FakeSettings(store="yaml-shop"))


def test_an_empty_store_flag_is_an_error_even_with_the_variable_set():
    with pytest.raises(UsageError, match="--store is empty"):
        select_store("", {"SHOPIFY_STORE": "env-shop"}, None)


def test_in_ci_sandbox_stays_allowed_explicitly():
    assert select_store("sandbox", {"CI": "true"}, None).kind == SANDBOX
    assert select_store(None, {"CI": "true", "SHOPIFY_STORE": "sandbox"}, None).kind == SANDBOX


def test_in_ci_a_configured_store_is_used():
    env = {"CI": "true"}
    assert select_store(None, env, FakeSettings(store="ci-shop")).kind == SHOPIFY


def test_ci_false_keeps_the_default():
    assert select_store(None, {"CI": "false"}, None).kind == SANDBOX


# --- where the token may go (a catalog file is written by whoever wrote the branch) -------------


@pytest.mark.parametrize(
    "value",
    [
        "https://evil.example",
        "https://evil.example:8443/admin",
        "https://my-shop.myshopify.com.evil.example",
        "https://evilmyshopify.com",
        "https://10.0.0.1",
    ],
)
def test_a_catalog_store_elsewhere_is_refused_and_says_how_to_pass_it(value):
    with pytest.raises(UsageError) as info:
        select_store(None, {}, FakeSettings(store=value))
    message = str(info.value)
    base = parse_store(value).base_url
    assert message.startswith(f"catalog.yaml: store: {base} is not a *.myshopify.com store")
    assert "a pull request can change" in message
    assert f"--store {base} or SHOPIFY_STORE" in message


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("my-shop", SHOPIFY),
        ("my-shop.myshopify.com", SHOPIFY),
        ("https://my-shop.myshopify.com", URL),
        ("http://127.0.0.1:8080", URL),
        ("http://localhost:9000", URL),
        ("http://[::1]:7000", URL),
        ("sandbox", SANDBOX),
    ],
)
def test_a_catalog_store_on_shopify_or_this_machine_is_used(value, kind):
    target = select_store(None, {}, FakeSettings(store=value))
    assert (target.kind, target.source) == (kind, "catalog.yaml")


@pytest.mark.parametrize("source", ["--store", "SHOPIFY_STORE"])
def test_a_host_the_user_named_is_used(source):
    flag = "https://proxy.example.com" if source == "--store" else None
    env = {"SHOPIFY_STORE": "https://proxy.example.com"} if flag is None else {}
    target = select_store(flag, env, FakeSettings(store="https://evil.example"))
    assert (target.base_url, target.source) == ("https://proxy.example.com", source)


def test_resolve_refuses_a_catalog_store_elsewhere_even_with_a_token():
    env = {"SHOPIFY_ACCESS_TOKEN": "shpat_0123456789"}
    with pytest.raises(UsageError, match="may not send your token elsewhere"):
        resolve(None, env, FakeSettings(store="https://evil.example"))


# --- API version ---------------------------------------------------------------------------------


def test_api_version_precedence():
    assert select_api_version({}, None) == "2026-10"
    assert select_api_version({}, FakeSettings(api_version="2025-10")) == "2025-10"
    env = {"SHOPIFY_API_VERSION": "2026-07"}
    assert select_api_version(env, FakeSettings(api_version="2025-10")) == "2026-07"


@pytest.mark.parametrize("bad", ["2026-11", "26-10", "latest", "2026-10; drop"])
def test_api_version_must_be_a_quarter(bad):
    with pytest.raises(UsageError, match="API version"):
        select_api_version({"SHOPIFY_API_VERSION": bad}, None)


# --- credentials ---------------------------------------------------------------------------------


def test_token_from_the_environment_and_never_in_repr():
    creds = select_credentials({"SHOPIFY_ACCESS_TOKEN": "shpat_s3cret"}, parse_store("my-shop"))
    assert creds.access_token == "shpat_s3cret"
    assert not creds.uses_client_credentials
    assert "shpat_s3cret" not in repr(creds)


def test_client_credentials_when_no_token():
    env = {"SHOPIFY_CLIENT_ID": "id1", "SHOPIFY_CLIENT_SECRET": "shpss_x"}
    creds = select_credentials(env, parse_store("my-shop"))
    assert creds.uses_client_credentials
    assert (creds.client_id, creds.client_secret) == ("id1", "shpss_x")
    assert "shpss_x" not in repr(creds)


def test_half_of_the_client_credentials_is_an_error():
    with pytest.raises(UsageError, match="SHOPIFY_CLIENT_SECRET"):
        select_credentials({"SHOPIFY_CLIENT_ID": "id1"}, parse_store("my-shop"))


def test_a_real_store_needs_credentials_a_local_one_does_not():
    with pytest.raises(UsageError, match="SHOPIFY_ACCESS_TOKEN"):
        select_credentials({}, parse_store("my-shop"))
    assert select_credentials({}, parse_store("http://127.0.0.1:1")) == Credentials()
    assert select_credentials({}, parse_store("sandbox")) == Credentials()


# --- limits --------------------------------------------------------------------------------------


def test_limits_default_settings_and_environment():
    assert select_limits({}, None) == (30.0, 5)
    assert select_limits({}, FakeSettings(timeout=12, max_retries=2)) == (12.0, 2)
    env = {"SHOPIFY_TIMEOUT": "2.5", "SHOPIFY_MAX_RETRIES": "0"}
    assert select_limits(env, FakeSettings(timeout=12, max_retries=2)) == (2.5, 0)


@pytest.mark.parametrize(
    "env", [{"SHOPIFY_TIMEOUT": "soon"}, {"SHOPIFY_TIMEOUT": "0"}, {"SHOPIFY_MAX_RETRIES": "-1"}]
)
def test_bad_limits_are_usage_errors(env):
    with pytest.raises(UsageError):
        select_limits(env, None)


def test_resolve_puts_it_together():
    env = {"SHOPIFY_STORE": "my-shop", "SHOPIFY_ACCESS_TOKEN": "shpat_1", "SHOPIFY_TIMEOUT": "9"}
    config = resolve(None, env, FakeSettings(api_version="2025-10", max_retries=3))
    assert isinstance(config, ClientConfig)
    assert config.graphql_url == "https://my-shop.myshopify.com/admin/api/2025-10/graphql.json"
    assert (config.timeout, config.max_retries) == (9.0, 3)
    assert "shpat_1" not in repr(config)


def test_a_default_sandbox_config_is_bound_once_the_sandbox_listens():
    config = resolve(None, {}, None)
    assert config.store.kind == SANDBOX
    bound = config.bind("http://127.0.0.1:4321")
    assert bound.graphql_url == "http://127.0.0.1:4321/admin/api/2026-10/graphql.json"
    assert bound.store.token_url == "http://127.0.0.1:4321/admin/oauth/access_token"
