"""The ``returndesk`` command line.

``ui.launcher`` is the installed entry point: it hands this module the functions that
open windows, so the core never imports Qt. Every command's heavy imports happen inside
its handler, so ``returndesk find`` answers without loading Qt or a web server.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from app import __version__
from app.settings import ENV_PREFIX, Environment, Settings, SettingsError, load

#: ``gui(settings, args, demo)`` opens the window and returns the exit code.
GuiRunner = Callable[[Settings, argparse.Namespace, bool], int]
SelfTestRunner = Callable[[argparse.Namespace], int]


def _common(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """The settings options, accepted before or after the sub-command.

    On sub-commands they default to "not given" (SUPPRESS) so they never erase a value
    given before the sub-command.
    """
    group = parser.add_argument_group("settings (each also RETURNDESK_<NAME>)",
                                      argument_default=None if top else argparse.SUPPRESS)
    group.add_argument("--environment", choices=[e.value for e in Environment],
                       help="Return Helper environment (RETURNDESK_ENVIRONMENT)")
    group.add_argument("--rh-user-api", metavar="URL", help="Return Helper user API base URL")
    group.add_argument("--rh-public-api", metavar="URL", help="Return Helper public API base URL")
    group.add_argument("--store", metavar="PATH_OR_URL",
                       help="SQLite file or postgresql://user@host/db (RETURNDESK_STORE)")
    group.add_argument("--language", choices=["en", "zh_CN"], help="user interface language")
    group.add_argument("--operator", help="operator name written to the decision log")
    group.add_argument("--desk", help="desk name written to the decision log")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="returndesk",
        description="Return Desk: scan returned parcels and decide their handling.",
        epilog=f"Every setting can also be given as an environment variable {ENV_PREFIX}<NAME>.")
    parser.add_argument("--version", action="version", version=f"returndesk {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="start headless, check window, keyring and TLS, print a report, exit 0/1")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("gui", help="open the desk window (the default)")
    _common(p)
    p = sub.add_parser("demo", help="open the window on the built-in sandbox and a temporary store")
    _common(p)
    p.add_argument("--items", type=int, default=3000, help="how many parcels the sandbox seeds")

    p = sub.add_parser("sync", help="backfill the store from the configured APIs")
    _common(p)
    p.add_argument("--days", type=int, help="how far back (default: the sync_days setting)")
    p.add_argument("--no-winit", action="store_true", help="skip WINIT even when configured")
    p.add_argument("--restart", action="store_true",
                   help="ignore the saved resume points; ask again for details refused before")

    p = sub.add_parser("find", help="show what a scan of IDENTIFIER would show")
    _common(p)
    p.add_argument("identifier")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("check", help="check this desk's setup: store, keyring, Return Helper, "
                                     "clock, TLS (exit 0/1)")
    _common(p)
    p = sub.add_parser("credentials", help="manage secrets in the OS keyring")
    _common(p)
    cred = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action in ("set", "delete"):
        c = cred.add_parser(action, help=f"{action} a secret")
        c.add_argument("name", help="e.g. rh.api_key, rh.api_token, rh.signing_key, winit.token")
        c.add_argument("--scope", help="environment for Return Helper secrets (default: the setting)")
        if action == "set":
            c.add_argument("--stdin", action="store_true", help="read the secret from standard input")
    c = cred.add_parser("show", help="show which secrets are set (never their values)")
    c.add_argument("--scope", help="environment (default: the setting)")

    p = sub.add_parser("sandbox", help="run the Return Helper sandbox server on loopback")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700)
    p.add_argument("--items", type=int, default=3000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--latency-ms", type=int, default=0, help="added to every response")
    p.add_argument("--deliver-to", metavar="URL", help="post signed newInventoryCreated webhooks here")

    p = sub.add_parser("serve-hooks", help="run the webhook receiver (Return Helper and WINIT)")
    _common(p)
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--public-url", help="the endpoint URL exactly as registered with Return Helper")

    p = sub.add_parser("hooks", help="webhook events kept but not applied: count them, "
                                     "replay them")
    _common(p)
    hooks = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    h = hooks.add_parser("kept", help="count the kept events by source and reason")
    _common(h)
    h = hooks.add_parser("replay", help="apply kept, signature-verified Return Helper events "
                                        "(stale ones too; each at most once)")
    _common(h)
    h.add_argument("--reason", help="only events kept for this reason (stale, invalid, "
                                    "internal_error, ...)")
    h.add_argument("--since", help="only events received since: 30m, 12h, 7d, or a date/time")
    h.add_argument("--dry-run", action="store_true", help="show what would apply, write nothing")

    p = sub.add_parser("export", help="write a day's decisions as CSV")
    _common(p)
    p.add_argument("--day", help="YYYY-MM-DD (default: today)")
    p.add_argument("--output", "-o", help="file (default: standard output)")

    p = sub.add_parser("outbox", help="list, retry or discard queued and failed decisions")
    _common(p)
    p.add_argument("action", choices=["list", "retry", "discard", "send"], nargs="?", default="list")
    p.add_argument("ids", nargs="*", type=int)
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {
        "environment": getattr(args, "environment", None),
        "rh_user_api": getattr(args, "rh_user_api", None),
        "rh_public_api": getattr(args, "rh_public_api", None),
        "store": getattr(args, "store", None),
        "language": getattr(args, "language", None),
        "operator": getattr(args, "operator", None),
        "desk": getattr(args, "desk", None),
    }
    if getattr(args, "command", None) == "serve-hooks":
        overrides.update(webhooks_host=args.host, webhooks_port=args.port,
                         webhooks_public_url=args.public_url)
    return load(overrides=overrides)


def main(argv: Sequence[str] | None = None, *, gui: GuiRunner | None = None,
         self_test: SelfTestRunner | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.self_test:
            if self_test is None:
                print("returndesk: --self-test needs the desktop part (ui) installed", file=sys.stderr)
                return 1
            return self_test(args)
        command = args.command or "gui"
        if command in {"gui", "demo"}:
            if gui is None:
                print("returndesk: the window needs the desktop part (ui) installed", file=sys.stderr)
                return 1
            return gui(settings_from_args(args) if command == "gui" else load(), args, command == "demo")
        handler = _HANDLERS[command]
        return handler(args)
    except SettingsError as exc:
        print(f"returndesk: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        # A store that cannot be opened or written (damaged, newer schema, full disk, server
        # down) is a message for whoever typed the command, not a traceback; imported here so
        # commands that never open a store do not load it.
        from app.store.base import StoreError
        if not isinstance(exc, StoreError):
            raise
        print(f"returndesk {args.command or 'gui'}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("returndesk: interrupted", file=sys.stderr)
        return 130


def _cmd_credentials(args: argparse.Namespace) -> int:
    from app.commands import credentials_command
    return credentials_command(args, settings_from_args(args))


def _cmd_check(args: argparse.Namespace) -> int:
    from app.check import check_command
    return check_command(args, settings_from_args(args))


def _cmd_find(args: argparse.Namespace) -> int:
    from app.commands import find_command
    return find_command(args, settings_from_args(args))


def _cmd_sync(args: argparse.Namespace) -> int:
    from app.sync_command import sync_command
    return sync_command(args, settings_from_args(args))


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from app.sandbox.server import sandbox_command
    return sandbox_command(args)


def _cmd_serve_hooks(args: argparse.Namespace) -> int:
    from app.webhooks.service import serve_hooks_command
    return serve_hooks_command(args, settings_from_args(args))


def _cmd_hooks(args: argparse.Namespace) -> int:
    from app.returnhelper.mapping import file_base_for
    from app.store import open_store
    from app.webhooks.kept import hooks_command

    settings = settings_from_args(args)
    try:
        file_base = file_base_for(settings.rh_urls()[0])  # image URLs, as the receiver makes
    except SettingsError:
        file_base = None
    from app.webhooks.decrypt import decryptor_for

    with open_store(settings.store) as store:
        return hooks_command(args, store, file_base, decryptor_for(settings))


def _cmd_export(args: argparse.Namespace) -> int:
    from app.export import export_command
    return export_command(args, settings_from_args(args))


def _cmd_outbox(args: argparse.Namespace) -> int:
    from app.outbox import outbox_command
    return outbox_command(args, settings_from_args(args))


_HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "credentials": _cmd_credentials,
    "check": _cmd_check,
    "find": _cmd_find,
    "sync": _cmd_sync,
    "sandbox": _cmd_sandbox,
    "serve-hooks": _cmd_serve_hooks,
    "hooks": _cmd_hooks,
    "export": _cmd_export,
    "outbox": _cmd_outbox,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
