"""Logging set-up for the CLI (text or JSON lines on stderr), and the one redactor of secrets.

`redact(text)` removes two kinds of secret from any text:
- by value: every secret this run holds (the access token, the client secret, every token minted
  with it), registered with `register_secret` by whoever first holds it (store.Credentials, and
  the client for a minted token), in its plain and its form-encoded spelling. A store may echo a
  token of any shape (a proxy's, a custom app's), so the value itself is what is removed.
- by pattern: anything shaped like a Shopify Admin token (shpat_, shpca_, shpss_ ...), anything
  after a token header name, and the value of a `client_secret=` form field.

Values shorter than MIN_SECRET_LENGTH are not redacted by value: replacing a 3-letter word
everywhere would mangle messages, and no real token or secret is that short.

Every exception of errors.py redacts its own text, and every log record that goes through the
handler `configure` installs is redacted (message, JSON fields and any traceback), so a message
is clean wherever it is printed.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from typing import Any
from urllib.parse import quote, quote_plus

MIN_SECRET_LENGTH = 8
MARK = "[REDACTED]"

# Shopify Admin tokens (shpat_, shpca_, shpss_ ...), anything after a token header name, and the
# client secret of a token request (form-encoded, or echoed as JSON).
_PATTERN = re.compile(
    r"(shp[a-z]{2}_[0-9A-Za-z]+"
    r"|(?i:x-shopify-access-token)['\"]?\s*[:=]\s*['\"]?[^\s'\",}]+"
    r"|(?i:client_secret)['\"]?\s*[:=]\s*['\"]?[^\s'\",}&]+)"
)

_lock = threading.Lock()
_values: frozenset[str] = frozenset()
_by_value: re.Pattern[str] | None = None


def register_secret(value: str | None) -> None:
    """Redact `value` from every message from now on (a no-op for None or short values)."""
    global _values, _by_value
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    with _lock:
        spellings = {value, quote_plus(value), quote(value, safe="")}
        if spellings <= _values:
            return
        _values = _values | spellings
        # Longest first, so that a secret containing another is removed whole.
        ordered = sorted(_values, key=len, reverse=True)
        _by_value = re.compile("|".join(map(re.escape, ordered)))


def redact(text: str) -> str:
    """`text` without any registered secret value or anything shaped like a secret."""
    pattern = _by_value
    if pattern is not None:
        text = pattern.sub(MARK, text)
    return _PATTERN.sub(MARK, text)


def redact_data(value: Any) -> Any:
    """`redact` applied to every string inside lists and mappings (GraphQL `errors`, fields)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): redact_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(v) for v in value]
    return value


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        fields = getattr(record, "fields", None)
        if fields:
            record.fields = redact_data(dict(fields))
        return True


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # The traceback (exc_info) is formatted here, after the filter ran: redact it too.
        return redact(super().format(record))


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(redact_data(data), default=lambda v: redact(str(v)))


def configure(verbose: bool = False, log_format: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RedactingFilter())
    formatter = _JsonFormatter() if log_format == "json" else _TextFormatter("%(message)s")
    handler.setFormatter(formatter)
    root = logging.getLogger("reconciler")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root.propagate = False
