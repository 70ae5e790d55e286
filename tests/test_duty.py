"""The leaders' duty roster: rotation, overrides, swaps, the holiday calendar, reminders."""

from __future__ import annotations

from datetime import date

from bot.clock import when_day
from bot.core.calendar import duty_leader, is_working_day
from bot.services import people, reminders
from tests.harness import ADMIN, CITIZEN, LEADER, STAFF, Office, day, moment, ymd, zh_day

LEADER2 = 3002


async def two_leaders(office: Office) -> None:
    await office.minqing.services.run(people.grant, ADMIN, LEADER2, "leader")
    await office.minqing.services.run(people.seen, LEADER2, "王副局长", None)


async def on_duty(office: Office, day: str) -> int | None:
    from bot.services import duty

    return await office.minqing.services.read(duty.leader_on, date.fromisoformat(day))


def test_working_days_follow_the_calendar() -> None:
    calendar = {day(32): "holiday", day(69): "workday"}
    assert not is_working_day(day(32), calendar)  # a Friday, but a holiday
    assert is_working_day(day(69), calendar)  # a Sunday worked instead (调休)
    assert not is_working_day(day(68), calendar)


def test_daily_rotation_counts_working_days_only() -> None:
    calendar = {day(2): "holiday"}
    days = [day(offset) for offset in range(5)]
    turn = [duty_leader(d, "day", [1, 2], day(0), {}, calendar) for d in days]
    # Mon: 1; Tue: 2; Wed, a holiday: nobody; Thu: 1; Fri: 2
    assert turn == [1, 2, None, 1, 2]


async def test_weekly_rotation_overrides_and_swaps_are_recorded(office: Office) -> None:
    await two_leaders(office)
    await office.send(ADMIN, f"/rotation week {LEADER},{LEADER2} {ymd(0)} 按周轮流")
    assert await on_duty(office, ymd(1)) == LEADER
    assert await on_duty(office, ymd(8)) == LEADER2
    assert await on_duty(office, ymd(15)) == LEADER
    await office.send(ADMIN, f"/duty_set {ymd(1)} {LEADER2} 陈局长出差")
    assert await on_duty(office, ymd(1)) == LEADER2
    await office.send(ADMIN, f"/duty_swap {ymd(2)} {ymd(9)} 个人原因")
    assert await on_duty(office, ymd(2)) == LEADER2
    assert await on_duty(office, ymd(9)) == LEADER
    overrides = await office.rows("SELECT day, leader_id, changed_by, reason FROM duty_overrides"
                                  " ORDER BY day")
    assert overrides[0] == {"day": ymd(1), "leader_id": LEADER2, "changed_by": ADMIN,
                            "reason": "陈局长出差"}
    assert {o["reason"] for o in overrides[1:]} == {"个人原因"}
    actions = [r["action"] for r in await office.rows("SELECT action FROM audit_log")]
    assert {"duty_rotation", "duty_override", "duty_swap"} <= set(actions)


async def test_only_admins_change_the_roster_and_calendar(office: Office) -> None:
    for command in (f"/rotation week {LEADER} {ymd(0)}", f"/duty_set {ymd(1)} {LEADER} x",
                    f"/holiday {ymd(32)}", f"/workday {ymd(69)}", "/holidays"):
        await office.send(STAFF, command)
        assert office.last_text(STAFF) == "只有管理员可以这样做。"
    await office.send(ADMIN, f"/duty_set {ymd(1)} {STAFF} 不是领导")
    assert "不是局领导" in office.last_text(ADMIN)


async def test_duty_shows_today_and_reception_days(office: Office) -> None:
    await two_leaders(office)
    await office.send(ADMIN, f"/rotation day {LEADER},{LEADER2} {ymd(0)}")
    await office.send(STAFF, f"/slot reception_day {ymd(3)} 09:00-11:00 5 {LEADER2} 信访接待室")
    await office.send(CITIZEN, "/duty")
    text = office.last_text(CITIZEN)
    assert "陈局长" in text and "信访接待室" in text and "值班日" not in text
    slot_id = (await office.rows("SELECT id FROM talk_slots"))[0]["id"]
    assert office.buttons(CITIZEN)[f"预约 S{slot_id}"] == f"bk:{slot_id}"
    await office.send(LEADER2, "/duty")
    assert zh_day(1) in office.last_text(LEADER2)  # their own coming duties


async def test_holidays_shape_the_roster(office: Office) -> None:
    await two_leaders(office)
    await office.send(ADMIN, f"/rotation day {LEADER},{LEADER2} {ymd(0)}")
    await office.send(ADMIN, f"/holiday {ymd(1)} 测试")
    assert await on_duty(office, ymd(1)) is None
    assert await on_duty(office, ymd(2)) == LEADER2
    await office.send(ADMIN, f"/workday {ymd(5)} 调休")
    # Working days since Monday: 30 Nov (1st turn), 2 Dec, 3 Dec, 4 Dec, and Saturday 5 Dec
    # worked instead of a holiday: the fifth turn, the first leader again.
    assert await on_duty(office, ymd(5)) == LEADER
    await office.send(ADMIN, "/holidays")
    assert zh_day(1) in office.last_text(ADMIN) and "调休" in office.last_text(ADMIN)


async def test_duty_reminders_evening_morning_and_handover(office: Office, clock) -> None:
    await two_leaders(office)
    await office.send(ADMIN, f"/rotation day {LEADER},{LEADER2} {ymd(0)}")
    # Monday 18:00: LEADER2 is on duty tomorrow.
    clock.moment = moment(0, 10, 0)
    await office.minqing.services.run(reminders.sweep)
    await office.settle()
    assert f"明天{when_day('zh', day(1))}起由您值班" in office.last_text(LEADER2)
    # Tuesday 08:00: the morning reminder, and the handover to the one coming off duty.
    clock.moment = moment(1, 0, 0)
    await office.minqing.services.run(reminders.sweep)
    await office.minqing.services.run(reminders.sweep)
    await office.settle()
    tuesday = when_day("zh", day(1))
    assert f"今天{tuesday}起由您值班接访，接替 陈局长。" in office.last_text(LEADER2)
    assert "交班提醒" in office.last_text(LEADER)
    assert sum(f"今天{when_day('zh', day(1))}" in t for t in office.texts(LEADER2)) == 1
