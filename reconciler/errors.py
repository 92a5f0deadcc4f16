"""The exception tree. Every error a user can cause is one of these, rendered once by cli.py.

ReconcilerError                 anything the CLI turns into one message and exit 1
├── UsageError                  bad options or settings (store selection, CI without a store)
├── CatalogError                the catalog has problems; carries every Problem
├── ShopifyError                the Admin API could not do what was asked
│   ├── TransportError          network failure, timeout or 5xx after the last retry
│   ├── AuthError               401/403, or the token could not be minted
│   ├── RedirectError           the store answered a redirect, not followed with credentials
│   ├── ThrottledError          still throttled after the last retry
│   ├── VariantLimitError       daily variant-creation limit (a 429 waiting won't fix)
│   ├── QueryError              top-level GraphQL `errors` (the request itself was refused)
│   └── UserErrorsError         `userErrors` in a mutation payload (gql never raises on these)
├── PlanError                   a saved plan cannot be used
│   └── StalePlanError          the live products changed since the plan was made
└── ApplyError                  apply stopped; the report says what was written
    └── LeaseError              another apply holds the store's lease, or ours was lost
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.logs import redact, redact_data


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about the catalog, pointing at the YAML that caused it."""

    file: str
    line: int
    col: int
    where: str  # a path inside the document, e.g. "variants[2].price", or "" for the whole file
    message: str
    severity: str = field(default="error", compare=False)  # "error" | "warning"

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{self.file}:{self.line}:{self.col}:{where} {self.message}"


class ReconcilerError(Exception):
    """Base of every error the CLI reports as one clear message and exit code 1.

    Its text never holds a secret: the message is redacted when the error is made (by pattern and
    by every secret value known then) and again whenever it is shown (a secret registered since,
    such as a token minted later), so `str(exc)`, `exc.args` and a traceback are all clean.
    """

    def __init__(self, *args: object):
        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))

    def __str__(self) -> str:
        return redact(super().__str__())


class UsageError(ReconcilerError):
    pass


class CatalogError(ReconcilerError):
    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        first = str(errors[0]) if errors else "catalog has problems"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class ShopifyError(ReconcilerError):
    pass


class TransportError(ShopifyError):
    pass


class AuthError(ShopifyError):
    pass


class RedirectError(ShopifyError):
    pass


class ThrottledError(ShopifyError):
    pass


class VariantLimitError(ShopifyError):
    pass


class QueryError(ShopifyError):
    def __init__(self, message: str, errors: list[dict] | None = None):
        self.errors = redact_data(errors or [])
        super().__init__(message)


class UserErrorsError(ShopifyError):
    def __init__(self, operation: str, user_errors: list[dict]):
        self.operation = operation
        self.user_errors = redact_data(user_errors)
        text = "; ".join(
            f"{'.'.join(e.get('field') or []) or '-'}: {e.get('message')} ({e.get('code')})"
            for e in user_errors
        )
        super().__init__(f"{operation}: {text}")


class PlanError(ReconcilerError):
    pass


class StalePlanError(PlanError):
    def __init__(self, handles: list[str]):
        self.handles = sorted(handles)
        super().__init__(
            "the plan is stale: these products changed since it was made: "
            + ", ".join(self.handles)
            + " (plan again, or apply with --skip-stale)"
        )


class ApplyError(ReconcilerError):
    pass


class LeaseError(ApplyError):
    pass
