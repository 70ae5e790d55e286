"""Roles: ADMIN_IDS, invitations, /users, /revoke, the command line, menus, foreign groups."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.harness import ADMIN, CITIZEN, CITIZEN2, LEADER, STAFF, STAFF2, Office
from tests.test_citizen import new_case

ROOT = Path(__file__).resolve().parent.parent


async def test_admin_ids_become_admins_at_start(office: Office) -> None:
    row = (await office.rows("SELECT role FROM users WHERE telegram_id = ?", ADMIN))[0]
    assert row["role"] == "admin"


async def test_invite_link_grants_the_role_once_and_expires(office: Office, clock) -> None:
    await office.send(ADMIN, "/invite staff")
    link = office.last_text(ADMIN).split("\n")[-1]
    assert link.startswith("https://t.me/minqing_bot?start=")
    token = link.split("start=")[1]
    await office.send(CITIZEN, f"/start {token}")
    assert "工作人员" in office.texts(CITIZEN)[0]
    role = await office.rows("SELECT role FROM users WHERE telegram_id = ?", CITIZEN)
    assert role[0]["role"] == "staff"
    menus = office.api.sent(CITIZEN, "setMyCommands")
    assert any(c["command"] == "cases" for c in menus[-1].params["commands"])
    await office.send(CITIZEN2, f"/start {token}")
    assert "无效" in office.texts(CITIZEN2)[-1]
    await office.send(ADMIN, "/invite leader")
    late = office.last_text(ADMIN).split("start=")[1]
    clock.advance(hours=73)
    await office.send(CITIZEN2, f"/start {late}")
    assert "已过期" in office.last_text(CITIZEN2)
    actions = [r["action"] for r in await office.rows("SELECT action FROM audit_log")]
    assert actions.count("invite_create") == 2 and "invite_used" in actions


async def test_only_admins_may_use_admin_commands(office: Office) -> None:
    for user in (CITIZEN, STAFF, LEADER):
        for command in ("/invite staff", "/users", f"/revoke {STAFF}", "/failed"):
            await office.send(user, command)
            assert office.last_text(user) == "只有管理员可以这样做。"
    assert (await office.rows("SELECT role FROM users WHERE telegram_id = ?",
                              STAFF))[0]["role"] == "staff"


async def test_users_lists_people_with_roles(office: Office) -> None:
    await office.send(ADMIN, "/users")
    text = office.last_text(ADMIN)
    assert str(STAFF) in text and str(LEADER) in text and str(CITIZEN) not in text


async def test_revoke_returns_open_cases_to_the_queue_and_tells_leaders(office: Office) -> None:
    number = await new_case(office)
    cid = (await office.rows("SELECT id FROM cases"))[0]["id"]
    await office.press(STAFF, f"cl:{cid}")
    await office.send(ADMIN, f"/revoke {STAFF}")
    assert number in office.last_text(ADMIN)
    row = (await office.rows("SELECT state, owner_id FROM cases"))[0]
    assert row == {"state": "new", "owner_id": None}
    assert any(number in t for t in office.texts(LEADER))
    await office.press(STAFF, f"cl:{cid}")
    assert office.alerts()[-1] == "只有工作人员可以这样做。"
    await office.press(STAFF2, f"cl:{cid}")
    assert (await office.rows("SELECT owner_id FROM cases"))[0]["owner_id"] == STAFF2
    audit = await office.rows("SELECT action FROM audit_log WHERE action LIKE 'case_%'")
    assert {"action": "case_unassigned"} in audit


async def test_audit_log_holds_ids_never_texts_and_is_append_only(office: Office) -> None:
    number = await new_case(office, text="非常私密的内容")
    cid = (await office.rows("SELECT id FROM cases"))[0]["id"]
    await office.press(STAFF, f"cl:{cid}")
    await office.press(STAFF, f"rs:{cid}")
    await office.send(STAFF, "办结说明")
    rows = await office.rows("SELECT * FROM audit_log")
    actions = [r["action"] for r in rows]
    assert {"role_grant", "case_create", "case_claim", "case_resolve"} <= set(actions)
    assert not any("私密" in str(r) or "办结说明" in str(r) or number in str(r) for r in rows)
    import sqlite3

    import pytest

    with pytest.raises(sqlite3.IntegrityError):
        await office.minqing.db.write(
            lambda tx: tx.conn.execute("UPDATE audit_log SET action = 'x'"))
    with pytest.raises(sqlite3.IntegrityError):
        await office.minqing.db.write(lambda tx: tx.conn.execute("DELETE FROM audit_log"))


async def test_bot_leaves_groups_that_are_not_the_staff_chat(office: Office) -> None:
    await office.send(CITIZEN, "大家好", chat_id=-100999)
    assert [c.params["chat_id"] for c in office.api.calls if c.method == "leaveChat"] == [-100999]


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN",)}
    environment.update({"DATABASE_PATH": str(tmp_path / "cli.sqlite3"), **env})
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=tmp_path,
                          env=environment, capture_output=True, text=True, timeout=60)


def test_command_line_grants_lists_and_revokes(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "users", "grant", "42", "staff").returncode == 0
    listed = run_cli(tmp_path, "users", "list")
    assert "42\tstaff" in listed.stdout
    revoked = run_cli(tmp_path, "users", "revoke", "42")
    assert revoked.returncode == 0 and "citizen" in revoked.stdout
    assert "42" not in run_cli(tmp_path, "users", "list").stdout


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    for key, value in (("TIMEZONE", "Mars/Base"), ("ADMIN_IDS", "1,x"),
                       ("OFFICE_HOURS", "9-5"), ("HANDLE_DAYS", "0")):
        result = run_cli(tmp_path, "users", "list", **{key: value})
        assert result.returncode == 2, key
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and key in lines[0] and "Traceback" not in result.stderr


def test_console_runs_the_same_application(tmp_path: Path) -> None:
    script = "/new\n1\n楼下施工噪音\n1\n1\n1\n1\n/as staff\n/cases\n/quit\n"
    environment = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    result = subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=tmp_path,
                            input=script, env=environment, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "QZ-" in result.stdout and "楼下施工噪音" in result.stdout
    assert (tmp_path / "data" / "console.sqlite3").exists()
