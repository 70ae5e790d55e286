"""Talks and the roster as the field test found them: counts, the calendar, rotations, duty
reminders, outcomes."""

from __future__ import annotations

from tests.harness import ADMIN, CITIZEN, CITIZEN2, LEADER, STAFF, Office, ymd
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
    await office.send(STAFF, f"/series talk_day weekly:4 09:00-11:30 10 {LEADER} 接待室")
    assert "Days left out: none" in office.last_text(STAFF)


async def test_a_topic_longer_than_its_limit_is_refused_with_the_limit(office: Office) -> None:
    slot_id = await slot(office)
    await office.press(CITIZEN, f"bk:{slot_id}")
    await office.send(CITIZEN, "长" * 201)
    assert office.last_text(CITIZEN) == "话题最多 200 个字，您写了 201 个字。请精简后重新发送。"
    assert await office.rows("SELECT * FROM bookings") == []
    await office.send(CITIZEN, "长" * 200)  # still in the booking dialogue
    assert len(await office.rows("SELECT * FROM bookings")) == 1
