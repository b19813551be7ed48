"""Pairing a WINIT return's declared and received goods lines (app.winit.lines), without
Qt: the detail panel's comparison table is built on these pairs (tests/ui/test_detail.py
checks the table)."""

from __future__ import annotations

from app.model import LineKind, SkuLine
from app.winit.lines import pair_lines


def declared(sku: str | None = None, barcode: str | None = None, qty: int = 1) -> SkuLine:
    return SkuLine(kind=LineKind.ESTIMATE, sku=sku, barcode=barcode, quantity=qty)


def received(sku: str | None = None, barcode: str | None = None, qty: int = 1) -> SkuLine:
    return SkuLine(kind=LineKind.ACTUAL, sku=sku, barcode=barcode, quantity=qty)


def test_lines_pair_by_sku_ignoring_case_and_spaces_in_declared_order() -> None:
    a, b = declared("SKU-A"), declared("SKU-B")
    rb, ra = received(" sku-b "), received("SKU-A")
    assert pair_lines([a, b], [rb, ra]) == [(a, ra), (b, rb)]


def test_barcode_pairs_what_the_sku_does_not_and_order_pairs_lines_with_neither() -> None:
    by_barcode = declared("OLD-SKU", "6900001")
    nameless = declared(qty=2)
    r_barcode, r_nameless = received("NEW-SKU", "6900001"), received(qty=1)
    assert pair_lines([nameless, by_barcode], [r_nameless, r_barcode]) == [
        (nameless, r_nameless), (by_barcode, r_barcode)]


def test_unmatched_lines_stay_alone_and_each_received_line_pairs_once() -> None:
    first, second, missing = declared("S"), declared("S"), declared("GONE")
    r1, r2, extra = received("S", qty=1), received("S", qty=2), received("EXTRA")
    assert pair_lines([first, second, missing], [r1, extra, r2]) == [
        (first, r1), (second, r2), (missing, None), (None, extra)]


def test_no_lines_no_pairs() -> None:
    assert pair_lines([], []) == []
    only = received("X")
    assert pair_lines([], [only]) == [(None, only)]
