"""Logging set-up for the CLI: text or JSON lines on stderr; secrets never reach a record."""

from __future__ import annotations

import json
import logging
import re
import sys

# Shopify Admin tokens (shpat_, shpca_, shpss_ ...) and anything after a token header name.
_SECRET = re.compile(
    r"(shp[a-z]{2}_[0-9A-Za-z]+"
    r"|(?i:x-shopify-access-token)['\"]?\s*[:=]\s*['\"]?[^\s'\",}]+)"
)


def redact(text: str) -> str:
    return _SECRET.sub("[REDACTED]", text)


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}) or {})
        return json.dumps(data, default=str)


def configure(verbose: bool = False, log_format: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RedactingFilter())
    handler.setFormatter(
        _JsonFormatter() if log_format == "json" else logging.Formatter("%(message)s")
    )
    root = logging.getLogger("reconciler")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root.propagate = False
