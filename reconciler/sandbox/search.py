"""Shopify's search syntax for `products(query:)` and `productsCount(query:)`, the subset the
sandbox understands (https://shopify.dev/api/usage/search-syntax; QueryRoot.products `query` table).

Terms: `field:value`, comparators `:>`, `:>=`, `:<`, `:<=`, quoted values, bare words (the default
field), `-term` / `NOT term`, implicit AND, `AND`, `OR`, parentheses. Fields: id, handle, tag,
tag_not, status, title, vendor, product_type, sku, barcode, created_at, updated_at, gift_card and
`metafields.NS.KEY`.

A term Shopify would not filter on is dropped rather than made false, as Shopify does: an unknown
field, and — the case that matters (fact sheet §10) — a metafield term without an admin-filterable
definition for that product namespace/key, which leaves the results unfiltered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .gids import parse_gid, parse_iso
from .state import Product, Store

Predicate = Callable[[Product], bool]
_TOKEN = re.compile(
    r"""\s*(?:(?P<open>\()|(?P<close>\))|(?P<term>-?(?:[^\s():"']+:)?(?:[<>]=?)?"""
    r"""(?:"[^"]*"|'[^']*'|[^\s()]+)))"""
)
_COMPARATOR = re.compile(r"^(>=|<=|>|<)?(.*)$", re.S)


def compile_query(store: Store, query: str | None) -> Predicate | None:
    """A predicate for the query, or None when nothing filters (match everything)."""
    if not query or not query.strip():
        return None
    tokens = _tokens(query)
    parser = _Parser(store, tokens)
    return parser.parse()


def _tokens(query: str) -> list[str]:
    out, pos = [], 0
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if m is None or m.end() == pos:
            if query[pos:].strip() == "":
                break
            pos += 1
            continue
        out.append(m.group("open") or m.group("close") or m.group("term"))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, store: Store, tokens: list[str]) -> None:
        self.store, self.tokens, self.pos = store, tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        self.pos += 1
        return self.tokens[self.pos - 1]

    def parse(self) -> Predicate | None:
        result = self.or_expr()
        while self.peek() is not None:  # stray ")" etc.: skip, keep what parsed
            self.take()
            result = _and(result, self.or_expr())
        return result

    def or_expr(self) -> Predicate | None:
        left = self.and_expr()
        while self.peek() == "OR":
            self.take()
            left = _or(left, self.and_expr())
        return left

    def and_expr(self) -> Predicate | None:
        left = self.unary()
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
            left = _and(left, self.unary())
        return left

    def unary(self) -> Predicate | None:
        token = self.peek()
        if token is None:
            return None
        if token == "NOT":
            self.take()
            return _not(self.unary())
        if token == "(":
            self.take()
            inner = self.or_expr()
            if self.peek() == ")":
                self.take()
            return inner
        if token == ")":
            return None
        self.take()
        if token.startswith("-") and len(token) > 1:
            return _not(term(self.store, token[1:]))
        return term(self.store, token)


def _and(a: Predicate | None, b: Predicate | None) -> Predicate | None:
    if a is None or b is None:
        return a or b
    return lambda p: a(p) and b(p)


def _or(a: Predicate | None, b: Predicate | None) -> Predicate | None:
    if a is None or b is None:
        return a or b
    return lambda p: a(p) or b(p)


def _not(a: Predicate | None) -> Predicate | None:
    return None if a is None else (lambda p: not a(p))


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def term(store: Store, token: str) -> Predicate | None:
    name, sep, raw = token.partition(":")
    if not sep:
        return _default(_unquote(token).lower())
    m = _COMPARATOR.match(raw)
    op, value = (m.group(1) or ""), _unquote(m.group(2))
    name = name.lower()
    if name.startswith("metafields."):
        return _metafield(store, name, value)
    builder = _FIELDS.get(name)
    return builder(op, value) if builder else None


def _values(value: str) -> set[str]:
    return {v.strip().lower() for v in value.split(",") if v.strip()}


def _text(get: Callable[[Product], str], exact: bool) -> Callable[[str, str], Predicate]:
    def build(_op: str, value: str) -> Predicate:
        wanted = _values(value) if exact else {value.lower()}
        if not exact:
            needle = value.lower().rstrip("*")
            return lambda p: needle in get(p).lower()
        return lambda p: get(p).lower() in wanted

    return build


def _compare(op: str, left: float, right: float) -> bool:
    return {
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }.get(op, left == right)


def _number_field(get: Callable[[Product], int], time: bool) -> Callable[[str, str], Predicate]:
    def build(op: str, value: str) -> Predicate | None:
        if time:
            bound = _time(value)
        else:
            parsed = parse_gid(value)
            bound = parsed[1] if parsed else (int(value) if value.isdigit() else None)
        if bound is None:
            return None
        return lambda p: _compare(op, get(p), bound)

    return build


def _time(value: str) -> int | None:
    if value.lower() == "now":
        import time

        return int(time.time())
    return parse_iso(value)


def _default(word: str) -> Predicate:
    def match(p: Product) -> bool:
        fields = (p.title, p.handle, p.vendor, p.product_type, *p.tags)
        return any(word in f.lower() for f in fields) or any(
            word == (v.sku or "").lower() for v in p.variants
        )

    return match


def _tag(negate: bool) -> Callable[[str, str], Predicate]:
    def build(_op: str, value: str) -> Predicate:
        wanted = _values(value)

        def has(p: Product) -> bool:
            return any(t.lower() in wanted for t in p.tags)

        return (lambda p: not has(p)) if negate else has

    return build


def _variant_field(attr: str) -> Callable[[str, str], Predicate]:
    def build(_op: str, value: str) -> Predicate:
        wanted = _values(value)
        return lambda p: any((getattr(v, attr) or "").lower() in wanted for v in p.variants)

    return build


def _metafield(store: Store, name: str, value: str) -> Predicate | None:
    parts = name.split(".")
    if len(parts) != 3:
        return None
    definition = store.definition_for("PRODUCT", parts[1], parts[2])
    if definition is None or not definition.admin_filterable:
        return None  # Shopify ignores the term: results stay unfiltered
    ns, key = definition.namespace, definition.key

    def match(p: Product) -> bool:
        for mf in p.metafields or ():
            if mf.namespace == ns and mf.key == key:
                return mf.value.lower() == value.lower() or value.lower() in _list(mf.value)
        return False

    return match


def _list(value: str) -> list[str]:
    if value.startswith("["):
        import json

        try:
            return [str(v).lower() for v in json.loads(value)]
        except ValueError:
            return []
    return []


_FIELDS: dict[str, Callable[[str, str], Predicate | None]] = {
    "id": _number_field(lambda p: p.id, time=False),
    "created_at": _number_field(lambda p: p.created_at, time=True),
    "updated_at": _number_field(lambda p: p.updated_at, time=True),
    "handle": _text(lambda p: p.handle, exact=True),
    "status": _text(lambda p: p.status, exact=True),
    "vendor": _text(lambda p: p.vendor, exact=True),
    "product_type": _text(lambda p: p.product_type, exact=True),
    "title": _text(lambda p: p.title, exact=False),
    "tag": _tag(negate=False),
    "tag_not": _tag(negate=True),
    "sku": _variant_field("sku"),
    "barcode": _variant_field("barcode"),
    "gift_card": lambda _op, v: lambda p: p.gift_card == (v.lower() == "true"),
}


def sort_key(name: str) -> Callable[[Product], Any]:
    """The order of `products(sortKey:)`; ties broken by id. RELEVANCE falls back to id."""
    keys: dict[str, Callable[[Product], Any]] = {
        "TITLE": lambda p: (p.title.lower(), p.id),
        "UPDATED_AT": lambda p: (p.updated_at, p.id),
        "CREATED_AT": lambda p: (p.created_at, p.id),
        "VENDOR": lambda p: (p.vendor.lower(), p.id),
        "PRODUCT_TYPE": lambda p: (p.product_type.lower(), p.id),
        "INVENTORY_TOTAL": lambda p: (total_inventory(p), p.id),
        "PUBLISHED_AT": lambda p: (published_at(p) or 0, p.id),
    }
    return keys.get(name, lambda p: (p.id,))


def total_inventory(p: Product) -> int:
    return sum(q[0] for v in p.variants for q in (v.inventory or {}).values())


def published_at(p: Product) -> int | None:
    return min(p.publications.values()) if p.publications else None
