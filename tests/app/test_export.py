"""CSV export of a day's decisions (function and ``returndesk export``)."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.export import COLUMNS, day_bounds, decisions_csv, export_command
from app.model import DecisionAction, DecisionState
from app.settings import Settings
from app.store import Store, open_store
from tests.app.store.helpers import decision, rh

DAY = date(2026, 3, 1)


def _fill(store: Store) -> None:
    start, end = day_bounds(DAY)
    store.upsert_many([rh(1), rh(2), rh(3), rh(4)])
    first = store.add_decision(decision("rh:1", "rst", idem="a", at=start + timedelta(hours=9)))
    assert first.id is not None
    store.update_decision(first.id, DecisionState.APPLIED, correlation_id="corr-1")
    evil = decision("rh:2", "ohd", idem="b", at=start + timedelta(hours=10))
    store.add_decision(dataclasses.replace(evil, operator="=HYPERLINK(1)"))
    store.add_decision(decision("rh:3", idem="c", at=start - timedelta(seconds=1)))  # day before
    store.add_decision(decision("rh:4", idem="d", at=end))                          # day after
    cancel = decision("rh:1", None, idem="e", at=start + timedelta(hours=11),  # type: ignore[arg-type]
                      action=DecisionAction.CANCEL, old="rst")
    failed = store.add_decision(cancel)
    assert failed.id is not None
    store.update_decision(failed.id, DecisionState.FAILED, result_message="too late, \"done\"\nsorry")


def test_decisions_csv(store: Store) -> None:
    _fill(store)
    start, end = day_bounds(DAY)
    rows = list(csv.reader(io.StringIO(decisions_csv(store, start, end))))
    assert tuple(rows[0]) == COLUMNS
    assert [r[3] for r in rows[1:]] == ["rh:1", "rh:2", "rh:1"]
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["RMA"] == "RMA00001" and first["old handling"] == "tbc"
    assert first["new handling"] == "rst" and first["result state"] == "applied"
    assert first["correlationId"] == "corr-1" and first["desk"] == "desk-1"
    assert first["time"].startswith("2026-03-01T09:00:00")
    assert rows[2][1] == "'=HYPERLINK(1)"   # never a formula in a spreadsheet
    assert rows[3][6] == "(cancel)" and rows[3][7] == "failed"
    assert rows[3][8] == "too late, \"done\"\nsorry"


def test_export_command_writes_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_path = tmp_path / "s.sqlite3"
    with open_store(str(store_path)) as store:
        _fill(store)
    out = tmp_path / "reports" / "day.csv"
    args = argparse.Namespace(day=DAY.isoformat(), output=str(out))
    assert export_command(args, Settings(store=str(store_path))) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for spreadsheet programs
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 4
    assert "3 decision(s) of 2026-03-01" in capsys.readouterr().err


def test_export_command_to_stdout_and_bad_day(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(store=str(tmp_path / "s.sqlite3"))
    assert export_command(argparse.Namespace(day="2026-03-01", output=None), settings) == 0
    assert capsys.readouterr().out.startswith("time,operator,desk,item key,RMA")
    assert export_command(argparse.Namespace(day="01/03/2026", output=None), settings) == 2
    assert "--day must be a date" in capsys.readouterr().err
