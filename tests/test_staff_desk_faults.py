"""Staff never miss a case (issue 8 §3): the staff group lost and back, upgraded to a
supergroup, replies to messages the bot never recorded, undelivered replies, revoked staff."""

from __future__ import annotations

from bot.outbox import GIVE_UP_AFTER
from bot.services import people
from tests.harness import ADMIN, CITIZEN, STAFF, STAFF2, Office
from tests.test_citizen import new_case
from tests.test_desk import case_id, claimed_case

GROUP = -100888
SUPERGROUP = -1009998887776


def member_update(office: Office, chat_id: int, status: str) -> dict:
    """Telegram's note that the bot's membership in a chat changed."""
    bot = {"id": 7000000001, "is_bot": True, "first_name": "bot"}
    chat = ({"id": chat_id, "type": "supergroup", "title": "staff"} if chat_id < 0
            else {"id": chat_id, "type": "private", "first_name": "u"})
    who = office.user_json(ADMIN if chat_id < 0 else chat_id)
    return office.update_json(my_chat_member={
        "chat": chat, "from": who, "date": int(office.clock.now().timestamp()),
        "old_chat_member": {"status": "member", "user": bot},
        "new_chat_member": ({"status": status, "user": bot} if status != "kicked" else
                            {"status": status, "user": bot, "until_date": 0})})


async def test_a_lost_staff_group_sends_the_desk_to_private_chats(group_office: Office
                                                                  ) -> None:
    office = group_office
    office.api.fail(403, "Forbidden: bot was kicked from the supergroup chat", chat_id=GROUP,
                    times=100)
    number = await new_case(office)
    for staff in (STAFF, STAFF2):  # the card, rerouted
        assert any(number in t for t in office.texts(staff)), staff
    lost = [t for t in office.texts(ADMIN) if "无法在工作人员群" in t]
    assert len(lost) == 1
    await office.send(CITIZEN, "补充一句")
    assert "补充一句" in office.last_text(STAFF) and "补充一句" in office.last_text(STAFF2)
    assert len([t for t in office.texts(ADMIN) if "无法在工作人员群" in t]) == 1  # told once
    # The bot is added back: the group's return is noticed and cards go there again.
    office.api.failures.clear()
    await office.feed(member_update(office, GROUP, "member"))
    assert "已恢复" in office.last_text(ADMIN)
    second = await new_case(office, text="第二件事")
    assert any(second in c.params.get("text", "") for c in office.api.sent(GROUP))


async def test_the_group_is_checked_again_while_lost(group_office: Office) -> None:
    from schedules import jobs

    office = group_office
    office.api.fail(403, "Forbidden: bot was kicked", chat_id=GROUP, times=100)
    await new_case(office)
    office.api.failures.clear()
    await jobs.check_staff_chat(office.minqing)
    await office.settle()
    assert "已恢复" in office.last_text(ADMIN)


async def test_an_upgraded_group_is_followed_and_wins_at_restart(group_office: Office) -> None:
    office = group_office
    office.api.fail(400, "Bad Request: group chat was upgraded to a supergroup chat",
                    chat_id=GROUP, migrate_to=SUPERGROUP, times=100)
    number = await new_case(office)
    card = next(c for c in office.api.sent(SUPERGROUP) if number in c.params.get("text", ""))
    assert "STAFF_CHAT_ID" in office.last_text(ADMIN) and str(SUPERGROUP) in office.last_text(
        ADMIN)
    await office.restart()
    assert office.minqing.settings.staff_chat_id == SUPERGROUP
    cid = await case_id(office, number)
    await office.press(STAFF, f"cl:{cid}", chat_id=SUPERGROUP,
                       message_id=card.result["message_id"])
    await office.send(STAFF, "已收到", chat_id=SUPERGROUP, reply_to_message=card.result)
    assert "已收到" in office.last_text(CITIZEN)
    assert not [c for c in office.api.calls if c.method == "leaveChat"]


async def test_the_upgrade_notice_in_the_group_is_followed(group_office: Office) -> None:
    office = group_office
    moved = office.message_json(ADMIN, None, chat_id=GROUP, migrate_to_chat_id=SUPERGROUP)
    await office.feed(office.update_json(message=moved))
    assert office.minqing.settings.staff_chat_id == SUPERGROUP
    number = await new_case(office)
    assert any(number in c.params.get("text", "") for c in office.api.sent(SUPERGROUP))


async def test_a_reply_to_an_unrecorded_copy_is_matched_by_its_case_number(office: Office
                                                                           ) -> None:
    number, _ = await claimed_case(office)
    copy = {"message_id": 987654, "date": int(office.clock.now().timestamp()),
            "chat": {"id": STAFF, "type": "private"},
            "from": {"id": 7000000001, "is_bot": True, "first_name": "bot"},
            "text": f"💬 {number} · 张三：\n路灯坏了"}
    await office.send(STAFF, "明天派人去修", reply_to_message=copy)
    assert "明天派人去修" in office.last_text(CITIZEN)


async def test_a_reply_to_a_citizen_who_blocked_the_bot_is_not_called_sent(office: Office
                                                                           ) -> None:
    _, cid = await claimed_case(office)
    office.api.fail(403, "Forbidden: bot was blocked by the user", chat_id=CITIZEN, times=10)
    await office.press(STAFF, f"rp:{cid}")
    await office.send(STAFF, "您好，已安排")
    told = office.last_text(STAFF)
    assert "未能送达" in told and "屏蔽" in told
    events = await office.rows("SELECT kind FROM case_events WHERE kind = 'undelivered'")
    assert len(events) == 1
    await office.press(STAFF, f"rp:{cid}")
    await office.send(STAFF, "再试一次")
    assert not any(t.startswith("已发送给") for t in office.texts(STAFF)[-2:])


async def test_a_reply_given_up_after_its_retries_is_reported(office: Office, clock) -> None:
    _, cid = await claimed_case(office)
    office.api.fail(0, "connection reset", chat_id=CITIZEN, times=GIVE_UP_AFTER + 5)
    await office.press(STAFF, f"rp:{cid}")
    await office.send(STAFF, "您好")
    for _ in range(GIVE_UP_AFTER + 1):
        clock.advance(seconds=301)
        await office.settle()
    assert "多次重试后仍未送达" in office.last_text(STAFF)
    history = await office.rows("SELECT text FROM case_events WHERE kind = 'undelivered'")
    assert history == [{"text": "多次重试后仍未送达"}]


async def test_blocking_and_unblocking_are_followed(office: Office) -> None:
    await office.feed(member_update(office, CITIZEN, "kicked"))
    blocked = await office.rows("SELECT blocked_at FROM users WHERE telegram_id = ?", CITIZEN)
    assert blocked[0]["blocked_at"]
    await office.feed(member_update(office, CITIZEN, "member"))
    back = await office.rows("SELECT blocked_at FROM users WHERE telegram_id = ?", CITIZEN)
    assert back[0]["blocked_at"] is None


async def test_a_revoked_staff_member_leaves_the_staff_group(group_office: Office) -> None:
    office = group_office
    await office.send(ADMIN, f"/revoke {STAFF2}")
    calls = [(c.method, c.params.get("user_id")) for c in office.api.calls
             if c.method in ("banChatMember", "unbanChatMember")]
    assert calls == [("banChatMember", STAFF2), ("unbanChatMember", STAFF2)]
    # Without the right to ban, admins are told to do it by hand.
    office.api.fail(400, "Bad Request: not enough rights to restrict/unrestrict chat member",
                    method="banChatMember")
    await office.minqing.services.run(people.grant, ADMIN, STAFF2, "staff")
    await office.send(ADMIN, f"/revoke {STAFF2}")
    assert any("手动" in t and str(STAFF2) in t for t in office.texts(ADMIN))


async def test_a_flood_is_kept_whole_and_summed_up_for_staff(office: Office, clock) -> None:
    await claimed_case(office)
    office.api.clear()
    limit = office.settings.flood_messages
    for index in range(limit + 15):
        await office.send(CITIZEN, f"第{index}条")
    assert sum("发得很快" in t for t in office.texts(CITIZEN)) == 1
    relayed = [t for t in office.texts(STAFF) if t.startswith("💬")]
    assert len(relayed) == limit  # the summary waits for the minute's end
    kept = await office.rows("SELECT COUNT(*) AS n FROM case_events WHERE kind = 'message'")
    assert kept[0]["n"] == limit + 15
    clock.advance(seconds=61)
    await office.settle()
    summaries = [t for t in office.texts(STAFF) if "一分钟内又发来" in t]
    assert len(summaries) == 1 and "15 条" in summaries[0]
    assert f"第{limit}条" in summaries[0] and f"第{limit + 14}条" in summaries[0]
    # A new minute: messages are relayed one by one again.
    await office.send(CITIZEN, "新的一分钟")
    assert office.texts(STAFF)[-1].endswith("新的一分钟")


async def test_a_flood_s_attachments_go_along_up_to_a_limit(office: Office, clock) -> None:
    await claimed_case(office)
    limit = office.settings.flood_messages
    for index in range(limit):
        await office.send(CITIZEN, f"第{index}条")
    office.api.clear()
    for index in range(8):
        await office.photo(CITIZEN, f"FLOOD{index}")
    photos = office.api.sent(STAFF, "sendPhoto")
    assert len(photos) == office.settings.flood_attachments
    clock.advance(seconds=61)
    await office.settle()
    summary = next(t for t in office.texts(STAFF) if "一分钟内又发来" in t)
    assert "附件 8 个" in summary
