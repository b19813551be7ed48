"""Decisions: adding one (idempotency key, the two-desk race, the expected handling),
updating its state (an applied decision updates the record), and reading them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.codec import record_from_json
from app.model import Decision, DecisionAction, DecisionState, InventoryRecord, utcnow
from app.store.base import UNCHECKED, ConflictError, StoreError, Unchecked
from app.store.sql_base import Query, SqlBase

DECISION_COLUMNS = ("id, key, action, new_handling, old_handling, operator, desk, created_at, "
                    "idempotency_key, state, attempts, result_message, error_code, "
                    "correlation_id, updated_at")
UNFINISHED = (DecisionState.QUEUED.value, DecisionState.SENDING.value)
COUNTS_AS_DECIDED = (DecisionState.QUEUED.value, DecisionState.SENDING.value,
                     DecisionState.APPLIED.value)


class SqlDecisions(SqlBase):
    # -- decisions -----------------------------------------------------------------------
    def _decision(self, r: Sequence[Any]) -> Decision:
        created = self._time_out(r[7])
        assert created is not None
        return Decision(
            id=int(r[0]), key=r[1], action=DecisionAction(r[2]), new_handling=r[3],
            old_handling=r[4], operator=r[5], desk=r[6], created_at=created,
            idempotency_key=r[8], state=DecisionState(r[9]), attempts=int(r[10]),
            result_message=r[11], error_code=r[12], correlation_id=r[13],
            updated_at=self._time_out(r[14]))

    def _refresh_item(self, q: Query, key: str) -> None:
        """Re-derive the item's decision columns from its decisions and bump its seq."""
        last = q.one("SELECT state FROM decisions WHERE key = ? ORDER BY id DESC LIMIT 1", (key,))
        decided = q.one("SELECT MAX(created_at) FROM decisions WHERE key = ? AND state IN "
                        "(?, ?, ?)", (key, *COUNTS_AS_DECIDED))
        q.run("UPDATE inventory SET decision_state = ?, decided_at = ?, seq = ? WHERE key = ?",
              (last[0] if last else None, decided[0] if decided else None, q.next_seq(), key))

    def add_decision(self, decision: Decision, *,
                     expected_handling: str | Unchecked | None = UNCHECKED) -> Decision:
        with self._writing() as q:
            same = q.one(f"SELECT {DECISION_COLUMNS} FROM decisions "  # noqa: S608
                         "WHERE idempotency_key = ?", (decision.idempotency_key,))
            if same is not None:
                stored = self._decision(same)
                if stored.key != decision.key:
                    raise StoreError(f"idempotency key {decision.idempotency_key!r} was already "
                                     f"used for another item ({stored.key})")
                return stored
            row = q.one("SELECT doc FROM inventory WHERE key = ?", (decision.key,))
            if row is None:
                raise StoreError(f"item {decision.key} is not in the store")
            current = record_from_json(row[0])
            busy = q.one("SELECT id, desk, operator FROM decisions WHERE key = ? AND state IN (?, ?) "
                         "ORDER BY id LIMIT 1", (decision.key, *UNFINISHED))
            if busy is not None:
                raise ConflictError(
                    f"another decision on {decision.key} (by {busy[2]} at {busy[1]}) is still "
                    "being sent; wait for it to finish", current)
            if not isinstance(expected_handling, Unchecked) and (
                    _code(current.handling_code) != _code(expected_handling)):
                raise ConflictError(
                    f"{decision.key} was changed meanwhile: its handling is now "
                    f"{current.handling_code or 'not set'}, not {expected_handling or 'not set'}",
                    current)
            now = utcnow()
            found = q.one(
                "INSERT INTO decisions (key, action, new_handling, old_handling, operator, desk, "
                "created_at, updated_at, idempotency_key, state, attempts, result_message, "
                "error_code, correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                (decision.key, decision.action.value, decision.new_handling,
                 decision.old_handling, decision.operator, decision.desk,
                 self._time_in(decision.created_at), self._time_in(now),
                 decision.idempotency_key, DecisionState.QUEUED.value, decision.attempts,
                 decision.result_message, decision.error_code, decision.correlation_id))
            self._refresh_item(q, decision.key)
            return dataclasses.replace(decision, id=int(found[0]), state=DecisionState.QUEUED,
                                       updated_at=now)

    def update_decision(self, decision_id: int, state: DecisionState, *,
                        result_message: str | None = None, error_code: str | None = None,
                        correlation_id: str | None = None,
                        count_attempt: bool = False,
                        idempotency_key: str | None = None,
                        expected: Sequence[DecisionState] | None = None,
                        applied_at: datetime | None = None) -> Decision:
        with self._writing() as q:
            row = q.one(f"SELECT {DECISION_COLUMNS} FROM decisions WHERE id = ?",  # noqa: S608
                        (decision_id,))
            if row is None:
                raise StoreError(f"decision {decision_id} is not in the store",
                                 code="decision_missing")
            old = self._decision(row)
            if expected is not None and old.state not in expected:
                raise ConflictError(f"decision {decision_id} is {old.state.value} now, "
                                    f"not {' or '.join(s.value for s in expected)}")
            now = utcnow()
            new = dataclasses.replace(
                old, state=state, updated_at=now,
                attempts=old.attempts + (1 if count_attempt else 0),
                result_message=result_message if result_message is not None else old.result_message,
                error_code=error_code if error_code is not None else old.error_code,
                correlation_id=correlation_id if correlation_id is not None else old.correlation_id,
                idempotency_key=idempotency_key or old.idempotency_key)
            q.run("UPDATE decisions SET state = ?, updated_at = ?, attempts = ?, result_message = ?, "
                  "error_code = ?, correlation_id = ?, idempotency_key = ? WHERE id = ?",
                  (new.state.value, self._time_in(now), new.attempts, new.result_message,
                   new.error_code, new.correlation_id, new.idempotency_key, decision_id))
            if (state is DecisionState.APPLIED and old.state is not DecisionState.APPLIED
                    and new.new_handling):
                doc = q.one("SELECT doc FROM inventory WHERE key = ?", (new.key,))
                if doc is not None:
                    current = record_from_json(doc[0])
                    # Stamped with the time Return Helper accepted it (``applied_at``, else
                    # now), at least the item's newest time: it replaces what the store holds,
                    # an event from before the decision (late, or a kept one replayed) never
                    # puts the old code back, and a newer warehouse event still wins.
                    accepted = applied_at or now
                    stamp = (accepted if current.updated_at is None
                             else max(current.updated_at, accepted))
                    self._upsert_in(q, InventoryRecord(
                        source=current.source, key=current.key, updated_at=stamp,
                        handling_code=new.new_handling, handling_updated_at=accepted))
            self._refresh_item(q, new.key)
            return new

    def get_decision(self, decision_id: int) -> Decision | None:
        with self._reading() as q:
            row = q.one(f"SELECT {DECISION_COLUMNS} FROM decisions WHERE id = ?",  # noqa: S608
                        (decision_id,))
        return self._decision(row) if row else None

    def decisions_for(self, key: str) -> list[Decision]:
        with self._reading() as q:
            rows = q.all(f"SELECT {DECISION_COLUMNS} FROM decisions WHERE key = ? "  # noqa: S608
                         "ORDER BY id", (key,))
        return [self._decision(r) for r in rows]

    def decisions_between(self, start: datetime, end: datetime) -> list[Decision]:
        with self._reading() as q:
            rows = q.all(f"SELECT {DECISION_COLUMNS} FROM decisions "  # noqa: S608
                         "WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id",
                         (self._time_in(start), self._time_in(end)))
        return [self._decision(r) for r in rows]

    def decisions_in_state(self, states: Sequence[DecisionState]) -> list[Decision]:
        if not states:
            return []
        marks = ", ".join("?" for _ in states)
        with self._reading() as q:
            rows = q.all(f"SELECT {DECISION_COLUMNS} FROM decisions "  # noqa: S608
                         f"WHERE state IN ({marks}) ORDER BY id", [s.value for s in states])
        return [self._decision(r) for r in rows]

    def decision_counts(self, states: Sequence[DecisionState]) -> dict[DecisionState, int]:
        counts = dict.fromkeys(states, 0)
        if not states:
            return counts
        marks = ", ".join("?" for _ in states)
        with self._reading() as q:
            rows = q.all(f"SELECT state, COUNT(*) FROM decisions "  # noqa: S608
                         f"WHERE state IN ({marks}) GROUP BY state", [s.value for s in states])
        for state, number in rows:
            counts[DecisionState(state)] = int(number)
        return counts


def _code(value: str | None) -> str:
    return (value or "").strip().lower()
