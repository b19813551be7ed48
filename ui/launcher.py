"""The installed entry points. Qt is imported only when a window is actually opened."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.cli import main as cli_main
from app.settings import Settings


def _run_gui(settings: Settings, args: argparse.Namespace, demo: bool) -> int:
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
