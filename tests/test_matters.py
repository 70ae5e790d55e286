"""Matters assigned by superiors (上级交办): registration, /matters, reminders and escalation
(once, across a double run and a restart), and the result reaching the leader who registered
it, with its attachment."""

from __future__ import annotations

from schedules import jobs
from tests.harness import LEADER, STAFF, STAFF2, Office, moment, ymd, zh_day
from tests.test_citizen import new_case


async def sweep(office: Office) -> None:
    await jobs.deadlines(office.minqing)
    await office.settle()


async def register(office: Office, by: int = LEADER, case: str | None = None) -> int:
    await office.send(by, "/matter")
    await office.send(by, "市信访局")
    await office.send(by, "市信转〔2031〕12号")
    await office.send(by, "核查文物修缮资金使用情况并报告")
    await office.send(by, ymd(400))
    assert office.last_text(by) == "目标日期须在今天至一年以内，请重新发送。"
    await office.send(by, ymd(10))
    assert office.buttons(by)["李四"] == f"mo:{STAFF}"
    await office.press(by, f"mo:{STAFF}")
    if case:
        await office.send(by, "QZ-2031-999999")
        assert office.last_text(by) == "没有找到该事项。"
        await office.send(by, case)
    else:
        await office.press(by, "mn")
    return (await office.rows("SELECT id FROM assigned_matters ORDER BY id DESC"))[0]["id"]


async def test_a_matter_is_registered_reminded_escalated_and_reported(office: Office,
                                                                       clock) -> None:
    number = await new_case(office)
    mid = await register(office, case=number)
    assert office.last_text(LEADER) == (
        f"已登记交办事项 J{mid}：市信访局 市信转〔2031〕12号，期限 {zh_day(10)}23:59，"
        f"承办人：李四。\n关联事项：{number}")
    assert office.last_text(STAFF).startswith(f"📌 交办事项 J{mid} 由您承办")
    assert office.buttons(STAFF) == {"报告办理结果": f"mr:{mid}"}
    await office.send(STAFF2, "/matters")
    listing = office.last_text(STAFF2)
    assert listing.startswith("未办结的交办事项（1）") and f"J{mid} · 市信访局" in listing
    assert "🟡" not in listing
    # Reminded three days ahead and on the day; overdue once, to the owner and every leader.
    clock.moment = moment(7, 1, 0)
    office.api.clear()
    await sweep(office)
    await sweep(office)
    assert [t for t in office.texts(STAFF) if t.startswith("⏳")] == [
        f"⏳ 交办事项 J{mid}（市信访局 市信转〔2031〕12号）期限为 {zh_day(10)}23:59，"
        "还有 3 天。承办人：李四。"]
    await office.send(STAFF2, "/matters")
    assert "🟡" in office.last_text(STAFF2)
    clock.moment = moment(11, 1, 0)
    office.api.clear()
    await sweep(office)
    await office.restart()
    await sweep(office)
    overdue = [t for t in office.texts(STAFF) + office.texts(LEADER) if t.startswith("🔴")]
    assert len(overdue) == 2 and all(f"J{mid}" in t for t in overdue)
    assert not any(t.startswith("🔴") for t in office.texts(STAFF2))
    # Someone else may not report it; its owner does, with a photo, and the leader is told.
    await office.press(STAFF2, f"mr:{mid}")
    assert office.alerts()[-1] == f"J{mid} 由 李四 承办，只有承办人或领导可以这样做。"
    await office.press(STAFF, f"mr:{mid}")
    office.api.clear()
    await office.photo(STAFF, "RESULT1", caption="资金使用合规，详见附件")
    assert office.last_text(STAFF) == f"J{mid} 的办理结果已报送。（逾期报送）"
    told = office.texts(LEADER)
    assert any(t.startswith(f"✅ 交办事项 J{mid}") and "资金使用合规" in t for t in told)
    photos = office.api.sent(LEADER, "sendPhoto")
    assert photos and photos[-1].params["photo"] == "RESULT1"
    row = (await office.rows("SELECT state, result, result_media FROM assigned_matters"))[0]
    assert row["state"] == "reported" and "RESULT1" in row["result_media"]
    await office.send(STAFF2, "/matters")
    assert office.last_text(STAFF2) == "目前没有未办结的交办事项。"
    await office.press(STAFF, f"mr:{mid}")
    assert office.alerts()[-1] == f"J{mid} 已报送结果。"
