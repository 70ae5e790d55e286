"""Public announcements (公示、听证、新闻发布会): written by staff, approved by a leader, sent to
the kind's subscribers through the outbox at the broadcast priority with a progress message;
/notices for anyone; /subscribe and /unsubscribe; a hearing's registrations on a talk slot;
blocked users unsubscribed; a restart resumes without a second copy; the pacing (on an
injectable clock) keeps a broadcast to 25 a second and leaves room for relays."""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.core.said import BROADCAST, NOW
from bot.outbox import Pacing
from bot.services import broadcast
from schedules import jobs
from tests.harness import CITIZEN2, LEADER, STAFF, Office, zh_day
from tests.test_citizen import CITIZEN


async def subscribe(office: Office, user: int, kind: str) -> None:
    await office.send(user, "/subscribe")
    await office.press(user, office.buttons(user)[
        {"notice": "订阅公示", "hearing": "订阅听证", "press": "订阅新闻发布会"}[kind]])


async def announcement(office: Office, writer: int, kind: str, title: str = "停车收费听证会",
                       when: str | None = None, seats: str | None = None) -> int:
    await office.send(writer, "/announce")
    await office.press(writer, f"ak:{kind}")
    await office.send(writer, title)
    await office.send(writer, "就老城区停车收费标准调整举行听证，欢迎群众参加。")
    await office.press(writer, "as")  # no attachment
    if kind in ("hearing", "press"):
        if when:
            await office.send(writer, when)
        else:
            await office.press(writer, "as")
    if kind == "hearing" and when:
        if seats:
            await office.send(writer, seats)
        else:
            await office.press(writer, "as")
    rows = await office.rows("SELECT id FROM announcements ORDER BY id DESC LIMIT 1")
    return rows[0]["id"]


async def run_broadcasts(office: Office) -> None:
    for _ in range(5):  # bounded: queue, deliver, count
        await jobs.broadcasts(office.minqing)
        await office.settle()


async def test_a_hearing_is_approved_sent_to_its_subscribers_and_takes_registrations(
        office: Office) -> None:
    await subscribe(office, CITIZEN, "hearing")
    assert office.last_text(CITIZEN) == "已订阅听证公告。退订请发送 /unsubscribe。"
    await subscribe(office, CITIZEN2, "notice")
    aid = await announcement(office, STAFF, "hearing", when="2031-12-20 09:30 三楼会议室",
                             seats="30")
    preview = office.last_text(STAFF)
    assert preview.startswith("请核对公告：\n\n【听证】停车收费听证会")
    assert f"时间：{zh_day(19)}09:30　地点：三楼会议室" in preview
    assert "接受报名，名额 30 个。" in preview
    assert office.buttons(STAFF) == {"提交领导审批": f"ac:{aid}", "取消": "noop"}
    await office.press(CITIZEN, f"ac:{aid}")  # not the writer's: refused
    await office.press(STAFF, f"ac:{aid}")
    assert office.last_text(STAFF) == f"公告 A{aid} 已提交局领导审批，批准后即发送。"
    assert office.buttons(LEADER) == {"批准发布": f"ad:{aid}:1", "不予发布": f"ad:{aid}:0"}
    await office.press(STAFF, f"ad:{aid}:1")  # staff do not approve
    assert "只有局领导和管理员" in office.alerts()[-1]
    await office.press(LEADER, f"ad:{aid}:1")
    await office.press(LEADER, f"ad:{aid}:1")  # a second press changes nothing
    assert "已处理" in office.alerts()[-1]
    assert "已由 陈局长 批准，正在发送" in office.texts(STAFF)[-2] + office.texts(STAFF)[-1]
    await run_broadcasts(office)
    got = [t for t in office.texts(CITIZEN) if t.startswith("【听证】")]
    assert len(got) == 1 and "群众工作服务室" in got[0]
    assert not any(t.startswith("【听证】") for t in office.texts(CITIZEN2))
    slot = (await office.rows("SELECT id, kind, capacity, topic FROM talk_slots"))[0]
    assert slot == {"id": slot["id"], "kind": "hearing", "capacity": 30, "topic": "停车收费听证会"}
    assert office.buttons(CITIZEN) == {"报名参加": f"bk:{slot['id']}"}
    edits = [c.params["text"] for c in office.api.calls if c.method == "editMessageText"]
    assert edits[-1] == f"公告 A{aid} 发送完毕：送达 1，屏蔽 0，失败 0。"
    assert (await office.rows("SELECT state FROM announcements"))[0]["state"] == "sent"
    await office.press(CITIZEN, f"bk:{slot['id']}")  # registering is booking the slot
    await office.send(CITIZEN, "反映停车难")
    booked = await office.rows("SELECT slot_id, state FROM bookings")
    assert booked == [{"slot_id": slot["id"], "state": "booked"}]
    await office.send(CITIZEN2, "/notices")  # anyone lists them
    listing = office.last_text(CITIZEN2)
    assert listing.startswith("【近期公告】") and f"A{aid}【听证】停车收费听证会" in listing
    assert office.buttons(CITIZEN2) == {f"报名 A{aid}": f"bk:{slot['id']}"}


async def test_a_rejected_announcement_is_never_sent(office: Office) -> None:
    await subscribe(office, CITIZEN, "notice")
    aid = await announcement(office, STAFF, "notice", title="公示名单")
    await office.press(STAFF, f"ac:{aid}")
    await office.press(LEADER, f"ad:{aid}:0")
    assert "不予发布" in office.last_text(STAFF)
    await run_broadcasts(office)
    assert not any(t.startswith("【公示】") for t in office.texts(CITIZEN))


async def test_blocked_users_are_unsubscribed_and_counted(office: Office) -> None:
    for user in (CITIZEN, CITIZEN2):
        await subscribe(office, user, "notice")
    office.api.fail(403, "Forbidden: bot was blocked by the user", chat_id=CITIZEN2)
    aid = await announcement(office, LEADER, "notice", title="公示名单")  # a leader's: no approval
    assert office.buttons(LEADER) == {"发布": f"ac:{aid}", "取消": "noop"}
    await office.press(LEADER, f"ac:{aid}")
    await run_broadcasts(office)
    assert await office.rows("SELECT user_id FROM subscriptions") == [{"user_id": CITIZEN}]
    edits = [c.params["text"] for c in office.api.calls if c.method == "editMessageText"]
    assert edits[-1] == f"公告 A{aid} 发送完毕：送达 1，屏蔽 1，失败 0。"
    await office.send(CITIZEN, "/unsubscribe")
    await office.press(CITIZEN, "ub:all")
    assert office.last_text(CITIZEN).startswith("已退订全部公告。")
    await office.send(CITIZEN, "/unsubscribe")
    assert office.last_text(CITIZEN) == "您没有订阅任何公告。订阅请发送 /subscribe。"


async def test_a_restart_resumes_the_broadcast_and_nobody_gets_two(office: Office,
                                                                   monkeypatch) -> None:
    monkeypatch.setattr(broadcast, "CHUNK", 100)
    people = range(600_001, 600_451)

    def seed(tx) -> None:
        now = office.clock.now()
        for user_id in people:
            tx.users.seen(user_id, "群众", None, now)
            tx.subscriptions.add(user_id, "press", now)

    await office.minqing.db.write(seed)
    aid = await announcement(office, LEADER, "press", title="发布会")
    await office.press(LEADER, f"ac:{aid}")
    services = office.minqing.services
    for _ in range(2):  # two chunks queued and delivered, then the bot stops
        await services.run(broadcast.queue_chunk, aid)
    await office.settle()
    await office.restart()
    await run_broadcasts(office)
    got = Counter(c.params["chat_id"] for c in office.api.sent(method="sendMessage")
                  if str(c.params.get("text", "")).startswith("【新闻发布会】"))
    assert set(got) == set(people) and set(got.values()) == {1}
    row = (await office.rows("SELECT state, queued FROM announcements"))[0]
    assert row == {"state": "sent", "queued": 450}


def test_pacing_keeps_a_broadcast_to_its_rate_on_an_injected_clock() -> None:
    now = [1000.0]
    pacing = Pacing(broadcast=25.0, monotonic=lambda: now[0])
    sent: list[tuple[float, int]] = []
    chat = 700_000
    for _ in range(10_000):  # 10 simulated seconds in steps of a millisecond
        while pacing.wait_time(chat, BROADCAST) == 0:
            pacing.take(chat, BROADCAST)
            sent.append((now[0], BROADCAST))
            chat += 1
        if len(sent) % 7 == 0 and pacing.wait_time(1, NOW) == 0:  # a relay now and then
            pacing.take(1, NOW)
            sent.append((now[0], NOW))
        now[0] += 0.001
    broadcasts = [at for at, level in sent if level == BROADCAST]
    # 25 a second for 10 seconds (a token is taken at the first millisecond step after it
    # refills: 24.4 a second at these steps)
    assert 235 <= len(broadcasts) <= 252
    moments = [at for at, _ in sent]
    for i, at in enumerate(moments):  # no second ever carries more than Telegram's 30
        assert sum(1 for other in moments[i:i + 40] if other - at < 1.0) <= 30
    assert any(level == NOW for _, level in sent)


async def test_a_relay_goes_before_a_broadcast_in_progress(office: Office) -> None:
    sender = office.minqing.sender
    sender.pacing = Pacing()
    office.api.record = False

    def seed(tx) -> None:
        now = office.clock.now()
        for user_id in range(800_001, 801_001):
            tx.users.seen(user_id, "群众", None, now)
            tx.subscriptions.add(user_id, "notice", now)

    await office.minqing.db.write(seed)
    aid = await announcement(office, LEADER, "notice", title="公示名单")
    await office.press(LEADER, f"ac:{aid}")
    await jobs.broadcasts(office.minqing)  # all 1,000 queued
    running = asyncio.create_task(sender.run())
    try:
        await asyncio.sleep(0.2)
        office.api.record = True
        waited = await office.time_a_reply(CITIZEN2, "工作人员的答复")
        assert office.texts(CITIZEN2) == ["工作人员的答复"], "the relay never went"
        assert waited < 0.5, f"the relay waited {waited:.2f} s behind the broadcast"
        left = (await office.rows("SELECT COUNT(*) AS n FROM outbox WHERE broadcast_id = ?"
                                  " AND state = 'pending'", aid))[0]["n"]
        assert left > 800  # the broadcast was still going on, at its pace
    finally:
        await sender.stop()
        running.cancel()


async def test_an_attachment_follows_the_text_and_a_bad_answer_changes_nothing(
        office: Office) -> None:
    await subscribe(office, CITIZEN, "press")
    await office.send(LEADER, "/announce")
    await office.press(LEADER, "ak:press")
    await office.send(LEADER, "新闻发布会")
    await office.send(LEADER, "通报一季度群众工作情况。")
    await office.photo(LEADER, "PRESSPHOTO")
    await office.send(LEADER, "明天")  # not a date, a time and a place
    assert "格式为：日期 时间 地点" in office.last_text(LEADER)
    await office.send(LEADER, "2020-01-01 09:00 礼堂")
    assert "一年之内的将来" in office.last_text(LEADER)
    await office.send(LEADER, "2031-12-10 15:00 市政府礼堂")
    aid = (await office.rows("SELECT id FROM announcements"))[0]["id"]
    await office.press(LEADER, f"ac:{aid}")
    await run_broadcasts(office)
    calls = [c for c in office.api.sent(CITIZEN) if c.method in ("sendMessage", "sendPhoto")]
    assert calls[-2].params["text"].startswith("【新闻发布会】新闻发布会")
    assert calls[-1].method == "sendPhoto" and calls[-1].params["photo"] == "PRESSPHOTO"
    await office.send(CITIZEN, "/subscribe")
    await office.press(CITIZEN, "sb:press")
    assert "未作更改" in office.alerts()[-1]
