"""Public announcements (公示、听证、新闻发布会), their subscribers per kind, and the broadcast's
cursor and counts. A broadcast queues its subscribers in chunks by id (subscriptions' primary
key), so a chunk is one short transaction and a restart goes on from the cursor."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from storage.models import Announcement
from storage.times import ts


def _announcement(row: sqlite3.Row) -> Announcement:
    media = json.loads(row["media"]) if row["media"] else None
    return Announcement(**{**dict(row), "media": media})


class Announcements:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def add(self, fields: dict[str, Any], by: int, now: datetime) -> Announcement:
        media = fields.get("media")
        row = self.c.execute(
            "INSERT INTO announcements (kind, title, body, media, event_at, place, seats,"
            " state, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)"
            " RETURNING *",
            (fields["kind"], fields["title"], fields["body"],
             json.dumps(media, ensure_ascii=False) if media else None,
             ts(fields["event_at"]) if fields.get("event_at") else None, fields.get("place"),
             fields.get("seats"), by, ts(now))).fetchone()
        return _announcement(row)

    def get(self, announcement_id: int) -> Announcement | None:
        row = self.c.execute("SELECT * FROM announcements WHERE id = ?",
                             (announcement_id,)).fetchone()
        return _announcement(row) if row else None

    def move(self, announcement_id: int, expect: tuple[str, ...], state: str,
             now: datetime, by: int | None = None) -> Announcement | None:
        """Change its state if it is still in one of `expect` (two leaders pressing at once:
        one decides)."""
        marks = ", ".join("?" for _ in expect)
        decided = ", decided_by = ?, decided_at = ?" if by is not None else ""
        params: list[Any] = [state]
        if by is not None:
            params += [by, ts(now)]
        row = self.c.execute(
            f"UPDATE announcements SET state = ?{decided} WHERE id = ? AND state IN ({marks})"
            " RETURNING *", (*params, announcement_id, *expect)).fetchone()
        return _announcement(row) if row else None

    def recent(self, limit: int = 10) -> list[Announcement]:
        rows = self.c.execute("SELECT * FROM announcements WHERE state IN ('sending', 'sent')"
                              " ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_announcement(r) for r in rows]

    def sending(self) -> list[Announcement]:
        rows = self.c.execute("SELECT * FROM announcements WHERE state = 'sending'"
                              " ORDER BY id").fetchall()
        return [_announcement(r) for r in rows]

    def set_slot(self, announcement_id: int, slot_id: int) -> None:
        self.c.execute("UPDATE announcements SET slot_id = ? WHERE id = ?",
                       (slot_id, announcement_id))

    def advance(self, announcement_id: int, upto: int, queued: int) -> None:
        self.c.execute("UPDATE announcements SET queued_upto = ?, queued = queued + ?"
                       " WHERE id = ?", (upto, queued, announcement_id))

    def progress(self, announcement_id: int, row: int | None, text: str | None) -> None:
        self.c.execute("UPDATE announcements SET progress_row = COALESCE(?, progress_row),"
                       " progress_text = COALESCE(?, progress_text) WHERE id = ?",
                       (row, text, announcement_id))

    def finish(self, announcement_id: int, now: datetime) -> bool:
        return self.c.execute("UPDATE announcements SET state = 'sent', sent_at = ?"
                              " WHERE id = ? AND state = 'sending'",
                              (ts(now), announcement_id)).rowcount == 1

    def counts(self, announcement_id: int) -> dict[str, int]:
        """Its broadcast's outbox rows by state (outbox_broadcast)."""
        return {r[0]: r[1] for r in self.c.execute(
            "SELECT state, COUNT(*) FROM outbox WHERE broadcast_id = ? GROUP BY state",
            (announcement_id,))}

    def progress_message(self, announcement: Announcement) -> int | None:
        """The id Telegram gave the sender's progress message, once it was sent."""
        if announcement.progress_row is None:
            return None
        row = self.c.execute("SELECT result_message_id FROM outbox WHERE id = ?",
                             (announcement.progress_row,)).fetchone()
        return row[0] if row else None


class Subscriptions:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def add(self, user_id: int, kind: str, now: datetime) -> bool:
        return self.c.execute(
            "INSERT INTO subscriptions (kind, user_id, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING", (kind, user_id, ts(now))).rowcount == 1

    def remove(self, user_id: int, kind: str | None = None) -> int:
        if kind is None:
            return self.c.execute("DELETE FROM subscriptions WHERE user_id = ?",
                                  (user_id,)).rowcount
        return self.c.execute("DELETE FROM subscriptions WHERE user_id = ? AND kind = ?",
                              (user_id, kind)).rowcount

    def kinds_of(self, user_id: int) -> set[str]:
        return {r[0] for r in self.c.execute(
            "SELECT kind FROM subscriptions WHERE user_id = ?", (user_id,))}

    def after(self, kind: str, user_id: int, limit: int) -> list[tuple[int, str | None]]:
        """The next subscribers of `kind` after `user_id`, by id (the primary key's order),
        with their language; those who blocked the bot are left out."""
        return [(r[0], r[1]) for r in self.c.execute(
            "SELECT s.user_id, u.language FROM subscriptions s"
            " JOIN users u ON u.telegram_id = s.user_id"
            " WHERE s.kind = ? AND s.user_id > ? AND u.blocked_at IS NULL"
            " ORDER BY s.user_id LIMIT ?", (kind, user_id, limit))]

    def count_after(self, kind: str, user_id: int) -> int:
        """Subscribers still to be queued after the cursor."""
        return self.c.execute(
            "SELECT COUNT(*) FROM subscriptions s JOIN users u ON u.telegram_id = s.user_id"
            " WHERE s.kind = ? AND s.user_id > ? AND u.blocked_at IS NULL",
            (kind, user_id)).fetchone()[0]

    def count(self, kind: str) -> int:
        return self.c.execute("SELECT COUNT(*) FROM subscriptions WHERE kind = ?",
                              (kind,)).fetchone()[0]
