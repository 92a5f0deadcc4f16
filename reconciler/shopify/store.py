"""Which store a command talks to, with which API version, credentials and limits (contract.md,
"Choosing the store"). Pure: the environment and the catalog settings come in as arguments.

Precedence for the store: `--store`, else `SHOPIFY_STORE`, else `store:` in catalog.yaml, else the
embedded sandbox; with `CI=true` there is no default, so that a pipeline whose secret is missing
fails instead of planning against an empty local store. `--store ''` or an empty (or blank)
`SHOPIFY_STORE` is an error, never a silent fall-back to the embedded sandbox: a missing GitHub
Actions secret turns into an empty variable, and that must fail too, in CI or not.

Where the token may go (docs/security.md): the access token and the client secret are sent only to
a `*.myshopify.com` host, to loopback, or to a host the user named (`--store`, `SHOPIFY_STORE`). A
`store:` in catalog.yaml is written by whoever wrote the branch, a pull request's author included,
so one that names any other host is refused (`check_destination`), whether or not credentials are
set: the same catalog must not plan on one machine and leak on another.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from reconciler.errors import UsageError
from reconciler.logs import register_secret

DEFAULT_API_VERSION = "2026-10"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 5

SHOPIFY, URL, SANDBOX = "shopify", "url", "sandbox"

_SHOP_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_API_VERSION = re.compile(r"\d{4}-(01|04|07|10)|unstable")
_LOOPBACK_NAMES = {"localhost"}
_TRUE = {"true", "1", "yes"}
_USER_SOURCES = {"--store", "SHOPIFY_STORE"}  # values the user typed or configured themselves
_SHOPIFY_DOMAIN = ".myshopify.com"


@dataclass(frozen=True)
class StoreTarget:
    """Where the Admin API lives. `base_url` is empty for a sandbox that is not started yet."""

    kind: str  # shopify | url | sandbox
    base_url: str  # scheme://host[:port][/prefix], no trailing slash, never credentials
    display: str  # what messages and plan files may show
    source: str = ""  # "--store", "SHOPIFY_STORE", "catalog.yaml" or "default"

    def bind(self, base_url: str) -> StoreTarget:
        """The embedded sandbox once started: same target, now with its address."""
        return replace(self, base_url=base_url.rstrip("/"))

    def graphql_url(self, api_version: str) -> str:
        return f"{self._base()}/admin/api/{api_version}/graphql.json"

    @property
    def token_url(self) -> str:
        """Where the client-credentials grant is asked for (shopify-facts.md §9)."""
        return f"{self._base()}/admin/oauth/access_token"

    def _base(self) -> str:
        if not self.base_url:
            raise UsageError("the embedded sandbox has not been started (no address yet)")
        return self.base_url


@dataclass(frozen=True)
class Credentials:
    """An access token, or a client id and secret to mint one. Secrets stay out of repr()."""

    access_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)

    @property
    def uses_client_credentials(self) -> bool:
        return self.access_token is None and self.client_id is not None

    @property
    def any(self) -> bool:
        """Whether there is anything secret to send."""
        return bool(self.access_token or self.client_secret)

    def __post_init__(self) -> None:
        # From the moment a secret is held, every message of this run is cleaned of it.
        register_secret(self.access_token)
        register_secret(self.client_secret)


@dataclass(frozen=True)
class ClientConfig:
    """Everything the client needs to talk to one store."""

    store: StoreTarget
    api_version: str = DEFAULT_API_VERSION
    credentials: Credentials = Credentials()
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES

    @property
    def graphql_url(self) -> str:
        return self.store.graphql_url(self.api_version)

    def bind(self, base_url: str) -> ClientConfig:
        """The same configuration once the embedded sandbox is listening at `base_url`."""
        return replace(self, store=self.store.bind(base_url))


def parse_store(value: str, source: str = "--store") -> StoreTarget:
    """Read one store value as the contract's table describes it."""
    text = value.strip()
    if text.lower() == SANDBOX:
        return StoreTarget(SANDBOX, "", "embedded sandbox", source)
    if "://" in text:
        return _parse_url(text, source)
    name = text.lower().removesuffix(".myshopify.com")
    if not _SHOP_NAME.fullmatch(name):
        raise UsageError(
            f"{source}: {value!r} is not a store: use my-shop, my-shop.myshopify.com, "
            "https://host[:port], http://127.0.0.1:PORT or sandbox"
        )
    domain = f"{name}.myshopify.com"
    return StoreTarget(SHOPIFY, f"https://{domain}", domain, source)


def _parse_url(text: str, source: str) -> StoreTarget:
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"{source}: {text!r} is not a valid URL ({exc})") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        raise UsageError(f"{source}: {text!r}: only https:// (or http:// to this machine) URLs")
    if parts.username or parts.password:
        # A secret in a URL ends up in logs and plan files; tokens come from the environment.
        raise UsageError(f"{source}: put credentials in SHOPIFY_ACCESS_TOKEN, not in the URL")
    if parts.query or parts.fragment:
        raise UsageError(f"{source}: {text!r}: a store URL takes no query or fragment")
    if scheme == "http" and not _is_loopback(host):
        raise UsageError(
            f"{source}: plain http is refused for {host!r}: it would send the access token "
            "unencrypted; use https://, or http:// only to 127.0.0.1, localhost or [::1]"
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    base = f"{scheme}://{netloc}{parts.path.rstrip('/')}"
    return StoreTarget(URL, base, base, source)


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_of(target: StoreTarget) -> str:
    """The host name of a store's address (empty for a sandbox not started yet)."""
    return (urlsplit(target.base_url).hostname or "").lower()


def may_receive_credentials(target: StoreTarget) -> bool:
    """Whether the token (or client secret) may be sent to this store (the module's rule)."""
    if target.kind == SANDBOX or target.source in _USER_SOURCES:
        return True
    host = host_of(target)
    return host.endswith(_SHOPIFY_DOMAIN) or _is_loopback(host)


def check_destination(target: StoreTarget) -> StoreTarget:
    """`target`, or a UsageError when a catalog file chose a host the token may not go to."""
    if may_receive_credentials(target):
        return target
    where = target.base_url or target.display
    raise UsageError(
        f"{target.source}: store: {where} is not a *.myshopify.com store; a catalog file (which a "
        "pull request can change) may not send your token elsewhere: pass it yourself with "
        f"--store {where} or SHOPIFY_STORE"
    )


def select_store(
    cli_store: str | None, env: Mapping[str, str], settings: Any = None
) -> StoreTarget:
    """The store for this run, by the contract's precedence."""
    for value, source in ((cli_store, "--store"), (env.get("SHOPIFY_STORE"), "SHOPIFY_STORE")):
        if value is None:
            continue
        if not str(value).strip():
            raise UsageError(
                f"{source} is empty: name a store, or pass --store sandbox for the embedded sandbox"
            )
        return parse_store(str(value), source)
    configured = _setting(settings, "store")
    if configured is not None and str(configured).strip():
        return check_destination(parse_store(str(configured), "catalog.yaml"))
    if env.get("CI", "").strip().lower() in _TRUE:
        raise UsageError(
            "no store configured and CI=true: set SHOPIFY_STORE (or pass --store, or set store: "
            "in catalog.yaml); use --store sandbox to run against the embedded sandbox on purpose"
        )
    return StoreTarget(SANDBOX, "", "embedded sandbox", "default")


def select_api_version(env: Mapping[str, str], settings: Any = None) -> str:
    version = _first(env.get("SHOPIFY_API_VERSION"), _setting(settings, "api_version"))
    version = DEFAULT_API_VERSION if version is None else str(version).strip()
    if not _API_VERSION.fullmatch(version):
        raise UsageError(f"API version {version!r} is not YYYY-MM (a quarter: 01, 04, 07, 10)")
    return version


def select_credentials(env: Mapping[str, str], store: StoreTarget) -> Credentials:
    """A token, or a client id + secret; required for a real store, optional for local ones."""
    token = _first(env.get("SHOPIFY_ACCESS_TOKEN"))
    client_id = _first(env.get("SHOPIFY_CLIENT_ID"))
    secret = _first(env.get("SHOPIFY_CLIENT_SECRET"))
    if token is not None:
        return Credentials(access_token=token)
    if (client_id is None) != (secret is None):
        missing = "SHOPIFY_CLIENT_SECRET" if secret is None else "SHOPIFY_CLIENT_ID"
        raise UsageError(f"client credentials need both SHOPIFY_CLIENT_ID and {missing}")
    if client_id is not None:
        return Credentials(client_id=client_id, client_secret=secret)
    if store.kind == SHOPIFY:
        raise UsageError(
            f"no credentials for {store.display}: set SHOPIFY_ACCESS_TOKEN, or SHOPIFY_CLIENT_ID "
            "and SHOPIFY_CLIENT_SECRET"
        )
    return Credentials()


def select_limits(env: Mapping[str, str], settings: Any = None) -> tuple[float, int]:
    """(timeout seconds, max retries) from SHOPIFY_TIMEOUT / SHOPIFY_MAX_RETRIES or catalog.yaml."""
    timeout = _number(
        "SHOPIFY_TIMEOUT", env.get("SHOPIFY_TIMEOUT"), _setting(settings, "timeout"), float
    )
    retries = _number(
        "SHOPIFY_MAX_RETRIES",
        env.get("SHOPIFY_MAX_RETRIES"),
        _setting(settings, "max_retries"),
        int,
    )
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    retries = DEFAULT_MAX_RETRIES if retries is None else retries
    if timeout <= 0:
        raise UsageError(f"timeout must be a positive number of seconds, not {timeout}")
    if retries < 0:
        raise UsageError(f"max_retries must be 0 or more, not {retries}")
    return timeout, retries


def resolve(cli_store: str | None, env: Mapping[str, str], settings: Any = None) -> ClientConfig:
    """The whole connection configuration for a command that reads or writes a store."""
    store = select_store(cli_store, env, settings)
    timeout, retries = select_limits(env, settings)
    return ClientConfig(
        store=store,
        api_version=select_api_version(env, settings),
        credentials=select_credentials(env, store),
        timeout=timeout,
        max_retries=retries,
    )


def _setting(settings: Any, name: str) -> Any:
    if settings is None:
        return None
    if isinstance(settings, Mapping):
        return settings.get(name)
    return getattr(settings, name, None)


def _first(*values: Any) -> Any:
    for value in values:
        if value is not None and str(value).strip():
            return value
    return None


def _number(name: str, env_value: str | None, setting: Any, kind: type) -> Any:
    value = _first(env_value, setting)
    if value is None:
        return None
    if isinstance(value, bool):
        raise UsageError(f"{name}: expected a number, not {value!r}")
    try:
        return kind(str(value).strip()) if kind is int else kind(value)
    except (TypeError, ValueError):
        raise UsageError(f"{name}: expected a number, not {value!r}") from None
