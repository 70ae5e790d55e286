"""The outbox's priorities: in the staff chat a new case goes before a flooding citizen's
follow-ups; answers and relays go before reminders and reports, and those before broadcasts;
a broadcast to thousands never delays a citizen's relay by more than that chat's pacing."""

from __future__ import annotations

import asyncio

from bot.core.said import BROADCAST, FOLLOW_UP, NOW, SCHEDULED
from bot.outbox import Pacing
from storage.models import Outgoing
from tests.harness import CITIZEN, CITIZEN2, Office
from tests.test_citizen import new_case

GROUP = -100888


async def test_a_new_case_goes_before_a_flooding_citizen_s_follow_ups(
        group_office: Office) -> None:
    office = group_office
    await new_case(office, CITIZEN)
    # The second citizen's draft waits for its last press.
    await office.send(CITIZEN2, "/new")
    await office.press(CITIZEN2, "k:complaint")
    await office.send(CITIZEN2, "噪音扰民")
    await office.press(CITIZEN2, "nx")
    if "pa:1" in office.buttons(CITIZEN2).values():
        await office.press(CITIZEN2, "pa:1")
    await office.send(CITIZEN2, "13900139000")
    office.api.clear()
    # Six follow-ups of the first citizen, then the second citizen's submission, all at once.
    updates = [office.update_json(message=office.message_json(CITIZEN, f"补充{i}"))
               for i in range(6)]
    message = office.message_json(CITIZEN2, "…")
    message["from"] = {"id": 7000000001, "is_bot": True, "first_name": "bot"}
    updates.append(office.update_json(callback_query={
        "id": "q1", "from": office.user_json(CITIZEN2), "chat_instance": "ci",
        "data": "cf:1", "message": message}))
    # The sender is behind (as when the group's pacing holds it): everything is queued first.
    office.minqing.sender._delivering = False
    await office.minqing.inbox.ingest(updates)
    await office.minqing.inbox.process_pending()
    await office.minqing.sender.flush()
    texts = office.texts(GROUP)
    assert len(texts) == 7
    assert "噪音扰民" in texts[0]  # the new case's card first
    assert [t.rsplit("\n", 1)[-1] for t in texts[1:]] == [f"补充{i}" for i in range(6)]


async def test_priorities_order_one_chat_s_rows(office: Office) -> None:
    def queue(tx) -> None:
        now = office.clock.now()
        for priority, text in ((BROADCAST, "公告"), (SCHEDULED, "提醒"), (FOLLOW_UP, "续"),
                               (NOW, "答复"), (BROADCAST, "公告二"), (NOW, "答复二")):
            tx.outbox.add(Outgoing(chat_id=CITIZEN, payload={"text": text},
                                   priority=priority), now)

    await office.minqing.db.write(queue)
    await office.minqing.sender.flush()
    assert office.texts(CITIZEN) == ["答复", "答复二", "续", "提醒", "公告", "公告二"]


async def test_a_broadcast_of_thousands_never_holds_up_a_relay(office: Office) -> None:
    sender = office.minqing.sender
    sender.pacing = Pacing()  # Telegram's real pacing: 30 a second overall
    office.api.record = False

    def broadcast(tx) -> None:
        now = office.clock.now()
        for index in range(3000):
            tx.outbox.add(Outgoing(chat_id=900_000 + index, payload={"text": "公告"},
                                   priority=BROADCAST), now)

    await office.minqing.db.write(broadcast)
    running = asyncio.create_task(sender.run())
    try:
        for _ in range(200):  # bounded: the broadcast has begun
            await asyncio.sleep(0.01)
            if len(sender._queues) < 3000:
                break
        office.api.record = True
        waited = await office.time_a_reply(CITIZEN2, "工作人员的答复", bound=500)
        assert office.texts(CITIZEN2) == ["工作人员的答复"]
        # The chat's own pacing lets it through at once; the overall 30/s adds 1/30 s at most.
        assert waited < 0.5, f"the relay waited {waited:.2f} s behind the broadcast"
        assert len(sender._queues) > 2500  # the broadcast was still going on
    finally:
        await sender.stop()
        running.cancel()
