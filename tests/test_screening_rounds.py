"""Screening rounds through the job registry (issue 10 §2): prompts, zero reports, items that
become cases with guarantors, serious items reaching leaders at once, the silent reminded once,
rounds closing, /screening."""

from __future__ import annotations

from bot.services import people
from schedules import jobs
from tests.harness import ADMIN, LEADER, STAFF, Office, moment, ymd

LIAISON = 5005


async def setup(office: Office) -> dict[str, int]:
    await office.minqing.services.run(people.grant, ADMIN, LIAISON, "liaison")
    await office.minqing.services.run(people.seen, LIAISON, "钱联络", None)

    def units(tx) -> dict[str, int]:
        museum = tx.units.add("市博物馆", office.clock.now())
        tx.units.toggle_liaison(museum.id, LIAISON)
        tx.units.set_leader(museum.id, LEADER, office.clock.now())
        quiet = tx.units.add("文化馆", office.clock.now())  # no liaison
        return {"museum": museum.id, "quiet": quiet.id}

    ids = await office.minqing.db.write(units)
    await office.settle()
    office.api.clear()
    return ids


async def run_job(office: Office) -> None:
    await jobs.screening(office.minqing)
    await office.settle()


async def round_id(office: Office) -> int:
    return (await office.rows("SELECT id FROM screening_rounds ORDER BY id DESC"))[0]["id"]


async def test_a_round_prompts_liaisons_once_and_takes_a_zero_report(office: Office) -> None:
    ids = await setup(office)
    await run_job(office)  # Monday 1 December, 10:00: the round of the 1st is due
    prompt = office.last_text(LIAISON)
    assert prompt.startswith("📋 矛盾纠纷排查（每半月一次）：请报告市博物馆本期情况")
    rid = await round_id(office)
    assert office.buttons(LIAISON) == {"无异常": f"sz:{rid}:{ids['museum']}",
                                       "上报": f"si:{rid}:{ids['museum']}"}
    await run_job(office)  # again: nothing more
    assert len(office.texts(LIAISON)) == 1
    # Only the unit's own liaison may answer for it.
    await office.press(STAFF, f"sz:{rid}:{ids['museum']}")
    assert office.alerts()[-1] == "您不是市博物馆的联络人。"
    await office.press(LIAISON, f"sz:{rid}:{ids['museum']}")
    assert office.last_text(LIAISON) == "已记录市博物馆本轮零报告。"
    await office.press(LIAISON, f"sz:{rid}:{ids['museum']}")
    assert office.alerts()[-1] == "市博物馆本轮已经答复过了。"
    await office.send(STAFF, "/screening")
    view = office.last_text(STAFF)
    assert "（每半月）" in view and "零报告（1）：市博物馆" in view
    assert "上报事项（0）" in view and "未报告（0）" in view
    assert "⚠️ 无联络人的单位：文化馆" in view


async def test_the_silent_are_reminded_once_and_listed_when_the_round_closes(
        office: Office, clock) -> None:
    await setup(office)
    await run_job(office)
    clock.advance(hours=23)
    await run_job(office)
    assert len(office.texts(LIAISON)) == 1  # not yet
    clock.advance(hours=2)
    await run_job(office)
    assert office.last_text(LIAISON).startswith(
        "⏰ 市博物馆尚未报告本轮排查情况（未报告不视为零报告）")
    await run_job(office)
    assert len(office.texts(LIAISON)) == 2  # once
    clock.advance(hours=24)  # 48 hours after opening: closed
    await run_job(office)
    await office.send(LEADER, "/screening")
    view = office.last_text(LEADER)
    assert "（已截止）" in view and "未报告（1）：市博物馆" in view
    rid = await round_id(office)
    await office.press(LIAISON, f"sz:{rid}:1")
    assert "已截止" in office.alerts()[-1]
    assert await office.rows("SELECT COUNT(*) AS n FROM screening_answers") == [{"n": 0}]


async def test_an_item_becomes_a_case_and_a_serious_one_reaches_leaders_at_once(
        office: Office) -> None:
    ids = await setup(office)
    await run_job(office)
    rid = await round_id(office)
    await office.press(LIAISON, f"si:{rid}:{ids['museum']}")
    assert office.last_text(LIAISON).startswith("上报市博物馆的一件矛盾纠纷")
    for answer in ("展馆扩建占用周边商户通道", "馆方与周边商户", "很多"):
        await office.send(LIAISON, answer)
    assert office.last_text(LIAISON) == "请发送 1 至 100000 之间的数字。"
    await office.send(LIAISON, "12")
    await office.send(LIAISON, "恢复通道，给予补偿")
    assert office.buttons(LIAISON) == {"一般": "sr:1", "较大": "sr:2", "重大": "sr:3",
                                       "特别重大": "sr:4"}
    await office.press(LIAISON, "sr:3")
    assert office.buttons(LIAISON) == {"按规定时限（30 天）": "st"}
    await office.send(LIAISON, ymd(400))
    assert office.last_text(LIAISON) == "目标日期须在今天至一年以内，请重新发送。"
    await office.send(LIAISON, ymd(20))  # the target date: its case's handling deadline
    choices = office.buttons(LIAISON)
    assert choices["陈局长"] == f"sg:{LEADER}" and choices["李四"] == f"sg:{STAFF}"
    office.api.clear()
    await office.press(LIAISON, f"sg:{STAFF}")
    case = (await office.rows("SELECT * FROM cases WHERE kind = 'dispute'"))[0]
    assert case["channel"] == "screening" and case["unit_id"] == ids["museum"]
    assert case["owner_id"] == STAFF and case["state"] == "accepted"
    assert case["citizen_id"] is None and "涉及人数：12" in case["text"]
    item = (await office.rows("SELECT * FROM screening_items"))[0]
    assert item["risk_level"] == 3 and item["guarantor_id"] == STAFF and item["people"] == 12
    due = await office.rows("SELECT kind, due_at, counting FROM case_deadlines")
    assert due == [{"kind": "handle", "due_at": f"{ymd(20)} 15:59:59.000000",
                    "counting": "date"}]  # a dispute has nothing to accept
    alert = next(t for t in office.texts(LEADER) if t.startswith("🔴"))
    assert f"市博物馆上报重大矛盾纠纷 {case['number']}" in alert
    assert "须在 2 小时内" in alert
    assert office.last_text(LIAISON).startswith(f"已登记为事项 {case['number']}（重大）")
    assert any(case["number"] in t for t in office.texts(STAFF))  # the card reached staff
    # A zero report after items is refused; 报送完毕 completes the unit's report.
    await office.press(LIAISON, f"sz:{rid}:{ids['museum']}")
    assert "不能再报无异常" in office.alerts()[-1]
    await office.press(LIAISON, f"sd:{rid}:{ids['museum']}")
    assert office.last_text(LIAISON) == "市博物馆本轮共上报 1 件，报送完毕。"
    await office.send(STAFF, "/screening")
    view = office.last_text(STAFF)
    assert f"重大 · {case['number']} · 市博物馆 · 包保：李四 · ⏳ 待报措施" in view
    assert "未报告（0）" in view
    assert office.buttons(STAFF) == {f"重大 {case['number']}": f"vw:{case['id']}"}


async def test_a_guarantor_typed_as_a_name_and_phone_leaves_the_case_to_the_queue(
        office: Office) -> None:
    ids = await setup(office)
    await run_job(office)
    rid = await round_id(office)
    await office.press(LIAISON, f"si:{rid}:{ids['museum']}")
    for answer in ("邻里噪音", "两户居民", "2", "停止夜间施工"):
        await office.send(LIAISON, answer)
    await office.press(LIAISON, "sr:1")
    await office.press(LIAISON, "st")  # no target date: the office's limit for disputes
    await office.press(LIAISON, "sg:0")
    await office.send(LIAISON, "王明")
    assert office.last_text(LIAISON).startswith("请按“姓名 电话”发送")
    office.api.clear()
    await office.send(LIAISON, "王明 13800138000")
    case = (await office.rows("SELECT state, owner_id FROM cases WHERE kind = 'dispute'"))[0]
    assert case == {"state": "new", "owner_id": None}
    due = await office.rows("SELECT kind, due_at FROM case_deadlines")
    assert due == [{"kind": "handle", "due_at": f"{ymd(30)} 15:59:59.000000"}]
    item = (await office.rows("SELECT guarantor_name, guarantor_phone FROM screening_items"))
    assert item == [{"guarantor_name": "王明", "guarantor_phone": "13800138000"}]
    assert not any(t.startswith("🔴") for t in office.texts(LEADER))  # 一般: the report only
    # Its reminders go to the unit's liaison and leader (the guarantor is no user), not staff.
    office.clock.moment = moment(27, 1, 0)
    office.api.clear()
    await jobs.deadlines(office.minqing)
    await office.settle()
    for person in (LIAISON, LEADER):
        assert any(t.startswith("⏳") and "办结期限" in t for t in office.texts(person)), person
    assert not any(t.startswith("⏳") for t in office.texts(STAFF))


async def test_a_sensitive_period_makes_the_next_rounds_daily(office: Office, clock) -> None:
    await setup(office)
    await run_job(office)  # the round of the 1st
    await office.send(ADMIN, f"/sensitive add {ymd(1)} {ymd(2)} 重要会议")
    clock.advance(days=1)  # Tuesday 10:00
    await run_job(office)
    assert office.last_text(LIAISON).startswith("📋 敏感时期每日排查")
    rows = await office.rows("SELECT day, cadence FROM screening_rounds ORDER BY id")
    assert rows == [{"day": ymd(0), "cadence": "semimonthly"},
                    {"day": ymd(1), "cadence": "daily"}]
    # The first round closed when the next opened.
    closes = await office.rows("SELECT closes_at, closed FROM screening_rounds WHERE day = ?",
                               ymd(0))
    assert closes[0]["closed"] == 1
    clock.advance(days=1)  # Wednesday, the period's last day: a daily round again
    await run_job(office)
    assert office.last_text(LIAISON).startswith("📋 敏感时期每日排查")
    clock.advance(days=1)  # Thursday: the period is over, no round is due
    await run_job(office)
    rows = await office.rows("SELECT day, cadence, closed FROM screening_rounds ORDER BY id")
    assert [(r["day"], r["cadence"], r["closed"]) for r in rows] == [
        (ymd(0), "semimonthly", 1), (ymd(1), "daily", 1), (ymd(2), "daily", 0)]
    # Only Wednesday's round is still open: its silent liaison is reminded, once.
    assert office.last_text(LIAISON).startswith("⏰ 市博物馆尚未报告本轮排查情况")
    assert sum(t.startswith("⏰") for t in office.texts(LIAISON)) == 1


async def serious_item(office: Office, ids: dict[str, int], level: int = 3) -> dict:
    await run_job(office)
    rid = await round_id(office)
    await office.press(LIAISON, f"si:{rid}:{ids['museum']}")
    for answer in ("商户聚集", "商户与馆方", "30", "恢复通道"):
        await office.send(LIAISON, answer)
    await office.press(LIAISON, f"sr:{level}")
    await office.press(LIAISON, "st")
    await office.press(LIAISON, f"sg:{STAFF}")
    return (await office.rows("SELECT id, number FROM cases WHERE kind = 'dispute'"))[0]


async def test_first_measures_reported_in_time_stop_the_escalation(office: Office,
                                                                    clock) -> None:
    ids = await setup(office)
    case = await serious_item(office, ids)
    assert office.buttons(LIAISON)["报告处置措施"] == f"mp:{case['id']}"
    assert any(t.startswith(f"🔴 您是市博物馆上报事项 {case['number']} 的包保责任人")
               for t in office.texts(STAFF))
    # Someone with no part in it cannot report them.
    await office.press(1002, f"mp:{case['id']}")
    assert office.alerts()[-1].startswith(f"只有 {case['number']} 的包保责任人")
    await office.press(STAFF, f"mp:{case['id']}")
    await office.send(STAFF, "已派员到场疏导，通道临时恢复")
    assert office.last_text(STAFF) == f"已记录 {case['number']} 的首次处置措施，并报告局领导。"
    assert office.last_text(LEADER).startswith(f"✅ {case['number']} 首次处置措施（李四）")
    await office.press(LIAISON, f"mp:{case['id']}")
    assert office.alerts()[-1] == f"{case['number']} 的首次处置措施已经报告过了。"
    clock.advance(hours=3)
    await run_job(office)
    assert not any("仍未报告首次处置措施" in t for t in office.texts(LEADER))
    await office.send(STAFF, "/screening")
    line = f"重大 · {case['number']} · 市博物馆 · 包保：李四 · ✅ 已报措施"
    assert line in office.last_text(STAFF)


async def test_overdue_first_measures_reach_every_leader_again_once(office: Office,
                                                                   clock) -> None:
    ids = await setup(office)
    case = await serious_item(office, ids, level=4)  # 特别重大: one hour
    clock.advance(minutes=59)
    await run_job(office)
    assert not any("仍未报告首次处置措施" in t for t in office.texts(LEADER))
    clock.advance(minutes=2)
    await run_job(office)
    overdue = [t for t in office.texts(LEADER) if "仍未报告首次处置措施" in t]
    assert overdue == [f"🔴 市博物馆上报的特别重大事项 {case['number']} 已超过 1 小时，"
                       "仍未报告首次处置措施。"]
    await run_job(office)
    assert len([t for t in office.texts(LEADER) if "仍未报告首次处置措施" in t]) == 1
    await office.send(LEADER, "/screening")
    assert "🔴 措施逾期" in office.last_text(LEADER)


async def test_a_round_on_a_holiday_opens_on_the_next_working_day(office: Office,
                                                                 clock) -> None:
    await setup(office)
    await office.send(ADMIN, f"/holiday {ymd(0)} 假日")  # Monday the 1st
    await run_job(office)
    assert office.texts(LIAISON) == []
    clock.advance(days=1)  # Tuesday the 2nd: the round of the 1st, moved
    await run_job(office)
    assert office.last_text(LIAISON).startswith("📋 矛盾纠纷排查（每半月一次）")
    assert await office.rows("SELECT day FROM screening_rounds") == [{"day": ymd(1)}]


async def test_a_round_missed_while_the_bot_was_down_still_opens_if_not_over(
        office: Office, clock) -> None:
    await setup(office)
    clock.advance(days=1)  # the job did not run on the 1st; Tuesday 10:00
    await run_job(office)
    assert office.last_text(LIAISON).startswith("📋 矛盾纠纷排查（每半月一次）")
    assert await office.rows("SELECT day FROM screening_rounds") == [{"day": ymd(0)}]


async def test_a_round_whose_hours_passed_while_down_is_not_opened_late(office: Office,
                                                                       clock) -> None:
    await setup(office)
    clock.advance(days=3)  # Thursday: the round of the 1st would have closed on Wednesday
    await run_job(office)
    assert office.texts(LIAISON) == []
    assert await office.rows("SELECT COUNT(*) AS n FROM screening_rounds") == [{"n": 0}]
