"""Keeping the database: online backups, checks, restores, the figures `health` reports, and
the lock that says a bot runs on a database file.

Each opens a connection of its own (plain sqlite3: these are command-line tasks or run in a
thread), so the bot's writer is never held: in WAL mode a backup reads while the bot writes."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from storage.db import private_file
from storage.migrations import MIGRATIONS
from storage.times import ts

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; restore then trusts the operator
    fcntl = None  # type: ignore[assignment]

HEARTBEAT_KEY = "heartbeat"  # the poller's last successful getUpdates


class DatabaseLock:
    """An OS lock on `<database>.lock`, held while a bot runs on the database. It is not a
    SQLite lock, so reads, backups and `health` go on; `restore` refuses while it is held."""

    def __init__(self, database: str | Path) -> None:
        self.path = Path(f"{database}.lock")
        self._handle: Any = None

    def acquire(self) -> bool:
        """True when this process now holds the lock; False when another one does."""
        private_file(self.path)
        handle = open(self.path, "a+")
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            if fcntl is not None:
                fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def backup(source: str | Path, target: str | Path) -> int:
    """Copy the database with SQLite's online backup API into `target` (0600), written beside
    it first and moved into place, so a half-written file never carries the name. Returns
    the pages copied."""
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    private_file(partial)
    with contextlib.closing(sqlite3.connect(source)) as src, \
            contextlib.closing(sqlite3.connect(partial)) as dst:
        src.backup(dst)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    os.replace(partial, target)
    return int(pages)


def daily_backup(source: str | Path, folder: Path, stamp: datetime, keep: int) -> Path:
    """A dated backup in `folder` (0700), keeping the newest `keep`."""
    target = folder / f"minqing-{stamp:%Y%m%d-%H%M}.sqlite3"
    private_file(folder / ".keep")
    backup(source, target)
    for old in sorted(folder.glob("minqing-*.sqlite3"))[:-keep]:
        old.unlink()
    return target


def check(path: str | Path) -> tuple[str, int]:
    """(`integrity_check`'s answer, schema version) of a database file, read-only."""
    uri = f"file:{Path(path).resolve()}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            try:
                version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            except sqlite3.OperationalError:
                version = None
    except sqlite3.DatabaseError as exc:  # not a database at all
        return f"not a usable database ({exc})", 0
    return str(integrity), int(version or 0)


def newest_version() -> int:
    return max(number for number, _ in MIGRATIONS)


def restore(source: str | Path, target: str | Path) -> None:
    """Replace the database at `target` with the backup `source` (the caller holds the lock
    and has checked the backup)."""
    private_file(Path(target))
    with contextlib.closing(sqlite3.connect(source)) as src, \
            contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def figures(path: str | Path, since: datetime) -> dict[str, Any]:
    """What `health` reports, read-only: a quick integrity check, the heartbeat, the outbox's
    backlog and its oldest row, deliveries given up and updates set aside since `since`."""
    uri = f"file:{Path(path).resolve()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
        conn.execute("PRAGMA busy_timeout=5000")
        quick = conn.execute("PRAGMA quick_check").fetchone()[0]
        row = conn.execute("SELECT value FROM kv WHERE key = ?", (HEARTBEAT_KEY,)).fetchone()
        backlog, oldest = conn.execute(
            "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending'").fetchone()
        failed = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND created_at >= ?"
            " AND COALESCE(error, '') NOT LIKE 'rerouted:%'", (ts(since),)).fetchone()[0]
        aside = conn.execute(
            "SELECT COUNT(*) FROM inbox WHERE state = 'failed' AND received_at >= ?",
            (ts(since),)).fetchone()[0]
    return {"quick_check": quick, "heartbeat": row[0] if row else None, "backlog": backlog,
            "oldest_pending": oldest, "failed_deliveries": failed, "set_aside": aside}
