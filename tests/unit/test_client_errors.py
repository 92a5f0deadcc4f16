"""The client's translation rules for answers the sandbox cannot (yet) produce: the daily
variant-creation 429, Retry-After in its date form, and GraphQL error codes (failures.py). The rest
is exercised over HTTP in tests/scenarios/test_client_against_sandbox.py."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from reconciler.errors import AuthError, QueryError, ThrottledError, VariantLimitError
from reconciler.shopify import client, failures

# Shopify's body for the variant-creation limit, as reported in public issue threads.
DAILY_LIMIT = (
    '{"errors":{"product":["Daily variant creation limit reached. Please try again later. See '
    'https://help.shopify.com/api/getting-started/api-call-limit for more information."]}}'
)
RATE_LIMIT = '{"errors":"Exceeded 2 calls per second for api client."}'


def status(code: int, body: str = "", retry_after: str | None = None) -> failures.Failure:
    return failures.from_status("ProductSet", code, body, retry_after)


def test_variant_limit_429_fails_fast():
    failure = status(429, DAILY_LIMIT, retry_after="2")
    assert isinstance(failure.error, VariantLimitError)
    assert not failure.retry
    assert "1,000 new ones a day" in str(failure.error)


def test_other_429_is_retried_after_retry_after():
    failure = status(429, RATE_LIMIT, retry_after="2")
    assert isinstance(failure.error, ThrottledError)
    assert (failure.retry, failure.ambiguous, failure.wait) == (True, False, 2.0)


def test_retry_after_as_an_http_date_and_capped():
    later = formatdate(time.time() + 30, usegmt=True)
    assert 25 <= failures.parse_retry_after(later) <= 30
    assert failures.parse_retry_after("100000") == failures.RETRY_AFTER_CAP
    assert failures.parse_retry_after("soon") is None
    assert failures.parse_retry_after(None) is None


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_5xx_is_retried_but_ambiguous(code):
    failure = status(code, "<html>")
    assert (failure.retry, failure.ambiguous) == (True, True)


def test_401_asks_for_a_new_token_403_does_not():
    assert status(401).reauth and isinstance(status(401).error, AuthError)
    forbidden = status(403, '{"errors":"[API] This action requires merchant approval"}')
    assert isinstance(forbidden.error, AuthError) and not forbidden.reauth
    assert not forbidden.retry


def test_token_in_a_body_is_redacted():
    failure = status(404, '{"echo":"shpat_abcdef0123456789"}')
    assert "shpat_abcdef0123456789" not in str(failure.error)
    assert "check the store and the API version" in str(failure.error)


@pytest.mark.parametrize(
    ("code", "kind", "retry"),
    [
        ("THROTTLED", ThrottledError, True),
        ("ACCESS_DENIED", AuthError, False),
        ("MAX_COST_EXCEEDED", QueryError, False),
        ("INTERNAL_SERVER_ERROR", QueryError, True),
        (None, QueryError, False),
    ],
)
def test_graphql_error_codes(code, kind, retry):
    errors = [{"message": "m", "extensions": {"code": code} if code else {}}]
    failure = failures.from_graphql_errors("Shop", errors)
    assert isinstance(failure.error, kind)
    assert failure.retry is retry


def test_user_errors_helper():
    from reconciler.errors import UserErrorsError

    ok = {"productSet": {"product": {"id": "gid://shopify/Product/1"}, "userErrors": []}}
    assert client.raise_for_user_errors("ProductSet", ok) is ok
    bad = {"productSet": {"product": None, "userErrors": [{"field": ["input"], "message": "x"}]}}
    with pytest.raises(UserErrorsError, match="input: x"):
        client.raise_for_user_errors("ProductSet", bad)
