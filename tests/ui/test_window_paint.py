"""The desk window paints its list once while it opens (a full repaint of the list is about
20 ms at 200,000 items, and start-up used to pay for three).

The window is opened in a process of its own, the way ``returndesk`` opens it (a fresh
QApplication, the qasync loop under ``asyncio.Runner``): in the shared test application the
order of the first expose and the posted events differs, and the extra paints never show.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.desk import DeskService

ROOT = Path(__file__).resolve().parents[2]

OPEN_AND_COUNT = r'''
import asyncio, sys
from pathlib import Path
import qasync
from app.credentials import Credentials
from app.desk import DeskService
from app.settings import Settings
from app.store import open_store
from ui.feedback import SoundPlayer
from ui.inventory import Column
from ui.main import make_application
from ui.qt import QEvent, QObject, QTimer
from ui.window import MainWindow

class PaintCounter(QObject):
    paints = 0
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False

async def settle(rounds=3):
    # the event loop runs over a few times (posted events, zero-time timers, the repaints
    # they ask for): a chain of zero-time timers, not a clock
    done = asyncio.get_running_loop().create_future()
    left = [rounds]
    def step():
        left[0] -= 1
        if left[0]:
            QTimer.singleShot(0, step)
        elif not done.done():
            done.set_result(None)
    QTimer.singleShot(0, step)
    await done

async def main(app):
    store = open_store(sys.argv[1])
    desk = DeskService(Settings(store=sys.argv[1]), store, Credentials(memory_only="paint"), None)
    window = MainWindow(desk, sounds=SoundPlayer(backend="none"))
    counter = PaintCounter()
    window.view.viewport().installEventFilter(counter)
    window.resize(1500, 900)
    window.show()
    await settle()
    print("rows", window.model.rowCount())
    print("paints", counter.paints)
    print("widths", window.view.columnWidth(int(Column.RMA)),
          window.view.columnWidth(int(Column.QUANTITY)))
    names = [p.read_text().strip() for p in Path("/proc/self/task").glob("*/comm")]
    print("pooled", sum(name == "Thread (pooled)" for name in names))
    window.close()
    store.close()

app = make_application([])
with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
    runner.run(main(app))
'''


def test_the_list_is_painted_once_while_the_window_opens(desk: DeskService, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "RETURNDESK_CONFIG_DIR": str(tmp_path / "config"),
           "RETURNDESK_DATA_DIR": str(tmp_path / "data"), "RETURNDESK_LOG_DIR": str(tmp_path / "log")}
    env.pop("QT_NO_GUI_THREADPOOL", None)  # this process's ui.qt set it: the child must
    done = subprocess.run([sys.executable, "-c", OPEN_AND_COUNT, desk.settings.store], env=env,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    report = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    assert int(report["rows"]) > 0  # there was a list to paint
    assert int(report["paints"]) == 1
    # The starting widths were set while the header's signals were blocked; they hold.
    assert report["widths"] == "190 45"
    # Qt's GUI thread pool is off (ui.qt): the paints ran without pooled fill threads.
    if Path("/proc/self/task").is_dir():
        assert int(report["pooled"]) == 0


def test_the_window_draws_text_unshaped_in_the_applications_family_and_size(window: Any) -> None:
    from ui.qt import QApplication, QFont

    app_font = QApplication.font()
    for widget in (window, window.view, window.detail, window.scan_field):
        font = widget.font()
        assert font.styleStrategy() & QFont.StyleStrategy.PreferNoShaping
        assert font.family() == app_font.family()
    for widget in (window.view, window.detail):  # the scan field has its own, larger size
        assert widget.font().pointSizeF() == app_font.pointSizeF()


def test_a_scan_repaints_the_lists_rows_but_not_its_header(window: Any, clock: Any,
                                                           qtbot: Any) -> None:
    """Qt repaints the part of a header a selection covers; a row selected in this list
    covers every column, so each scan repainted the whole header (~0.6 ms a scan)."""
    from tests.ui.test_window import selected_key, type_scan
    from ui.qt import QApplication, QEvent, QObject

    class Paints(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []

        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.seen.append(watched.objectName())
            return False

    header = window.view.horizontalHeader()
    header.viewport().setObjectName("header")
    window.view.viewport().setObjectName("rows")
    paints = Paints()
    header.viewport().installEventFilter(paints)
    window.view.viewport().installEventFilter(paints)
    window.filter_combo.setCurrentIndex(window.filter_combo.findData("all"))
    qtbot.waitUntil(lambda: window.model.query.filter.value == "all")
    QApplication.processEvents()
    scans = []  # four items, each found alone by its RMA, far apart in the list
    rows = window.store.rows(window.model.query, 0, window.model.rowCount())
    for row in rows[::max(1, len(rows) // 8)]:
        if row.rma and len({m.key for m in window.store.lookup(row.rma)}) == 1:
            scans.append((row.rma, row.key))
    assert len(scans) >= 4
    scanned = 0
    for number, (value, key) in enumerate(scans[:4]):
        paints.seen.clear()
        type_scan(window.scan_field, value, clock)
        QApplication.processEvents()
        assert window.current_key == key and selected_key(window) == key  # selected in the list
        if number:  # the first scan also finishes what the filter's change began
            assert "rows" in paints.seen and "header" not in paints.seen, paints.seen
            scanned += 1
    assert scanned == 3
    header.viewport().update()  # the header still paints when it has to
    QApplication.processEvents()
    assert "header" in paints.seen


def test_a_click_on_a_column_title_sorts_the_list(window: Any, qtbot: Any) -> None:
    from app.store import SortKey
    from ui.inventory import Column
    from ui.qt import QPoint, Qt, load_qtest

    header = window.view.horizontalHeader()
    column = int(Column.WEIGHT)
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    assert 0 < x < header.viewport().width()
    load_qtest().mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier, QPoint(x, header.height() // 2))
    qtbot.waitUntil(lambda: window.model.query.sort is SortKey.WEIGHT)
    assert header.sortIndicatorSection() == column


def test_a_scan_reads_the_found_item_once(window: Any, clock: Any, qtbot: Any,
                                         monkeypatch: Any) -> None:
    """The scan's match is the record shown: selecting its row does not read it again."""
    from tests.ui.test_window import selected_key, type_scan

    window.filter_combo.setCurrentIndex(window.filter_combo.findData("all"))
    qtbot.waitUntil(lambda: window.model.query.filter.value == "all")
    rows = window.store.rows(window.model.query, 0, window.model.rowCount())
    target = next(row for row in reversed(rows) if row.rma and len(
        {m.key for m in window.store.lookup(row.rma)}) == 1 and row.key != window.current_key)
    reads: list[str] = []
    get = window.store.get

    def counted(key: str) -> Any:
        reads.append(key)
        return get(key)

    monkeypatch.setattr(window.store, "get", counted)
    type_scan(window.scan_field, target.rma, clock)
    assert window.current_key == target.key and selected_key(window) == target.key
    assert window.detail.record is not None and window.detail.record.key == target.key
    assert reads.count(target.key) == 1, reads
