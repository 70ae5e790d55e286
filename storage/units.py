"""The bureau's subordinate units (下属单位), their liaisons and responsible leaders; the
sensitive periods in which they are screened daily."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from storage.models import BureauUnit, SensitivePeriodRow
from storage.times import ts

_COLS = ("u.id, u.name, u.leader_id,"
         " (SELECT group_concat(l.user_id) FROM unit_liaisons l WHERE l.unit_id = u.id)"
         " AS liaison_ids")


def _unit(row: sqlite3.Row) -> BureauUnit:
    ids = row["liaison_ids"]
    return BureauUnit(id=row["id"], name=row["name"], leader_id=row["leader_id"],
                      liaison_ids=sorted(int(i) for i in ids.split(",")) if ids else [])


class Units:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def add(self, name: str, now: datetime) -> BureauUnit | None:
        """None when a unit of that name exists already."""
        cur = self.c.execute(
            "INSERT INTO units (name, created_at, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO NOTHING", (name, ts(now), ts(now)))
        return self.get(int(cur.lastrowid)) if cur.rowcount == 1 else None

    def get(self, unit_id: int) -> BureauUnit | None:
        row = self.c.execute(f"SELECT {_COLS} FROM units u WHERE u.id = ?",
                             (unit_id,)).fetchone()
        return _unit(row) if row else None

    def all(self) -> list[BureauUnit]:
        rows = self.c.execute(f"SELECT {_COLS} FROM units u ORDER BY u.name").fetchall()
        return [_unit(r) for r in rows]

    def rename(self, unit_id: int, name: str, now: datetime) -> bool:
        """False when another unit has that name already."""
        try:
            return self.c.execute("UPDATE units SET name = ?, updated_at = ? WHERE id = ?",
                                  (name, ts(now), unit_id)).rowcount == 1
        except sqlite3.IntegrityError:
            return False

    def set_leader(self, unit_id: int, leader_id: int | None, now: datetime) -> None:
        self.c.execute("UPDATE units SET leader_id = ?, updated_at = ? WHERE id = ?",
                       (leader_id, ts(now), unit_id))

    def toggle_liaison(self, unit_id: int, user_id: int) -> bool:
        """Add the liaison, or remove them if they were one: True when they are one now."""
        if self.c.execute("DELETE FROM unit_liaisons WHERE unit_id = ? AND user_id = ?",
                          (unit_id, user_id)).rowcount:
            return False
        self.c.execute("INSERT INTO unit_liaisons (unit_id, user_id) VALUES (?, ?)",
                       (unit_id, user_id))
        return True

    def exist(self) -> bool:
        return self.c.execute("SELECT 1 FROM units LIMIT 1").fetchone() is not None

    def of_liaison(self, user_id: int) -> list[BureauUnit]:
        rows = self.c.execute(
            f"SELECT {_COLS} FROM units u JOIN unit_liaisons m ON m.unit_id = u.id"
            " WHERE m.user_id = ? ORDER BY u.name", (user_id,)).fetchall()
        return [_unit(r) for r in rows]

    def without_liaison(self) -> list[BureauUnit]:
        """Units nobody answers the screening prompts for (the morning report flags them)."""
        return [u for u in self.all() if not u.liaison_ids]


class SensitivePeriods:
    """Admin-declared sensitive periods (敏感时期)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def add(self, first: date, last: date, declared_on: date, reason: str, by: int | None,
            now: datetime) -> SensitivePeriodRow:
        cur = self.c.execute(
            "INSERT INTO sensitive_periods (first_day, last_day, declared_on, reason,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (first.isoformat(), last.isoformat(), declared_on.isoformat(), reason, by,
             ts(now)))
        found = self.get(int(cur.lastrowid))
        assert found is not None
        return found

    def get(self, period_id: int) -> SensitivePeriodRow | None:
        row = self.c.execute("SELECT * FROM sensitive_periods WHERE id = ?",
                             (period_id,)).fetchone()
        return SensitivePeriodRow(**dict(row)) if row else None

    def ending_on_or_after(self, day: date) -> list[SensitivePeriodRow]:
        """Those not over by `day`: current and coming ones, by their start."""
        rows = self.c.execute(
            "SELECT * FROM sensitive_periods WHERE last_day >= ? ORDER BY first_day, id",
            (day.isoformat(),)).fetchall()
        return [SensitivePeriodRow(**dict(r)) for r in rows]

    def end(self, period_id: int, last: date, by: int | None) -> None:
        self.c.execute("UPDATE sensitive_periods SET last_day = ?, ended_by = ? WHERE id = ?",
                       (last.isoformat(), by, period_id))
