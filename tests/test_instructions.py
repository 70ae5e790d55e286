"""批示 (issue 10 §5, from /case): a leader's instruction reaches the case's owner, stays in the
history and shows on the card; for an unclaimed case it reaches wherever staff follow it."""

from __future__ import annotations

from tests.harness import LEADER, STAFF, STAFF2, Office
from tests.test_citizen import new_case


async def case_id(office: Office, number: str) -> int:
    return (await office.rows("SELECT id FROM cases WHERE number = ?", number))[0]["id"]


async def test_an_instruction_reaches_the_owner_and_stays_on_the_card(office: Office) -> None:
    number = await new_case(office)
    cid = await case_id(office, number)
    await office.press(STAFF, f"cl:{cid}")
    await office.send(STAFF, f"/case {number}")
    assert "批示" not in office.buttons(STAFF)  # staff give none
    await office.send(LEADER, f"/case {number}")
    assert office.buttons(LEADER)["批示"] == f"ins:{cid}"
    await office.press(LEADER, f"ins:{cid}")
    assert office.last_text(LEADER) == f"请发送对 {number} 的批示："
    await office.send(LEADER, "   ")
    assert office.last_text(LEADER) == "消息是空的，请重新发送。"  # the dialogue waits on
    await office.send(LEADER, "长" * 1001)
    assert "最多 1000 个字" in office.last_text(LEADER)
    await office.send(LEADER, "请三日内联系当事人，妥善处理。")
    assert office.last_text(LEADER) == f"对 {number} 的批示已转给李四。"
    assert office.last_text(STAFF) == (
        f"📌 陈局长对 {number} 的批示：\n请三日内联系当事人，妥善处理。")
    await office.send(STAFF, f"/case {number}")
    card = office.last_text(STAFF)
    assert "📌 批示：\n陈局长 · 请三日内联系当事人，妥善处理。" in card
    assert "领导批示：请三日内联系当事人，妥善处理。" in card  # in the history too
    events = await office.rows("SELECT actor_id, direction FROM case_events WHERE kind = ?",
                               "instruction")
    assert events == [{"actor_id": LEADER, "direction": "internal"}]
    # Never to the citizen.
    assert not any("批示" in t for t in office.texts(1001))


async def test_an_instruction_on_an_unclaimed_case_reaches_the_staff(office: Office) -> None:
    number = await new_case(office)
    cid = await case_id(office, number)
    office.api.clear()
    await office.press(LEADER, f"ins:{cid}")
    await office.send(LEADER, "尽快认领")
    for staff in (STAFF, STAFF2):
        assert office.last_text(staff) == (
            f"📌 {number} · 陈局长的批示（事项尚未认领）：\n尽快认领")
    assert office.last_text(LEADER) == f"对 {number} 的批示已转给工作人员（事项尚未认领）。"
