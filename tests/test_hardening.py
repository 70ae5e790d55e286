"""No single update, chat or fault stops the office (issue 8): updates that cannot be parsed
or stored, bad arguments, failures reported once and without anyone's words."""

from __future__ import annotations

import asyncio
import logging

import pytest

from storage import repos
from tests.harness import ADMIN, CITIZEN, CITIZEN2, YEAR, Office, ymd


async def poll_until_confirmed(office: Office, last_id: int) -> list[object]:
    """Run the real polling loop until it confirms `last_id` (bounded), then stop it."""
    offsets: list[object] = []
    office.api.listeners.append(lambda call: offsets.append(call.params.get("offset"))
                                if call.method == "getUpdates" else None)
    poller = asyncio.create_task(office.minqing.poll())
    for _ in range(300):
        if last_id + 1 in offsets:
            break
        await asyncio.sleep(0.01)
    office.minqing._polling = False
    await asyncio.wait_for(poller, timeout=2)
    await office.settle()
    return offsets


async def test_an_update_this_library_cannot_parse_is_set_aside_and_confirmed(
        office: Office, caplog) -> None:
    caplog.set_level(logging.INFO)
    office.expect_errors = True
    first = office.update_json(message=office.message_json(CITIZEN, "/start"))
    no_type = office.update_json(message=office.message_json(CITIZEN2, "无类型的聊天"))
    del no_type["message"]["chat"]["type"]
    poll = office.update_json(message={**office.message_json(CITIZEN2, None), "poll": {
        "id": "p1", "question": "新版投票", "options": [], "total_voter_count": 0,
        "is_closed": False, "is_anonymous": True, "type": "regular",
        "allows_multiple_answers": False}})  # lacks fields this library requires
    last = office.update_json(message=office.message_json(CITIZEN2, "/start"))
    for update in (first, no_type, poll, last):
        office.api.push_update(update)
    offsets = await poll_until_confirmed(office, last["update_id"])
    assert last["update_id"] + 1 in offsets  # the batch was confirmed, bad ones with it
    assert "群众工作服务室" in office.last_text(CITIZEN)
    assert "群众工作服务室" in office.last_text(CITIZEN2)
    rows = await office.rows("SELECT update_id, state, error FROM inbox WHERE state = 'failed'"
                             " ORDER BY update_id")
    assert [r["update_id"] for r in rows] == [no_type["update_id"], poll["update_id"]]
    assert all(r["error"].startswith("unparseable message: ") for r in rows)
    alerts = [t for t in office.texts(ADMIN) if "无法处理" in t]
    assert len(alerts) == 1  # one distinct failure, told once
    await office.send(ADMIN, "/failed")
    assert str(no_type["update_id"]) in office.last_text(ADMIN)
    assert "无类型的聊天" not in caplog.text and "新版投票" not in caplog.text


async def test_an_update_sqlite_cannot_hold_is_sanitised_and_served(office: Office) -> None:
    lone = office.update_json(message=office.message_json(CITIZEN, "路灯\ud800坏了"))
    after = office.update_json(message=office.message_json(CITIZEN2, "/start"))
    office.api.push_update(lone)
    office.api.push_update(after)
    await poll_until_confirmed(office, after["update_id"])
    stored = await office.rows("SELECT payload, state FROM inbox WHERE update_id = ?",
                               lone["update_id"])
    assert stored[0]["state"] == "done" and "路灯\ufffd坏了" in stored[0]["payload"]
    assert "没有正在办理" in office.last_text(CITIZEN)
    assert "群众工作服务室" in office.last_text(CITIZEN2)


async def test_an_update_that_cannot_be_stored_is_set_aside_alone(office: Office,
                                                                  monkeypatch) -> None:
    office.expect_errors = True
    bad = office.update_json(message=office.message_json(CITIZEN, "/start"))
    good = office.update_json(message=office.message_json(CITIZEN2, "/start"))
    real = repos.Inbox.add

    def add(self, update_id, payload, now):
        if update_id == bad["update_id"]:
            raise OSError("disk says no")
        return real(self, update_id, payload, now)

    monkeypatch.setattr(repos.Inbox, "add", add)
    assert await asyncio.wait_for(office.minqing.inbox.ingest([bad, good]), timeout=5) == 1
    await office.settle()
    assert "群众工作服务室" in office.last_text(CITIZEN2)
    row = await office.rows("SELECT state, error FROM inbox WHERE update_id = ?",
                            bad["update_id"])
    assert row == [{"state": "failed", "error": "could not be stored: OSError"}]
    # The worker is alive: the next update is served as usual.
    await office.send(CITIZEN2, "/help")
    assert "/new" in office.last_text(CITIZEN2)


async def test_failures_are_logged_and_stored_without_anyone_s_words(office: Office,
                                                                     monkeypatch,
                                                                     caplog) -> None:
    from bot.services import routing

    caplog.set_level(logging.INFO)
    office.expect_errors = True

    def explode(unit, user, message) -> None:
        raise ValueError(f"cannot handle {message.text}")

    monkeypatch.setattr(routing, "private_message", explode)
    await office.send(CITIZEN, "我家电话 13800138000")
    row = (await office.rows("SELECT error FROM inbox WHERE state = 'failed'"))[0]
    assert "13800138000" not in row["error"] and row["error"].startswith("ValueError at ")
    assert "13800138000" not in caplog.text and "张三" not in caplog.text
    assert all("13800138000" not in t for t in office.texts(ADMIN))


@pytest.fixture(autouse=True)
def _quiet_retries(office: Office) -> None:
    office.minqing.inbox.retry_pause = 0


HUGE = "9" * 40
# Every staff and admin command that takes arguments, with malformed, huge, negative and
# out-of-range values: each is refused with a sentence, nothing changes, no handler fails.
BAD_COMMANDS = [
    "/case QZ-²⁰²⁶-000001", f"/case {HUGE}", "/case -1",
    "/extend", f"/extend QZ-{YEAR}-{HUGE} 理由", f"/extend QZ-{YEAR}-٣٣٣٣٣٣ 理由",
    f"/slot talk_day {ymd(2)} 09:00-11:30 ² 3001 室",
    f"/slot talk_day {ymd(2)} 09:00-11:30 ٣ 3001 室",
    f"/slot talk_day {ymd(2)} 09:00-11:30 {HUGE} 3001 室",
    f"/slot talk_day {ymd(2)} 09:00-11:30 10 {HUGE} 室",
    f"/slot talk_day {ymd(2)} 09:00-11:30 -5 3001 室",
    f"/slot talk_day {ymd(2)} 09:00-11:30 100000 3001 室",
    "/slot talk_day 0001-01-01 09:00-11:30 10 3001 室",
    "/slot talk_day 9999-12-31 09:00-11:30 10 3001 室",
    f"/slot talk_day {ymd(2)} ٠٩:٠٠-١١:٣٠ 10 3001 室",
    f"/slot talk_day {ymd(2)} 99:99-11:30 10 3001 室",
    f"/series talk_day weekly:{HUGE} 09:00-11:30 10 3001 室",
    "/series talk_day weekly:٣ 09:00-11:30 10 3001 室",
    "/series talk_day monthly:0 09:00-11:30 10 3001 室",
    f"/slot_cancel {HUGE} 理由", "/slot_cancel -3 理由", "/slot_cancel S² 理由",
    "/slot_move S1 0001-01-01 09:00-10:00", f"/slot_move S{HUGE} {ymd(3)} 09:00-10:00",
    "/attendance S٣", f"/attendance {HUGE}", "/attendance -1",
    f"/outcome B{HUGE} 结果", "/outcome ² 结果", "/outcome -1 结果",
    "/holiday 0001-01-01 假", f"/holiday {YEAR}-02-30 假", "/holiday remove 9999-01-01",
    "/holiday ٢٠٣١-١٢-٠٣ 假", "/workday 1999-12-31 调休", f"/workday {HUGE}",
    "/rotation day 3001 0001-01-01", f"/rotation day {HUGE} {ymd(0)}",
    f"/rotation day ³⁰⁰¹ {ymd(0)}", f"/rotation day -3001 {ymd(0)}",
    f"/rotation month 3001 {ymd(0)}", f"/rotation day {','.join(['3001'] * 60)} {ymd(0)}",
    f"/duty_set {ymd(1)} {HUGE} 理由", f"/duty_set {ymd(1)} ³⁰⁰¹ 理由",
    "/duty_set 0001-01-01 3001 理由", f"/duty_swap 0001-01-01 {ymd(1)} 理由",
    f"/duty_swap {ymd(1)} 9999-99-99 理由",
    f"/revoke {HUGE}", "/revoke ²", "/revoke -5", "/revoke ٣",
    "/invite 管理员", "/invite citizen", f"/invite {HUGE}",
    f"/link QZ-{YEAR}-000001 {HUGE}", "/link ² ²", "/lang ²",
]


async def test_every_command_refuses_bad_arguments_and_changes_nothing(office: Office) -> None:
    from tests.harness import LEADER, STAFF

    await office.send(ADMIN, f"/rotation day {LEADER} {ymd(0)}")
    tables = ("cases", "talk_slots", "talk_series", "bookings", "holidays", "duty_rotation",
              "duty_overrides", "audit_log", "invites")

    async def counts() -> dict[str, int]:
        return {t: (await office.rows(f"SELECT COUNT(*) AS n FROM {t}"))[0]["n"]
                for t in tables}

    before = await counts()
    roles = await office.rows("SELECT telegram_id, role FROM users ORDER BY telegram_id")
    for command in BAD_COMMANDS:
        user = STAFF if command.split()[0] in ("/case", "/extend", "/slot", "/series",
                                               "/slot_cancel", "/slot_move", "/attendance",
                                               "/outcome") else ADMIN
        office.api.clear()
        await office.send(user, command)
        answer = office.last_text(user)
        assert answer and "出错了" not in answer, (command, answer)
    assert await counts() == before
    assert await office.rows("SELECT telegram_id, role FROM users ORDER BY telegram_id") == roles
    assert await office.rows("SELECT * FROM inbox WHERE state = 'failed'") == []


@pytest.mark.parametrize("data", ["cl:²", "cl:٣", "tt:1:²", "bk:" + "9" * 30, "cl:-1",
                                  "at:1:٣", "mv:¹:²", "cl:1²"])
async def test_forged_digits_in_buttons_are_refused_at_the_parser(office: Office,
                                                                 data: str) -> None:
    from bot.core.presses import parse

    assert parse(data) is None
    await office.press(CITIZEN, data)
    assert office.alerts()[-1] == "这个按钮已失效，请重新操作。"
    assert await office.rows("SELECT * FROM inbox WHERE state = 'failed'") == []


async def test_a_far_day_cannot_slow_the_roster(office: Office) -> None:
    import time

    from tests.harness import LEADER

    await office.send(ADMIN, f"/rotation day {LEADER} 0001-01-01")
    assert "日期格式不正确" in office.last_text(ADMIN)
    started = time.monotonic()
    await office.send(LEADER, "/duty")
    assert time.monotonic() - started < 1.0


async def test_admins_hear_once_of_the_same_failure_pressed_again(office: Office,
                                                                 monkeypatch) -> None:
    from bot.services import front

    office.expect_errors = True

    def broken(unit, user, ids):
        raise KeyError("case")

    monkeypatch.setitem(front.ID_BUTTONS, "cl", broken)
    for _ in range(5):
        await office.press(CITIZEN, "cl:1")
    alerts = [t for t in office.texts(ADMIN) if "已搁置" in t]
    assert len(alerts) == 1
    assert len(await office.rows("SELECT * FROM inbox WHERE state = 'failed'")) == 5
