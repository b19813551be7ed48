"""A WINIT return's declared (ordered) and received (put away) goods lines, paired for
comparison: which received line is the same goods as which declared one."""

from __future__ import annotations

from app.model import SkuLine


def _key(value: str | None) -> str:
    return (value or "").strip().casefold()


def pair_lines(declared: list[SkuLine], received: list[SkuLine]
               ) -> list[tuple[SkuLine | None, SkuLine | None]]:
    """WINIT's declared and received lines, each declared line with the received line of the
    same goods, in declared order; then the received lines no declared line has.

    Paired by SKU; a declared line whose SKU no received line has, by barcode; lines with
    neither SKU nor barcode by their order among such lines. Each received line pairs once
    (the same SKU twice pairs first with first). ``(line, None)``: declared, not received;
    ``(None, line)``: received, not declared. (Paired by position, a declared line not yet
    received compared every later line with the next SKU's.)"""
    partner: list[int | None] = [None] * len(declared)
    free = list(range(len(received)))  # received lines not paired yet, in their order
    for field in ("sku", "barcode"):
        for number, line in enumerate(declared):
            wanted = _key(getattr(line, field))
            if partner[number] is not None or not wanted:
                continue
            match = next((j for j in free if _key(getattr(received[j], field)) == wanted), None)
            if match is not None:
                partner[number] = match
                free.remove(match)
    unnamed = [j for j in free if not _key(received[j].sku) and not _key(received[j].barcode)]
    for number, line in enumerate(declared):
        if partner[number] is None and unnamed and not _key(line.sku) and not _key(line.barcode):
            spare = unnamed.pop(0)
            partner[number] = spare
            free.remove(spare)
    pairs: list[tuple[SkuLine | None, SkuLine | None]] = [
        (line, None if j is None else received[j]) for line, j in zip(declared, partner, strict=True)]
    pairs += [(None, received[j]) for j in free]
    return pairs


__all__ = ["pair_lines"]
