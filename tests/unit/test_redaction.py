"""The redactor (logs.py): secrets by value (any shape, plain or form-encoded, 8 characters and up)
and by pattern, applied to every exception of errors.py and every log record the CLI's handler
writes (text and JSON, tracebacks included). Issue 8, item 3."""

from __future__ import annotations

import io
import json
import logging
import traceback
import uuid

import pytest

from reconciler import logs
from reconciler.errors import AuthError, QueryError, ReconcilerError, UserErrorsError
from reconciler.shopify.store import Credentials


def fresh(length: int = 32) -> str:
    """A secret of no known shape (the registry remembers every value, so a new one per test)."""
    return uuid.uuid4().hex[:length]


def test_a_registered_value_of_any_shape_is_redacted():
    value = fresh()
    logs.register_secret(value)
    assert logs.redact(f"Invalid token {value}!") == "Invalid token [REDACTED]!"


def test_the_minimum_length_is_eight_characters():
    short, enough = fresh(logs.MIN_SECRET_LENGTH - 1), fresh(logs.MIN_SECRET_LENGTH)
    logs.register_secret(short)
    logs.register_secret(enough)
    assert logs.redact(f"{short} {enough}") == f"{short} [REDACTED]"


def test_the_form_encoded_spelling_is_redacted_too():
    value = f"{fresh(12)}/+&= {fresh(12)}"
    logs.register_secret(value)
    echoed = "grant_type=client_credentials&secret=" + value.replace("/", "%2F").replace(
        "+", "%2B"
    ).replace("&", "%26").replace("=", "%3D").replace(" ", "+")
    assert logs.redact(f"bad: {value}") == "bad: [REDACTED]"
    assert logs.redact(echoed) == "grant_type=client_credentials&secret=[REDACTED]"


def test_a_secret_containing_another_is_removed_whole():
    inner = fresh(10)
    outer = f"{inner}{fresh(10)}"
    logs.register_secret(inner)
    logs.register_secret(outer)
    assert logs.redact(f"<{outer}>") == "<[REDACTED]>"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Invalid token shpat_0123456789abcdef", "0123456789abcdef"),
        ("X-Shopify-Access-Token: abc.def-ghi", "abc.def-ghi"),
        ('{"x-shopify-access-token": "abc"}', "abc"),
        ("grant_type=client_credentials&client_id=cid&client_secret=opaque&x=1", "opaque"),
        ('{"client_secret": "opaque"}', "opaque"),
    ],
)
def test_known_patterns_are_redacted_without_registration(text, secret):
    shown = logs.redact(text)
    assert "[REDACTED]" in shown and secret not in shown


def test_credentials_register_their_secrets_and_keep_them_out_of_repr():
    token, client_secret = fresh(), fresh()
    creds = Credentials(access_token=token)
    Credentials(client_id="cid", client_secret=client_secret)
    assert token not in repr(creds)
    assert logs.redact(f"{token} {client_secret}") == "[REDACTED] [REDACTED]"


def test_every_error_redacts_its_text_args_and_traceback():
    value = fresh()
    logs.register_secret(value)
    errors = [
        AuthError(f"refused: {value}"),
        QueryError(f"Shop: bad {value}", [{"message": f"bad {value}"}]),
        UserErrorsError("ProductSet", [{"field": ["title"], "message": value, "code": "X"}]),
    ]
    for exc in errors:
        shown = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
        assert value not in shown and "[REDACTED]" in shown
    assert value not in json.dumps(errors[1].errors) + json.dumps(errors[2].user_errors)


def test_a_secret_registered_after_the_error_was_made_is_redacted_when_shown():
    value = fresh()
    exc = ReconcilerError(f"echo {value}")
    logs.register_secret(value)  # e.g. a token minted later in the run
    assert str(exc) == "echo [REDACTED]"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_log_records_are_redacted_message_fields_and_traceback(monkeypatch, log_format):
    value = fresh()
    logs.register_secret(value)
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    logs.configure(verbose=True, log_format=log_format)
    log = logging.getLogger("reconciler.test")
    log.debug("token %s", value, extra={"fields": {"echo": value, "n": 1}})
    try:
        raise ValueError(f"boom {value}")
    except ValueError:
        log.exception("failed")
    written = stream.getvalue()
    assert value not in written
    assert written.count("[REDACTED]") >= 2
    if log_format == "json":
        first = json.loads(written.splitlines()[0])
        assert first["echo"] == "[REDACTED]" and first["n"] == 1
