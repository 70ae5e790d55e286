"""Screening rounds, their prompts, the units' answers and the items reported."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from storage.models import ScreeningItem, ScreeningRound
from storage.times import from_ts, ts


def _round(row: sqlite3.Row) -> ScreeningRound:
    return ScreeningRound(id=row["id"], day=date.fromisoformat(row["day"]),
                          cadence=row["cadence"], opens_at=from_ts(row["opens_at"]),
                          closes_at=from_ts(row["closes_at"]), closed=bool(row["closed"]))


class Screening:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def open_round(self, day: date, cadence: str, opens_at: datetime,
                   closes_at: datetime) -> ScreeningRound | None:
        """The day's round, opened now; None if it was opened before (a job run twice)."""
        cur = self.c.execute(
            "INSERT INTO screening_rounds (day, cadence, opens_at, closes_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (day) DO NOTHING",
            (day.isoformat(), cadence, ts(opens_at), ts(closes_at)))
        return self.get(int(cur.lastrowid)) if cur.rowcount == 1 else None

    def get(self, round_id: int) -> ScreeningRound | None:
        row = self.c.execute("SELECT * FROM screening_rounds WHERE id = ?",
                             (round_id,)).fetchone()
        return _round(row) if row else None

    def on_day(self, day: date) -> ScreeningRound | None:
        row = self.c.execute("SELECT * FROM screening_rounds WHERE day = ?",
                             (day.isoformat(),)).fetchone()
        return _round(row) if row else None

    def latest(self, now: datetime) -> ScreeningRound | None:
        row = self.c.execute("SELECT * FROM screening_rounds WHERE opens_at <= ?"
                             " ORDER BY opens_at DESC LIMIT 1", (ts(now),)).fetchone()
        return _round(row) if row else None

    def still_open(self) -> list[ScreeningRound]:
        rows = self.c.execute("SELECT * FROM screening_rounds WHERE closed = 0"
                              " ORDER BY opens_at").fetchall()
        return [_round(r) for r in rows]

    def close(self, round_id: int) -> bool:
        return self.c.execute("UPDATE screening_rounds SET closed = 1 WHERE id = ? AND"
                              " closed = 0", (round_id,)).rowcount == 1

    def prompt(self, round_id: int, unit_id: int, liaison_id: int, now: datetime) -> bool:
        """True the first time this liaison is prompted for this unit in this round."""
        return self.c.execute(
            "INSERT INTO screening_prompts (round_id, unit_id, liaison_id, prompted_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (round_id, unit_id, liaison_id, ts(now))).rowcount == 1

    def to_remind(self, round_id: int, prompted_before: datetime) -> list[tuple[int, int]]:
        """(unit, liaison) prompted before the moment, not reminded, whose unit is silent."""
        rows = self.c.execute(
            "SELECT p.unit_id, p.liaison_id FROM screening_prompts p WHERE p.round_id = ?"
            " AND p.reminded_at IS NULL AND p.prompted_at <= ?"
            " AND NOT EXISTS (SELECT 1 FROM screening_answers a WHERE a.round_id = p.round_id"
            "   AND a.unit_id = p.unit_id)"
            " AND NOT EXISTS (SELECT 1 FROM screening_items i WHERE i.round_id = p.round_id"
            "   AND i.unit_id = p.unit_id)"
            " ORDER BY p.unit_id, p.liaison_id", (round_id, ts(prompted_before))).fetchall()
        return [(r[0], r[1]) for r in rows]

    def unreminded_since(self, round_id: int) -> list[datetime]:
        """When each prompt of the round not yet reminded went out."""
        return [from_ts(r[0]) for r in self.c.execute(
            "SELECT DISTINCT prompted_at FROM screening_prompts WHERE round_id = ?"
            " AND reminded_at IS NULL", (round_id,))]

    def reminded(self, round_id: int, unit_id: int, liaison_id: int, now: datetime) -> bool:
        return self.c.execute(
            "UPDATE screening_prompts SET reminded_at = ? WHERE round_id = ? AND unit_id = ?"
            " AND liaison_id = ? AND reminded_at IS NULL",
            (ts(now), round_id, unit_id, liaison_id)).rowcount == 1

    def respond(self, round_id: int, unit_id: int, state: str, liaison_id: int,
               now: datetime) -> bool:
        """The unit's answer; False if it had answered already."""
        return self.c.execute(
            "INSERT INTO screening_answers (round_id, unit_id, state, liaison_id, answered_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (round_id, unit_id, state, liaison_id, ts(now))).rowcount == 1

    def answers(self, round_id: int) -> dict[int, str]:
        rows = self.c.execute("SELECT unit_id, state FROM screening_answers WHERE round_id = ?",
                              (round_id,)).fetchall()
        return {r[0]: r[1] for r in rows}

    def add_item(self, item: ScreeningItem, now: datetime) -> None:
        self.c.execute(
            "INSERT INTO screening_items (case_id, round_id, unit_id, parties, people, demand,"
            " risk_level, guarantor_id, guarantor_name, guarantor_phone, reported_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (item.case_id, item.round_id, item.unit_id, item.parties, item.people, item.demand,
             item.risk_level, item.guarantor_id, item.guarantor_name, item.guarantor_phone,
             item.reported_by, ts(now)))

    def items(self, round_id: int) -> list[ScreeningItem]:
        rows = self.c.execute(
            "SELECT i.*, c.number FROM screening_items i JOIN cases c ON c.id = i.case_id"
            " WHERE i.round_id = ? ORDER BY i.risk_level DESC, i.case_id",
            (round_id,)).fetchall()
        return [ScreeningItem(**dict(r)) for r in rows]

    def item(self, case_id: int) -> ScreeningItem | None:
        row = self.c.execute(
            "SELECT i.*, c.number FROM screening_items i JOIN cases c ON c.id = i.case_id"
            " WHERE i.case_id = ?", (case_id,)).fetchone()
        return ScreeningItem(**dict(row)) if row else None

    def measures_overdue(self, risk: int, created_before: datetime) -> list[ScreeningItem]:
        """Items of this risk level, reported before the moment, whose first measures are
        not in and whose leaders were not told again yet."""
        rows = self.c.execute(
            "SELECT i.*, c.number FROM screening_items i JOIN cases c ON c.id = i.case_id"
            " WHERE i.risk_level = ? AND i.measures_at IS NULL AND i.escalated_at IS NULL"
            " AND i.created_at <= ? ORDER BY i.case_id", (risk, ts(created_before))).fetchall()
        return [ScreeningItem(**dict(r)) for r in rows]

    def measures_reported(self, case_id: int, now: datetime) -> bool:
        return self.c.execute(
            "UPDATE screening_items SET measures_at = ? WHERE case_id = ? AND measures_at IS NULL",
            (ts(now), case_id)).rowcount == 1

    def escalated(self, case_id: int, now: datetime) -> bool:
        return self.c.execute(
            "UPDATE screening_items SET escalated_at = ? WHERE case_id = ?"
            " AND escalated_at IS NULL AND measures_at IS NULL", (ts(now), case_id)).rowcount == 1
