"""The forked reader's results come back equal to what it built, without re-normalizing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal

import pytest

from reconciler.catalog import handover
from reconciler.catalog.products import Entry
from reconciler.errors import Problem
from reconciler.model import Media, Metafield, Option, Product, Variant, Weight


def _product() -> Product:
    return Product(
        handle="tee",
        title="Tee",
        previous_handles=("old-tee",),
        status="active",
        tags=["b", "a"],
        description_html="<p> x </p>",
        seo_title="T",
        publications=["Online Store"],
        options=(Option("Size", ("S", "M")),),
        variants=(
            Variant(options=(("Size", "M"),), price="10", weight=Weight(Decimal("100"), "GRAMS")),
            Variant(
                options=(("Size", "S"),),
                price=Decimal("9.5"),
                compare_at_price="12",
                sku="T-S",
                taxable=False,
                metafields=(Metafield("custom", "k", "boolean", "true"),),
            ),
        ),
        metafields=(Metafield("b", "k", "json", "{}"), Metafield("a", "k", "json", "[]")),
        media=(Media("https://x.example/a.jpg", "Front"),),
    )


def test_round_trip_gives_equal_objects_with_the_same_hash():
    product = _product()
    entries = [Entry("products/a.yaml", 1, product, [("handle", "tee", ("handle",), 1, 9)])]
    problems = [Problem("products/a.yaml", 3, 5, "title", "x", "warning")]
    back_entries, back_problems = handover.loads(handover.dumps((entries, problems)))
    assert back_entries == entries and back_problems == problems
    back = back_entries[0].product
    assert back.content_hash() == product.content_hash()
    assert back.variants[0].price == Decimal("9.50") and back.variants[1].weight.unit == "GRAMS"
    assert type(back.tags) is frozenset and back.variants == product.variants


def test_only_slotted_dataclasses_can_be_registered():
    @dataclass
    class Plain:
        a: int

    with pytest.raises(TypeError):
        handover.register(Plain)


def test_forked_function_result_comes_back():
    child = handover.Forked(lambda n: [_product()] * n, 3)
    assert child.result() == [_product()] * 3


def test_a_failing_child_gives_none_and_is_reaped():
    child = handover.Forked(lambda: 1 / 0)
    assert child.result() is None


def test_cancel_stops_a_running_child():
    child = handover.Forked(time.sleep, 60)
    started = time.monotonic()
    child.cancel()
    assert time.monotonic() - started < 30  # not the child's 60 s


def test_a_failed_forked_reader_is_redone_here(tmp_path, monkeypatch):
    from catalog_helpers import product

    from reconciler.catalog import products, read_catalog

    for i in range(6):
        (tmp_path / "products").mkdir(exist_ok=True)
        (tmp_path / "products" / f"p{i}.yaml").write_text(product(f"p{i}"), encoding="utf-8")
    alone = read_catalog(tmp_path)
    monkeypatch.setattr(products, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(handover, "dumps", lambda value: 1 / 0)  # fails in the child only
    forked = read_catalog(tmp_path)
    assert forked.products == alone.products and len(forked.products) == 6
    assert forked.problems == alone.problems
