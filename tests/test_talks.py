"""Talks (民情恳谈): slots, recurring series, booking, waitlist, running the talk, reminders."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.rules import RuleError
from bot.services import people, reminders, talks
from bot.services.unit import Who
from schedules.jobs import JOBS
from tests.harness import (
    ADMIN,
    CITIZEN,
    CITIZEN2,
    LEADER,
    STAFF,
    YEAR,
    Office,
    moment,
    ymd,
    zh_day,
)

LEADER2 = 3002
WED = ymd(2)  # a Wednesday; the office's clock starts on a Monday at 10:00


async def slot(office: Office, day: str = WED, span: str = "09:00-11:30", capacity: int = 10,
               host: int = LEADER, kind: str = "talk_day") -> int:
    await office.send(STAFF, f"/slot {kind} {day} {span} {capacity} {host} 三楼会议室 | 住房问题")
    rows = await office.rows("SELECT id FROM talk_slots ORDER BY id DESC LIMIT 1")
    return rows[0]["id"]


async def sweep(office: Office) -> dict[str, int]:
    counts = await office.minqing.services.run(reminders.sweep)
    await office.settle()
    return counts


async def book(office: Office, user: int, slot_id: int, topic: str = "房屋漏水") -> None:
    await office.press(user, f"bk:{slot_id}")
    await office.send(user, topic)


async def test_staff_create_a_slot_and_citizens_see_it(office: Office) -> None:
    slot_id = await slot(office)
    assert "已创建" in office.last_text(STAFF)
    await office.send(CITIZEN, "/talks")
    text = office.last_text(CITIZEN)
    assert f"场次 S{slot_id}" in text and f"{zh_day(2)}09:00-11:30" in text and "余 10 席" in text
    assert "陈局长" in text and "三楼会议室" in text


@pytest.mark.parametrize(
    ("args", "refusal"),
    [(f"talk_day {ymd(-1)} 09:00-10:00 5 3001 室", "开始时间已过"),
     (f"talk_day {ymd(2)} 11:00-10:00 5 3001 室", "结束时间必须晚于开始时间"),
     (f"talk_day {ymd(2)} 09:00-10:00 0 3001 室", "名额至少为 1"),
     (f"talk_day {ymd(2)} 09:00-10:00 5 2001 室", "不是局领导"),
     (f"party {ymd(2)} 09:00-10:00 5 3001 室", "类型必须是"),
     (f"talk_day {YEAR}-13-02 09:00-10:00 5 3001 室", "日期格式不正确")],
)
async def test_slot_refusals(office: Office, args: str, refusal: str) -> None:
    await office.send(STAFF, f"/slot {args}")
    assert refusal in office.last_text(STAFF)
    assert await office.rows("SELECT * FROM talk_slots") == []


async def test_host_cannot_host_two_overlapping_slots(office: Office) -> None:
    await slot(office)
    await office.send(STAFF, f"/slot talk_meeting {WED} 11:00-12:00 5 {LEADER} 二楼")
    assert "已有其他安排" in office.last_text(STAFF)
    assert len(await office.rows("SELECT * FROM talk_slots")) == 1


async def test_citizens_cannot_organise(office: Office) -> None:
    await office.send(CITIZEN, f"/slot talk_day {WED} 09:00-10:00 5 {LEADER} 室")
    assert office.last_text(CITIZEN) == "只有工作人员或管理员可以安排恳谈。"
    await office.send(LEADER, "/attendance 1")
    assert office.last_text(LEADER) == "只有工作人员或管理员可以安排恳谈。"


async def test_recurring_slots_skip_holidays_and_generate_once(office: Office) -> None:
    await office.send(ADMIN, f"/holiday {ymd(16)} 测试假日")
    await office.send(STAFF, f"/series talk_day weekly:3 09:00-11:30 10 {LEADER} 接待室")
    days = [r["series_day"] for r in await office.rows(
        "SELECT series_day FROM talk_slots WHERE state = 'open' ORDER BY starts_at")]
    assert days[:3] == [ymd(2), ymd(9), ymd(23)]  # the third Wednesday is a holiday
    assert len(days) == 7  # eight Wednesdays in the 8 weeks ahead, one of them a holiday
    again = await office.minqing.services.run(talks.generate)
    assert again.created == []
    await office.send(STAFF, f"/series talk_meeting monthly:15 14:00-16:00 20 {LEADER} 大厅")
    monthly = await office.rows("SELECT series_day FROM talk_slots WHERE kind = 'talk_meeting'")
    assert [r["series_day"] for r in monthly] == [f"{YEAR}-12-15", f"{YEAR + 1}-01-15"]


async def test_two_hundred_attempts_on_ten_seats(office: Office) -> None:
    slot_id = await slot(office, capacity=10)
    services = office.minqing.services
    whos = [Who(telegram_id=50_000 + i, name=f"群众{i}") for i in range(200)]
    results = await asyncio.gather(
        *(services.run_as(w, talks.book, slot_id, "话题") for w in whos), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, RuleError)]
    assert len(refused) == 190 and {r.key for r in refused} == {"err_slot_full"}
    assert len([r for r in results if not isinstance(r, BaseException)]) == 10
    booked = await office.rows("SELECT COUNT(*) AS n FROM bookings WHERE state = 'booked'")
    assert booked[0]["n"] == 10


async def test_booking_through_the_chat_and_one_seat_per_citizen(office: Office) -> None:
    slot_id = await slot(office)
    await office.send(CITIZEN, "/talks")
    assert office.buttons(CITIZEN)[f"预约 S{slot_id}"] == f"bk:{slot_id}"
    await book(office, CITIZEN, slot_id, "楼道灯不亮")
    assert "预约成功" in office.last_text(CITIZEN) and "楼道灯不亮" in office.last_text(CITIZEN)
    await office.press(CITIZEN, f"bk:{slot_id}")
    assert office.alerts()[-1] == "您已预约（或候补）这一场。"
    await office.send(CITIZEN, "/mybookings")
    assert f"场次 S{slot_id}" in office.last_text(CITIZEN)


async def test_waitlist_promotion_and_decline(office: Office) -> None:
    slot_id = await slot(office, capacity=1)
    await book(office, CITIZEN, slot_id)
    await office.press(CITIZEN2, f"bk:{slot_id}")
    await office.send(CITIZEN2, "想参加")
    assert "已满" in office.last_text(CITIZEN2) or "#1 已满" in office.alerts()[-1]
    await office.send(CITIZEN2, "/talks")
    assert office.buttons(CITIZEN2)[f"候补 S{slot_id}"] == f"wl:{slot_id}"
    await office.press(CITIZEN2, f"wl:{slot_id}")
    await office.send(CITIZEN2, "候补也行")
    assert "候补名单" in office.last_text(CITIZEN2)
    third = 1003
    await office.press(third, f"wl:{slot_id}")
    await office.send(third, "我也候补")
    booking = (await office.rows("SELECT id FROM bookings WHERE citizen_id = ?", CITIZEN))[0]
    await office.press(CITIZEN, f"bc:{booking['id']}")
    assert "有空位了" in office.last_text(CITIZEN2)
    promoted = office.buttons(CITIZEN2)["放弃座位"]
    await office.press(CITIZEN2, promoted)
    assert "有空位了" in office.last_text(third)
    states = await office.rows("SELECT citizen_id, state FROM bookings ORDER BY id")
    assert states == [{"citizen_id": CITIZEN, "state": "cancelled"},
                      {"citizen_id": CITIZEN2, "state": "declined"},
                      {"citizen_id": third, "state": "booked"}]


async def test_limits_on_active_bookings_and_closing_time(office: Office, clock) -> None:
    ids = [await slot(office, day=ymd(d)) for d in (2, 3, 4, 7)]
    for slot_id in ids[:3]:
        await book(office, CITIZEN, slot_id)
    await office.press(CITIZEN, f"bk:{ids[3]}")
    assert office.alerts()[-1] == "每人最多同时预约 3 场。"
    clock.moment = moment(2, 0, 30)  # 08:30, the talk is at 09:00
    await office.press(CITIZEN2, f"bk:{ids[0]}")
    assert office.alerts()[-1] == "开始前 2 小时停止预约。"


async def test_cancel_and_move_a_slot_tell_everyone(office: Office) -> None:
    slot_id = await slot(office)
    await book(office, CITIZEN, slot_id)
    await book(office, CITIZEN2, slot_id)
    await office.send(STAFF, f"/slot_move {slot_id} {ymd(3)} 14:00-16:00")
    for user in (CITIZEN, CITIZEN2):
        assert "改期" in office.last_text(user) and f"{zh_day(3)}14:00" in office.last_text(user)
    assert len(await office.rows("SELECT * FROM bookings WHERE state = 'booked'")) == 2
    await office.send(STAFF, f"/slot_cancel {slot_id} 领导临时开会")
    for user in (CITIZEN, CITIZEN2):
        assert "已取消" in office.last_text(user) and "领导临时开会" in office.last_text(user)
    assert await office.rows("SELECT * FROM bookings WHERE state = 'booked'") == []


async def test_reschedule_in_one_step(office: Office) -> None:
    first = await slot(office)
    second = await slot(office, day=ymd(3))
    await book(office, CITIZEN, first, "噪音")
    booking = (await office.rows("SELECT id FROM bookings"))[0]["id"]
    await office.press(CITIZEN, f"bm:{booking}")
    assert office.buttons(CITIZEN)
    await office.press(CITIZEN, f"mv:{booking}:{second}")
    rows = await office.rows("SELECT slot_id, state, topic FROM bookings ORDER BY id")
    assert rows == [{"slot_id": first, "state": "cancelled", "topic": "噪音"},
                    {"slot_id": second, "state": "booked", "topic": "噪音"}]
    await office.press(CITIZEN2, f"mv:{booking}:{first}")  # not theirs
    assert office.alerts()[-1] == "没有找到该预约。"


async def test_host_gets_the_list_the_day_before_and_outcome_opens_a_case(
    office: Office, clock
) -> None:
    slot_id = await slot(office)
    await book(office, CITIZEN, slot_id, "老旧小区改造")
    clock.moment = moment(1, 9, 59)  # 17:59 the day before
    await sweep(office)
    assert not any("明日恳谈" in t for t in office.texts(LEADER))
    clock.advance(minutes=2)
    await sweep(office)
    assert "老旧小区改造" in office.last_text(LEADER) and "张三" in office.last_text(LEADER)
    await sweep(office)
    assert sum("明日恳谈" in t for t in office.texts(LEADER)) == 1
    booking = (await office.rows("SELECT id FROM bookings"))[0]["id"]
    clock.moment = moment(2, 1, 30)  # 09:30 on the day: the talk has begun
    await office.send(STAFF, f"/attendance {slot_id}")
    await office.press(STAFF, f"at:{booking}:1")
    await office.send(STAFF, f"/outcome {booking} case 需住建部门协调")
    case = (await office.rows("SELECT number, booking_id, owner_id, citizen_id FROM cases"))[0]
    assert case["booking_id"] == booking and case["owner_id"] == STAFF
    assert case["citizen_id"] == CITIZEN and case["number"] in office.last_text(CITIZEN)
    row = (await office.rows("SELECT attendance, outcome, case_id FROM bookings"))[0]
    assert row["attendance"] == "attended" and row["outcome"] == "需住建部门协调"


async def test_booking_reminders_are_sent_once_across_a_restart(office: Office, clock) -> None:
    slot_id = await slot(office)
    await book(office, CITIZEN, slot_id)
    clock.moment = moment(1, 1, 0)  # exactly 24 h before
    assert (await sweep(office))["sent"] == 1
    assert f"{zh_day(2)}09:00 开始" in office.last_text(CITIZEN)
    await office.restart()
    assert (await sweep(office))["sent"] == 0
    clock.moment = moment(2, 0, 0)  # 1 h before
    await sweep(office)
    await sweep(office)
    assert sum("提醒" in t for t in office.texts(CITIZEN)) == 2


async def test_reminders_after_downtime(office: Office, clock, caplog) -> None:
    early = await slot(office)
    late = await slot(office, day=ymd(3))
    await book(office, CITIZEN, early)
    await book(office, CITIZEN2, late)
    # The bot was down from Monday until Thursday 08:30: the Wednesday talk began meanwhile,
    # Thursday's is still ahead.
    clock.moment = moment(3, 0, 30)
    counts = await sweep(office)
    # Sent: the late talk's 1 h reminder (its 24 h one is superseded) and its host list.
    # Dropped: the early talk's two reminders and its host list, and the superseded one.
    assert counts == {"sent": 2, "dropped": 4}
    assert not any("提醒" in t for t in office.texts(CITIZEN))
    assert sum("提醒" in t for t in office.texts(CITIZEN2)) == 1
    assert "明日恳谈" in office.last_text(LEADER)
    assert "dropped" in caplog.text
    assert (await sweep(office)) == {"sent": 0, "dropped": 0}


async def test_reminder_job_runs_on_the_job_queue(tmp_path, clock) -> None:
    from tests.harness import make_settings

    office = Office(tmp_path / "jobs.sqlite3", make_settings(), clock)
    await office.minqing.start(background=True)
    try:
        await office.minqing.services.run(people.grant, ADMIN, LEADER, "leader")
        await office.minqing.services.run(people.grant, ADMIN, STAFF, "staff")
        names = {job.name for job in office.minqing.app.job_queue.jobs()}
        # One registry: every job the console steps through is on the JobQueue too.
        assert {job.name for job in JOBS} == names
        assert {"remind", "generate_talks", "auto_close", "prune_inbox"} <= names
        job = office.minqing.app.job_queue.get_jobs_by_name("remind")[0]
        await job.run(office.minqing.app)
        await job.run(office.minqing.app)
    finally:
        await office.minqing.stop()


async def test_a_moved_slot_is_reminded_of_again(office: Office, clock) -> None:
    slot_id = await slot(office)
    await book(office, CITIZEN, slot_id)
    clock.moment = moment(1, 1, 30)  # 23.5 h before
    await sweep(office)
    await office.send(STAFF, f"/slot_move {slot_id} {ymd(4)} 09:00-11:30")
    clock.moment = moment(3, 1, 30)  # 23.5 h before the new time
    assert (await sweep(office))["sent"] >= 1
    reminders_sent = [t for t in office.texts(CITIZEN) if t.startswith("提醒")]
    assert len(reminders_sent) == 2 and f"{zh_day(4)}09:00" in reminders_sent[-1]
