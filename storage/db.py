"""The SQLite connection: PRAGMAs, migrations, and transactions run in one hop.

The writing connection lives on one thread of its own (`DatabaseThread`), and every awaited call
is a round trip to it (~0.1 ms). A transaction is therefore written as a plain function over a
`Tx` and run whole on that thread: BEGIN IMMEDIATE, the statements, COMMIT, one await.
`bench/tx_hops.py` measures this against awaiting each statement.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import aiosqlite

from storage.migrations import MIGRATIONS
from storage.models import OutboxItem
from storage.repos import Tx

log = logging.getLogger(__name__)
T = TypeVar("T")
CHECKPOINT_EVERY = 200  # commits between background WAL checkpoints
MAX_GROUP = 64  # writes committed together at most (besides the bookkeeping riding along)
RIDER_LINGER = 0.005  # seconds a bookkeeping write may wait to share another commit
FOREIGN_KEYS_OFF = "-- foreign_keys: off"  # the first line of a migration that rebuilds a table
READERS = 2  # read connections: a long read (an export) leaves the other for everyone else


class SupportsNow(Protocol):
    """The injected clock (`bot.clock.Clock`): storage never reads the wall clock itself."""

    def now(self) -> datetime: ...


class DatabaseTooNew(sqlite3.DatabaseError):
    """The database was written by a newer Minqing: running an older one on it could damage
    what the newer one relies on, so it is refused."""


class UpdateAlreadyHandled(Exception):
    """The update's row was done (or set aside) before: this repeat's effect is rolled back."""


@dataclass
class InboxMark:
    """The inbox row of the update being handled. The inbox hands it to the handlers with the
    update; the first write that carries it (`Database.write(work, completes=mark)`) marks the
    row done in the same transaction as its effect."""

    update_id: int
    payload: dict[str, Any] = field(default_factory=dict)  # stored if the row is missing
    done: bool = False
    final: bool = True  # the last attempt: the user is told if it fails
    error: str | None = None


class DatabaseThread:
    """The one thread that owns the writing connection: each call runs a whole function there
    and is one hop from the event loop, through a queue and `call_soon_threadsafe`, as
    aiosqlite's worker does (which offers it only as a private method: here it is owned
    openly, in a few lines). A daemon thread: it never keeps the process alive."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="minqing-db", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, loop, work, args = item
            try:
                result = work(*args)
            except BaseException as exc:
                loop.call_soon_threadsafe(_settle, future, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, future, result, None)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((future, loop, work, args))
        return await future

    def shutdown(self) -> None:
        self._queue.put(None)


def _settle(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.done():  # its caller was cancelled meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class Database:
    def __init__(self, path: str | Path, clock: SupportsNow) -> None:
        self.path = str(path)
        self.clock = clock
        self._thread: DatabaseThread | None = None
        self._conn: sqlite3.Connection | None = None
        self._checkpointer: aiosqlite.Connection | None = None
        self._checkpoint_task: asyncio.Task | None = None
        self._commits = 0
        self._writes: list[tuple[Callable[[Tx], Any], InboxMark | None, asyncio.Future]] = []
        self._writing = False
        self._write_task: asyncio.Task | None = None
        self._listeners: list[Callable[[list[OutboxItem]], None]] = []
        self._riders: list[tuple[Callable[[Tx], Any], None, asyncio.Future]] = []
        self._rider_timer: asyncio.TimerHandle | None = None
        self._riders_due = False  # lingered long enough: commit them even with nothing else
        self.rider_linger = RIDER_LINGER  # tests that drive the inbox by hand set 0
        self.longest_hold = 0.0  # seconds, the longest write transaction so far
        # Reads go to connections of their own (WAL: a reader sees the last commit and never
        # holds the writer); each on a thread of its own, handed out one read at a time.
        self._readers: list[tuple[DatabaseThread, sqlite3.Connection]] = []
        self._idle_readers: asyncio.Queue[tuple[DatabaseThread, sqlite3.Connection]] | None = None

    async def open(self) -> Database:
        if self.path != ":memory:":
            private_file(Path(self.path))
        self._thread = DatabaseThread()
        try:
            self._conn = await self._thread.run(
                lambda: sqlite3.connect(self.path, isolation_level=None, check_same_thread=False))
            await self._thread.run(self._setup, self._conn)
            if self.path != ":memory:":
                # Checkpoints move the WAL into the database file. Done on the writing
                # connection they stall one commit in a few hundred by milliseconds; a second
                # connection does them in the background instead (PASSIVE: never blocks the
                # writer).
                await self._thread.run(self._conn.execute, "PRAGMA wal_autocheckpoint=0")
                self._checkpointer = await aiosqlite.connect(self.path, isolation_level=None)
                await self._checkpointer.execute("PRAGMA busy_timeout=5000")
                await self._open_readers()
        except BaseException:
            # An aiosqlite connection is a thread that keeps the process alive until closed.
            if self._checkpointer is not None:
                await self._checkpointer.close()
            await self._close_readers()
            await self._close_writer()
            self._checkpointer = None
            raise
        return self

    async def _open_readers(self) -> None:
        self._idle_readers = asyncio.Queue()
        for _ in range(READERS):
            thread = DatabaseThread()
            try:
                conn = await thread.run(self._connect_reader)
            except BaseException:
                thread.shutdown()
                raise
            self._readers.append((thread, conn))
            self._idle_readers.put_nowait((thread, conn))

    def _connect_reader(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA query_only=ON")  # a read-only view can never write by mistake
        return conn

    async def _close_readers(self) -> None:
        readers, self._readers, self._idle_readers = self._readers, [], None
        for thread, conn in readers:
            await thread.run(conn.close)
            thread.shutdown()

    async def _close_writer(self) -> None:
        if self._thread is None:
            return
        if self._conn is not None:
            await self._thread.run(self._conn.close)
            self._conn = None
        self._thread.shutdown()
        self._thread = None

    async def close(self) -> None:
        await self.settle()
        if self._checkpoint_task is not None:
            await self._checkpoint_task
        if self._checkpointer is not None:
            await self._checkpointer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            await self._checkpointer.close()
            self._checkpointer = None
        await self._close_readers()
        await self._close_writer()

    def _count_commit(self) -> None:
        self._commits += 1
        if (
            self._commits >= CHECKPOINT_EVERY
            and self._checkpointer is not None
            and (self._checkpoint_task is None or self._checkpoint_task.done())
        ):
            self._commits = 0
            self._checkpoint_task = asyncio.create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        assert self._checkpointer is not None
        try:
            await self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except aiosqlite.Error as exc:
            log.warning("WAL checkpoint failed: %s", exc)

    def on_outbox(self, listener: Callable[[list[OutboxItem]], None]) -> None:
        """Call `listener` after each commit that queued outgoing messages, with the rows that
        are due at once (the sender delivers them without reading them back)."""
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
        known = max((number for number, _ in MIGRATIONS), default=0)
        if current > known:
            raise DatabaseTooNew(
                f"it was written by a newer Minqing (schema {current}; this one knows up to "
                f"{known}): upgrade Minqing, or restore a backup made by this version")
        for number, script in MIGRATIONS:
            if number <= current:
                continue
            # A migration that rebuilds a table others refer to (SQLite changes no CHECK in
            # place) runs with foreign keys off, the documented way, and every reference is
            # checked before it commits.
            rebuild = script.startswith(FOREIGN_KEYS_OFF)
            if rebuild:
                conn.execute("PRAGMA foreign_keys=OFF")
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script):
                    conn.execute(statement)
                if rebuild and conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise sqlite3.IntegrityError(
                        f"migration {number:03d} would leave a reference without its row")
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            finally:
                if rebuild:
                    conn.execute("PRAGMA foreign_keys=ON")
            log.info("applied migration %03d", number)

    def _hop(self) -> DatabaseThread:
        if self._thread is None or self._conn is None:
            raise RuntimeError("database is not open")
        return self._thread

    async def write(self, work: Callable[[Tx], T], *, completes: InboxMark | None = None) -> T:
        """Run `work` in an IMMEDIATE transaction on the database thread.

        With `completes`, the update's inbox row is marked done in the same transaction, so the
        update's effect and its completion commit together (a mark already done is left alone:
        an update's bookkeeping after its effect completes nothing).

        Writes that arrive while another is running are committed together (group commit):
        each runs in a savepoint of its own, so one that fails is rolled back alone, and each
        caller hears of its result only after the shared COMMIT.
        """
        pending_mark = completes if completes is not None and not completes.done else None
        done: asyncio.Future[tuple[Tx, Any]] = asyncio.get_running_loop().create_future()
        self._writes.append((work, pending_mark, done))
        if not self._writing:
            # Nobody is writing: commit this batch here (no task switch on the quiet path);
            # whatever queued up meanwhile is committed by a task of its own.
            self._writing = True
            try:
                # Shielded: the batch carries other callers' writes too.
                await asyncio.shield(self._write_batch())
            finally:
                if self._more_to_write():
                    self._write_task = asyncio.create_task(self._write_batches())
                else:
                    self._writing = False
        tx, result = await done
        if pending_mark is not None:
            pending_mark.done = True
        if tx.outbox_queued:
            for listener in self._listeners:
                listener(tx.outbox_ready)
        return result

    def write_soon(self, work: Callable[[Tx], Any]) -> asyncio.Future:
        """Queue bookkeeping that need not commit alone (an update's stored row, an outbox
        row's sent mark): it goes first in the next commit, or commits after `rider_linger`.
        So a stored update commits with the effect of handling it, and a sent mark never holds
        the writer when an update arrives right behind it. The future carries `(tx, result)`;
        a rider commits no later than any write queued after it. Riders queue no messages: those
        go through `write`, which hands them to the sender."""
        done: asyncio.Future = asyncio.get_running_loop().create_future()
        self._riders.append((work, None, done))
        if self._rider_timer is None:
            self._rider_timer = asyncio.get_running_loop().call_later(
                self.rider_linger, self._release_riders)
        return done

    def _release_riders(self) -> None:
        self._rider_timer = None
        self._riders_due = bool(self._riders)
        if self._riders_due and not self._writing:
            self._writing = True
            self._write_task = asyncio.create_task(self._write_batches())

    def _more_to_write(self) -> bool:
        return bool(self._writes) or (self._riders_due and bool(self._riders))

    async def settle(self) -> None:
        """Commit the queued bookkeeping now and wait for it (tests, shutdown): an empty write
        goes behind it, and writes commit in order."""
        if self._conn is not None and (self._riders or self._writing):
            await self.write(lambda tx: None)

    async def _write_batches(self) -> None:
        try:
            while self._more_to_write():
                await self._write_batch()
        finally:
            self._writing = False

    async def _write_batch(self) -> None:
        # Bookkeeping queued earlier goes first: an update's stored row precedes its effect.
        riders, self._riders, self._riders_due = self._riders, [], False
        if self._rider_timer is not None:
            self._rider_timer.cancel()
            self._rider_timer = None
        writes, self._writes = self._writes[:MAX_GROUP], self._writes[MAX_GROUP:]
        batch = riders + writes
        try:
            outcomes = await self._hop().run(
                self._run_group,
                [work for work, *_ in riders],
                [(work, mark) for work, mark, _ in writes],
            )
        except BaseException as exc:  # BEGIN or COMMIT failed: nothing was written
            for *_, done in batch:
                if not done.done():
                    done.set_exception(exc)
            return
        for (*_, done), (ok, value) in zip(batch, outcomes, strict=True):
            if done.done():
                continue
            if ok:
                done.set_result(value)
            else:
                done.set_exception(value)
        self._count_commit()

    async def read(self, work: Callable[[Tx], T]) -> T:
        """Run `work` in one read transaction (a consistent snapshot of the last commit) on a
        read connection, never holding the writer. An in-memory database has no second
        connection: its reads take the writer's thread."""
        idle = self._idle_readers
        if idle is None:
            writer = self._hop()
            assert self._conn is not None
            return await writer.run(self._run_read, self._conn, work)
        reader = await idle.get()
        try:
            return await reader[0].run(self._run_read, reader[1], work)
        finally:
            idle.put_nowait(reader)

    def _run_group(
        self,
        riders: list[Callable[[Tx], Any]],
        jobs: list[tuple[Callable[[Tx], Any], InboxMark | None]],
    ) -> list[tuple[bool, Any]]:
        conn = self._conn
        assert conn is not None
        began = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        try:
            outcomes = self._run_riders(conn, riders)
            for work, mark in jobs:
                outcomes.append(self._run_job(conn, work, mark))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            # How long the writer was held at once (benchmarks read it; a sweep's chunks aim
            # to keep it near 50 ms).
            self.longest_hold = max(self.longest_hold, time.perf_counter() - began)
        return outcomes

    def _run_riders(
        self, conn: sqlite3.Connection, riders: list[Callable[[Tx], Any]]
    ) -> list[tuple[bool, Any]]:
        """Riders share one savepoint (they are small and rarely fail); if one fails, they run
        again one savepoint each, so only the failing one is lost."""
        if not riders:
            return []
        conn.execute("SAVEPOINT riders")
        try:
            tx = Tx(conn)
            outcomes: list[tuple[bool, Any]] = [(True, (tx, work(tx))) for work in riders]
            conn.execute("RELEASE riders")
            return outcomes
        except Exception:
            conn.execute("ROLLBACK TO riders")
            conn.execute("RELEASE riders")
        return [self._run_job(conn, work, None) for work in riders]

    def _run_job(
        self, conn: sqlite3.Connection, work: Callable[[Tx], Any], mark: InboxMark | None
    ) -> tuple[bool, Any]:
        conn.execute("SAVEPOINT job")
        try:
            tx = Tx(conn)
            result = work(tx)
            if mark is not None and not tx.inbox.complete(
                mark.update_id, mark.payload, self.clock.now()
            ):
                raise UpdateAlreadyHandled(mark.update_id)
            conn.execute("RELEASE job")
            return True, (tx, result)
        except Exception as exc:
            conn.execute("ROLLBACK TO job")
            conn.execute("RELEASE job")
            return False, exc

    @staticmethod
    def _run_read(conn: sqlite3.Connection, work: Callable[[Tx], T]) -> T:
        conn.execute("BEGIN")
        try:
            return work(Tx(conn))
        finally:
            conn.execute("COMMIT")


def private_file(path: Path) -> None:
    """Create `path` readable by its owner only (0600), in a folder of its own (0700) when the
    folder is new. Citizens' data lives there; SQLite gives its -wal and -shm files the
    database file's permissions, so creating the file first is enough for them."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        folder.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        path.chmod(0o600)


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
