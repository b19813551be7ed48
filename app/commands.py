"""``returndesk credentials ...`` and ``returndesk find ...``: small commands for IT and support."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from app.codec import record_to_json
from app.credentials import PER_ENVIRONMENT, Credentials, CredentialsError, Secret
from app.desk import DeskService, ScanOutcome
from app.model import InventoryRecord
from app.settings import Settings
from app.units import format_decimal


def _secret(name: str) -> Secret:
    try:
        return Secret(name)
    except ValueError:
        names = ", ".join(s.value for s in Secret)
        raise CredentialsError(f"unknown secret {name!r}; known: {names}") from None


def credentials_command(args: argparse.Namespace, settings: Settings,
                        credentials: Credentials | None = None) -> int:
    credentials = credentials or Credentials()
    scope = getattr(args, "scope", None) or settings.environment.value
    if not credentials.persistent:
        print(f"warning: {credentials.problem}", file=sys.stderr)
    try:
        if args.action == "show":
            print(f"keyring backend: {credentials.info.name}")
            print(f"environment: {scope}")
            for name, is_set in credentials.status(scope).items():
                print(f"  {name:32} {'set' if is_set else 'not set'}")
            return 0
        secret = _secret(args.name)
        secret_scope = scope if secret in PER_ENVIRONMENT or secret is Secret.STORE_PASSWORD else None
        if args.action == "delete":
            removed = credentials.delete(secret, secret_scope)
            print(f"{secret.value}: {'deleted' if removed else 'was not set'}")
            return 0
        if not credentials.persistent:  # memory would be gone when this command ends
            print(f"{secret.value}: not saved: no usable OS keyring (see the warning above)",
                  file=sys.stderr)
            return 1
        if args.stdin:
            value = sys.stdin.readline().rstrip("\r\n")
        else:
            if not sys.stdin.isatty():
                print("credentials set: no terminal to prompt on; use --stdin", file=sys.stderr)
                return 2
            value = getpass.getpass(f"{secret.value} ({secret_scope or 'all environments'}): ")
        if not value:
            print("credentials set: nothing entered, nothing saved", file=sys.stderr)
            return 2
        credentials.set(secret, value, secret_scope)
        print(f"{secret.value}: saved to the OS keyring")
        return 0
    except CredentialsError as exc:
        print(f"credentials: {exc}", file=sys.stderr)
        return 1


def record_summary(record: InventoryRecord) -> dict[str, Any]:
    line = record.primary_line
    return {
        "key": record.key,
        "source": record.source.value,
        "rma": record.rma,
        "tracking": list(record.tracking_numbers),
        "sku": line.sku if line else None,
        "description": record.description or (line.description if line else None),
        "dimensions_cm": line.dimensions_text if line else "",
        "weight_kg": format_decimal(line.weight_kg) if line else "",
        "handling": record.handling_code,
        "handling_status": record.handling_status,
        "status": record.status,
        "warehouse": record.warehouse,
    }


def find_command(args: argparse.Namespace, settings: Settings) -> int:
    from app.store import open_store

    with open_store(settings.store) as store:
        desk = DeskService(settings, store, Credentials(), None)
        result = desk.find(desk_scan(desk, args.identifier))
        if args.json:
            print(json.dumps({
                "outcome": result.outcome.value,
                "scan": result.scan.text,
                "problem": result.scan.problem,
                "matches": [{"key": m.key, "kind": m.kind.value, "value": m.value}
                            for m in result.matches],
                "records": [json.loads(record_to_json(r)) for r in result.records],
            }, indent=2, ensure_ascii=False))
        else:
            if result.scan.problem:
                print(f"not a usable scan ({result.scan.problem}): {result.scan.text!r}")
            elif result.outcome is ScanOutcome.NOT_FOUND:
                print(f"no item matches {result.scan.text!r}")
                if result.scan.foreign:
                    print(f"  it has characters no label has ({' '.join(result.scan.foreign)}): "
                          "is the scanner set to the keyboard layout this computer uses?")
            else:
                print(f"{len(result.records)} item(s) match {result.scan.text!r}:")
                for record in result.records:
                    summary = record_summary(record)
                    print("  " + "  ".join(f"{k}={v}" for k, v in summary.items() if v not in (None, "", [])))
        return 0 if result.records else 1


def desk_scan(desk: DeskService, text: str) -> Any:
    from app.scan import normalize_scan
    return normalize_scan(text, desk.settings.scan_prefixes, desk.settings.scan_suffixes)
