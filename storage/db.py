"""The SQLite connection: PRAGMAs, migrations, and transactions run in one hop.

aiosqlite runs one thread per connection and every awaited call is a round trip through its
queue (~0.1 ms). A transaction is therefore written as a plain function over a `Tx` and run
whole on the database thread: BEGIN IMMEDIATE, the statements, COMMIT, one await.
`bench/tx_hops.py` measures this against awaiting each statement.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import aiosqlite

from storage.migrations import MIGRATIONS
from storage.repos import Tx

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class InboxMark:
    """The inbox row being processed; the first write transaction marks it done with its
    effects."""

    update_id: int
    done: bool = False
    attempt: int = 1
    final: bool = True
    error: str | None = None


current_inbox: ContextVar[InboxMark | None] = ContextVar("current_inbox", default=None)


class Database:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self._listeners: list[Callable[[], None]] = []

    async def open(self) -> Database:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        await self._conn._execute(self._setup, self._conn._conn)
        return self

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    def on_outbox(self, listener: Callable[[], None]) -> None:
        """Call `listener` after each commit that queued outgoing messages (wakes the sender)."""
        self._listeners.append(listener)

    @staticmethod
    def _setup(conn: sqlite3.Connection) -> None:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        current = row[0] or 0
        for number, script in MIGRATIONS:
            if number <= current:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            log.info("applied migration %03d", number)

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def write(self, work: Callable[[Tx], T], *, completes_update: bool = True) -> T:
        """Run `work` in one IMMEDIATE transaction on the database thread.

        When an inbox update is being processed, its row is marked done in the same
        transaction, so the update's effect and its completion commit together
        (`completes_update=False` for bookkeeping that is not the update's effect).
        """
        mark = current_inbox.get() if completes_update else None
        pending_mark = mark if mark is not None and not mark.done else None
        tx, result = await self.conn._execute(self._run_write, work, pending_mark)
        if pending_mark is not None:
            pending_mark.done = True
        if tx.outbox_queued:
            for listener in self._listeners:
                listener()
        return result

    async def read(self, work: Callable[[Tx], T]) -> T:
        """Run `work` in one read transaction (a consistent snapshot) on the database thread."""
        return await self.conn._execute(self._run_read, work)

    def _run_write(self, work: Callable[[Tx], T], mark: InboxMark | None) -> tuple[Tx, T]:
        conn = self.conn._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            tx = Tx(conn)
            result = work(tx)
            if mark is not None:
                tx.inbox.mark_done(mark.update_id)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return tx, result

    def _run_read(self, work: Callable[[Tx], T]) -> T:
        conn = self.conn._conn
        conn.execute("BEGIN")
        try:
            return work(Tx(conn))
        finally:
            conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    """Split a migration on semicolons that end a statement (triggers keep their inner ones)."""
    parts: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                parts.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        parts.append(buffer.strip())
    return parts
