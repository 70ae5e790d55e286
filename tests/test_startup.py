"""Start-up and the command line, as an operator meets them: each test runs `main.py` as a
process with its own environment (no `.env` read) and reads what it prints."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.local_api import LocalBotApi
from bot.local_http import BotApiServer

ROOT = Path(__file__).resolve().parent.parent


def run_main(tmp_path: Path, *args: str, timeout: float = 20, **env: str
             ) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items()
                   if not k.isupper() or k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    environment.update({"DATABASE_PATH": str(tmp_path / "office.sqlite3"), "BOT_TOKEN": "",
                        "ADMIN_IDS": "4001", **env})
    # Run from a folder of the test's own: no .env is read and the console's file lands there.
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=tmp_path,
                          env=environment, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def test_a_rejected_token_names_bot_token_and_exits_2_within_5_s(tmp_path: Path) -> None:
    api = LocalBotApi(Clock())
    api.fail(401, "Unauthorized", method="getMe", times=10)
    with BotApiServer(api) as server:
        started = time.monotonic()
        result = run_main(tmp_path, "run", BOT_TOKEN="123:rejected", TELEGRAM_API_URL=server.url)
        elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert elapsed < 5, f"took {elapsed:.1f} s"
    lines = [line for line in result.stderr.splitlines() if "BOT_TOKEN" in line]
    assert len(lines) == 1 and "rejected" in lines[0]
    assert "Traceback" not in result.stderr
    assert api.failures[0].times == 9  # getMe was asked once, and refused
    assert api.calls == []  # nothing else was sent


def test_every_setting_is_checked_before_anything_starts(tmp_path: Path) -> None:
    result = run_main(tmp_path, "users", "list", LOG_LEVEL="LOUD")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Invalid setting LOG_LEVEL: Value error, must be one of DEBUG, INFO, WARNING, ERROR,"
        " CRITICAL"]
    assert not (tmp_path / "office.sqlite3").exists()  # nothing was opened
    assert run_main(tmp_path, "users", "list", LOG_LEVEL="debug").returncode == 0
    for key, value in (("STAFF_CHAT_ID", "12345"), ("TELEGRAM_PROXY", "127.0.0.1:1080"),
                       ("DATABASE_PATH", " ")):
        bad = run_main(tmp_path, "users", "list", **{key: value})
        assert bad.returncode == 2 and bad.stderr.startswith(f"Invalid setting {key}:"), key


def test_users_says_which_database_it_uses_and_can_use_the_console_s(tmp_path: Path) -> None:
    result = run_main(tmp_path, "users", "grant", "2001", "staff")
    assert result.returncode == 0, result.stderr
    assert f"Database: {tmp_path / 'office.sqlite3'}" in result.stderr
    console = run_main(tmp_path, "users", "--console", "grant", "2009", "leader")
    assert console.returncode == 0, console.stderr
    assert f"Database: {tmp_path / 'data' / 'console.sqlite3'}" in console.stderr
    office = run_main(tmp_path, "users", "list").stdout
    assert "2001\tstaff" in office and "2009" not in office
    assert "2009\tleader" in run_main(tmp_path, "users", "--console", "list").stdout


def test_command_line_refusals_are_sentences(tmp_path: Path) -> None:
    result = run_main(tmp_path, "users", "revoke", "424242")
    assert result.returncode == 2
    refusal = result.stderr.strip().splitlines()[-1]
    assert "424242" in refusal and "err_" not in refusal and "{" not in refusal


def test_the_command_line_never_takes_the_last_admin_s_role(tmp_path: Path) -> None:
    assert run_main(tmp_path, "users", "list").returncode == 0  # ADMIN_IDS: 4001 is the admin
    for args in (("revoke", "4001"), ("grant", "4001", "citizen"), ("grant", "4001", "staff")):
        result = run_main(tmp_path, "users", *args)
        assert result.returncode == 2, args
        assert "唯一的管理员" in result.stderr.splitlines()[-1]
    assert "4001\tadmin" in run_main(tmp_path, "users", "list").stdout
    assert run_main(tmp_path, "users", "grant", "4002", "admin").returncode == 0
    assert run_main(tmp_path, "users", "revoke", "4001").returncode == 0
    # The revocation is recorded, so ADMIN_IDS does not give the role back at the next start.
    assert "4001" not in run_main(tmp_path, "users", "list").stdout
    nobody = run_main(tmp_path, "users", "revoke", "4001")
    assert nobody.returncode == 2 and "没有角色" in nobody.stderr


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_database_and_its_folder_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "office"
    result = run_main(tmp_path, "users", "grant", "2001", "staff",
                      DATABASE_PATH=str(folder / "minqing.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert folder.stat().st_mode & 0o777 == 0o700
    files = list(folder.iterdir())
    assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files), files


def test_an_unreachable_bot_api_is_retried_then_ends_with_one_line(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_main(tmp_path, "run", BOT_TOKEN="123:token",
                      TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}",
                      STARTUP_RETRY_MINUTES="0.05")
    assert result.returncode == 1, result.stderr
    assert time.monotonic() - started < 15
    assert result.stderr.strip().splitlines()[-1].startswith("Cannot reach the Bot API at ")
    assert "Traceback" not in result.stderr


def test_sigterm_ends_the_wait_for_the_bot_api_within_seconds(tmp_path: Path) -> None:
    import signal

    environment = {k: v for k, v in os.environ.items()
                   if not k.isupper() or k in ("PATH", "HOME", "LANG")}
    environment.update({"DATABASE_PATH": str(tmp_path / "office.sqlite3"),
                        "BOT_TOKEN": "123:token", "STARTUP_RETRY_MINUTES": "10",
                        "TELEGRAM_API_URL": f"http://127.0.0.1:{free_port()}"})
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "run"], cwd=tmp_path,
                               env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        time.sleep(2.5)
        assert process.poll() is None  # still waiting for the Bot API
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        _, err = process.communicate(timeout=10)
        assert time.monotonic() - started < 5
        assert "Traceback" not in err
    finally:
        if process.poll() is None:
            process.kill()


def test_a_locked_database_ends_the_start_with_one_line(tmp_path: Path) -> None:
    import sqlite3

    database = tmp_path / "office.sqlite3"
    assert run_main(tmp_path, "users", "list").returncode == 0  # created and migrated
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        result = run_main(tmp_path, "run", BOT_TOKEN="123:token",
                          TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}")
    finally:
        holder.close()
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Cannot use the database ") and "locked" in last
    assert "Traceback" not in result.stderr


async def test_a_full_disk_ends_the_start_with_one_line(tmp_path: Path, monkeypatch) -> None:
    from bot.settings import Settings
    from minqing.runtime import StartupFailed, start_when_reachable
    from storage.db import Database

    real = Database._setup

    def small_disk(conn) -> None:  # as if the disk held two pages
        conn.execute("PRAGMA max_page_count = 2")
        real(conn)

    monkeypatch.setattr(Database, "_setup", staticmethod(small_disk))
    settings = Settings(_env_file=None, database_path=str(tmp_path / "full.sqlite3"),  # type: ignore[call-arg]
                        bot_token="123:token")
    import asyncio

    with pytest.raises(StartupFailed, match="database or disk is full"):
        await start_when_reachable(settings, asyncio.Event())


def test_a_database_from_a_newer_minqing_is_refused(tmp_path: Path) -> None:
    import sqlite3

    assert run_main(tmp_path, "users", "list").returncode == 0
    with sqlite3.connect(tmp_path / "office.sqlite3") as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (999)")
    for args in (("users", "list"), ("run",)):
        result = run_main(tmp_path, *args, BOT_TOKEN="123:token",
                          TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}")
        assert result.returncode == 1, args
        last = result.stderr.strip().splitlines()[-1]
        assert "newer Minqing (schema 999" in last and "Traceback" not in result.stderr
