"""Hypothesis strategies for product documents that validate but are written the way real exports
are: padded and case-varied values, empty strings, Shopify's "Default Title" option spelled out,
amounts with trailing zeros or as many decimals as the store's currency has, zero weights in any
unit, long descriptions."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

CURRENCIES = {"USD": 2, "JPY": 0, "KWD": 3}
WORDS = ("summer", "cotton", "sale", "new", "gift", "eco", "blue", "linen", "wool", "kids")
SIZES = ("S", "M", "L", "XL")
COLORS = ("Red", "Blue", "Black")
UNITS = ("GRAMS", "KILOGRAMS", "OUNCES", "POUNDS")
IMAGES = ("front.jpg", "back.png", "side.webp")

pads = st.sampled_from(("", " ", "  ", "\t"))


@st.composite
def padded(draw: st.DrawFn, text: str) -> str:
    return draw(pads) + text + draw(pads)


@st.composite
def cased(draw: st.DrawFn, text: str) -> str:
    return draw(st.sampled_from((text, text.upper(), text.capitalize())))


@st.composite
def amount(draw: st.DrawFn, decimals: int, low: int = 1) -> str:
    """An amount the currency can hold, written with fewer, as many or more (zero) decimals."""
    units = draw(st.integers(low, low + 500))
    minor = draw(st.integers(0, 10**decimals - 1)) if decimals else 0
    text = f"{units}.{minor:0{decimals}d}" if decimals else str(units)
    shape = draw(st.sampled_from(("as is", "trailing zeros", "short")))
    if shape == "trailing zeros":
        text += ("" if decimals else ".") + "0" * draw(st.integers(1, 2))
    elif shape == "short" and decimals and minor == 0:
        text = str(units)
    return text


@st.composite
def optional_text(draw: st.DrawFn, text: str) -> str | None:
    """Unset, empty, or the text (maybe padded)."""
    kind = draw(st.sampled_from(("unset", "empty", "text")))
    if kind == "unset":
        return None
    return "" if kind == "empty" else draw(padded(text))


@st.composite
def variant(draw: st.DrawFn, decimals: int, sku: str) -> dict[str, Any]:
    out: dict[str, Any] = {"price": draw(amount(decimals))}
    if draw(st.booleans()):
        out["compare_at_price"] = draw(amount(decimals, low=600))
    if draw(st.booleans()):
        out["cost"] = draw(amount(decimals))
    for key, text in (("sku", sku), ("barcode", f"0{len(sku)}123")):
        value = draw(optional_text(text))
        if value is not None:
            out[key] = value
    if draw(st.booleans()):
        zero = draw(st.booleans())
        value = "0" if zero else draw(st.sampled_from(("0.5", "1", "2.25", "120")))
        out["weight"] = {"value": value, "unit": draw(st.sampled_from(UNITS))}
    for flag in ("taxable", "requires_shipping"):
        if draw(st.booleans()):
            out[flag] = draw(st.booleans())
    return out


@st.composite
def options_and_variants(draw: st.DrawFn, handle: str, decimals: int) -> dict[str, Any]:
    shape = draw(st.sampled_from(("none", "default title", "options")))
    if shape != "options":
        one = draw(variant(decimals, f"{handle}-1"))
        if shape == "none":
            return {"variants": [one]}
        name = draw(padded("Title"))
        one["options"] = {name: "Default Title"}
        return {"options": [{"name": name, "values": ["Default Title"]}], "variants": [one]}
    axes = []
    for name, values in (("Size", SIZES), ("Color", COLORS))[: draw(st.integers(1, 2))]:
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
        axes.append((draw(padded(name)), [draw(padded(v)) for v in chosen]))
    variants = []
    for number, combo in enumerate(itertools.product(*(vals for _, vals in axes))):
        one = draw(variant(decimals, f"{handle}-{number}"))
        one["options"] = {name: value for (name, _), value in zip(axes, combo, strict=True)}
        variants.append(one)
    return {"options": [{"name": n, "values": v} for n, v in axes], "variants": variants}


@st.composite
def product_document(draw: st.DrawFn, handle: str, decimals: int) -> dict[str, Any]:
    doc: dict[str, Any] = {"handle": handle, "title": draw(padded(f"Product {handle}"))}
    if draw(st.booleans()):
        doc["status"] = draw(st.sampled_from(("active", "draft")))
    for key, text in (("vendor", "Acme"), ("product_type", "Shirts")):
        value = draw(optional_text(text))
        if value is not None:
            doc[key] = value
    if draw(st.booleans()):
        words = draw(st.lists(st.sampled_from(WORDS), max_size=5, unique=True))
        doc["tags"] = [draw(padded(draw(cased(w)))) for w in words]
    shape = draw(st.sampled_from(("none", "long", "inline")))
    if shape == "long":
        repeat = draw(st.sampled_from((1, 40, 400)))  # up to ~20,000 characters
        doc["description_html"] = "<p>" + " ".join(["Soft cotton, made to last."] * repeat) + "</p>"
    elif shape == "inline":  # the space between inline tags is content (it renders)
        doc["description_html"] = draw(padded("<p><b>Soft</b> <i>cotton</i></p>"))
    if draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(IMAGES), min_size=1, max_size=2, unique=True))
        doc["media"] = [
            {"src": f"https://images.example.com/{handle}/{n}", "alt": draw(optional_text(n))}
            for n in names
        ]
        doc["media"] = [{k: v for k, v in m.items() if v is not None} for m in doc["media"]]
    seo = {}
    for key, text in (("title", "Buy it"), ("description", "The best one")):
        value = draw(optional_text(text))
        if value is not None:
            seo[key] = value
    if seo:
        doc["seo"] = seo
    doc.update(draw(options_and_variants(handle, decimals)))
    return doc


@st.composite
def catalogs(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    """(the store's currency, 1-3 product documents that validate)."""
    currency = draw(st.sampled_from(sorted(CURRENCIES)))
    count = draw(st.integers(1, 3))
    docs = [draw(product_document(f"p{i}", CURRENCIES[currency])) for i in range(count)]
    return currency, docs
