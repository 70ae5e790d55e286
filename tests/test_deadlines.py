"""The deadline model (bot.core.deadlines, case_deadlines): per-kind limits, classification,
reminders before each deadline and on its day, and the escalation when one passes, each sent
once across a double run and a restart."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core import deadlines as rules
from schedules import jobs
from tests.harness import (
    HANDLE_DUE,
    LEADER,
    STAFF,
    STAFF2,
    Office,
    day,
    make_settings,
    moment,
    ymd,
    zh_day,
)
from tests.test_citizen import CITIZEN, new_case
from tests.test_desk import case_id, claimed_case

TZ = ZoneInfo("Asia/Shanghai")
NINE = time(9, 0)


async def sweep(office: Office) -> None:
    await jobs.deadlines(office.minqing)
    await office.settle()


def at_nine(offset: int, clock) -> None:
    """The clock at 09:00 local on that day, as the office opens (01:00 UTC)."""
    clock.moment = moment(offset, 1, 0)


def test_calendar_and_working_days_and_the_flags() -> None:
    start = datetime(2031, 12, 1, 2, tzinfo=UTC)  # a Monday
    assert rules.due_after(start, 15, TZ, "calendar", {}) == datetime(
        2031, 12, 16, 15, 59, 59, tzinfo=UTC)
    # Five working days from Monday, with Wednesday a holiday: Tuesday, Thursday, Friday,
    # Monday, Tuesday.
    holiday = {day(2): "holiday"}
    assert rules.due_after(start, 5, TZ, "working", holiday).date() == day(8)
    assert rules.due_after(start, 5, TZ, "working", {}).date() == day(7)
    due = rules.end_of(day(10), TZ)
    assert rules.flag(due, None, start, 3, TZ) == ""
    assert rules.flag(due, None, start + timedelta(days=7), 3, TZ) == rules.SOON
    assert rules.flag(due, None, due + timedelta(seconds=1), 3, TZ) == rules.OVERDUE
    assert rules.flag(due, start, due + timedelta(days=1), 3, TZ) == ""  # met: no mark
    # The steps of a sweep: early, on the day, passed; a classification only when late.
    early, on_day = rules.reminder_moments(due, 3, TZ, NINE)
    assert early == datetime(2031, 12, 8, 1, tzinfo=UTC) and on_day == datetime(
        2031, 12, 11, 1, tzinfo=UTC)
    step = rules.next_step
    assert step("handle", due, False, False, early - timedelta(seconds=1), 3, TZ, NINE) is None
    assert step("handle", due, False, False, early, 3, TZ, NINE) == rules.WARN
    assert step("handle", due, True, False, early, 3, TZ, NINE) is None
    assert step("handle", due, True, False, on_day, 3, TZ, NINE) == rules.ON_DAY
    assert step("handle", due, False, False, on_day, 3, TZ, NINE) == rules.ON_DAY  # late start
    assert step("handle", due, True, True, due + timedelta(seconds=1), 3, TZ, NINE) == \
        rules.PASSED
    assert step("classify", due, False, False, on_day, 3, TZ, NINE) is None
    assert step("classify", due, False, False, due + timedelta(seconds=1), 3, TZ, NINE) == \
        rules.PASSED


def test_the_limits_per_kind_and_category() -> None:
    settings = make_settings()
    assert rules.accept_days("petition", settings) == 15
    assert rules.accept_days("dispute", settings) is None  # nobody decides to accept it
    assert rules.handle_days("help", None, settings) == 30
    assert rules.handle_days("petition", None, settings) == 60  # until it is classified
    assert rules.handle_days("petition", "claim", settings) == 60  # art. 31(6), art. 34
    assert rules.handle_days("complaint", "suggestion", settings) == 30
    assert rules.handle_days("complaint", "accusation", settings) == 60
    assert rules.handle_days("petition", "route", settings) == 15
    other = make_settings(kind_handle_days="help:10,suggestion:30,inquiry:15,dispute:30")
    assert rules.handle_days("help", None, other) == 10


async def test_a_help_request_is_reminded_before_on_the_day_and_escalated_once(
        office: Office, clock) -> None:
    number, cid = await claimed_case(office)  # a help request: the office's 30 days
    await sweep(office)
    assert not any("⏳" in t for t in office.texts(STAFF))
    at_nine(27, clock)  # three days before the 30th day
    office.api.clear()
    await sweep(office)
    await sweep(office)  # a second run says nothing again
    early = [t for t in office.texts(STAFF) if t.startswith("⏳")]
    assert early == [f"⏳ {number}：办结期限为 {zh_day(30)}23:59，还有 3 天。负责人：李四。"]
    assert office.buttons(STAFF) == {"查看事项": f"vw:{cid}"}
    assert not any(t.startswith("⏳") for t in office.texts(LEADER))  # only the one answerable
    await office.send(STAFF, f"/case {number}")
    assert f"办结期限：{zh_day(30)}23:59🟡" in office.last_text(STAFF)
    at_nine(30, clock)
    office.api.clear()
    await sweep(office)
    await office.restart()
    await sweep(office)  # and a restart says nothing again
    assert [t for t in office.texts(STAFF) if t.startswith("⏳")] == [
        f"⏳ {number}：办结期限为今天（{zh_day(30)}23:59）。负责人：李四。"]
    clock.moment = moment(31, 1, 0)
    office.api.clear()
    await sweep(office)
    await sweep(office)
    overdue = f"🔴 {number} 已逾期：办结期限为 {zh_day(30)}23:59。负责人：李四。请尽快办理并报告。"
    assert [t for t in office.texts(STAFF) if t.startswith("🔴")] == [overdue]
    assert [t for t in office.texts(LEADER) if t.startswith("🔴")] == [overdue]
    assert not any(t.startswith("🔴") for t in office.texts(STAFF2))
    row = (await office.rows("SELECT overdue_at, met_at FROM case_deadlines"
                             " WHERE kind = 'handle'"))[0]
    assert row["overdue_at"] is not None and row["met_at"] is None
    assert await office.rows("SELECT detail FROM audit_log WHERE action = 'deadline_overdue'") \
        == [{"detail": "handle"}]
    await office.send(STAFF, f"/case {number}")
    assert f"办结期限：{zh_day(30)}23:59🔴" in office.last_text(STAFF)
    # Resolving meets the deadline, late: the card says so and the sweep is silent.
    await office.press(STAFF, f"rs:{cid}")
    await office.send(STAFF, "已修复")
    await office.send(STAFF, f"/case {number}")
    assert "（逾期，" in office.last_text(STAFF) and "🔴" not in office.last_text(STAFF)


async def test_an_unclaimed_case_is_the_staffs_and_the_office_leaders(tmp_path, clock) -> None:
    office = await Office(tmp_path / "m.sqlite3", make_settings(office_leader_id=LEADER),
                          clock).start()
    try:
        number = await new_case(office)  # nobody claims it: its deadline to accept runs
        at_nine(12, clock)
        office.api.clear()
        await sweep(office)
        for person in (STAFF, STAFF2, LEADER):
            assert any(t.startswith(f"⏳ {number}：受理期限为 {zh_day(15)}23:59")
                       for t in office.texts(person)), person
        assert not any(t.startswith("⏳") for t in office.texts(CITIZEN))
    finally:
        await office.stop()


async def test_a_petition_is_classified_and_its_limit_follows_its_category(
        office: Office, clock) -> None:
    number = await new_case(office, kind="petition", text="反映拆迁补偿问题")
    assert f"我们将在 {zh_day(15)}23:59 前告知您是否受理" in office.last_text(CITIZEN)
    cid = await case_id(office, number)
    await office.press(STAFF, f"cl:{cid}")
    assert office.buttons(STAFF) == {
        "建议意见类（第二十九条）": f"cg:{cid}:0", "检举控告类（第三十条）": f"cg:{cid}:1",
        "申诉求决类·依法定途径（第三十一条第一至五项）": f"cg:{cid}:2",
        "申诉求决类·信访程序办理（第三十一条第六项）": f"cg:{cid}:3"}
    rows = await office.rows(f"SELECT {HANDLE_DUE} FROM cases")
    assert rows[0]["due_at"].startswith(ymd(60))  # unclassified: the statutory 60 days
    kinds = await office.rows("SELECT kind, met_at IS NOT NULL AS met FROM case_deadlines"
                              " ORDER BY kind")
    assert kinds == [{"kind": "accept", "met": 1}, {"kind": "classify", "met": 0},
                     {"kind": "handle", "met": 0}]
    # Still unset after one day: its owner is asked again, once.
    clock.advance(days=2)
    office.api.clear()
    await sweep(office)
    await sweep(office)
    late = [t for t in office.texts(STAFF) if "尚未确定信访事项类别" in t]
    assert len(late) == 1 and not any("类别" in t for t in office.texts(LEADER))
    assert f"cg:{cid}:0" in office.buttons(STAFF).values()
    # Someone else's petition is not theirs to classify.
    await office.press(STAFF2, f"cg:{cid}:0")
    assert "李四" in office.alerts()[-1]
    await office.press(STAFF, f"cg:{cid}:0")  # 建议意见类: the office's 30 days
    assert office.last_text(STAFF) == (f"{number} 已定为建议意见类（第二十九条），"
                                       f"办结期限：{zh_day(30)}23:59。")
    rows = await office.rows(f"SELECT category, {HANDLE_DUE} FROM cases")
    assert rows[0]["category"] == "suggestion" and rows[0]["due_at"].startswith(ymd(30))
    await office.send(STAFF, f"/case {number}")
    card = office.last_text(STAFF)
    assert "定类：建议意见类（第二十九条）" in card  # in its history
    await office.press(STAFF, f"cg:{cid}:0")
    assert "未作更改" in office.last_text(STAFF)


async def test_an_extension_moves_the_deadline_and_starts_its_reminders_over(
        office: Office, clock) -> None:
    number, _ = await claimed_case(office)
    at_nine(27, clock)
    await sweep(office)
    await office.send(STAFF, f"/extend {number} 需要协调")
    row = (await office.rows("SELECT due_at, original_due_at, extended_days, warned_at"
                             " FROM case_deadlines WHERE kind = 'handle'"))[0]
    assert row["due_at"].startswith(ymd(60)) and row["original_due_at"].startswith(ymd(30))
    assert row["extended_days"] == 30 and row["warned_at"] is None
    await office.send(STAFF, f"/case {number}")
    assert "（已延长 30 天）" in office.last_text(STAFF)
    at_nine(57, clock)
    office.api.clear()
    await sweep(office)
    assert any(t.startswith(f"⏳ {number}：办结期限为 {zh_day(60)}") for t in office.texts(STAFF))


async def test_working_days_follow_the_holiday_calendar(tmp_path, clock) -> None:
    office = await Office(tmp_path / "m.sqlite3", make_settings(deadline_counting="working"),
                          clock).start()
    try:
        await office.send(4001, f"/holiday {ymd(2)} 测试假日")
        number = await new_case(office)
        # 15 working days from Monday the 1st, with the 3rd a holiday: Tuesday the 23rd.
        assert f"我们将在 {zh_day(22)}23:59 前告知您是否受理" in office.last_text(CITIZEN), \
            office.last_text(CITIZEN)
        assert number
    finally:
        await office.stop()


async def test_the_deadline_job_is_in_the_registry_with_its_moments(office: Office,
                                                                    clock) -> None:
    number, _ = await claimed_case(office)
    job = next(j for j in jobs.JOBS if j.name == jobs.DEADLINES)
    found = await office.minqing.services.read(job.moments, clock.now(),
                                               clock.now() + timedelta(days=40))
    early = datetime(day(27).year, day(27).month, day(27).day, 1, tzinfo=UTC)
    assert early in found and datetime.combine(day(30), time(1, 0), UTC) in found
    assert number
