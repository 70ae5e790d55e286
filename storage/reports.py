"""The morning report's figures and its once-only record. Every query is bounded by an index
(cases_created, cases_closed, cases_state, the deadlines' partial indexes): the report's cost
follows the span it covers and what is open, never the size of the whole ledger."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage.times import from_ts, ts


class Reports:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def new_cases(self, since: datetime, until: datetime) -> list[tuple[str, str, str | None]]:
        """(kind, channel, unit name) of each case that arrived in [since, until)."""
        rows = self.c.execute(
            "SELECT c.kind, c.channel, u.name FROM cases c LEFT JOIN units u ON u.id = c.unit_id"
            " WHERE c.created_at >= ? AND c.created_at < ?", (ts(since), ts(until))).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def due_cases(self, until: datetime, limit: int = 500
                  ) -> list[tuple[int, str, str, datetime, int | None]]:
        """(case id, number, deadline kind, due, owner) of the open cases' unmet deadlines due
        by `until`, soonest first, one per case (case_deadlines_unmet, then each case by id)."""
        rows = self.c.execute(
            "SELECT d.case_id, c.number, d.kind, MIN(d.due_at), c.owner_id"
            " FROM case_deadlines d JOIN cases c ON c.id = d.case_id"
            " WHERE d.met_at IS NULL AND d.due_at <= ? AND d.kind <> 'classify'"
            " AND c.state IN ('new', 'accepted')"
            " GROUP BY d.case_id ORDER BY MIN(d.due_at) LIMIT ?", (ts(until), limit)).fetchall()
        return [(r[0], r[1], r[2], from_ts(r[3]), r[4]) for r in rows]

    def open_by_state(self) -> dict[str, int]:
        rows = self.c.execute("SELECT state, COUNT(*) FROM cases WHERE state IN"
                              " ('new', 'accepted') GROUP BY state").fetchall()
        return {r[0]: r[1] for r in rows}

    def created_between(self, first: datetime, last: datetime) -> list[datetime]:
        return [from_ts(r[0]) for r in self.c.execute(
            "SELECT created_at FROM cases WHERE created_at >= ? AND created_at < ?",
            (ts(first), ts(last)))]

    def closed_between(self, first: datetime, last: datetime) -> list[datetime]:
        return [from_ts(r[0]) for r in self.c.execute(
            "SELECT closed_at FROM cases WHERE closed_at >= ? AND closed_at < ?",
            (ts(first), ts(last)))]

    def record(self, leader_id: int, kind: str, period: str, since: datetime,
               until: datetime, now: datetime) -> bool:
        """True only the first time: the unique key stops a second report for the period."""
        return self.c.execute(
            "INSERT INTO morning_reports (leader_id, kind, period, since, until, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (leader_id, kind, period, ts(since), ts(until), ts(now))).rowcount == 1

    def sent(self, kind: str, period: str) -> set[int]:
        return {r[0] for r in self.c.execute(
            "SELECT leader_id FROM morning_reports WHERE kind = ? AND period = ?",
            (kind, period))}

    def last_until(self, kind: str) -> datetime | None:
        row = self.c.execute("SELECT MAX(until) FROM morning_reports WHERE kind = ?",
                             (kind,)).fetchone()
        return from_ts(row[0]) if row and row[0] else None

    def record_circular(self, leader_id: int, period: str, now: datetime) -> bool:
        """True only the first time: the monthly circular goes to each leader once."""
        return self.c.execute(
            "INSERT INTO circulars (leader_id, period, sent_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING", (leader_id, period, ts(now))).rowcount == 1

    def circulated(self, period: str) -> set[int]:
        return {r[0] for r in self.c.execute(
            "SELECT leader_id FROM circulars WHERE period = ?", (period,))}

    def first_activity(self) -> datetime | None:
        """When the office began on Minqing: its first person's record."""
        row = self.c.execute("SELECT MIN(created_at) FROM users").fetchone()
        return from_ts(row[0]) if row and row[0] else None
