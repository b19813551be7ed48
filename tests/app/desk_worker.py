"""One desk as its own process, driven line by line on stdin (not collected by pytest).

Commands: ``watch KEY`` (answer ``seen KEY`` once another process's change shows it),
``decide KEY CODE EXPECTED`` (``ok ID`` or ``conflict CURRENT``), ``quit``.
"""

from __future__ import annotations

import sys
import time
import uuid

from app.model import Decision, DecisionAction, utcnow
from app.store import ConflictError, open_store


def main() -> int:
    store = open_store(sys.argv[1])
    desk = sys.argv[2]
    seq = store.last_seq()
    print("ready", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        if parts[0] == "watch":
            key = parts[1]
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                seq, keys = store.changes_since(seq)
                if key in keys:
                    print(f"seen {key}", flush=True)
                    break
                store.wait_for_change(0.5)
            else:
                print(f"timeout {key}", flush=True)
        elif parts[0] == "decide":
            key, code, expected = parts[1], parts[2], parts[3]
            try:
                decision = store.add_decision(Decision(
                    id=None, key=key, action=DecisionAction.UPDATE, new_handling=code,
                    old_handling=expected, operator=desk, desk=desk, created_at=utcnow(),
                    idempotency_key=str(uuid.uuid4())), expected_handling=expected)
                print(f"ok {decision.id}", flush=True)
            except ConflictError as exc:
                current = exc.current.handling_code if exc.current else "?"
                print(f"conflict {current}", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
