"""Plain rules and storage, without Telegram."""

from __future__ import annotations

import asyncio
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.core.rules import (
    TRANSITIONS,
    can_transition,
    deadline,
    is_office_open,
    next_opening,
    normalise_phone,
    split_text,
)
from bot.settings import Settings
from storage.db import Database
from storage.migrations import MIGRATIONS
from tests.harness import OPEN_HOURS, YEAR, moment, ymd

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = (time(9), time(17))


def test_transitions() -> None:
    allowed = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert allowed == {
        ("new", "accepted"), ("new", "rejected"), ("new", "withdrawn"),
        ("accepted", "resolved"), ("accepted", "rejected"), ("accepted", "withdrawn"),
        ("resolved", "closed"), ("resolved", "accepted"),
    }
    assert not can_transition("closed", "accepted")
    assert not can_transition("new", "resolved")


def test_deadline_ends_at_23_59_local_time() -> None:
    # 23:30 UTC on the first day is already the next day in Shanghai.
    start = moment(0, 23, 30)
    due = deadline(start, 15, SHANGHAI)
    assert due.astimezone(SHANGHAI).isoformat() == f"{ymd(16)}T23:59:59+08:00"


def test_office_hours_and_next_opening() -> None:
    friday_evening = moment(4, 10, 0)  # 18:00 Shanghai
    assert not is_office_open(friday_evening, SHANGHAI, HOURS, {})
    back = next_opening(friday_evening, SHANGHAI, HOURS, {}).astimezone(SHANGHAI)
    assert back.isoformat() == f"{ymd(7)}T09:00:00+08:00"
    monday_early = moment(6, 23, 0)  # Mon 07:00 Shanghai
    assert next_opening(monday_early, SHANGHAI, HOURS, {}).astimezone(SHANGHAI).hour == 9
    assert is_office_open(moment(7, 2, 0), SHANGHAI, HOURS, {})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"),
     ("0531-12345678", "053112345678"), ("12345", None), ("abc", None),
     ("23800138000", None)],
)
def test_phone_numbers(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


def test_split_text_prefers_line_breaks() -> None:
    text = ("a" * 3000 + "\n") * 3
    pieces = split_text(text, 4096)
    assert all(len(p) <= 4096 for p in pieces) and len(pieces) == 3
    assert split_text("short") == ["short"]
    assert all(len(p) <= 10 for p in split_text("x" * 95, 10))


def test_admin_ids_are_read_comma_separated(monkeypatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "1, 2,3")
    assert Settings(_env_file=None).admin_ids == [1, 2, 3]  # type: ignore[call-arg]


async def test_storage_pragmas_migrations_and_case_sequence(tmp_path) -> None:
    db = await Database(tmp_path / "s.sqlite3", FakeClock(OPEN_HOURS)).open()
    try:
        mode = await db.read(lambda tx: tx.conn.execute("PRAGMA journal_mode").fetchone()[0])
        keys = await db.read(lambda tx: tx.conn.execute("PRAGMA foreign_keys").fetchone()[0])
        assert mode == "wal" and keys == 1
        numbers = [await db.write(lambda tx: tx.cases.next_number(YEAR)) for _ in range(3)]
        assert numbers == [f"QZ-{YEAR}-000001", f"QZ-{YEAR}-000002", f"QZ-{YEAR}-000003"]

        def fails(tx) -> None:
            tx.cases.next_number(YEAR)
            raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError):
            await db.write(fails)
        assert await db.write(lambda tx: tx.cases.next_number(YEAR)) == f"QZ-{YEAR}-000004"
    finally:
        await db.close()
    # The migrations are not applied twice.
    reopened = await Database(tmp_path / "s.sqlite3", FakeClock(OPEN_HOURS)).open()
    versions = await reopened.read(
        lambda tx: tx.conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0])
    assert versions == len(MIGRATIONS)
    await reopened.close()


async def test_riders_commit_with_the_next_write_and_fail_alone(tmp_path) -> None:
    db = await Database(tmp_path / "r.sqlite3", FakeClock(OPEN_HOURS)).open()
    db.rider_linger = 60.0  # only the next write (or settle) commits them
    try:
        def put(key: str):
            return lambda tx: tx.kv.put(key, "1")

        def broken(tx) -> None:
            tx.kv.put("broken", "1")
            raise RuntimeError("this rider fails")

        first, bad, last = db.write_soon(put("a")), db.write_soon(broken), db.write_soon(put("b"))
        await asyncio.sleep(0.01)
        assert not first.done()  # lingering: nothing to share a commit with yet
        await db.write(put("c"))  # the riders go first in this commit
        assert first.done() and last.done() and bad.done()
        assert isinstance(bad.exception(), RuntimeError)
        keys = await db.read(lambda tx: [r[0] for r in tx.conn.execute(
            "SELECT key FROM kv ORDER BY key").fetchall()])
        assert keys == ["a", "b", "c"]
        late = db.write_soon(put("d"))
        await db.settle()
        assert late.done() and late.exception() is None
    finally:
        await db.close()


def test_api_root_and_proxy_reach_the_bot() -> None:
    from minqing.app import build_application

    settings = Settings(_env_file=None, telegram_api_url="http://127.0.0.1:8081/",  # type: ignore[call-arg]
                        telegram_proxy="socks5://127.0.0.1:1080")
    app = build_application(settings, "123:abc")
    assert app.bot.base_url == "http://127.0.0.1:8081/bot123:abc"
    assert app.bot.base_file_url == "http://127.0.0.1:8081/file/bot123:abc"
    for request in app.bot._request:
        assert request._client_kwargs["proxy"] == "socks5://127.0.0.1:1080"


def test_env_example_lists_every_setting() -> None:
    from pathlib import Path

    example = Path(__file__).resolve().parent.parent / ".env.example"
    keys = {line.split("=", 1)[0] for line in example.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")}
    assert keys == {name.upper() for name in Settings.model_fields}
