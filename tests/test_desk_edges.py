"""The desk's rough edges found in the field test: replies to resolved cases, refusals at the
press, hand-overs of unclaimed cases, and successes said only when something changed."""

from __future__ import annotations

from bot.services import cases
from tests.harness import ADMIN, CITIZEN, LEADER, STAFF, STAFF2, Office, ymd, zh_day
from tests.test_citizen import new_case
from tests.test_desk import case_id, claimed_case


async def resolved_case(office: Office) -> tuple[str, int]:
    number, cid = await claimed_case(office)
    await office.press(STAFF, f"rs:{cid}")
    await office.send(STAFF, "已修好")
    return number, cid


async def test_a_reply_to_a_resolved_case_asks_and_never_reopens_by_itself(office: Office,
                                                                           clock) -> None:
    number, cid = await resolved_case(office)
    resolution = office.last_text(CITIZEN)
    assert "如有异议" in resolution and "有异议，重新办理" in resolution
    before = (await office.rows("SELECT resolved_at FROM cases"))[0]
    clock.advance(days=3)
    await office.send(CITIZEN, "谢谢，已经亮了")
    assert (await office.rows("SELECT state FROM cases"))[0]["state"] == "resolved"
    assert "有异议" in office.last_text(CITIZEN)
    assert set(office.buttons(CITIZEN).values()) == {f"ro:{cid}", f"rr:{cid}"}
    history = await office.rows("SELECT kind, text FROM case_events WHERE direction = 'in'")
    assert {"kind": "message", "text": "谢谢，已经亮了"} in history
    await office.press(CITIZEN, f"rr:{cid}")
    assert office.last_text(CITIZEN) == (
        f"好的，您的消息已记入事项 {number}，事项仍为“已办结”。")
    assert (await office.rows("SELECT state, resolved_at FROM cases"))[0] == {
        "state": "resolved", "resolved_at": before["resolved_at"]}
    # Auto-close is not restarted by the reply: it counts from the resolution.
    clock.advance(days=4, minutes=1)
    assert await office.minqing.services.run(cases.auto_close) == [number]


async def test_without_an_answer_the_case_stays_resolved(office: Office) -> None:
    _, cid = await resolved_case(office)
    await office.send(CITIZEN, "还有个问题")
    await office.send(CITIZEN, "另外一点")
    assert (await office.rows("SELECT state FROM cases"))[0]["state"] == "resolved"
    asks = [t for t in office.texts(CITIZEN) if "有异议，还是只是回复" in t]
    assert len(asks) == 1  # asked once for a burst, not once per message
    messages = await office.rows("SELECT text FROM case_events WHERE kind = 'message'")
    assert [m["text"] for m in messages] == ["还有个问题", "另外一点"]
    await office.press(CITIZEN, f"ro:{cid}")
    await office.press(CITIZEN, f"ro:{cid}")  # a second press finds it open already
    assert "当前为“办理中”" in office.alerts()[-1]


async def test_added_messages_are_acknowledged_at_most_once_a_minute(office: Office,
                                                                     clock) -> None:
    number = await new_case(office)
    office.api.clear()
    await office.send(CITIZEN, "补充一")
    await office.send(CITIZEN, "补充二")
    clock.advance(seconds=61)
    await office.send(CITIZEN, "补充三")
    acks = [t for t in office.texts(CITIZEN) if t == f"已补充到事项 {number}。"]
    assert len(acks) == 2


async def test_reply_is_refused_at_the_press_on_a_resolved_case(office: Office) -> None:
    number, cid = await resolved_case(office)
    await office.press(STAFF, f"rp:{cid}")
    assert office.alerts()[-1] == f"事项 {number} 当前为“已办结”，不能这样做。"
    assert await office.rows("SELECT * FROM dialogues WHERE user_id = ?", STAFF) == []
    await office.send(STAFF, "你好")
    assert "当前为" not in office.last_text(STAFF)  # the usual hint, not a stuck refusal


async def test_a_case_resolved_between_the_press_and_the_text_ends_the_dialogue(
        office: Office) -> None:
    number, cid = await claimed_case(office)
    await office.press(STAFF, f"rp:{cid}")
    await office.press(LEADER, f"rs:{cid}")
    await office.send(LEADER, "领导已处理")
    await office.send(STAFF, "答复内容")
    assert office.last_text(STAFF) == f"事项 {number} 当前为“已办结”，不能这样做。"
    assert "答复内容" not in office.last_text(CITIZEN)
    assert await office.rows("SELECT * FROM dialogues WHERE user_id = ?", STAFF) == []
    await office.send(STAFF, "你好")
    assert "当前为" not in office.last_text(STAFF)


async def test_transfers_of_unclaimed_cases(office: Office) -> None:
    number = await new_case(office)
    cid = await case_id(office, number)
    await office.press(STAFF, f"tr:{cid}")
    assert office.alerts()[-1] == (
        f"事项 {number} 还没有人认领。请先点「认领」，再转交或办理。")
    # A leader hands it out (分办): the citizen is told, as on a claim.
    office.api.clear()
    await office.press(LEADER, f"tr:{cid}")
    await office.press(LEADER, f"tt:{cid}:{STAFF2}")
    await office.send(LEADER, "请赵六负责")
    assert (await office.rows("SELECT state, owner_id FROM cases"))[0] == {
        "state": "accepted", "owner_id": STAFF2}
    assert any("已受理" in t for t in office.texts(CITIZEN))
    await office.send(STAFF2, f"/case {number}")
    assert "→ 赵六（分办：请赵六负责）" in office.last_text(STAFF2)


async def test_successes_are_said_only_when_something_changed(office: Office) -> None:
    await office.send(ADMIN, f"/rotation day {LEADER} {ymd(0)}")
    audit = len(await office.rows("SELECT id FROM audit_log"))
    await office.send(ADMIN, f"/holiday remove {ymd(30)}")
    assert office.last_text(ADMIN) == f"{zh_day(30)} 不在节假日日历中，未做任何更改。"
    await office.send(ADMIN, f"/duty_swap {ymd(1)} {ymd(1)} 个人原因")
    assert office.last_text(ADMIN) == "两个日期的值班领导相同（陈局长），交换不会改变任何安排。"
    assert len(await office.rows("SELECT id FROM audit_log")) == audit


async def test_an_album_in_new_is_counted_whole(office: Office, clock) -> None:
    await office.send(CITIZEN, "/new")
    await office.press(CITIZEN, "k:help")
    office.api.clear()
    photos = [[{"file_id": f"N{i}", "file_unique_id": f"uN{i}", "width": 1, "height": 1}]
              for i in range(3)]
    await office.feed(*[office.update_json(message=office.message_json(
        CITIZEN, "路灯坏了" if i == 0 else None, caption=i == 0, media_group_id="NEW1",
        photo=photos[i])) for i in range(3)])
    clock.advance(seconds=2)
    await office.settle()
    answers = [t for t in office.texts(CITIZEN) if t.startswith("已记录")]
    assert answers == ["已记录（附件 3 个）。可继续发送图片或文件补充，完成后点「继续」。"]
    assert office.buttons(CITIZEN) == {"继续": "nx"}


async def test_extend_once_is_checked_against_the_whole_history(office: Office) -> None:
    number, cid = await claimed_case(office)
    await office.send(STAFF, f"/extend {number} 需要现场勘查")
    for index in range(210):  # more events than one page of the history
        await office.minqing.db.write(lambda tx, i=index: tx.cases.add_event(
            cid, office.clock.now(), actor_id=STAFF, direction="internal", kind="note",
            text=f"记录{i}"))
    await office.send(STAFF, f"/extend {number} 再次延期")
    assert office.last_text(STAFF) == f"事项 {number} 已延期过一次。"


async def test_a_claim_made_between_the_read_and_the_write_wins_alone(office: Office,
                                                                      monkeypatch) -> None:
    """One owner per case rests on one conditional UPDATE: a seam claims the case for someone
    else after the service has read it unclaimed; the service's claim must then lose."""
    from storage.repos import Cases

    number = await new_case(office)
    cid = await case_id(office, number)
    real = Cases.get

    def read_then_lose_it(self, wanted):
        read = real(self, wanted)
        if read is not None and read.owner_id is None and read.state == "new":
            self.c.execute("UPDATE cases SET state = 'accepted', owner_id = ? WHERE id = ?",
                           (STAFF2, wanted))
        return read

    monkeypatch.setattr(Cases, "get", read_then_lose_it)
    await office.press(STAFF, f"cl:{cid}")
    monkeypatch.setattr(Cases, "get", real)
    assert office.alerts()[-1] == f"事项 {number} 已由 赵六 认领。"
    # The refusal rolls back its own transaction (the seam's write with it, here); what
    # matters is that 李四 never became an owner.
    owner = await office.rows("SELECT owner_id FROM cases WHERE id = ?", cid)
    assert owner[0]["owner_id"] != STAFF
    assert await office.rows("SELECT * FROM case_owners WHERE case_id = ?", cid) == []
