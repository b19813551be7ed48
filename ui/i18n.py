"""Translations: ``tr`` per context, loading the zh_CN catalogue, and names for the core's codes.

Every module makes its own ``tr = make_tr("Context")`` and calls ``tr("literal")``;
``resources/translations/update_ts.py`` finds those calls (Python's ``ast``) and keeps
``returndesk_zh_CN.ts`` in step. At run time the compiled ``.qm`` is loaded; it is built by
``pyside6-lrelease`` in the packaging step, or here on first run into the data folder.
If no ``lrelease`` is available (a stripped install), the ``.ts`` XML itself is read by
:class:`TsTranslator`, so the language switch never silently does nothing.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.model import WITHDRAWN_CODE
from ui.qt import QCoreApplication, QTranslator

log = logging.getLogger(__name__)

LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}


@functools.cache
def resources_dir() -> Path:
    """``resources/`` beside the package, or inside a frozen bundle (found once: every
    scan's sound asks for it)."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "resources"] if bundle else []
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    candidates.append(Path(sys.prefix) / "resources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-2] if len(candidates) > 1 else candidates[0]


def translations_dir() -> Path:
    return resources_dir() / "translations"


def make_tr(context: str) -> Callable[..., str]:
    """``tr(text, disambiguation=None, n=-1)`` in ``context``, as Qt Linguist expects."""

    def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
        return QCoreApplication.translate(context, text, disambiguation, n)

    tr.context = context  # type: ignore[attr-defined]
    return tr


# -- loading ------------------------------------------------------------------------------
def find_lrelease() -> str | None:
    names = ["pyside6-lrelease", "lrelease"]
    here = Path(sys.executable).parent
    for name in names:
        for suffix in ("", ".exe"):
            candidate = here / f"{name}{suffix}"
            if candidate.exists():
                return str(candidate)
        found = shutil.which(name)
        if found:
            return found
    return None


def compile_ts(ts: Path, qm: Path, lrelease: str | None = None) -> bool:
    """``lrelease ts -qm qm``; True when the .qm was written."""
    tool = lrelease or find_lrelease()
    if tool is None:
        return False
    qm.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run([tool, "-silent", str(ts), "-qm", str(qm)], capture_output=True,
                                timeout=60, check=False, text=True)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("lrelease could not run: %s", exc)
        return False
    if result.returncode != 0 or not qm.exists():
        log.warning("lrelease failed for %s: %s", ts, result.stderr.strip())
        return False
    return True


def qm_path(language: str, cache_dir: Path | None = None) -> Path | None:
    """The compiled catalogue for ``language``: shipped beside the .ts, else built into the cache."""
    ts = translations_dir() / f"returndesk_{language}.ts"
    shipped = ts.with_suffix(".qm")
    if shipped.exists() and (not ts.exists() or shipped.stat().st_mtime >= ts.stat().st_mtime):
        return shipped
    if not ts.exists():
        return shipped if shipped.exists() else None
    for target in (shipped, (cache_dir / shipped.name) if cache_dir else None):
        if target is None:
            continue
        if target.exists() and target.stat().st_mtime >= ts.stat().st_mtime:
            return target
        if os.access(target.parent, os.W_OK) or not target.parent.exists():
            try:
                if compile_ts(ts, target):
                    return target
            except OSError:
                continue
    return None


class TsTranslator(QTranslator):
    """Reads a Qt Linguist ``.ts`` file directly (the fallback when no .qm can be built)."""

    def __init__(self, ts: Path) -> None:
        super().__init__()
        self._messages: dict[tuple[str, str], str] = {}
        import xml.etree.ElementTree as ET  # only when a .ts must be read (no .qm)

        tree = ET.parse(ts)  # noqa: S314 - shipped resource
        for context in tree.getroot().iter("context"):
            name = context.findtext("name") or ""
            for message in context.iter("message"):
                source = message.findtext("source") or ""
                element = message.find("translation")
                if element is None or element.get("type") in {"unfinished", "obsolete", "vanished"}:
                    continue
                if element.text:
                    self._messages[(name, source)] = element.text

    def translate(self, context: str, source: str, disambiguation: str | None = None,  # type: ignore[override]
                  n: int = -1) -> str:
        return self._messages.get((context, source), "")

    def isEmpty(self) -> bool:
        return not self._messages


_installed: list[QTranslator] = []


def install_language(language: str, cache_dir: Path | None = None) -> bool:
    """Switch the application's language (``en`` or ``zh_CN``); widgets get LanguageChange."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    for translator in _installed:
        QCoreApplication.removeTranslator(translator)
    _installed.clear()
    _language_cache.clear()
    if language in ("", "en"):
        return True
    qm = qm_path(language, cache_dir)
    translator: QTranslator | None = None
    if qm is not None:
        candidate = QTranslator(app)
        if candidate.load(str(qm)):
            translator = candidate
    if translator is None:
        ts = translations_dir() / f"returndesk_{language}.ts"
        if not ts.exists():
            log.warning("no translation for %s", language)
            return False
        log.info("using %s directly (no lrelease available)", ts.name)
        translator = TsTranslator(ts)
    QCoreApplication.installTranslator(translator)
    _installed.append(translator)
    # Qt's own strings (dialog buttons) where the Qt installation ships them.
    from ui.qt import QLibraryInfo

    qt_base = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_base.load(f"qtbase_{language}", path):
        QCoreApplication.installTranslator(qt_base)
        _installed.append(qt_base)
    return True


# -- names for the core's codes -------------------------------------------------------------
_names_tr = make_tr("Codes")
# Texts in the installed language, remembered until install_language changes it: the list
# asks for code names in every painted row, and each lookup below builds its table of
# translations; the header asks for its column titles hundreds of times.
_language_cache: dict[object, Any] = {}


def per_language(key: object, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered until the language changes (column titles and the like)."""
    found = _language_cache.get(key)
    if found is None:
        found = _language_cache[key] = compute()
    return found


def _cached(kind: str, code: str, compute: Callable[[str], str]) -> str:
    return str(per_language((kind, code), lambda: compute(code)))


def _winit_status_name(code: str | None) -> str:
    """WINIT return-order statuses (the zh_CN names are WINIT's own, from its event page)."""
    if not code:
        return ""
    names = {
        "OD": _names_tr("Ordered"),
        "LC": _names_tr("Picked up by system"),
        "PC": _names_tr("Collected"),
        "RE": _names_tr("Received"),
        "WP": _names_tr("Awaiting handling"),
        "OC": _names_tr("Completed"),
        "DT": _names_tr("Destroyed"),
        "CD": _names_tr("Cancelled"),
        "HI": _names_tr("Warehouse handling"),
        "VO": _names_tr("Voided"),
    }
    return names.get(code.upper(), code)


def _handling_status_name(code: str | None) -> str:
    if not code:
        return ""
    names = {
        "pending": _names_tr("Pending"),
        "inProgress": _names_tr("In progress"),
        "completed": _names_tr("Completed", "handling status"),
    }
    return names.get(code, code)


def reason_text(code: str | None) -> str:
    """``app.handling.Reason`` and ``Warning_`` codes in the operator's language."""
    if not code:
        return ""
    texts = {
        "not_return_helper": _names_tr(
            "WINIT returns are shown, not decided: WINIT has no public API for it"),
        "own_flow": _names_tr("has its own flow and cannot be chosen here"),
        "current": _names_tr("is the current handling"),
        "unfinished_vas": _names_tr("a value-added service on this item is not finished yet"),
        "completed": _names_tr("the warehouse has completed handling this item"),
        "no_id": _names_tr("the item has no return inventory id yet (it arrives with the webhook)"),
        "locks_rma": _names_tr("locks the RMA mapping: no RMA swap is possible afterwards"),
        "in_progress": _names_tr("the warehouse is already handling this item; the API may refuse"),
    }
    return texts.get(str(code), str(code))


def problem_text(problem: object) -> str:
    """A problem the core reports with a code and parameters (``app.desk.Problem``,
    ``app.desk.DecisionRefused``) in the operator's language; anything else (or a code this
    table does not know) as its own text, the English of the log."""
    code = getattr(problem, "code", None)
    params: dict[str, str] = dict(getattr(problem, "params", None) or {})
    texts = {
        "catalog_unreadable": lambda: _names_tr(
            "handling types could not be read from the API: {error}"),
        "catalog_unknown": lambda: _names_tr(
            "no handling types known yet: connect to Return Helper once"),
        "not_in_store": lambda: _names_tr("item {key} is not in the store"),
        "not_offered": lambda: _names_tr("{handling} is not a handling type Return Helper offers"),
        "not_allowed": lambda: _names_tr("{handling}: {reason}"),
        "busy": lambda: _names_tr("another decision on {key} (by {operator} at {desk}) is still "
                                  "being sent; wait for it to finish"),
        "changed": lambda: _names_tr("another desk decided first: the handling of {key} is now "
                                     "{current}, not {expected}"),
        "undo_acted": lambda: _names_tr(
            "the warehouse has already acted on this item: it cannot be undone"),
        "undo_wait": lambda: _names_tr("the update to {handling} for {key} is being sent: wait "
                                       "for Return Helper's answer, then undo it"),
        "not_failed": lambda: _names_tr("decision {id} is not a failed decision"),
        # app.store.base.StoreError codes: the English message names the file for the log
        "store_full": lambda: _names_tr("the disk holding the store is full, so nothing was "
                                        "saved: free some space (ask IT), then try again"),
        "store_server_full": lambda: _names_tr(
            "the store's database server is out of disk space, so nothing was saved: ask its "
            "administrator to free space, then try again"),
        "store_read_only": lambda: _names_tr(
            "the store is read-only, so nothing was saved: ask IT to check its permissions"),
        "store_busy": lambda: _names_tr(
            "the store is busy (another program keeps it locked): try again"),
    }
    text = texts.get(str(code))
    if text is None:
        return str(problem)
    if code == "not_allowed":
        params["reason"] = reason_text(params.get("reason"))
    if code == "changed":
        for name in ("current", "expected"):
            params[name] = params.get(name) or _names_tr("not set")
    try:
        return text().format(**params)
    except (KeyError, IndexError, ValueError):  # a translation naming another parameter
        log.warning("the text for %s does not fit its parameters %s", code, sorted(params))
        return str(problem)


def _decision_state_name(state: str | None) -> str:
    if not state:
        return ""
    names = {
        "queued": _names_tr("Queued"),
        "sending": _names_tr("Sending"),
        "applied": _names_tr("Applied"),
        "failed": _names_tr("Failed"),
        "discarded": _names_tr("Discarded"),
        "superseded": _names_tr("Superseded"),
    }
    return names.get(str(state), str(state))


def _source_name(source: str | None) -> str:
    if not source:
        return ""
    names = {"returnhelper": _names_tr("Return Helper"), "winit": _names_tr("WINIT")}
    return names.get(str(source), str(source))


def grade_name(grade: str | None) -> str:
    if not grade:
        return ""
    names = {"GOOD": _names_tr("Good"), "DEFECTIVE": _names_tr("Defective")}
    return names.get(grade.upper(), grade)


def handle_method_name(code: str | None) -> str:
    if not code:
        return ""
    names = {
        "SA": _names_tr("Put away"),
        "NS": _names_tr("Photograph as new, put away"),
        "DE": _names_tr("Destroy"),
        "GOOD_SA": _names_tr("Put away as good"),
        "DEFECTIVE_SA": _names_tr("Put away as defective"),
    }
    return names.get(code.upper(), code)


def winit_status_name(code: str | None) -> str:
    return _cached("winit_status_name", str(code), _winit_status_name) if code else ""


def handling_status_name(code: str | None) -> str:
    return _cached("handling_status_name", str(code), _handling_status_name) if code else ""


def decision_state_name(code: str | None) -> str:
    return _cached("decision_state_name", str(code), _decision_state_name) if code else ""


def decision_message(message: str | None, code: str | None) -> str:
    """A decision's result message: the desk's own words in the operator's language (a
    decision withdrawn by an undo), a vendor's or a network error's text as it came."""
    if code == WITHDRAWN_CODE:
        return _names_tr("Withdrawn by an undo before it was sent; nothing went to Return Helper")
    return message or ""


def source_name(code: str | None) -> str:
    return _cached("source_name", str(code), _source_name) if code else ""
