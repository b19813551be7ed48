"""Start the demo under Xvfb and save screenshots (not collected by pytest).

    python tests/ui/screenshots.py [--out screenshots] [--items 600] [--language en|zh_CN]

Re-runs itself under ``xvfb-run`` when there is no display. Saves:
main_window.png, detail_panel.png, detail_winit.png, settings_dialog.png,
settings_dialog_desk.png, scan_not_found.png, scan_multiple.png (when the demo data has a
tracking number on several parcels), scan_keyboard_layout.png, status_warnings.png,
main_window_zh_CN.png, decision_log.png and failed_decisions.png
(with --language both, the default).
The demo is the real thing: sandbox over HTTP, webhooks into a temporary store; a few WINIT
return orders are added to that store so the declared/received comparison can be seen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _ensure_display(argv: list[str]) -> None:
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        print("no xvfb-run: using Qt's offscreen platform", file=sys.stderr)
        return
    os.execv(xvfb, [xvfb, "-a", "-s", "-screen 0 1600x1000x24", sys.executable,
                    str(Path(__file__).resolve()), *argv])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    parser.add_argument("--items", type=int, default=600)
    parser.add_argument("--language", default="both", choices=["en", "zh_CN", "both"])
    args = parser.parse_args(argv)
    _ensure_display(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    for name in ("CONFIG_DIR", "DATA_DIR", "LOG_DIR"):  # never the user's own folders
        os.environ[f"RETURNDESK_{name}"] = tempfile.mkdtemp(prefix=f"shots-{name.lower()}-")
    sys.path.insert(0, str(ROOT))
    import keyring

    from tests.fixtures.keyring_memory import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())  # demo keys stay in memory
    import qasync

    from ui.main import make_application

    app = make_application()
    app.setQuitOnLastWindowClosed(False)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        saved = runner.run(_shoot(app, out, args.items, args.language))
    for path in saved:
        print(path)
    return 0


async def _settle(app: object, seconds: float) -> None:
    await asyncio.sleep(seconds)


async def _wait_for(predicate: object, timeout: float = 60.0) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.1)
    return False


async def _shoot(app: object, out: Path, items: int, language: str) -> list[Path]:
    import httpx

    from app.demo import demo_environment
    from app.desk import DeskService
    from app.model import Source
    from app.settings import Settings
    from app.store import RowFilter, RowQuery
    from tests.ui.conftest import winit_records
    from ui import i18n
    from ui.window import MainWindow, image_loader

    saved: list[Path] = []

    def grab(widget: object, name: str) -> None:
        # no processEvents() here: this runs inside a task, the loop must not re-enter
        path = out / name
        widget.grab().save(str(path))  # type: ignore[attr-defined]
        saved.append(path)

    async with httpx.AsyncClient(timeout=10) as http, \
            demo_environment(Settings(), items=items) as env:  # what `returndesk demo` opens
        desk = DeskService(env.settings, env.store, env.credentials, env.rh)
        await desk.start()
        desk.store.upsert_many(winit_records(12))
        window = MainWindow(desk, load_image=image_loader(http), demo=True)
        window.sounds.backend = "none"
        window.resize(1500, 900)
        window.show()
        await _wait_for(lambda: window.model.rowCount() >= min(items, 200) // 2)
        window.poll_store()
        # a Return Helper item with images, selected by a scan
        rows = desk.store.rows(RowQuery(filter=RowFilter.AWAITING, source=Source.RETURN_HELPER), 0, 200)
        def unique(r: object) -> bool:
            return len({m.key for m in desk.store.lookup(r.rma or "")}) == 1  # type: ignore[attr-defined]

        candidates = [r for r in (desk.store.get(row.key) for row in rows) if r is not None]
        record = next((r for r in candidates if r.images and r.remarks and unique(r)), None) \
            or next((r for r in candidates if unique(r)), candidates[0])
        assert record is not None
        window.scan_field.submit(record.rma or record.key)
        await _wait_for(lambda: all(not b.icon().isNull() for b in window.detail.thumbnails), 15)
        await _settle(app, 0.3)
        grab(window, "main_window.png")
        grab(window.detail, "detail_panel.png")
        # a WINIT return: declared against received goods
        winit = desk.store.rows(RowQuery(filter=RowFilter.ALL, source=Source.WINIT), 0, 20)
        if winit:
            window.scan_field.submit(desk.store.get(winit[0].key).winit_order_no or "")  # type: ignore[union-attr]
            await _settle(app, 0.2)
            grab(window.detail, "detail_winit.png")
        window.focus_scan()
        window.scan_field.submit("NO-SUCH-LABEL-42")
        await _settle(app, 0.2)
        grab(window, "scan_not_found.png")
        # one tracking number on several parcels: the operator chooses from a list
        shared = next((t for r in candidates for t in r.tracking_numbers
                       if len({m.key for m in desk.store.lookup(t)}) > 1), None)
        if shared:
            window.scan_field.submit(shared)
            await _settle(app, 0.2)
            grab(window, "scan_multiple.png")
        # a US scanner on a German keyboard: "-" arrives as "ß"
        window.scan_field.submit((record.rma or record.key).replace("-", "\u00df"))
        await _settle(app, 0.2)
        grab(window, "scan_keyboard_layout.png")
        # the status bar's warnings: this computer's clock 2 h off, and not in front
        from datetime import timedelta

        from ui.qt import Qt

        if desk.rh is not None:
            desk.rh.clock_check.offset = timedelta(hours=2, minutes=5)
            window.update_connection()
        window._application_state(Qt.ApplicationState.ApplicationActive)
        window._application_state(Qt.ApplicationState.ApplicationInactive)
        await _wait_for(lambda: window._front_said, 5)
        await _settle(app, 0.2)
        grab(window, "status_warnings.png")
        window._application_state(Qt.ApplicationState.ApplicationActive)
        if desk.rh is not None:
            desk.rh.clock_check.offset = None
            window.update_connection()
        dialog = window.open_settings()
        await _settle(app, 0.3)
        grab(dialog, "settings_dialog.png")
        dialog.tabs.setCurrentIndex(1)
        await _settle(app, 0.2)
        grab(dialog, "settings_dialog_desk.png")
        dialog.reject()
        if language in ("zh_CN", "both"):
            i18n.install_language("zh_CN")
            window.message_label.clear()  # said in English before the switch: not this shot's
            window.scan_field.submit(record.rma or record.key)
            await _settle(app, 0.3)
            grab(window, "main_window_zh_CN.png")
            i18n.install_language("en")
        # a handling applied, then the day's decision log
        window.scan_field.submit(record.rma or record.key)
        await _settle(app, 0.2)
        allowed = [o for o in desk.options(record) if o.allowed]
        if allowed and window.apply_handling(allowed[0].code) is not None:
            await _wait_for(lambda: window.last_feedback is not None
                            and window.last_feedback.kind in ("applied", "failed"), 15)
            log_dialog = window.decision_views.show_log()
            await _settle(app, 0.5)
            grab(log_dialog, "decision_log.png")
            log_dialog.close()
        # a decision Return Helper refuses (the warehouse completed the item meanwhile)
        other = next((r for r in candidates if r.key != record.key and r.return_inventory_id
                      and [o for o in desk.options(r) if o.allowed]), None)
        if other is not None and other.return_inventory_id is not None:
            env.sandbox.warehouse_act(other.return_inventory_id, "completed")
            code = next(o.code for o in desk.options(other) if o.allowed)
            refused = desk.decide(other.key, code)
            await _wait_for(lambda: desk.store.get_decision(refused.id).state.value == "failed",
                            15)
            failed_view = window.decision_views.show_failed()
            await _wait_for(lambda: failed_view.table.selected_ids() != [], 10)
            await _settle(app, 0.3)
            grab(failed_view, "failed_decisions.png")
            failed_view.close()
        await window.shutdown()
        window.close()
        await desk.close()
    return saved


if __name__ == "__main__":
    sys.exit(main())
