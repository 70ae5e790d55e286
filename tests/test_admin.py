"""Roles: ADMIN_IDS, invitations, /users, /revoke, the command line, menus, foreign groups."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.rules import RuleError
from bot.services import people, reminders
from tests.harness import (
    ADMIN,
    CITIZEN,
    CITIZEN2,
    HANDLE_DUE,
    LEADER,
    STAFF,
    STAFF2,
    Office,
    moment,
    ymd,
)
from tests.test_citizen import new_case
from tests.test_desk import claimed_case
from tests.test_startup import ROOT, run_main


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
    assert row == {"state": "accepted", "owner_id": None}
    assert any(number in t for t in office.texts(LEADER))
    await office.press(STAFF, f"cl:{cid}")
    assert office.alerts()[-1] == "只有工作人员可以这样做。"
    await office.press(STAFF2, f"cl:{cid}")
    assert (await office.rows("SELECT owner_id FROM cases"))[0]["owner_id"] == STAFF2
    audit = await office.rows("SELECT action FROM audit_log WHERE action LIKE 'case_%'")
    assert {"action": "case_unassigned"} in audit


async def test_a_returned_case_stays_accepted_and_is_claimed_as_it_is(office: Office,
                                                                      clock) -> None:
    number, cid = await claimed_case(office)
    before = (await office.rows(f"SELECT state, {HANDLE_DUE}, accepted_at FROM cases"))[0]
    told = len(office.texts(CITIZEN))
    clock.advance(days=1)
    await office.send(ADMIN, f"/revoke {STAFF}")
    row = (await office.rows(f"SELECT state, owner_id, {HANDLE_DUE} FROM cases"))[0]
    assert row == {"state": "accepted", "owner_id": None, "due_at": before["due_at"]}
    await office.press(CITIZEN, f"mc:{cid}")
    assert "办理中" in office.last_text(CITIZEN)
    await office.send(STAFF2, "/cases")
    assert number in office.last_text(STAFF2) and "未认领" in office.last_text(STAFF2)
    await office.press(STAFF2, f"cl:{cid}")
    after = (await office.rows(f"SELECT state, owner_id, {HANDLE_DUE}, accepted_at FROM cases"))[0]
    assert after == {"state": "accepted", "owner_id": STAFF2, "due_at": before["due_at"],
                     "accepted_at": before["accepted_at"]}
    assert len(office.texts(CITIZEN)) == told + 1  # only the case view asked for above
    await office.send(STAFF2, f"/case {number}")
    card = office.last_text(STAFF2)
    assert "李四 → 退回（撤销角色）" in card and "退回（撤销角色） → 赵六（认领）" not in card
    assert "→ 赵六（认领）" in card and "(revoked)" not in card and "- " not in card


async def test_revoking_someone_without_a_role_says_so_and_records_nothing(office: Office
                                                                          ) -> None:
    before = await office.rows("SELECT COUNT(*) AS n FROM audit_log")
    await office.send(ADMIN, f"/revoke {CITIZEN}")
    assert office.last_text(ADMIN) == "张三 没有角色，无需撤销，未做任何更改。"
    assert await office.rows("SELECT COUNT(*) AS n FROM audit_log") == before


async def test_the_last_admin_never_loses_the_role(office: Office, tmp_path: Path) -> None:
    # Through an invite: the only admin opens a staff link and confirms.
    await office.send(ADMIN, "/invite staff")
    token = office.last_text(ADMIN).split("start=")[1]
    await office.send(ADMIN, f"/start {token}")
    await office.press(ADMIN, "iv:1")
    assert "唯一的管理员" in office.alerts()[-1]
    # Through /revoke by another admin who then is the only one left.
    await office.minqing.services.run(people.grant, ADMIN, STAFF2, "admin")
    await office.send(STAFF2, f"/revoke {ADMIN}")
    assert "已撤销" in office.last_text(STAFF2)
    await office.send(STAFF2, f"/revoke {STAFF2}")
    assert office.last_text(STAFF2) == "不能撤销自己的角色。"
    roles = await office.rows("SELECT telegram_id FROM users WHERE role = 'admin'")
    assert roles == [{"telegram_id": STAFF2}]
    with pytest.raises(RuleError, match="err_last_admin"):
        await office.minqing.services.run(people.grant, 0, STAFF2, "citizen")


async def test_invites_ask_first_when_they_would_change_a_role(office: Office) -> None:
    await office.send(ADMIN, f"/rotation day {LEADER} {ymd(0)} 轮值")
    await office.send(ADMIN, "/invite liaison")
    token = office.last_text(ADMIN).split("start=")[1]
    await office.send(LEADER, f"/start {token}")
    assert office.last_text(LEADER) == (
        "此邀请链接会更改您的角色：局领导 → 单位联络人。确认更改吗？")
    assert set(office.buttons(LEADER).values()) == {"iv:1", "iv:0"}
    role = await office.rows("SELECT role FROM users WHERE telegram_id = ?", LEADER)
    assert role == [{"role": "leader"}]  # nothing changed yet
    await office.press(LEADER, "iv:0")
    assert "仍是：局领导" in office.last_text(LEADER)
    await office.send(LEADER, f"/start {token}")  # the link was not spent
    await office.press(LEADER, "iv:1")
    assert "单位联络人" in office.texts(LEADER)[-2]
    role = await office.rows("SELECT role FROM users WHERE telegram_id = ?", LEADER)
    assert role == [{"role": "liaison"}]
    assert "值班日" in office.last_text(ADMIN) and "陈局长" in office.last_text(ADMIN)
    await office.press(LEADER, "iv:1")  # a second press finds no question
    assert office.alerts()[-1] == "这个按钮已失效，请重新操作。"


async def test_a_revoked_leader_leaves_uncovered_days_and_talks_listed(office: Office,
                                                                       clock) -> None:
    await office.send(ADMIN, f"/rotation day {LEADER} {ymd(0)} 轮值")
    await office.send(STAFF, f"/slot talk_day {ymd(2)} 09:00-11:30 10 {LEADER} 三楼会议室")
    await office.send(ADMIN, f"/revoke {LEADER}")
    told = office.last_text(ADMIN)
    assert "值班日：" in told and "12月2日（周二）" in told and "场次 S1" in told
    await office.send(ADMIN, "/duty")
    assert "未安排" in office.last_text(ADMIN)
    await office.send(CITIZEN, "/duty")
    assert "未安排" in office.last_text(CITIZEN) and "陈局长" not in office.last_text(CITIZEN)
    office.api.clear()
    clock.moment = moment(1, 10, 0)  # 18:00, the evening before a duty day
    await office.minqing.services.run(reminders.sweep)
    await office.settle()
    assert office.texts(LEADER) == []


async def test_admin_ids_come_back_only_when_nobody_took_the_role(office: Office) -> None:
    await office.minqing.services.run(people.grant, ADMIN, STAFF2, "admin")
    await office.send(STAFF2, f"/revoke {ADMIN}")
    await office.restart()
    role = await office.rows("SELECT role FROM users WHERE telegram_id = ?", ADMIN)
    assert role == [{"role": "citizen"}]  # the revocation is recorded and stands
    await office.rows("SELECT 1")
    await office.minqing.db.write(
        lambda tx: tx.conn.execute("UPDATE users SET role = 'citizen' WHERE role = 'admin'"))
    await office.restart()  # a database with no admin at all
    role = await office.rows("SELECT role FROM users WHERE telegram_id = ?", ADMIN)
    assert role == [{"role": "admin"}]


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


def test_command_line_grants_lists_and_revokes(tmp_path: Path) -> None:
    assert run_main(tmp_path, "users", "grant", "42", "staff").returncode == 0
    listed = run_main(tmp_path, "users", "list")
    assert "42\tstaff" in listed.stdout
    revoked = run_main(tmp_path, "users", "revoke", "42")
    assert revoked.returncode == 0 and "citizen" in revoked.stdout
    assert "42" not in run_main(tmp_path, "users", "list").stdout


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    for key, value in (("TIMEZONE", "Mars/Base"), ("ADMIN_IDS", "1,x"),
                       ("OFFICE_HOURS", "9-5"), ("HANDLE_DAYS", "0")):
        result = run_main(tmp_path, "users", "list", **{key: value})
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
