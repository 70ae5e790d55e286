"""Repositories: all SQL lives here. Each works on the sqlite3 connection of one transaction."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from storage.announcements import Announcements, Subscriptions
from storage.assessment import Assessment
from storage.deadlines import Deadlines
from storage.ledger import Ledger
from storage.matters import Matters
from storage.models import (
    Case,
    CaseEvent,
    Dialogue,
    InboxItem,
    Invite,
    Media,
    OutboxItem,
    Outgoing,
    OwnerLink,
    StoredFile,
    Upload,
    User,
)
from storage.reports import Reports
from storage.screening import Screening
from storage.talks import Duty, Holidays, Reminders, Talks
from storage.times import ts
from storage.units import SensitivePeriods, Units


class Tx:
    """One transaction's view of the database, with a repository per aggregate."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.outbox_queued = False
        self.outbox_ready: list[OutboxItem] = []
        self.outbox_last_id: int | None = None  # the row the last message was queued as

    @cached_property
    def users(self) -> Users:
        return Users(self.conn)

    @cached_property
    def invites(self) -> Invites:
        return Invites(self.conn)

    @cached_property
    def dialogues(self) -> Dialogues:
        return Dialogues(self.conn)

    @cached_property
    def cases(self) -> Cases:
        return Cases(self.conn)

    @cached_property
    def deadlines(self) -> Deadlines:
        return Deadlines(self.conn)

    @cached_property
    def matters(self) -> Matters:
        return Matters(self.conn)

    @cached_property
    def announcements(self) -> Announcements:
        return Announcements(self.conn)

    @cached_property
    def subscriptions(self) -> Subscriptions:
        return Subscriptions(self.conn)

    @cached_property
    def assessment(self) -> Assessment:
        return Assessment(self.conn)

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(self.conn)

    @cached_property
    def reports(self) -> Reports:
        return Reports(self.conn)

    @cached_property
    def units(self) -> Units:
        return Units(self.conn)

    @cached_property
    def screening(self) -> Screening:
        return Screening(self.conn)

    @cached_property
    def sensitive(self) -> SensitivePeriods:
        return SensitivePeriods(self.conn)

    @cached_property
    def audit(self) -> Audit:
        return Audit(self.conn)

    @cached_property
    def inbox(self) -> Inbox:
        return Inbox(self.conn)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self.conn, self)

    @cached_property
    def kv(self) -> KeyValues:
        return KeyValues(self.conn)

    @cached_property
    def talks(self) -> Talks:
        return Talks(self.conn)

    @cached_property
    def holidays(self) -> Holidays:
        return Holidays(self.conn)

    @cached_property
    def duty(self) -> Duty:
        return Duty(self.conn)

    @cached_property
    def reminders(self) -> Reminders:
        return Reminders(self.conn)


class Repo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn


class Users(Repo):
    _COLS = (
        "telegram_id, role, display_name, username, language, real_name, privacy_agreed_at, "
        "blocked_at"
    )

    def get(self, telegram_id: int) -> User | None:
        row = self.c.execute(
            f"SELECT {self._COLS} FROM users WHERE telegram_id = ?", (telegram_id,)
        ).fetchone()
        return User(**row) if row else None

    def seen(
        self, telegram_id: int, display_name: str, username: str | None, now: datetime
    ) -> User:
        """Record a person who wrote to the bot (profile kept current) and return them."""
        user = self.get(telegram_id)
        if (
            user is not None
            and user.display_name == display_name
            and user.username == username
            and user.blocked_at is None
        ):
            return user  # the usual case: one read, no write
        row = self.c.execute(
            "INSERT INTO users (telegram_id, display_name, username, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (telegram_id) DO UPDATE SET display_name = excluded.display_name,"
            " username = excluded.username, updated_at = excluded.updated_at, blocked_at = NULL"
            f" RETURNING {self._COLS}",
            (telegram_id, display_name, username, ts(now), ts(now)),
        ).fetchone()
        return User(**row)

    def ensure(self, telegram_id: int, now: datetime, display_name: str = "") -> User:
        self.c.execute(
            "INSERT OR IGNORE INTO users (telegram_id, display_name, created_at, updated_at)"
            " VALUES (?, ?, ?, ?)",
            (telegram_id, display_name, ts(now), ts(now)),
        )
        return self.get(telegram_id)  # type: ignore[return-value]

    def set_role(self, telegram_id: int, role: str, now: datetime) -> None:
        self.ensure(telegram_id, now)
        self.c.execute(
            "UPDATE users SET role = ?, updated_at = ? WHERE telegram_id = ?",
            (role, ts(now), telegram_id),
        )

    def set_language(self, telegram_id: int, language: str, now: datetime) -> None:
        self.c.execute(
            "UPDATE users SET language = ?, updated_at = ? WHERE telegram_id = ?",
            (language, ts(now), telegram_id),
        )

    def set_real_name(self, telegram_id: int, real_name: str, now: datetime) -> None:
        self.c.execute(
            "UPDATE users SET real_name = ?, updated_at = ? WHERE telegram_id = ?",
            (real_name, ts(now), telegram_id),
        )

    def agree_privacy(self, telegram_id: int, now: datetime) -> None:
        self.c.execute(
            "UPDATE users SET privacy_agreed_at = ?, updated_at = ? WHERE telegram_id = ?"
            " AND privacy_agreed_at IS NULL",
            (ts(now), ts(now), telegram_id),
        )

    def mark_blocked(self, telegram_id: int, now: datetime) -> None:
        self.c.execute(
            "UPDATE users SET blocked_at = ? WHERE telegram_id = ?", (ts(now), telegram_id)
        )

    def count_role(self, role: str) -> int:
        return self.c.execute("SELECT COUNT(*) FROM users WHERE role = ?", (role,)).fetchone()[0]

    def with_roles(self, roles: tuple[str, ...]) -> list[User]:
        marks = ",".join("?" * len(roles))
        rows = self.c.execute(
            f"SELECT {self._COLS} FROM users WHERE role IN ({marks}) ORDER BY role, telegram_id",
            roles,
        ).fetchall()
        return [User(**row) for row in rows]


class Invites(Repo):
    def create(self, token: str, role: str, created_by: int, now: datetime, hours: int) -> None:
        self.c.execute(
            "INSERT INTO invites (token, role, created_by, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (token, role, created_by, ts(now), ts(now + timedelta(hours=hours))),
        )

    def get(self, token: str) -> Invite | None:
        row = self.c.execute("SELECT * FROM invites WHERE token = ?", (token,)).fetchone()
        return Invite(**row) if row else None

    def use(self, token: str, user_id: int, now: datetime) -> bool:
        """Spend the invite; False when it was already used or has expired."""
        cur = self.c.execute(
            "UPDATE invites SET used_by = ?, used_at = ? WHERE token = ? AND used_by IS NULL"
            " AND expires_at > ?",
            (user_id, ts(now), token, ts(now)),
        )
        return cur.rowcount == 1


class Dialogues(Repo):
    def get(self, user_id: int) -> Dialogue | None:
        row = self.c.execute(
            "SELECT user_id, name, step, data FROM dialogues WHERE user_id = ?", (user_id,)
        ).fetchone()
        if row is None:
            return None
        return Dialogue(
            user_id=row["user_id"], name=row["name"], step=row["step"],
            data=json.loads(row["data"]),
        )

    def put(self, dialogue: Dialogue, now: datetime) -> None:
        self.c.execute(
            "INSERT INTO dialogues (user_id, name, step, data, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, step = excluded.step,"
            " data = excluded.data, updated_at = excluded.updated_at",
            (
                dialogue.user_id,
                dialogue.name,
                dialogue.step,
                json.dumps(dialogue.data, ensure_ascii=False),
                ts(now),
            ),
        )

    def clear(self, user_id: int) -> None:
        self.c.execute("DELETE FROM dialogues WHERE user_id = ?", (user_id,))


def _case(row: sqlite3.Row) -> Case:
    return Case(**row)


def _event(row: sqlite3.Row) -> CaseEvent:
    return CaseEvent(**{**dict(row), "media": json.loads(row["media"]) if row["media"] else []})


class Cases(Repo):
    OPEN = ("new", "accepted")

    def next_number(self, year: int) -> str:
        """QZ-<year>-<six digits>: a sequence per year, never reused (even after a rollback
        elsewhere, because it advances only in the transaction that creates the case)."""
        row = self.c.execute(
            "INSERT INTO case_numbers (year, last) VALUES (?, 1)"
            " ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
            (year,),
        ).fetchone()
        return f"QZ-{year}-{row[0]:06d}"

    def create(self, fields: dict[str, Any], now: datetime) -> Case:
        fields = {key: ts(value) if isinstance(value, datetime) else value
                  for key, value in {**fields, "created_at": now, "updated_at": now}.items()}
        cols = ", ".join(fields)
        marks = ", ".join("?" * len(fields))
        row = self.c.execute(
            f"INSERT INTO cases ({cols}) VALUES ({marks}) RETURNING *", tuple(fields.values())
        ).fetchone()
        return _case(row)

    def get(self, case_id: int) -> Case | None:
        row = self.c.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
        return _case(row) if row else None

    def by_number(self, number: str) -> Case | None:
        row = self.c.execute("SELECT * FROM cases WHERE number = ?", (number,)).fetchone()
        return _case(row) if row else None

    def by_topic(self, topic_id: int) -> Case | None:
        row = self.c.execute("SELECT * FROM cases WHERE topic_id = ?", (topic_id,)).fetchone()
        return _case(row) if row else None

    def of_citizen(self, citizen_id: int, only_open: bool = False, limit: int = 50) -> list[Case]:
        sql = "SELECT * FROM cases WHERE citizen_id = ?"
        if only_open:
            sql += " AND state IN ('new', 'accepted')"
        sql += " ORDER BY id DESC LIMIT ?"
        return [_case(r) for r in self.c.execute(sql, (citizen_id, limit)).fetchall()]

    def open_queue(self, limit: int = 50) -> list[Case]:
        rows = self.c.execute(
            "SELECT * FROM cases WHERE state IN ('new', 'accepted')"
            " ORDER BY owner_id IS NOT NULL, created_at, id LIMIT ?",
            (limit,),
        ).fetchall()
        return [_case(r) for r in rows]

    def open_of_owner(self, owner_id: int) -> list[Case]:
        rows = self.c.execute(
            "SELECT * FROM cases WHERE owner_id = ? AND state IN ('new', 'accepted') ORDER BY id",
            (owner_id,),
        ).fetchall()
        return [_case(r) for r in rows]

    def resolved_before(self, moment: datetime, limit: int = -1) -> list[Case]:
        rows = self.c.execute(
            "SELECT * FROM cases WHERE state = 'resolved' AND resolved_at <= ? ORDER BY id"
            " LIMIT ?", (ts(moment), limit),
        ).fetchall()
        return [_case(r) for r in rows]

    def update(self, case_id: int, now: datetime, *, expect_state: tuple[str, ...] | None = None,
               expect_owner: int | bool | None = False, **fields: Any) -> Case | None:
        """Change a case; with `expect_state`/`expect_owner`, only if it still is so (a
        compare-and-set, so two staff members claiming at once cannot both win)."""
        values = {
            key: ts(value) if isinstance(value, datetime) else value
            for key, value in fields.items()
        }
        values["updated_at"] = ts(now)
        sets = ", ".join(f"{key} = ?" for key in values)
        sql = f"UPDATE cases SET {sets} WHERE id = ?"
        params: list[Any] = [*values.values(), case_id]
        if expect_state is not None:
            sql += f" AND state IN ({','.join('?' * len(expect_state))})"
            params += expect_state
        if expect_owner is None:
            sql += " AND owner_id IS NULL"
        elif expect_owner is not False:
            sql += " AND owner_id = ?"
            params.append(expect_owner)
        row = self.c.execute(sql + " RETURNING *", params).fetchone()
        return _case(row) if row else None

    def instructions(self, case_id: int, limit: int) -> list[CaseEvent]:
        """The case's latest leaders' instructions (批示), oldest first."""
        rows = self.c.execute(
            "SELECT * FROM (SELECT * FROM case_events WHERE case_id = ? AND kind = 'instruction'"
            " ORDER BY id DESC LIMIT ?) ORDER BY id", (case_id, limit)).fetchall()
        return [_event(r) for r in rows]

    def add_event(
        self,
        case_id: int,
        now: datetime,
        *,
        actor_id: int | None,
        direction: str,
        kind: str,
        text: str = "",
        media: list[Media] | None = None,
    ) -> int:
        """Add to the case's history; returns the event's id."""
        media_json = (
            json.dumps([m.model_dump(exclude_none=True) for m in media]) if media else None
        )
        cur = self.c.execute(
            "INSERT INTO case_events (case_id, at, actor_id, direction, kind, text, media)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (case_id, ts(now), actor_id, direction, kind, text, media_json),
        )
        return int(cur.lastrowid or 0)

    def events_from(self, case_id: int, first_id: int, limit: int = 200) -> list[CaseEvent]:
        """The case's events from `first_id` on, oldest first."""
        rows = self.c.execute(
            "SELECT * FROM case_events WHERE case_id = ? AND id >= ? ORDER BY id LIMIT ?",
            (case_id, first_id, limit),
        ).fetchall()
        return [_event(r) for r in rows]

    def has_event(self, case_id: int, kind: str) -> bool:
        """Whether the case's whole history holds an event of this kind."""
        return self.c.execute(
            "SELECT 1 FROM case_events WHERE case_id = ? AND kind = ? LIMIT 1", (case_id, kind)
        ).fetchone() is not None

    def events(self, case_id: int, limit: int = 200) -> list[CaseEvent]:
        rows = self.c.execute(
            "SELECT * FROM (SELECT * FROM case_events WHERE case_id = ? ORDER BY id DESC LIMIT ?)"
            " ORDER BY id",
            (case_id, limit),
        ).fetchall()
        return [_event(r) for r in rows]

    def add_owner(
        self, case_id: int, owner_id: int | None, by: int | None, reason: str, now: datetime
    ) -> None:
        self.c.execute(
            "INSERT INTO case_owners (case_id, owner_id, assigned_at, assigned_by, reason)"
            " VALUES (?, ?, ?, ?, ?)",
            (case_id, owner_id, ts(now), by, reason),
        )

    def owners(self, case_id: int) -> list[OwnerLink]:
        rows = self.c.execute(
            "SELECT owner_id, assigned_at, assigned_by, reason FROM case_owners"
            " WHERE case_id = ? ORDER BY id",
            (case_id,),
        ).fetchall()
        return [OwnerLink(**r) for r in rows]

    def link_message(self, chat_id: int, message_id: int, case_id: int) -> None:
        self.c.execute(
            "INSERT OR REPLACE INTO case_messages (chat_id, message_id, case_id) VALUES (?, ?, ?)",
            (chat_id, message_id, case_id),
        )

    def by_message(self, chat_id: int, message_id: int) -> Case | None:
        row = self.c.execute(
            "SELECT c.* FROM case_messages m JOIN cases c ON c.id = m.case_id"
            " WHERE m.chat_id = ? AND m.message_id = ?",
            (chat_id, message_id),
        ).fetchone()
        return _case(row) if row else None


class Audit(Repo):
    def append(
        self,
        now: datetime,
        actor_id: int | None,
        action: str,
        *,
        case_id: int | None = None,
        subject_id: int | None = None,
        detail: str = "",
    ) -> None:
        self.c.execute(
            "INSERT INTO audit_log (at, actor_id, action, case_id, subject_id, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (ts(now), actor_id, action, case_id, subject_id, detail),
        )

    def role_taken_by_someone(self, subject_id: int) -> bool:
        """Whether the last recorded change of this person's role, made by someone (not by
        ADMIN_IDS at start), left them without the admin role."""
        row = self.c.execute(
            "SELECT actor_id, action, detail FROM audit_log WHERE subject_id = ?"
            " AND action IN ('role_grant', 'role_revoke') ORDER BY id DESC LIMIT 1",
            (subject_id,),
        ).fetchone()
        if row is None or row["actor_id"] is None:
            return False
        return row["action"] == "role_revoke" or row["detail"] != "admin"



class Inbox(Repo):
    def add(self, update_id: int, payload: str, now: datetime) -> bool:
        """Store an update; False when this update id is already here (delivered twice)."""
        cur = self.c.execute(
            "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
            (update_id, payload, ts(now)),
        )
        return cur.rowcount == 1

    def pending(self, limit: int = 100) -> list[InboxItem]:
        rows = self.c.execute(
            "SELECT update_id, payload, state, attempts, error FROM inbox"
            " WHERE state = 'pending' ORDER BY update_id LIMIT ?",
            (limit,),
        ).fetchall()
        return [InboxItem(**{**dict(r), "payload": json.loads(r["payload"])}) for r in rows]

    def complete(self, update_id: int, payload: dict[str, Any], now: datetime) -> bool:
        """Mark the update done with its effect; False when it was handled before (a repeat).
        Its row is normally stored already; if that store failed, it is written here."""
        cur = self.c.execute(
            "UPDATE inbox SET state = 'done', done_at = ?"
            " WHERE update_id = ? AND state = 'pending'",
            (ts(now), update_id),
        )
        if cur.rowcount:
            return True
        if self._exists(update_id):
            return False
        self.c.execute(
            "INSERT INTO inbox (update_id, payload, state, received_at, done_at)"
            " VALUES (?, ?, 'done', ?, ?)",
            (update_id, json.dumps(payload, ensure_ascii=False), ts(now), ts(now)),
        )
        return True

    def record_failure(
        self, update_id: int, payload: dict[str, Any], error: str, set_aside: bool, now: datetime
    ) -> None:
        state = "failed" if set_aside else "pending"
        cur = self.c.execute(
            "UPDATE inbox SET attempts = attempts + 1, error = ?, state = ?"
            " WHERE update_id = ? AND state = 'pending'",
            (error[:2000], state, update_id),
        )
        if cur.rowcount == 0 and not self._exists(update_id):
            self.c.execute(
                "INSERT INTO inbox (update_id, payload, state, attempts, error, received_at)"
                " VALUES (?, ?, ?, 1, ?, ?)",
                (update_id, json.dumps(payload, ensure_ascii=False), state, error[:2000],
                 ts(now)),
            )

    def recently_handled(self, limit: int = 1000) -> list[int]:
        rows = self.c.execute(
            "SELECT update_id FROM inbox WHERE state != 'pending' ORDER BY update_id DESC"
            " LIMIT ?",
            (limit,),
        ).fetchall()
        return [r[0] for r in rows]

    def _exists(self, update_id: int) -> bool:
        row = self.c.execute("SELECT 1 FROM inbox WHERE update_id = ?", (update_id,)).fetchone()
        return row is not None

    def failed(self, limit: int = 20) -> list[InboxItem]:
        rows = self.c.execute(
            "SELECT update_id, payload, state, attempts, error FROM inbox"
            " WHERE state = 'failed' ORDER BY update_id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [InboxItem(**{**dict(r), "payload": json.loads(r["payload"])}) for r in rows]

    def prune(self, before: datetime, limit: int = -1) -> int:
        cur = self.c.execute(
            "DELETE FROM inbox WHERE update_id IN (SELECT update_id FROM inbox"
            " WHERE state = 'done' AND done_at < ? LIMIT ?)", (ts(before), limit),
        )
        return cur.rowcount


_OUTBOX_COLS = ("id, chat_id, method, payload, attempts, case_id, purpose, in_case_topic,"
                " album_key, notify_id, priority, file_ref")


class Outbox(Repo):
    def __init__(self, conn: sqlite3.Connection, tx: Tx) -> None:
        super().__init__(conn)
        self._tx = tx

    def add(self, message: Outgoing, now: datetime, file_ref: int | None = None) -> None:
        """Queue a message in the caller's transaction; an album part joins its pending album
        while that one still waits for its other parts."""
        self._tx.outbox_queued = True
        if message.album_key is not None:
            row = self.c.execute(
                "SELECT id, payload FROM outbox WHERE album_key = ? AND chat_id = ?"
                " AND state = 'pending' AND attempts = 0 AND next_at > ?",
                (message.album_key, message.chat_id, ts(now)),
            ).fetchone()
            if row is not None and message.method == "sendMessage":
                # A later answer about the same album replaces the one still waiting (so it
                # counts every part, not only the first).
                self.c.execute("UPDATE outbox SET payload = ? WHERE id = ?",
                               (json.dumps(message.payload, ensure_ascii=False), row["id"]))
                return
            if row is not None:
                payload = json.loads(row["payload"])
                if len(payload["media"]) < 10:
                    for part in message.payload["media"]:
                        if part.pop("_first_only", False):
                            part.pop("caption", None)
                        payload["media"].append(part)
                    self.c.execute(
                        "UPDATE outbox SET payload = ? WHERE id = ?",
                        (json.dumps(payload, ensure_ascii=False), row["id"]),
                    )
                    return
        if message.upload is not None:
            file_ref = self._keep_file(message.upload, now)
        cur = self.c.execute(
            "INSERT INTO outbox (chat_id, method, payload, next_at, created_at, case_id, purpose,"
            " in_case_topic, album_key, notify_id, priority, file_ref, broadcast_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                message.chat_id,
                message.method,
                json.dumps(message.payload, ensure_ascii=False),
                ts(now + timedelta(seconds=message.delay_seconds)),
                ts(now),
                message.case_id,
                message.purpose,
                int(message.in_case_topic),
                message.album_key,
                message.notify_id,
                message.priority,
                file_ref,
                message.broadcast_id,
            ),
        )
        self._tx.outbox_last_id = cur.lastrowid
        if message.delay_seconds <= 0:
            self._tx.outbox_ready.append(OutboxItem(
                id=cur.lastrowid, chat_id=message.chat_id, method=message.method,
                payload=message.payload, case_id=message.case_id, purpose=message.purpose,
                in_case_topic=message.in_case_topic, album_key=message.album_key,
                notify_id=message.notify_id, priority=message.priority, file_ref=file_ref,
            ))

    def _keep_file(self, upload: Upload, now: datetime) -> int:
        """The file's row: one already uploaded (or waiting) with the same bytes is shared."""
        digest = hashlib.sha256(upload.content).hexdigest()
        row = self.c.execute(
            "SELECT id FROM outbox_files WHERE sha256 = ? AND kind = ?"
            " AND (file_id IS NOT NULL OR content IS NOT NULL) ORDER BY id DESC LIMIT 1",
            (digest, upload.kind)).fetchone()
        if row is not None:
            return int(row[0])
        return int(self.c.execute(
            "INSERT INTO outbox_files (sha256, kind, name, size, content, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (digest, upload.kind, upload.name, len(upload.content), upload.content, ts(now)),
        ).lastrowid)

    def file(self, file_ref: int) -> StoredFile | None:
        row = self.c.execute(
            "SELECT id, kind, name, size, content, file_id FROM outbox_files WHERE id = ?",
            (file_ref,)).fetchone()
        return StoredFile(**dict(row)) if row else None

    def file_uploaded(self, file_ref: int, file_id: str) -> None:
        """Telegram has the file: its id is kept, its bytes go."""
        self.c.execute("UPDATE outbox_files SET file_id = ?, content = NULL WHERE id = ?",
                       (file_id, file_ref))

    def release_files(self) -> int:
        """Bytes nobody waits for any more (their messages failed or were blocked) go."""
        return self.c.execute(
            "UPDATE outbox_files SET content = NULL WHERE content IS NOT NULL AND id NOT IN"
            " (SELECT file_ref FROM outbox WHERE state = 'pending' AND file_ref IS NOT NULL)"
        ).rowcount

    def due(self, now: datetime, limit: int = 200) -> list[OutboxItem]:
        rows = self.c.execute(
            f"SELECT {_OUTBOX_COLS} FROM outbox WHERE state = 'pending' AND next_at <= ?"
            " ORDER BY priority, id LIMIT ?",
            (ts(now), limit),
        ).fetchall()
        return [OutboxItem(**{**dict(r), "payload": json.loads(r["payload"])}) for r in rows]

    def pending_for_chat(self, chat_id: int) -> list[OutboxItem]:
        rows = self.c.execute(
            f"SELECT {_OUTBOX_COLS} FROM outbox WHERE state = 'pending' AND chat_id = ?"
            " ORDER BY id", (chat_id,),
        ).fetchall()
        return [OutboxItem(**{**dict(r), "payload": json.loads(r["payload"])}) for r in rows]

    def copy_to(self, item: OutboxItem, chat_id: int, now: datetime) -> None:
        """A message queued for a chat that is gone, queued again for `chat_id` as it was
        rendered (a private chat has no topics: the thread goes)."""
        payload = {k: v for k, v in item.payload.items() if k != "message_thread_id"}
        self.add(Outgoing(chat_id=chat_id, method=item.method, payload=payload,
                          case_id=item.case_id,
                          purpose=item.purpose if item.purpose in ("card", "link") else None,
                          notify_id=item.notify_id, priority=item.priority), now,
                 file_ref=item.file_ref)

    def move_chat(self, old: int, new: int) -> int:
        """A group became a supergroup: its pending rows go to the new id."""
        return self.c.execute(
            "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND state = 'pending'", (new, old)
        ).rowcount

    def next_due_at(self, after: datetime) -> datetime | None:
        """When the next row that is not yet due becomes due."""
        row = self.c.execute(
            "SELECT MIN(next_at) FROM outbox WHERE state = 'pending' AND next_at > ?",
            (ts(after),),
        ).fetchone()
        if not row or row[0] is None:
            return None
        return datetime.strptime(row[0], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)

    def topic_pending(self, case_id: int) -> bool:
        """Whether the case's forum topic is still waiting to be created."""
        row = self.c.execute(
            "SELECT 1 FROM outbox WHERE case_id = ? AND purpose = 'topic' AND state = 'pending'"
            " LIMIT 1", (case_id,),
        ).fetchone()
        return row is not None

    def mark_sent(self, item_id: int, message_id: int | None, now: datetime) -> None:
        self.c.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?, result_message_id = ?,"
            " attempts = attempts + 1 WHERE id = ?",
            (ts(now), message_id, item_id),
        )

    def retry_later(self, item_id: int, error: str, at: datetime) -> None:
        self.c.execute(
            "UPDATE outbox SET attempts = attempts + 1, error = ?, next_at = ? WHERE id = ?",
            (error[:500], ts(at), item_id),
        )

    def give_up(self, item_id: int, state: str, error: str) -> None:
        self.c.execute(
            "UPDATE outbox SET state = ?, attempts = attempts + 1, error = ? WHERE id = ?",
            (state, error[:500], item_id),
        )
        self.release_files()



class KeyValues(Repo):
    def get(self, key: str) -> str | None:
        row = self.c.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        self.c.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
