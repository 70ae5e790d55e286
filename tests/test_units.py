"""The bureau's subordinate units (issue 10 §1): admins register them with liaisons and a
responsible leader from /units; staff name the unit a case concerns at claim, at registration
or later."""

from __future__ import annotations

from bot.services import people
from tests.harness import ADMIN, LEADER, STAFF, Office
from tests.test_citizen import new_case

LIAISON = 5005


async def add_unit(office: Office, name: str) -> int:
    await office.send(ADMIN, "/units")
    await office.press(ADMIN, office.buttons(ADMIN)["新增单位"])
    await office.send(ADMIN, name)
    rows = await office.rows("SELECT id FROM units WHERE name = ?", name.strip())
    return rows[0]["id"]


async def test_admins_register_units_with_liaisons_and_a_leader(office: Office) -> None:
    await office.minqing.services.run(people.grant, ADMIN, LIAISON, "liaison")
    await office.minqing.services.run(people.seen, LIAISON, "钱联络", None)
    await office.send(ADMIN, "/units")
    assert "还没有登记下属单位" in office.last_text(ADMIN)
    unit_id = await add_unit(office, "  市博物馆 ")
    assert office.texts(ADMIN)[-2] == "已登记下属单位：市博物馆。"
    assert "【市博物馆】" in office.last_text(ADMIN) and "⚠️ 无联络人" in office.last_text(ADMIN)
    # A second unit of the same name is refused, and the dialogue waits for another name.
    await office.send(ADMIN, "/units")
    await office.press(ADMIN, "un")
    await office.send(ADMIN, "市博物馆")
    assert "已有名为“市博物馆”的单位" in office.last_text(ADMIN)
    await office.send(ADMIN, "文物保护中心")
    assert await office.rows("SELECT name FROM units ORDER BY id") == [
        {"name": "市博物馆"}, {"name": "文物保护中心"}]
    # Liaisons: a toggle among the people with the liaison role.
    await office.press(ADMIN, f"ul:{unit_id}")
    assert office.buttons(ADMIN) == {"钱联络": f"lt:{unit_id}:{LIAISON}"}
    await office.press(ADMIN, f"lt:{unit_id}:{LIAISON}")
    assert office.last_text(ADMIN) == "钱联络 已成为 市博物馆 的联络人。"
    await office.press(ADMIN, f"ul:{unit_id}")
    assert office.buttons(ADMIN) == {"✓ 钱联络": f"lt:{unit_id}:{LIAISON}"}
    # Someone without the role cannot be made a liaison, whatever the button says.
    await office.press(ADMIN, f"lt:{unit_id}:{STAFF}")
    assert office.alerts()[-1] == f"用户 {STAFF} 不是单位联络人。"
    # The leader, and a rename.
    await office.press(ADMIN, f"ug:{unit_id}")
    await office.press(ADMIN, f"lg:{unit_id}:{LEADER}")
    assert office.last_text(ADMIN) == "市博物馆 的负责领导：陈局长。"
    await office.press(ADMIN, f"ur:{unit_id}")
    await office.send(ADMIN, "市博物馆（新馆）")
    await office.send(ADMIN, "/units")
    listing = office.last_text(ADMIN)
    assert "下属单位（共 2 个）" in listing
    assert "市博物馆（新馆） · 负责领导：陈局长 · 联络人：钱联络" in listing
    assert "文物保护中心 · 负责领导：无 · 联络人：⚠️ 无联络人" in listing
    without = await office.minqing.db.read(lambda tx: tx.units.without_liaison())
    assert [u.name for u in without] == ["文物保护中心"]
    actions = await office.rows("SELECT action FROM audit_log WHERE action LIKE 'unit_%'"
                                " ORDER BY id")
    assert [a["action"] for a in actions] == ["unit_add", "unit_add", "unit_liaison",
                                              "unit_leader", "unit_rename"]


async def test_the_unit_a_case_concerns_is_asked_at_claim_and_can_change(office: Office) -> None:
    number = await new_case(office)
    unit_id = await add_unit(office, "市博物馆")
    case_id = (await office.rows("SELECT id FROM cases WHERE number = ?", number))[0]["id"]
    office.api.clear()
    await office.press(STAFF, f"cl:{case_id}")
    assert office.last_text(STAFF) == f"{number} 涉及哪个下属单位？"
    assert office.buttons(STAFF) == {"市博物馆": f"cs:{case_id}:{unit_id}",
                                     "不涉及下属单位": f"cs:{case_id}:0"}
    await office.press(STAFF, f"cs:{case_id}:{unit_id}")
    assert office.last_text(STAFF) == f"{number} 所涉单位：市博物馆。"
    assert await office.rows("SELECT unit_id FROM cases WHERE id = ?", case_id) == [
        {"unit_id": unit_id}]
    # Later, from the case's card.
    await office.send(STAFF, f"/case {number}")
    assert office.buttons(STAFF)["所涉单位"] == f"cu:{case_id}"
    assert "所涉单位：市博物馆" in office.last_text(STAFF)  # in the history
    await office.press(STAFF, f"cu:{case_id}")
    assert office.buttons(STAFF)["✓ 市博物馆"] == f"cs:{case_id}:{unit_id}"
    await office.press(STAFF, f"cs:{case_id}:0")
    assert office.last_text(STAFF) == f"{number} 不涉及下属单位。"
    assert await office.rows("SELECT unit_id FROM cases WHERE id = ?", case_id) == [
        {"unit_id": None}]
    # A unit that does not exist changes nothing.
    await office.press(STAFF, f"cs:{case_id}:999")
    assert office.alerts()[-1] == "没有找到该单位。"


async def test_registration_asks_the_unit_too(office: Office) -> None:
    await add_unit(office, "市博物馆")
    await office.send(STAFF, "/register")
    await office.press(STAFF, "rc:visit")
    await office.press(STAFF, "k:complaint")
    for answer in ("李大爷", "13700137000", "来访反映展馆噪音"):
        await office.send(STAFF, answer)
    await office.press(STAFF, "cf:1")
    texts = office.texts(STAFF)
    assert "已登记" in texts[-2] and "涉及哪个下属单位" in texts[-1]


async def test_without_units_nothing_asks_for_one(office: Office) -> None:
    number = await new_case(office)
    case_id = (await office.rows("SELECT id FROM cases WHERE number = ?", number))[0]["id"]
    await office.press(STAFF, f"cl:{case_id}")
    assert "下属单位" not in office.last_text(STAFF)
    await office.press(STAFF, f"cu:{case_id}")
    assert office.alerts()[-1] == "还没有登记下属单位（管理员可用 /units 登记）。"

