"""Repositories for talks, the holiday calendar, the duty roster and reminders."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from typing import Any

from storage.models import Booking, Rotation, TalkSeries, TalkSlot
from storage.times import from_ts, ts

_SLOT = ("SELECT s.*, (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id"
         " AND b.state = 'booked') AS booked FROM talk_slots s")


class Holidays:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def put(self, day: date, kind: str, name: str, by: int | None, now: datetime) -> None:
        self.c.execute(
            "INSERT INTO holidays (day, kind, name, created_by, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
            (day.isoformat(), kind, name, by, ts(now)),
        )

    def remove(self, day: date) -> bool:
        cur = self.c.execute("DELETE FROM holidays WHERE day = ?", (day.isoformat(),))
        return cur.rowcount == 1

    def between(self, first: date, last: date) -> dict[date, str]:
        rows = self.c.execute(
            "SELECT day, kind FROM holidays WHERE day BETWEEN ? AND ? ORDER BY day",
            (first.isoformat(), last.isoformat()),
        ).fetchall()
        return {date.fromisoformat(r["day"]): r["kind"] for r in rows}

    def listing(self, first: date) -> list[dict[str, Any]]:
        rows = self.c.execute(
            "SELECT day, kind, name FROM holidays WHERE day >= ? ORDER BY day LIMIT 60",
            (first.isoformat(),),
        ).fetchall()
        return [dict(r) for r in rows]


class Talks:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    # --- slots ----------------------------------------------------------------------------
    def create_slot(self, fields: dict[str, Any], now: datetime) -> TalkSlot | None:
        """Insert a slot; None when its series already has one on that day."""
        values = {**fields, "created_at": ts(now), "updated_at": ts(now)}
        for key in ("starts_at", "ends_at"):
            values[key] = ts(values[key])
        cols = ", ".join(values)
        row = self.c.execute(
            f"INSERT OR IGNORE INTO talk_slots ({cols}) VALUES ({', '.join('?' * len(values))})"
            " RETURNING id",
            tuple(values.values()),
        ).fetchone()
        return self.slot(row["id"]) if row else None

    def open_on(self, first: datetime, last: datetime) -> list[TalkSlot]:
        """Open slots starting in [first, last)."""
        rows = self.c.execute(
            f"{_SLOT} WHERE s.state = 'open' AND s.starts_at >= ? AND s.starts_at < ?"
            " ORDER BY s.starts_at, s.id", (ts(first), ts(last)),
        ).fetchall()
        return [TalkSlot(**r) for r in rows]

    def next_of_series(self, series_id: int, after: datetime) -> TalkSlot | None:
        row = self.c.execute(
            f"{_SLOT} WHERE s.series_id = ? AND s.state = 'open' AND s.starts_at > ?"
            " ORDER BY s.starts_at LIMIT 1", (series_id, ts(after)),
        ).fetchone()
        return TalkSlot(**row) if row else None

    def series_slot(self, series_id: int, day: date) -> TalkSlot | None:
        """The slot a series has on a day, whatever its state."""
        row = self.c.execute(f"{_SLOT} WHERE s.series_id = ? AND s.series_day = ?",
                             (series_id, day.isoformat())).fetchone()
        return TalkSlot(**row) if row else None

    def slot(self, slot_id: int) -> TalkSlot | None:
        row = self.c.execute(f"{_SLOT} WHERE s.id = ?", (slot_id,)).fetchone()
        return TalkSlot(**row) if row else None

    def upcoming(self, after: datetime, limit: int = 30,
                 kind: str | None = None) -> list[TalkSlot]:
        sql = f"{_SLOT} WHERE s.state = 'open' AND s.starts_at > ?"
        params: list[Any] = [ts(after)]
        if kind:
            sql += " AND s.kind = ?"
            params.append(kind)
        rows = self.c.execute(sql + " ORDER BY s.starts_at, s.id LIMIT ?",
                              (*params, limit)).fetchall()
        return [TalkSlot(**r) for r in rows]

    def hosted_by(self, host_id: int, after: datetime) -> list[TalkSlot]:
        rows = self.c.execute(
            f"{_SLOT} WHERE s.state = 'open' AND s.host_id = ? AND s.starts_at > ?"
            " ORDER BY s.starts_at, s.id", (host_id, ts(after)),
        ).fetchall()
        return [TalkSlot(**r) for r in rows]

    def starting_between(self, first: datetime, last: datetime) -> list[TalkSlot]:
        rows = self.c.execute(
            f"{_SLOT} WHERE s.state = 'open' AND s.starts_at > ? AND s.starts_at <= ?"
            " ORDER BY s.starts_at", (ts(first), ts(last)),
        ).fetchall()
        return [TalkSlot(**r) for r in rows]

    def host_overlaps(self, host_id: int, start: datetime, end: datetime,
                      except_id: int | None = None) -> bool:
        row = self.c.execute(
            "SELECT 1 FROM talk_slots WHERE host_id = ? AND state = 'open' AND starts_at < ?"
            " AND ends_at > ? AND id IS NOT ? LIMIT 1",
            (host_id, ts(end), ts(start), except_id),
        ).fetchone()
        return row is not None

    def update_slot(self, slot_id: int, now: datetime, **fields: Any) -> None:
        values = {k: ts(v) if isinstance(v, datetime) else v for k, v in fields.items()}
        values["updated_at"] = ts(now)
        sets = ", ".join(f"{k} = ?" for k in values)
        self.c.execute(f"UPDATE talk_slots SET {sets} WHERE id = ?", (*values.values(), slot_id))

    # --- series ---------------------------------------------------------------------------
    def create_series(self, fields: dict[str, Any], now: datetime) -> TalkSeries:
        values = {**fields, "created_at": ts(now)}
        row = self.c.execute(
            f"INSERT INTO talk_series ({', '.join(values)}) VALUES"
            f" ({', '.join('?' * len(values))}) RETURNING *", tuple(values.values()),
        ).fetchone()
        return TalkSeries(**row)

    def active_series(self) -> list[TalkSeries]:
        rows = self.c.execute("SELECT * FROM talk_series WHERE active = 1 ORDER BY id").fetchall()
        return [TalkSeries(**r) for r in rows]

    # --- bookings -------------------------------------------------------------------------
    def book(self, slot_id: int, citizen_id: int, topic: str, state: str,
             now: datetime) -> Booking:
        row = self.c.execute(
            "INSERT INTO bookings (slot_id, citizen_id, topic, state, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            (slot_id, citizen_id, topic, state, ts(now), ts(now)),
        ).fetchone()
        return Booking(**row)

    def take_seat(self, slot_id: int, citizen_id: int, topic: str,
                  now: datetime) -> Booking | None:
        """A seat, only if one is free: the count and the insert are one statement, so the
        capacity holds whatever was read before. None when the slot is full."""
        row = self.c.execute(
            "INSERT INTO bookings (slot_id, citizen_id, topic, state, created_at, updated_at)"
            " SELECT ?, ?, ?, 'booked', ?, ? WHERE (SELECT COUNT(*) FROM bookings"
            " WHERE slot_id = ? AND state = 'booked') < (SELECT capacity FROM talk_slots"
            " WHERE id = ?) RETURNING *",
            (slot_id, citizen_id, topic, ts(now), ts(now), slot_id, slot_id),
        ).fetchone()
        return Booking(**row) if row else None

    def booking(self, booking_id: int) -> Booking | None:
        row = self.c.execute("SELECT * FROM bookings WHERE id = ?", (booking_id,)).fetchone()
        return Booking(**row) if row else None

    def holding(self, slot_id: int, citizen_id: int) -> Booking | None:
        row = self.c.execute(
            "SELECT * FROM bookings WHERE slot_id = ? AND citizen_id = ?"
            " AND state IN ('booked', 'waitlisted')", (slot_id, citizen_id),
        ).fetchone()
        return Booking(**row) if row else None

    def active_count(self, citizen_id: int, now: datetime) -> int:
        row = self.c.execute(
            "SELECT COUNT(*) FROM bookings b JOIN talk_slots s ON s.id = b.slot_id"
            " WHERE b.citizen_id = ? AND b.state IN ('booked', 'waitlisted')"
            " AND s.state = 'open' AND s.starts_at > ?", (citizen_id, ts(now)),
        ).fetchone()
        return int(row[0])

    def of_citizen(self, citizen_id: int, now: datetime) -> list[tuple[Booking, TalkSlot]]:
        rows = self.c.execute(
            "SELECT b.id FROM bookings b JOIN talk_slots s ON s.id = b.slot_id"
            " WHERE b.citizen_id = ? AND b.state IN ('booked', 'waitlisted')"
            " AND s.starts_at > ? ORDER BY s.starts_at", (citizen_id, ts(now)),
        ).fetchall()
        out = []
        for r in rows:
            booking = self.booking(r["id"])
            assert booking is not None
            slot = self.slot(booking.slot_id)
            assert slot is not None
            out.append((booking, slot))
        return out

    def of_slot(self, slot_id: int, states: tuple[str, ...] = ("booked",)) -> list[Booking]:
        marks = ",".join("?" * len(states))
        rows = self.c.execute(
            f"SELECT * FROM bookings WHERE slot_id = ? AND state IN ({marks}) ORDER BY id",
            (slot_id, *states),
        ).fetchall()
        return [Booking(**r) for r in rows]

    def set_booking(self, booking_id: int, now: datetime, **fields: Any) -> None:
        values = {**fields, "updated_at": ts(now)}
        sets = ", ".join(f"{k} = ?" for k in values)
        self.c.execute(f"UPDATE bookings SET {sets} WHERE id = ?", (*values.values(), booking_id))

    def booked_starting_between(self, first: datetime, last: datetime) -> list[dict[str, Any]]:
        """Seats in open slots starting in (first, last]: what reminders look at."""
        rows = self.c.execute(
            "SELECT b.id AS booking_id, b.citizen_id, s.id AS slot_id, s.starts_at"
            " FROM talk_slots s JOIN bookings b ON b.slot_id = s.id"
            " WHERE s.state = 'open' AND s.starts_at > ? AND s.starts_at <= ?"
            " AND b.state = 'booked'", (ts(first), ts(last)),
        ).fetchall()
        return [{**dict(r), "starts_at": from_ts(r["starts_at"])} for r in rows]

    def still_booked(self, booking_ids: list[int]) -> dict[int, int]:
        """Of `booking_ids`, those still booked: booking id -> its slot's id."""
        found: dict[int, int] = {}
        for start in range(0, len(booking_ids), 500):
            chunk = booking_ids[start:start + 500]
            rows = self.c.execute(
                "SELECT id, slot_id FROM bookings WHERE state = 'booked'"
                f" AND id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            found.update((r[0], r[1]) for r in rows)
        return found


class Duty:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def set_rotation(self, unit: str, leaders: list[int], starts_on: date, by: int | None,
                     reason: str, now: datetime) -> None:
        self.c.execute(
            "INSERT INTO duty_rotation (unit, leaders, starts_on, created_by, reason, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (unit, json.dumps(leaders), starts_on.isoformat(), by, reason, ts(now)),
        )

    def rotation_on(self, day: date) -> Rotation | None:
        """The rotation in force on `day`: of those begun by then, the one set last. A new
        rotation applies from its first day on; the days before keep the one in force then."""
        row = self.c.execute(
            "SELECT * FROM duty_rotation WHERE starts_on <= ? ORDER BY id DESC LIMIT 1",
            (day.isoformat(),),
        ).fetchone()
        if row is None:
            return None
        return Rotation(unit=row["unit"], leaders=json.loads(row["leaders"]),
                        starts_on=row["starts_on"])

    def override(self, day: date, leader_id: int, by: int | None, reason: str,
                 now: datetime) -> None:
        self.c.execute(
            "INSERT INTO duty_overrides (day, leader_id, changed_by, reason, changed_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET leader_id ="
            " excluded.leader_id, changed_by = excluded.changed_by, reason = excluded.reason,"
            " changed_at = excluded.changed_at",
            (day.isoformat(), leader_id, by, reason, ts(now)),
        )

    def overrides(self, first: date, last: date) -> dict[date, int]:
        rows = self.c.execute(
            "SELECT day, leader_id FROM duty_overrides WHERE day BETWEEN ? AND ?",
            (first.isoformat(), last.isoformat()),
        ).fetchall()
        return {date.fromisoformat(r["day"]): r["leader_id"] for r in rows}


class Reminders:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def record(self, key: str, due: datetime, state: str, now: datetime) -> bool:
        """True the first time a reminder is recorded; False if it already was (sent or not)."""
        cur = self.c.execute(
            "INSERT OR IGNORE INTO reminders (key, due_at, state, recorded_at)"
            " VALUES (?, ?, ?, ?)", (key, ts(due), state, ts(now)),
        )
        return cur.rowcount == 1

    def known(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows = self.c.execute(
                f"SELECT key FROM reminders WHERE key IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
            found.update(r[0] for r in rows)
        return found
