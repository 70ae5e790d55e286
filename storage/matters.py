"""Matters assigned by superiors (上级交办) and what the deadline sweep has said of each."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from storage.models import AssignedMatter, Media
from storage.times import ts

_SAID = ("warned_at", "reminded_at", "overdue_at")


def _matter(row: sqlite3.Row) -> AssignedMatter:
    media = json.loads(row["result_media"]) if row["result_media"] else []
    return AssignedMatter(**{**dict(row), "result_media": media})


class Matters:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def add(self, source: str, doc_number: str, content: str, due_at: datetime, owner_id: int,
            case_id: int | None, registered_by: int, now: datetime) -> AssignedMatter:
        row = self.c.execute(
            "INSERT INTO assigned_matters (source, doc_number, content, due_at, owner_id, case_id,"
            " registered_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (source, doc_number, content, ts(due_at), owner_id, case_id, registered_by,
             ts(now))).fetchone()
        return _matter(row)

    def get(self, matter_id: int) -> AssignedMatter | None:
        row = self.c.execute("SELECT * FROM assigned_matters WHERE id = ?",
                             (matter_id,)).fetchone()
        return _matter(row) if row else None

    def open(self, limit: int = 50) -> list[AssignedMatter]:
        """Open matters, soonest deadline first (assigned_matters_open)."""
        rows = self.c.execute("SELECT * FROM assigned_matters WHERE state = 'open'"
                              " ORDER BY due_at LIMIT ?", (limit,)).fetchall()
        return [_matter(r) for r in rows]

    def due_by(self, until: datetime, limit: int = 500) -> list[AssignedMatter]:
        rows = self.c.execute("SELECT * FROM assigned_matters WHERE state = 'open'"
                              " AND due_at <= ? ORDER BY due_at LIMIT ?",
                              (ts(until), limit)).fetchall()
        return [_matter(r) for r in rows]

    def report(self, matter_id: int, result: str, media: list[Media], now: datetime) -> bool:
        return self.c.execute(
            "UPDATE assigned_matters SET state = 'reported', result = ?, result_media = ?,"
            " reported_at = ? WHERE id = ? AND state = 'open'",
            (result, json.dumps([m.model_dump() for m in media]) if media else None, ts(now),
             matter_id)).rowcount == 1

    def mark(self, matter_id: int, said: str, now: datetime) -> bool:
        assert said in _SAID
        return self.c.execute(
            f"UPDATE assigned_matters SET {said} = ? WHERE id = ? AND {said} IS NULL"
            " AND state = 'open'",
            (ts(now), matter_id)).rowcount == 1
