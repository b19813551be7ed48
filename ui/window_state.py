"""The desk window's layout kept between shifts: size and place (maximised, which screen),
the list/detail split and the list's column widths.

Written to ``window.json`` in the settings folder when the window closes and read before it
is first shown (no second layout). It holds no settings and nothing secret; a damaged or
foreign file is ignored (the defaults are used) and rewritten at the next close. Column
widths are stored by column name, so a version that adds or drops a column keeps the rest.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from pathlib import Path
from typing import Any

from app import settings as settings_module
from ui.listing import Column
from ui.qt import QByteArray

log = logging.getLogger(__name__)

STATE_FILE = "window.json"
VERSION = 1
MIN_WIDTH = 20  # a column dragged narrower is treated as unreadable, not restored


def state_path() -> Path:
    return settings_module.config_dir() / STATE_FILE


def _b64(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _bytes(text: Any) -> QByteArray | None:
    if not isinstance(text, str):
        return None
    try:
        return QByteArray(base64.b64decode(text, validate=True))
    except ValueError:
        return None


def save_window_state(window: Any, path: Path | None = None) -> bool:
    """Write the window's layout; False (and a log line) when the folder cannot be written."""
    path = path or state_path()
    header = window.view.horizontalHeader()
    state = {
        "version": VERSION,
        "geometry": _b64(window.saveGeometry()),
        "splitter": _b64(window.splitter.saveState()),
        "columns": {column.name: header.sectionSize(int(column)) for column in Column},
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("the window's layout could not be saved to %s: %s", path, exc.strerror)
        return False
    return True


def restore_window_state(window: Any, path: Path | None = None) -> bool:
    """Apply a saved layout before the window is shown; False when there is none usable."""
    path = path or state_path()
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:
        log.info("the window's saved layout %s is unreadable (%s): defaults used", path, exc)
        return False
    if not isinstance(state, dict) or state.get("version") != VERSION:
        return False
    geometry = _bytes(state.get("geometry"))
    if geometry is not None:
        window.restoreGeometry(geometry)  # Qt moves it onto a screen that is still there
    splitter = _bytes(state.get("splitter"))
    if splitter is not None:
        window.splitter.restoreState(splitter)
    columns = state.get("columns")
    if isinstance(columns, dict):
        widths = {int(Column[name]): width for name, width in columns.items()
                  if name in Column.__members__ and isinstance(width, int)
                  and not isinstance(width, bool) and MIN_WIDTH <= width <= 5000}
        window.view.set_column_widths(widths)
    return True
