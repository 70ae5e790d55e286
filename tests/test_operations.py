"""Operations (issue 8 §6): backups while the bot runs, restore, health, the database lock."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from minqing.runtime import StartupFailed
from schedules import jobs
from storage import maintenance
from tests.harness import CITIZEN, Office, make_settings
from tests.test_startup import run_main


async def test_a_backup_taken_under_load_restores_whole(tmp_path: Path, clock) -> None:
    office = Office(tmp_path / "live.sqlite3", make_settings(), clock)
    await office.start()
    backup = tmp_path / "backup.sqlite3"
    done = threading.Event()

    def take() -> None:
        maintenance.backup(office.db_path, backup)
        done.set()

    writer = threading.Thread(target=take)
    updates = [office.update_json(message=office.message_json(CITIZEN + i, "/start"))
               for i in range(300)]
    writer.start()
    for start in range(0, len(updates), 50):  # the bot keeps working while it is copied
        await office.feed(*updates[start:start + 50])
    writer.join(timeout=30)
    assert done.is_set()
    await office.stop()
    assert backup.stat().st_mode & 0o777 == 0o600
    integrity, version = maintenance.check(backup)
    assert integrity == "ok" and version == maintenance.newest_version()
    copied = sqlite3.connect(backup).execute("SELECT COUNT(*) FROM inbox").fetchone()[0]
    result = run_main(tmp_path, "restore", str(backup),
                      DATABASE_PATH=str(tmp_path / "live.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert "before-restore" in result.stdout
    integrity, _ = maintenance.check(tmp_path / "live.sqlite3")
    restored = sqlite3.connect(tmp_path / "live.sqlite3").execute(
        "SELECT COUNT(*) FROM inbox").fetchone()[0]
    assert integrity == "ok" and restored == copied


async def test_restore_refuses_while_a_bot_runs_on_the_database(office: Office,
                                                                tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite3"
    maintenance.backup(office.db_path, backup)
    result = run_main(tmp_path, "restore", str(backup), DATABASE_PATH=str(office.db_path))
    assert result.returncode == 2 and "is running on" in result.stderr


def test_restore_refuses_a_damaged_or_newer_backup(tmp_path: Path) -> None:
    assert run_main(tmp_path, "users", "list").returncode == 0
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    result = run_main(tmp_path, "restore", str(junk))
    assert result.returncode == 2 and "integrity check" in result.stderr
    newer = tmp_path / "newer.sqlite3"
    maintenance.backup(tmp_path / "office.sqlite3", newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (999)")
    result = run_main(tmp_path, "restore", str(newer))
    assert result.returncode == 2 and "newer than this Minqing" in result.stderr


def test_backup_command_copies_a_running_database(tmp_path: Path) -> None:
    assert run_main(tmp_path, "users", "grant", "2001", "staff").returncode == 0
    result = run_main(tmp_path, "backup", "--out", str(tmp_path / "copy.sqlite3"))
    assert result.returncode == 0 and "Backup written" in result.stdout
    users = sqlite3.connect(tmp_path / "copy.sqlite3").execute(
        "SELECT role FROM users WHERE telegram_id = 2001").fetchone()
    assert users == ("staff",)


def test_health_says_what_needs_attention(tmp_path: Path) -> None:
    assert run_main(tmp_path, "users", "list").returncode == 0
    quiet = run_main(tmp_path, "health")
    assert quiet.returncode == 1 and "no recent heartbeat" in quiet.stdout
    database = tmp_path / "office.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('heartbeat', ?)",
                     (datetime.now(UTC).isoformat(),))
    healthy = run_main(tmp_path, "health")
    assert healthy.returncode == 0, healthy.stdout
    assert "database: ok" in healthy.stdout and "outbox: 1 waiting" in healthy.stdout
    with sqlite3.connect(database) as conn:
        conn.execute("INSERT INTO inbox (update_id, payload, state, received_at) VALUES"
                     " (1, '{}', 'failed', ?)",
                     (datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),))
    aside = run_main(tmp_path, "health")
    assert aside.returncode == 1 and "1 updates set aside" in aside.stdout


async def test_the_daily_backup_runs_once_a_day_and_keeps_the_last(tmp_path: Path,
                                                                   clock) -> None:
    folder = tmp_path / "backups"
    office = Office(tmp_path / "d.sqlite3",
                    make_settings(backup_dir=str(folder), backup_keep=2), clock)
    await office.start()
    try:
        for _ in range(4):
            await jobs.backup(office.minqing)
            await jobs.backup(office.minqing)  # the same day again: nothing more
            clock.advance(days=1)
        files = sorted(folder.glob("minqing-*.sqlite3"))
        assert len(files) == 2 and files[-1].name.startswith("minqing-20311204")
        assert folder.stat().st_mode & 0o777 == 0o700
        assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    finally:
        await office.stop()


async def test_two_bots_never_share_a_database(office: Office) -> None:
    from minqing.runtime import Minqing

    second = Minqing(office.settings, token="1:test", request=office.api, clock=office.clock,
                     database_path=str(office.db_path), lift_pacing=True)
    with pytest.raises(StartupFailed, match="Another Minqing is running"):
        await second.start(background=False)
    await asyncio.sleep(0)
