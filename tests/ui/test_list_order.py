"""The list order's rank table, built in slices (so the interpreter lock can change hands
between them), is the same table as one built at once."""

from __future__ import annotations

import pytest

from ui.list_order import RANK_CHUNK, rank_of


@pytest.mark.parametrize("size", [0, 1, RANK_CHUNK - 1, RANK_CHUNK, RANK_CHUNK + 1,
                                  3 * RANK_CHUNK + 17])
def test_rank_of_places_every_key_at_its_position(size: int) -> None:
    keys = [f"rh:{n:08d}" for n in range(size)][::-1]  # any order: positions, not sorting
    rank = rank_of(keys)
    assert rank == {key: position for position, key in enumerate(keys)}
    assert len(rank) == size
