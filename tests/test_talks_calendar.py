"""Talks and the roster as the field test found them: counts, the calendar, rotations, duty
reminders, outcomes."""

from __future__ import annotations

from tests.harness import ADMIN, CITIZEN, CITIZEN2, LEADER, STAFF, Office, moment, ymd, zh_day
from tests.test_talks import book, slot


async def test_a_promoted_citizen_sees_the_seats_left_after_the_promotion(office: Office
                                                                          ) -> None:
    slot_id = await slot(office, capacity=1)
    await book(office, CITIZEN, slot_id)
    await office.press(CITIZEN2, f"wl:{slot_id}")
    await office.send(CITIZEN2, "候补也行")
    booking = (await office.rows("SELECT id FROM bookings WHERE citizen_id = ?", CITIZEN))[0]
    await office.press(CITIZEN, f"bc:{booking['id']}")
    promoted = office.last_text(CITIZEN2)
    assert "有空位了" in promoted and "余 0 席" in promoted


async def test_series_says_which_days_it_left_out_and_why(office: Office) -> None:
    await office.send(ADMIN, f"/holiday {ymd(16)} 测试假日")  # the third Wednesday
    await slot(office, day=ymd(9), span="08:00-12:00")  # the host is busy the second one
    await office.send(STAFF, f"/series talk_day weekly:3 09:00-11:30 10 {LEADER} 接待室")
    said = office.last_text(STAFF)
    assert "生成 6 场" in said
    assert "12月10日（周三）（主持领导另有安排）" in said and "12月17日（周三）（节假日）" in said
    await office.send(STAFF, "/lang en")
    await office.send(STAFF, f"/series talk_day weekly:5 09:00-11:30 10 {LEADER} 接待室")
    assert "Days left out: none" in office.last_text(STAFF)
    await office.send(ADMIN, f"/holiday {ymd(10)} 假日")  # a Thursday
    await office.send(STAFF, f"/series talk_day weekly:4 09:00-11:30 10 {LEADER} 接待室")
    assert "Days left out: Thu 11 Dec 2031 (a public holiday)" in office.last_text(STAFF)


async def test_a_topic_longer_than_its_limit_is_refused_with_the_limit(office: Office) -> None:
    slot_id = await slot(office)
    await office.press(CITIZEN, f"bk:{slot_id}")
    await office.send(CITIZEN, "长" * 201)
    assert office.last_text(CITIZEN) == "话题最多 200 个字，您写了 201 个字。请精简后重新发送。"
    assert await office.rows("SELECT * FROM bookings") == []
    await office.send(CITIZEN, "长" * 200)  # still in the booking dialogue
    assert len(await office.rows("SELECT * FROM bookings")) == 1


async def series_slots(office: Office) -> dict[str, dict]:
    rows = await office.rows("SELECT id, series_day, state, cancel_reason FROM talk_slots"
                             " WHERE series_id IS NOT NULL ORDER BY starts_at")
    return {r["series_day"]: r for r in rows}


async def test_a_holiday_entered_later_cancels_the_series_slot_and_offers_the_next(
        office: Office) -> None:
    await office.send(STAFF, f"/series talk_day weekly:3 09:00-11:30 10 {LEADER} 接待室")
    slots = await series_slots(office)
    first, second = slots[ymd(2)]["id"], slots[ymd(9)]["id"]
    await book(office, CITIZEN, first, "噪音问题")
    await office.send(ADMIN, f"/holiday {ymd(2)} 临时假日")
    assert "取消" in office.texts(ADMIN)[-1] and "1 位预约者" in office.texts(ADMIN)[-1]
    slots = await series_slots(office)
    assert slots[ymd(2)]["state"] == "cancelled" and slots[ymd(2)]["cancel_reason"] == "holiday"
    notice = office.last_text(CITIZEN)
    assert "临时假日" in notice and "取消" in notice and f"场次 S{second}" in notice
    old = (await office.rows("SELECT id, state FROM bookings"))[0]
    assert old["state"] == "cancelled"
    await office.press(CITIZEN, office.buttons(CITIZEN)["改约到下一场"])
    booked = await office.rows("SELECT slot_id, topic, state FROM bookings WHERE state = 'booked'")
    assert booked == [{"slot_id": second, "topic": "噪音问题", "state": "booked"}]
    # Removing the holiday brings the day's slot back; nobody is booked on it any more.
    await office.send(ADMIN, f"/holiday remove {ymd(2)}")
    assert "恢复 1 场" in office.last_text(ADMIN)
    assert (await series_slots(office))[ymd(2)]["state"] == "open"


async def test_a_working_day_in_place_of_a_holiday_generates_the_slot(office: Office) -> None:
    await office.send(ADMIN, f"/holiday {ymd(9)} 假日")
    await office.send(STAFF, f"/series talk_day weekly:3 09:00-11:30 10 {LEADER} 接待室")
    assert ymd(9) not in await series_slots(office)
    await office.send(ADMIN, f"/workday {ymd(9)} 调休")
    assert (await series_slots(office))[ymd(9)]["state"] == "open"


async def test_a_single_slot_on_a_holiday_asks_first(office: Office) -> None:
    await office.send(ADMIN, f"/holiday {ymd(3)} 假日")
    await office.send(STAFF, f"/slot talk_day {ymd(3)} 09:00-11:30 10 {LEADER} 三楼会议室")
    assert "是节假日" in office.last_text(STAFF)
    assert await office.rows("SELECT * FROM talk_slots") == []
    await office.press(STAFF, "sh:0")
    assert await office.rows("SELECT * FROM talk_slots") == []
    await office.send(STAFF, f"/slot talk_day {ymd(3)} 09:00-11:30 10 {LEADER} 三楼会议室")
    await office.press(STAFF, "sh:1")
    assert len(await office.rows("SELECT * FROM talk_slots")) == 1
    await office.press(STAFF, "sh:1")  # the question is answered: a second press is stale
    assert len(await office.rows("SELECT * FROM talk_slots")) == 1


async def test_lists_leave_out_closed_slots_and_those_already_held(office: Office,
                                                                   clock) -> None:
    soon = await slot(office, day=ymd(0), span="11:30-12:00")  # closes at 09:30, begins 11:30
    held = await slot(office, day=ymd(3))
    full = await slot(office, day=ymd(4), capacity=1)
    other = await slot(office, day=ymd(7))
    await book(office, CITIZEN2, full)
    await book(office, CITIZEN, held)
    clock.moment = moment(0, 2, 0)  # 10:00: the first slot closed for booking at 09:30
    await office.send(CITIZEN, "/talks")
    buttons = office.buttons(CITIZEN)
    assert set(buttons.values()) == {f"wl:{full}", f"bk:{other}"}
    assert f"bk:{soon}" not in buttons.values() and f"bk:{held}" not in buttons.values()
    booking = (await office.rows("SELECT id FROM bookings WHERE citizen_id = ?", CITIZEN))[0]
    await office.press(CITIZEN, f"bm:{booking['id']}")
    assert set(office.buttons(CITIZEN).values()) == {f"mv:{booking['id']}:{other}"}


async def test_a_new_rotation_applies_from_its_first_day_on(office: Office) -> None:
    from tests.test_duty import LEADER2, on_duty, two_leaders

    await two_leaders(office)
    await office.send(ADMIN, f"/rotation day {LEADER} {ymd(0)}")
    await office.send(ADMIN, f"/rotation day {LEADER2} {ymd(3)}")  # from Thursday
    assert await on_duty(office, ymd(0)) == LEADER  # today keeps the rotation in force
    assert await on_duty(office, ymd(2)) == LEADER
    assert await on_duty(office, ymd(3)) == LEADER2
    await office.send(ADMIN, f"/rotation week {LEADER},{LEADER2} {ymd(9)}")  # a Tuesday
    said = office.last_text(ADMIN)
    assert "每周一换班" in said and "12月8日（周一）" in said
    assert await on_duty(office, ymd(8)) == LEADER2  # before its first day: the old one
    assert await on_duty(office, ymd(9)) == LEADER
    assert await on_duty(office, ymd(15)) == LEADER2


async def test_a_weekly_leader_is_reminded_once_per_stint(office: Office, clock) -> None:
    from bot.services import reminders
    from tests.test_duty import LEADER2, two_leaders

    await two_leaders(office)
    await office.send(ADMIN, f"/rotation week {LEADER},{LEADER2} {ymd(0)}")
    await office.send(ADMIN, f"/duty_set {ymd(3)} {LEADER2} 陈局长出差")
    office.api.clear()
    for offset in range(-1, 13):  # each evening and morning from Sunday for two weeks
        for hour in (0, 10):  # 08:00 and 18:00 in Shanghai
            clock.moment = moment(offset, hour)
            await office.minqing.services.run(reminders.sweep)
    await office.settle()
    leader_days = [t for t in office.texts(LEADER) if t.startswith("今天")]
    other_days = [t for t in office.texts(LEADER2) if t.startswith("今天")]
    # LEADER: Monday, and Friday after the override's Thursday; LEADER2: Thursday, Monday next.
    assert len(leader_days) == 2 and len(other_days) == 2, (leader_days, other_days)
    # Nobody takes over from themselves.
    assert all("接替 陈局长" not in t for t in leader_days)
    assert all("接替 王副局长" not in t for t in other_days)


async def test_outcomes_are_kept_and_open_one_case(office: Office, clock) -> None:
    slot_id = await slot(office)
    await book(office, CITIZEN, slot_id)
    booking = (await office.rows("SELECT id FROM bookings"))[0]["id"]
    await office.send(STAFF, f"/outcome {booking} 还没开始")
    assert "开始后才能登记" in office.last_text(STAFF)
    await office.press(STAFF, f"at:{booking}:1")
    assert "开始后才能登记" in office.alerts()[-1]
    clock.moment = moment(2, 2, 0)
    await office.send(STAFF, f"/outcome {booking} case 需住建部门协调")
    await office.send(STAFF, f"/outcome {booking} case 已约住建部门")
    assert "未再开新事项" in office.last_text(STAFF)
    assert len(await office.rows("SELECT id FROM cases")) == 1
    row = (await office.rows("SELECT outcome FROM bookings"))[0]
    assert row["outcome"] == "需住建部门协调\n已约住建部门"


async def test_the_out_of_hours_note_follows_the_holiday_calendar(office: Office,
                                                                  clock) -> None:
    from tests.test_citizen import new_case

    await office.send(ADMIN, f"/holiday {ymd(1)} 假日")  # Tuesday
    await office.send(ADMIN, f"/workday {ymd(5)} 调休")  # Saturday
    clock.moment = moment(1, 2, 0)  # Tuesday 10:00, a holiday: closed
    await new_case(office)
    assert "现在是非办公时间" in office.last_text(CITIZEN)
    assert f"{zh_day(2)}09:00 上班后处理" in office.last_text(CITIZEN)  # Wednesday
    clock.moment = moment(5, 2, 0)  # Saturday 10:00, a 调休 working day: open
    await new_case(office, text="另一件事")
    assert "非办公时间" not in office.last_text(CITIZEN)
    clock.moment = moment(4, 10, 0)  # Friday 18:00: back on the 调休 Saturday, not Monday
    await new_case(office, text="第三件事")
    assert f"{zh_day(5)}09:00 上班后处理" in office.last_text(CITIZEN)


async def test_a_seat_taken_between_the_read_and_the_write_is_not_taken_twice(
        office: Office, monkeypatch) -> None:
    """The capacity rests on one statement: a seam fills the last seat after the service has
    read the slot with one free; the booking must then be refused (or waitlisted)."""
    from storage.talks import Talks

    slot_id = await slot(office, capacity=1)
    real = Talks.slot

    armed = {"now": False}

    def read_then_lose_the_seat(self, wanted):  # the slot as read, then someone else books
        read = real(self, wanted)
        if armed["now"] and read is not None and read.booked == 0:
            armed["now"] = False
            self.c.execute("INSERT INTO bookings (slot_id, citizen_id, topic, state,"
                           " created_at, updated_at) VALUES (?, 9999, 'x', 'booked', '', '')",
                           (wanted,))
        return read

    await office.minqing.services.run(people_seen, 9999)
    monkeypatch.setattr(Talks, "slot", read_then_lose_the_seat)
    await office.press(CITIZEN, f"bk:{slot_id}")
    armed["now"] = True  # in the booking's own transaction, after its read of the slot
    await office.send(CITIZEN, "我想参加")
    # The refusal rolls its transaction back (the seam's seat with it, here); what matters is
    # that the citizen did not get a seat the slot no longer had.
    booked = await office.rows("SELECT citizen_id FROM bookings WHERE state = 'booked'")
    assert {"citizen_id": CITIZEN} not in booked
    assert "已满" in office.last_text(CITIZEN)


def people_seen(unit, user_id: int) -> None:
    unit.tx.users.seen(user_id, "别人", None, unit.now)


async def test_the_reminder_sweep_works_in_chunks(office: Office, clock, monkeypatch) -> None:
    from bot.services import reminders
    from schedules import jobs

    slots = [await slot(office, day=ymd(2), span=f"{9 + i}:00-{9 + i}:30", capacity=1000)
             for i in range(3)]

    def seats(tx) -> None:
        for index in range(450):
            tx.users.seen(50_000 + index, f"群众{index}", None, clock.now())
            tx.talks.book(slots[index % 3], 50_000 + index, "话题", "booked", clock.now())

    await office.minqing.db.write(seats)
    chunks = []
    real = reminders.remind

    def counted(unit, found):
        result = real(unit, found)
        chunks.append(result["sent"] + result["dropped"])
        return result

    monkeypatch.setattr(reminders, "remind", counted)
    clock.moment = moment(1, 3, 0)  # 11:00 the day before: every 24-hour reminder is due
    await jobs.remind(office.minqing)
    await office.settle()
    assert len(chunks) >= 3 and max(chunks) <= reminders.CHUNK
    sent = await office.rows("SELECT COUNT(*) AS n FROM reminders WHERE key LIKE 'booking:%'")
    assert sent == [{"n": 450}]
    before = len(chunks)
    await jobs.remind(office.minqing)  # again: nothing more
    assert sum(chunks[before:]) == 0
