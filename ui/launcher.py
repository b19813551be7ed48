"""The installed entry points. Qt is imported only when a window is actually opened."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.cli import main as cli_main
from app.settings import Settings


def pause_gc_for_startup() -> None:
    """No garbage collections while Qt, the window's modules and its widgets load: start-up
    makes tens of thousands of objects that live as long as the process, and the collector
    ran over them again and again (25-70 ms of CPU in a window's start). The window,
    once built, freezes that heap and turns collection back on (``ui.main.freeze_startup_heap``);
    ``run_gui`` turns it on in any case when it returns. What start-up left as cyclic garbage
    (measured: about 500 small objects) is frozen with it instead of being collected."""
    import gc

    gc.disable()


def _run_gui(settings: Settings, args: argparse.Namespace, demo: bool) -> int:
    pause_gc_for_startup()
    from ui.main import run_gui
    return run_gui(settings, args, demo=demo)


def _run_self_test(args: argparse.Namespace) -> int:
    from ui.selftest import run_self_test
    return run_self_test(args)


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, gui=_run_gui, self_test=_run_self_test)


def main_gui() -> None:
    """``returndeskw``: the same commands, started without a console window on Windows."""
    sys.exit(main())


if __name__ == "__main__":
    sys.exit(main())
