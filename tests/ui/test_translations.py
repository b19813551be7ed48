"""The window's translations: every string has its Chinese, WINIT's own status names, the
catalogue read with and without lrelease, and the window switching language live."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ui import i18n
from ui.inventory import Column
from ui.qt import QApplication, Qt

ROOT = Path(__file__).resolve().parents[2]


# -- translations --------------------------------------------------------------------------------
def test_every_ui_string_has_a_chinese_translation() -> None:
    from resources.translations.update_ts import main as update_main

    assert update_main(["--check"]) == 0


def test_chinese_status_names_are_winits_own(qapp: Any) -> None:
    seeds = sorted((ROOT.parent / "shared" / "reference" / "seeds").glob("004_*.txt"))
    if not seeds:
        pytest.skip("the vendor seed page is not beside the repository")
    text = seeds[0].read_text(encoding="utf-8")
    names = dict(re.findall(r"^([A-Z]{2}):(\S+)$", text, flags=re.MULTILINE))
    assert {"OD", "RE", "WP", "OC", "CD"} <= set(names)
    try:
        assert i18n.install_language("zh_CN")
        for code, name in names.items():
            if code in {"OD", "LC", "PC", "RE", "WP", "OC", "DT", "CD"}:
                assert i18n.winit_status_name(code) == name
    finally:
        i18n.install_language("en")
    assert i18n.winit_status_name("OD") == "Ordered"


def test_a_withdrawn_decision_is_explained_in_the_operators_language(qapp: Any) -> None:
    from app.model import WITHDRAWN_CODE

    english = i18n.decision_message("withdrawn by an undo", WITHDRAWN_CODE)
    assert english.startswith("Withdrawn by an undo")
    assert i18n.decision_message("HTTP 503", None) == "HTTP 503"  # a vendor's text as it came
    try:
        assert i18n.install_language("zh_CN")
        chinese = i18n.decision_message("withdrawn by an undo", WITHDRAWN_CODE)
        assert chinese != english and re.search(r"[\u4e00-\u9fff]", chinese)
    finally:
        i18n.install_language("en")


def test_language_switch_without_lrelease_reads_the_ts(qapp: Any, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setattr(i18n, "find_lrelease", lambda: None)
    monkeypatch.setattr(i18n, "qm_path", lambda language, cache_dir=None: None)
    try:
        assert i18n.install_language("zh_CN")
        assert isinstance(i18n._installed[0], i18n.TsTranslator)
        assert i18n.handling_status_name("pending") == "待处理"
    finally:
        i18n.install_language("en")
    assert i18n.handling_status_name("pending") == "Pending"


def test_ts_compiles_with_lrelease(tmp_path: Path) -> None:
    if i18n.find_lrelease() is None:
        pytest.skip("pyside6-lrelease is not installed")
    ts = i18n.translations_dir() / "returndesk_zh_CN.ts"
    assert i18n.compile_ts(ts, tmp_path / "out.qm")
    assert (tmp_path / "out.qm").stat().st_size > 1000


def test_window_switches_language_live(qtbot: Any, window: Any) -> None:
    try:
        i18n.install_language("zh_CN")
        QApplication.processEvents()
        assert window.sync_button.text() == "立即同步(&Y)"
        assert window.filter_combo.currentText() == "待处理"
        assert window.model.headerData(int(Column.RMA), Qt.Orientation.Horizontal) == "RMA"
        assert window.model.headerData(int(Column.TRACKING), Qt.Orientation.Horizontal) == "跟踪号"
    finally:
        i18n.install_language("en")
        QApplication.processEvents()
    assert window.sync_button.text() == "S&ync now"
