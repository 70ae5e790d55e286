"""A case's deadlines (case_deadlines): set, met, extended, and what the sweep has said of
each. Every read that a sweep or the report repeats goes through a partial index on `due_at`
or `met_at`, never a scan of the whole table."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage.models import CaseDeadline
from storage.times import from_ts, ts

_SAID = ("warned_at", "reminded_at", "overdue_at")


def _deadline(row: sqlite3.Row) -> CaseDeadline:
    return CaseDeadline(**row)


class Deadlines:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def add(self, case_id: int, kind: str, starts_at: datetime, due_at: datetime,
            days: int | None, counting: str, met_at: datetime | None = None) -> None:
        """A deadline the case did not have; one it has is left as it is."""
        self.c.execute(
            "INSERT INTO case_deadlines (case_id, kind, starts_at, due_at, days, counting,"
            " met_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, kind) DO NOTHING",
            (case_id, kind, ts(starts_at), ts(due_at), days, counting,
             ts(met_at) if met_at else None))

    def of_case(self, case_id: int) -> list[CaseDeadline]:
        rows = self.c.execute(
            "SELECT * FROM case_deadlines WHERE case_id = ? ORDER BY due_at",
            (case_id,)).fetchall()
        return [_deadline(r) for r in rows]

    def get(self, case_id: int, kind: str) -> CaseDeadline | None:
        row = self.c.execute("SELECT * FROM case_deadlines WHERE case_id = ? AND kind = ?",
                             (case_id, kind)).fetchone()
        return _deadline(row) if row else None

    def next_unmet(self, case_ids: list[int]) -> dict[int, CaseDeadline]:
        """Each case's earliest unmet deadline (for a queue's lines)."""
        if not case_ids:
            return {}
        marks = ",".join("?" * len(case_ids))
        rows = self.c.execute(
            f"SELECT * FROM case_deadlines WHERE case_id IN ({marks}) AND met_at IS NULL"
            " ORDER BY due_at DESC", case_ids).fetchall()
        return {r["case_id"]: _deadline(r) for r in rows}  # the earliest is written last

    def meet(self, case_id: int, now: datetime, kinds: tuple[str, ...] | None = None) -> int:
        sql = "UPDATE case_deadlines SET met_at = ? WHERE case_id = ? AND met_at IS NULL"
        params: list = [ts(now), case_id]
        if kinds is not None:
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            params += kinds
        return self.c.execute(sql, params).rowcount

    def reset(self, case_id: int, kind: str, due_at: datetime, days: int | None,
              counting: str) -> bool:
        """A new due moment for an unmet, unextended deadline (a petition classified, a
        dispute's target); what the sweep said of the old one no longer holds."""
        return self.c.execute(
            "UPDATE case_deadlines SET due_at = ?, days = ?, counting = ?, warned_at = NULL,"
            " reminded_at = NULL, overdue_at = NULL WHERE case_id = ? AND kind = ?"
            " AND met_at IS NULL AND extended_days = 0",
            (ts(due_at), days, counting, case_id, kind)).rowcount == 1

    def extend(self, case_id: int, kind: str, days: int, due_at: datetime) -> bool:
        """The one extension: the due moment moves, the old one is kept, reminders start over."""
        return self.c.execute(
            "UPDATE case_deadlines SET original_due_at = due_at, due_at = ?, extended_days = ?,"
            " warned_at = NULL, reminded_at = NULL, overdue_at = NULL"
            " WHERE case_id = ? AND kind = ? AND met_at IS NULL AND extended_days = 0",
            (ts(due_at), days, case_id, kind)).rowcount == 1

    def pending(self, until: datetime, limit: int = 5000) -> list[CaseDeadline]:
        """Unmet deadlines not yet overdue that are due by `until` (case_deadlines_pending)."""
        rows = self.c.execute(
            "SELECT * FROM case_deadlines WHERE met_at IS NULL AND overdue_at IS NULL"
            " AND due_at <= ? ORDER BY due_at LIMIT ?", (ts(until), limit)).fetchall()
        return [_deadline(r) for r in rows]

    def pending_between(self, first: datetime, last: datetime) -> list[CaseDeadline]:
        """Unmet deadlines not yet overdue due in [first, last] (the console's moments)."""
        rows = self.c.execute(
            "SELECT * FROM case_deadlines WHERE met_at IS NULL AND overdue_at IS NULL"
            " AND due_at BETWEEN ? AND ? ORDER BY due_at LIMIT 1000",
            (ts(first), ts(last))).fetchall()
        return [_deadline(r) for r in rows]

    def mark(self, case_id: int, kind: str, said: str, now: datetime) -> bool:
        """Record that the sweep said this (once: a second sweep finds it said already)."""
        assert said in _SAID
        return self.c.execute(
            f"UPDATE case_deadlines SET {said} = ? WHERE case_id = ? AND kind = ?"
            f" AND {said} IS NULL AND met_at IS NULL", (ts(now), case_id, kind)).rowcount == 1

    def overdue_spans(self, first: datetime, last: datetime) -> list[tuple[datetime, datetime |
                                                                              None]]:
        """(due, met) of every deadline that was overdue at some moment in [first, last]: those
        unmet and due before `last`, and those met after `first` later than they were due."""
        rows = self.c.execute(
            "SELECT due_at, met_at FROM case_deadlines WHERE met_at IS NULL AND due_at < ?"
            " AND kind <> 'classify'"
            " UNION ALL SELECT due_at, met_at FROM case_deadlines WHERE met_at >= ?"
            " AND met_at > due_at AND due_at < ? AND kind <> 'classify'",
            (ts(last), ts(first), ts(last))).fetchall()
        return [(from_ts(r[0]), from_ts(r[1]) if r[1] else None) for r in rows]
