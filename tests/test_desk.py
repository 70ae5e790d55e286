"""The staff desk: cards, claim (and its race), replies, transfer, resolve, reject, roles."""

from __future__ import annotations

import asyncio
import json

from bot.core.rules import RuleError
from bot.services import cases
from storage.models import User
from tests.harness import (
    ADMIN,
    CITIZEN,
    CITIZEN2,
    HANDLE_DUE,
    LEADER,
    STAFF,
    STAFF2,
    YEAR,
    Office,
    ymd,
    zh_day,
)
from tests.test_citizen import new_case


async def case_id(office: Office, number: str) -> int:
    return (await office.rows("SELECT id FROM cases WHERE number = ?", number))[0]["id"]


async def claimed_case(office: Office, staff: int = STAFF) -> tuple[str, int]:
    number = await new_case(office)
    cid = await case_id(office, number)
    await office.press(staff, f"cl:{cid}")
    return number, cid


async def test_card_reaches_each_staff_member_with_buttons(office: Office) -> None:
    number = await new_case(office)
    for staff in (STAFF, STAFF2):
        card = next(t for t in office.texts(staff) if number in t)
        assert "张三" in card and "13800138000" in card and "路灯坏了" in card
        assert set(office.buttons(staff)) == {"认领", "回复", "转交", "办结", "不予受理"}
    # The citizen's own messages never show the phone number to other citizens.
    assert office.texts(CITIZEN2) == []


async def test_forum_staff_chat_gets_one_topic_per_case(forum_office: Office) -> None:
    office = forum_office
    number = await new_case(office)
    topics = office.api.sent(-100777, "createForumTopic")
    assert [c.params["name"] for c in topics] == [f"{number} 求助"]
    card = office.api.sent(-100777, "sendMessage")[-1]
    topic_id = (await office.rows("SELECT topic_id FROM cases"))[0]["topic_id"]
    assert topic_id and card.params["message_thread_id"] == topic_id
    assert office.texts(STAFF) == []  # nothing in private chats when the group exists


async def test_owner_writing_in_the_topic_is_relayed_others_stay_internal(
    forum_office: Office,
) -> None:
    office = forum_office
    await claimed_case(office)
    topic = (await office.rows("SELECT topic_id FROM cases"))[0]["topic_id"]
    office.api.clear()
    await office.send(STAFF, "我们明天派人维修", chat_id=-100777, message_thread_id=topic,
                      is_topic_message=True)
    reply = office.last_text(CITIZEN)
    assert "群众工作服务室" in reply and "我们明天派人维修" in reply and "李四" not in reply
    await office.send(STAFF2, "内部：注意安全", chat_id=-100777, message_thread_id=topic,
                      is_topic_message=True)
    assert not any("注意安全" in t for t in office.texts(CITIZEN))
    events = await office.rows("SELECT direction, kind, text FROM case_events ORDER BY id")
    assert {"direction": "internal", "kind": "note", "text": "内部：注意安全"} in events
    assert {"direction": "out", "kind": "reply", "text": "我们明天派人维修"} in events
    # The citizen's next message goes into the topic.
    await office.send(CITIZEN, "谢谢")
    relay = office.api.sent(-100777, "sendMessage")[-1]
    assert relay.params["message_thread_id"] == topic and "谢谢" in relay.params["text"]


async def test_plain_group_owner_replies_to_the_card(group_office: Office) -> None:
    office = group_office
    number = await new_case(office)
    card = next(c for c in office.api.sent(-100888, "sendMessage") if number in c.params["text"])
    assert "message_thread_id" not in card.params
    cid = await case_id(office, number)
    await office.press(STAFF, f"cl:{cid}", chat_id=-100888, message_id=card.result["message_id"])
    await office.send(STAFF, "收到，马上处理", chat_id=-100888,
                      reply_to_message=card.result)
    assert "收到，马上处理" in office.last_text(CITIZEN)


async def test_claim_makes_the_first_staff_member_owner(office: Office) -> None:
    number, cid = await claimed_case(office)
    row = (await office.rows(f"SELECT state, owner_id, {HANDLE_DUE} FROM cases"))[0]
    assert row["state"] == "accepted" and row["owner_id"] == STAFF
    assert row["due_at"].startswith(ymd(30))  # a help request: the office's 30 days
    assert "已受理" in office.last_text(CITIZEN)
    await office.press(STAFF2, f"cl:{cid}")
    assert office.alerts()[-1] == f"事项 {number} 已由 李四 认领。"


async def test_two_claims_at_once_give_one_owner(office: Office) -> None:
    number = await new_case(office)
    cid = await case_id(office, number)
    staff = [User(telegram_id=STAFF, role="staff", display_name="李四"),
             User(telegram_id=STAFF2, role="staff", display_name="赵六")]
    services = office.minqing.services
    results = await asyncio.gather(
        *(services.run(cases.claim, s, cid) for s in staff), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, RuleError)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].key == "err_already_owned"
    owners = await office.rows("SELECT owner_id FROM case_owners")
    assert len(owners) == 1


async def test_reply_button_relays_the_next_message_with_attachments(office: Office) -> None:
    number, cid = await claimed_case(office)
    office.api.clear()
    await office.press(STAFF, f"rp:{cid}")
    assert number in office.last_text(STAFF)
    await office.photo(STAFF, "STAFFPHOTO", caption="整改前后对比")
    photo = office.api.sent(CITIZEN, "sendPhoto")[-1]
    assert photo.params["photo"] == "STAFFPHOTO" and "整改前后对比" in photo.params["caption"]
    assert "群众工作服务室" in photo.params["caption"]
    assert office.last_text(STAFF) == f"已发送给 {number} 的群众。"


async def test_citizen_album_is_relayed_as_one_album(office: Office, clock) -> None:
    await claimed_case(office)
    office.api.clear()
    photos = [[{"file_id": f"A{i}", "file_unique_id": f"uA{i}", "width": 1, "height": 1}]
              for i in range(3)]
    updates = [office.update_json(message=office.message_json(
        CITIZEN, "三张照片" if i == 0 else None, caption=i == 0, media_group_id="G1",
        photo=photos[i])) for i in range(3)]
    await office.feed(*updates)
    assert office.api.sent(STAFF, "sendMediaGroup") == []  # waiting for the other parts
    clock.advance(seconds=2)
    await office.settle()
    albums = office.api.sent(STAFF, "sendMediaGroup")
    assert len(albums) == 1
    media = albums[0].params["media"]
    media = json.loads(media) if isinstance(media, str) else media
    assert [m["media"] for m in media] == ["A0", "A1", "A2"]
    assert "三张照片" in media[0]["caption"] and all("caption" not in m for m in media[1:])


async def test_voice_and_document_relay_by_file_id(office: Office) -> None:
    await claimed_case(office)
    office.api.clear()
    await office.send(CITIZEN, None, voice={"file_id": "V1", "file_unique_id": "uV1",
                                            "duration": 2})
    await office.document(CITIZEN, "DOC9")
    assert office.api.sent(STAFF, "sendVoice")[-1].params["voice"] == "V1"
    assert office.api.sent(STAFF, "sendDocument")[-1].params["document"] == "DOC9"


async def test_only_owner_leader_or_admin_may_reply_transfer_resolve(office: Office) -> None:
    number, cid = await claimed_case(office)
    for action in ("rp", "tr", "rs"):
        await office.press(STAFF2, f"{action}:{cid}")
        assert office.alerts()[-1].startswith(f"事项 {number} 由 李四 负责")
    await office.press(LEADER, f"rp:{cid}")
    await office.send(LEADER, "领导批示：尽快办理")
    assert "领导批示" in office.last_text(CITIZEN)
    await office.press(ADMIN, f"rs:{cid}")
    assert "办结意见" in office.last_text(ADMIN)


async def test_citizen_pressing_a_staff_button_is_refused(office: Office) -> None:
    number = await new_case(office)
    cid = await case_id(office, number)
    for action in ("cl", "rp", "tr", "rs", "rj", "vw"):
        await office.press(CITIZEN, f"{action}:{cid}")
        assert office.alerts()[-1] == "只有工作人员可以这样做。"
    row = (await office.rows("SELECT state, owner_id FROM cases"))[0]
    assert row == {"state": "new", "owner_id": None}
    await office.send(CITIZEN, "/cases")
    assert office.last_text(CITIZEN) == "只有工作人员可以这样做。"
    await office.send(CITIZEN, f"/case {number}")
    assert office.last_text(CITIZEN) == "只有工作人员可以这样做。"


async def test_transfer_with_reason_tells_both_and_keeps_the_chain(office: Office) -> None:
    number, cid = await claimed_case(office)
    await office.press(STAFF, f"tr:{cid}")
    assert office.buttons(STAFF) == {"赵六": f"tt:{cid}:{STAFF2}"}
    await office.press(STAFF, f"tt:{cid}:{STAFF2}")
    await office.send(STAFF, "赵六熟悉该小区")
    assert "赵六熟悉该小区" in office.last_text(STAFF2)
    assert "转交给 赵六" in office.last_text(STAFF)
    chain = await office.rows("SELECT owner_id, reason FROM case_owners ORDER BY id")
    assert chain == [{"owner_id": STAFF, "reason": "claim"},
                     {"owner_id": STAFF2, "reason": "赵六熟悉该小区"}]
    await office.press(STAFF, f"rp:{cid}")
    assert office.alerts()[-1].startswith(f"事项 {number} 由 赵六 负责")


async def test_resolve_and_reject_are_told_to_the_citizen(office: Office) -> None:
    number, cid = await claimed_case(office)
    await office.press(STAFF, f"rs:{cid}")
    await office.send(STAFF, "路灯已修复")
    assert "路灯已修复" in office.last_text(CITIZEN) and number in office.last_text(CITIZEN)
    assert (await office.rows("SELECT state FROM cases"))[0]["state"] == "resolved"
    other = await new_case(office, CITIZEN2, text="不归我们管")
    oid = await case_id(office, other)
    await office.press(STAFF2, f"rj:{oid}")
    await office.send(STAFF2, "请向住建部门反映")
    assert "请向住建部门反映" in office.last_text(CITIZEN2)
    row = (await office.rows("SELECT state, owner_id FROM cases WHERE id = ?", oid))[0]
    assert row == {"state": "rejected", "owner_id": STAFF2}  # owner of record


async def test_accepted_case_can_be_rejected_only_by_its_owner(office: Office) -> None:
    number, cid = await claimed_case(office)
    await office.press(STAFF2, f"rj:{cid}")
    assert office.alerts()[-1].startswith(f"事项 {number} 由 李四 负责")
    await office.press(STAFF, f"rj:{cid}")
    await office.send(STAFF, "")  # empty: refused, still waiting for the reason
    await office.send(STAFF, "重复事项")
    assert (await office.rows("SELECT state FROM cases"))[0]["state"] == "rejected"


async def test_invalid_transitions_are_refused(office: Office) -> None:
    number = await new_case(office)
    cid = await case_id(office, number)
    await office.press(ADMIN, f"rs:{cid}")  # a new case cannot be resolved
    assert office.alerts()[-1] == f"事项 {number} 当前为“待受理”，不能这样做。"
    await office.press(STAFF, f"rj:{cid}")
    await office.send(STAFF, "不予受理")
    # Claiming a rejected case is refused for its state, not for who rejected it.
    await office.press(STAFF2, f"cl:{cid}")
    assert office.alerts()[-1] == f"事项 {number} 当前为“不予受理”，不能这样做。"
    await office.press(CITIZEN, f"wy:{cid}")
    assert office.alerts()[-1] == f"事项 {number} 当前为“不予受理”，不能这样做。"


async def test_resolved_case_closes_after_seven_days_unless_the_citizen_writes(
    office: Office, clock
) -> None:
    number, cid = await claimed_case(office)
    await office.press(STAFF, f"rs:{cid}")
    await office.send(STAFF, "已处理")
    clock.advance(days=3)
    await office.send(CITIZEN, "还是不亮")
    assert (await office.rows("SELECT state FROM cases"))[0]["state"] == "resolved"
    assert "有异议" in office.last_text(CITIZEN)
    await office.press(CITIZEN, f"ro:{cid}")
    assert (await office.rows("SELECT state FROM cases"))[0]["state"] == "accepted"
    assert "重新打开" in office.last_text(CITIZEN)
    await office.press(STAFF, f"rs:{cid}")
    await office.send(STAFF, "已更换灯泡")
    clock.advance(days=6)
    assert await office.minqing.services.run(cases.auto_close) == []
    clock.advance(days=2)
    assert await office.minqing.services.run(cases.auto_close) == [number]
    await office.settle()
    assert (await office.rows("SELECT state FROM cases"))[0]["state"] == "closed"
    assert "已关闭" in office.last_text(CITIZEN)
    assert await office.minqing.services.run(cases.auto_close) == []


async def test_queue_lists_unclaimed_first_then_oldest(office: Office, clock) -> None:
    first, _ = await claimed_case(office)
    clock.advance(hours=1)
    second = await new_case(office, CITIZEN2, text="第二")
    await office.send(STAFF, "/cases")
    text = office.last_text(STAFF)
    assert text.index(second) < text.index(first)
    await office.send(STAFF, f"/case {first}")
    view = office.last_text(STAFF)
    assert "路灯坏了" in view and "负责人记录" in view and "认领" in view
    await office.send(STAFF, f"/case QZ-{YEAR}-999999")
    assert office.last_text(STAFF) == "没有找到该事项。"


async def test_extension_once_with_reason(office: Office) -> None:
    number, _ = await claimed_case(office)
    await office.send(STAFF, f"/extend {number} 需要协调多个部门")
    assert "需要协调多个部门" in office.last_text(CITIZEN)
    # the office's 30 days for a help request, and the 30 of the extension
    assert zh_day(60) in office.last_text(CITIZEN)
    await office.send(STAFF, f"/extend {number} 再延")
    assert "已延期过一次" in office.last_text(STAFF)


async def test_register_offline_case_and_link_it_later(office: Office) -> None:
    await office.send(STAFF, "/register")
    await office.press(STAFF, "rc:phone")
    await office.press(STAFF, "k:complaint")
    await office.send(STAFF, "孙大娘")
    await office.send(STAFF, "13912345678")
    await office.send(STAFF, "反映楼道堆物")
    await office.press(STAFF, "cf:1")
    done = office.last_text(STAFF)
    row = (await office.rows("SELECT * FROM cases"))[0]
    assert row["channel"] == "phone" and row["owner_id"] == STAFF and row["state"] == "accepted"
    assert row["citizen_id"] is None and row["link_code"] in done
    # No chat: a reply is kept as an internal note and staff are told to call.
    await office.press(STAFF, f"rp:{row['id']}")
    await office.send(STAFF, "已联系物业")
    assert "13912345678" in office.last_text(STAFF)
    await office.send(CITIZEN, f"/link {row['number']} WRONGCODE")
    assert "不正确" in office.last_text(CITIZEN)
    await office.send(CITIZEN, f"/link {row['number']} {row['link_code']}")
    assert "已与您的账号关联" in office.last_text(CITIZEN)
    await office.press(STAFF, f"rp:{row['id']}")
    await office.send(STAFF, "物业已清理")
    assert "物业已清理" in office.last_text(CITIZEN)


async def test_staff_writing_privately_without_a_dialogue_gets_a_hint(office: Office) -> None:
    await office.send(STAFF, "你好")
    assert "/cases" in office.last_text(STAFF)


async def test_staff_reply_to_a_relayed_message_answers_its_case(office: Office) -> None:
    await claimed_case(office)
    await office.send(CITIZEN, "什么时候修？")
    relay = office.api.sent(STAFF, "sendMessage")[-1]
    await office.send(STAFF, "本周内", reply_to_message=relay.result)
    assert "本周内" in office.last_text(CITIZEN)


async def test_owner_album_in_the_topic_reaches_the_citizen_as_one_album(
    forum_office: Office, clock
) -> None:
    office = forum_office
    await claimed_case(office)
    topic = (await office.rows("SELECT topic_id FROM cases"))[0]["topic_id"]
    office.api.clear()
    updates = [office.update_json(message=office.message_json(
        STAFF, "整改照片" if i == 0 else None, caption=i == 0, chat_id=-100777,
        message_thread_id=topic, is_topic_message=True, media_group_id="S1",
        photo=[{"file_id": f"S{i}", "file_unique_id": f"uS{i}", "width": 1, "height": 1}]))
        for i in range(2)]
    await office.feed(*updates)
    clock.advance(seconds=2)
    await office.settle()
    albums = office.api.sent(CITIZEN, "sendMediaGroup")
    assert len(albums) == 1
    media = albums[0].params["media"]
    media = json.loads(media) if isinstance(media, str) else media
    assert [m["media"] for m in media] == ["S0", "S1"]
    assert "群众工作服务室" in media[0]["caption"] and "李四" not in media[0]["caption"]
