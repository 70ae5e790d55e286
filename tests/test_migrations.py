"""Migrations that rebuild a table (issue 10: screening items become cases): every row, every
reference and every index survive, and foreign keys are on again afterwards."""

from __future__ import annotations

import sqlite3

import pytest

from bot.clock import FakeClock
from storage.db import Database, _statements
from storage.migrations import MIGRATIONS
from tests.harness import OPEN_HOURS, Office
from tests.test_citizen import new_case


async def test_the_cases_table_is_rebuilt_for_screening_items_keeping_everything(
        office: Office) -> None:
    """Migration 009 rebuilt `cases` with the new kind and channel (on the way to screening
    items as cases): the rows, their references and the indexes are all there, and a dispute
    raised by a screening round is accepted while other kinds stay refused."""
    number = await new_case(office)
    db = office.minqing.db

    def check(tx) -> tuple:
        conn = tx.conn
        indexes = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases'"
            " AND name NOT LIKE 'sqlite_%'")}
        return (conn.execute("PRAGMA foreign_key_check").fetchall(), indexes,
                conn.execute("PRAGMA foreign_keys").fetchone()[0])

    problems, indexes, keys = await db.read(check)
    assert problems == [] and keys == 1
    assert indexes == {"cases_citizen", "cases_state", "cases_owner", "cases_unit",
                       "cases_created", "cases_closed"}  # 012 rebuilt it again
    events = await office.rows(
        "SELECT COUNT(*) AS n FROM case_events e JOIN cases c ON c.id = e.case_id"
        " WHERE c.number = ?", number)
    assert events[0]["n"] >= 1

    def insert(tx, kind: str, channel: str) -> None:
        tx.conn.execute(
            "INSERT INTO cases (number, kind, channel, state, text, created_at, updated_at)"
            " VALUES (?, ?, ?, 'new', '邻里纠纷', '2031-12-01', '2031-12-01')",
            (f"QZ-2031-9{kind[:2]}{channel[:2]}", kind, channel))

    await db.write(lambda tx: insert(tx, "dispute", "screening"))
    with pytest.raises(sqlite3.IntegrityError):
        await db.write(lambda tx: insert(tx, "gossip", "chat"))
    # Foreign keys are on again after the rebuild.
    with pytest.raises(sqlite3.IntegrityError):
        await db.write(lambda tx: tx.conn.execute(
            "INSERT INTO case_events (case_id, at, direction, kind) VALUES (999999, 'x',"
            " 'system', 'x')"))


def _database_at(path, version: int) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for number, script in MIGRATIONS:
        if number > version:
            break
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?)", (number,))
    return conn


async def test_the_single_due_at_becomes_the_case_deadlines(tmp_path) -> None:
    """Migration 012: a new case's due_at was its deadline to accept; an accepted one's its
    deadline to handle (with its extension, if it had one); an ended case's deadlines are met."""
    path = tmp_path / "old.sqlite3"
    conn = _database_at(path, 11)
    conn.execute("INSERT INTO users (telegram_id, created_at, updated_at) VALUES (1, 'a', 'a')")
    rows = [  # number, state, due_at, accepted_at, resolved_at
        ("QZ-2031-000001", "new", "2031-12-16 15:59:59.000000", None, None),
        ("QZ-2031-000002", "accepted", "2032-03-01 15:59:59.000000",
         "2031-12-02 01:00:00.000000", None),
        ("QZ-2031-000003", "resolved", "2032-01-30 15:59:59.000000",
         "2031-12-02 01:00:00.000000", "2031-12-10 02:00:00.000000"),
    ]
    for number, state, due, accepted, resolved in rows:
        conn.execute("INSERT INTO cases (number, kind, state, citizen_id, text, due_at,"
                     " created_at, updated_at, accepted_at, resolved_at) VALUES"
                     " (?, 'help', ?, 1, '路灯', ?, '2031-12-01 01:00:00.000000',"
                     " '2031-12-01 01:00:00.000000', ?, ?)",
                     (number, state, due, accepted, resolved))
    conn.execute("INSERT INTO case_events (case_id, at, direction, kind) VALUES"
                 " (2, '2031-12-03 01:00:00.000000', 'out', 'extended')")
    conn.commit()
    conn.close()
    db = await Database(path, FakeClock(OPEN_HOURS)).open()
    try:
        found = await db.read(lambda tx: [tuple(r) for r in tx.conn.execute(
            "SELECT case_id, kind, due_at, met_at, extended_days, original_due_at"
            " FROM case_deadlines ORDER BY case_id, kind")])
        columns = await db.read(lambda tx: {r[1] for r in tx.conn.execute(
            "PRAGMA table_info(cases)")})
    finally:
        await db.close()
    assert found == [
        (1, "accept", "2031-12-16 15:59:59.000000", None, 0, None),
        (2, "accept", "2031-12-16 01:00:00.000", "2031-12-02 01:00:00.000000", 0, None),
        (2, "handle", "2032-03-01 15:59:59.000000", None, 30, "2032-01-31 15:59:59.000"),
        (3, "accept", "2031-12-16 01:00:00.000", "2031-12-02 01:00:00.000000", 0, None),
        (3, "handle", "2032-01-30 15:59:59.000000", "2031-12-10 02:00:00.000000", 0, None),
    ]
    assert "due_at" not in columns and "category" in columns


async def test_an_older_database_is_upgraded_with_its_cases_and_their_history(tmp_path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = _database_at(path, 8)
    conn.execute("INSERT INTO users (telegram_id, created_at, updated_at) VALUES (1, 'a', 'a')")
    conn.execute("INSERT INTO cases (number, kind, state, citizen_id, text, created_at,"
                 " updated_at, anonymous) VALUES ('QZ-2031-000001', 'help', 'new', 1, '路灯',"
                 " 'a', 'a', 1)")
    conn.execute("INSERT INTO case_events (case_id, at, direction, kind) VALUES (1, 'a',"
                 " 'in', 'message')")
    conn.commit()
    conn.close()
    db = await Database(path, FakeClock(OPEN_HOURS)).open()
    try:
        rows = await db.read(lambda tx: [dict(r) for r in tx.conn.execute(
            "SELECT c.number, c.anonymous, COUNT(e.id) AS events FROM cases c"
            " JOIN case_events e ON e.case_id = c.id GROUP BY c.id")])
        assert rows == [{"number": "QZ-2031-000001", "anonymous": 1, "events": 1}]
        version = await db.read(lambda tx: tx.conn.execute(
            "SELECT MAX(version) FROM schema_version").fetchone()[0])
        assert version == max(n for n, _ in MIGRATIONS)
    finally:
        await db.close()
