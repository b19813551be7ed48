"""The sandbox's seed data: deterministic and shaped like Return Helper's."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta

from app.sandbox.seed import WAREHOUSES, check_digits, generate, make_rma, png_for

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
RMA = re.compile(r"^(?P<prefix>[A-Z]{3})-(?P<wh>\d+)-(?P<date>\d{6})-(?P<env>[A-Z])(?P<seq>\d{5})"
                 r"(?:-(?P<split>\d{2}))?-(?P<check>\d{2})$")


def test_same_seed_same_data_other_seed_other_data():
    a = generate(300, 7, now=NOW)
    b = generate(300, 7, now=NOW)
    c = generate(300, 8, now=NOW)
    assert [x.list_row() for x in a] == [x.list_row() for x in b]
    assert [x.details() for x in a] == [x.details() for x in b]
    assert [x.rma for x in a] != [x.rma for x in c]


def test_shapes_of_the_seed():
    items = generate(3000, 42, now=NOW)
    assert len(items) == 3000
    assert len({i.return_inventory_id for i in items}) == 3000
    assert all(i.return_inventory_id > 2**31 for i in items)  # int64 ids
    assert {i.warehouse for i in items} == {f"{p}-{w}" for p, w, _c in WAREHOUSES}
    for item in items:
        for rma in (item.rma, item.item_rma):
            match = RMA.match(rma)
            assert match, rma
            assert f"{match['prefix']}-{match['wh']}" == item.warehouse
            body = rma.rsplit("-", 1)[0]
            assert match["check"] == check_digits(body)
        assert all(isinstance(d, int) and d > 0 for d in item.dims_cm)
        assert isinstance(item.weight_g, int) and item.weight_g > 0
        assert NOW - timedelta(days=151) <= item.create_on <= NOW + timedelta(days=1)
    split = [i for i in items if i.item_rma != i.rma]
    assert split and all(RMA.match(i.item_rma)["split"] for i in split)
    per_tracking = Counter(i.tracking_number for i in items)
    assert any(n > 1 for n in per_tracking.values())  # packages sharing a tracking number
    assert any(i.sku is None for i in items) and any(i.sku for i in items)
    assert any(i.has_unfinished_vas for i in items)
    codes = Counter((i.handling_code, i.handling_status) for i in items)
    assert codes[("tbc", "pending")] > len(items) / 2  # most are still to be decided
    assert any(status == "completed" for _c, status in codes)
    spread = max(i.create_on for i in items) - min(i.create_on for i in items)
    assert spread > timedelta(days=140)
    assert sum(len(i.image_keys) for i in items) > len(items) / 2


def test_rma_format():
    day = datetime(2024, 7, 15, tzinfo=UTC)
    rma = make_rma("USE", 2, day, 3)
    assert rma.startswith("USE-2-240715-D00003-") and RMA.match(rma)
    split = make_rma("USE", 2, day, 3, split=1)
    assert split.startswith("USE-2-240715-D00003-01-") and RMA.match(split)["split"] == "01"


def test_generated_images_are_valid_pngs():
    for key, size in (("sandbox/a/1/0.png", 480), ("sandbox/a/1/0-small.png", 64)):
        data = png_for(key)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(data[16:20], "big")
        assert width == size
        idat_len = int.from_bytes(data[33:37], "big")
        raw = zlib.decompress(data[41:41 + idat_len])
        assert len(raw) == size * (1 + 3 * size)
