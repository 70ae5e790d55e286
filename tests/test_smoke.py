from tests.harness import CITIZEN, STAFF, STAFF2, Office


async def test_new_case_end_to_end(office: Office) -> None:
    await office.send(CITIZEN, "/start")
    assert "群众工作服务室" in office.last_text(CITIZEN)
    await office.send(CITIZEN, "/new")
    await office.press(CITIZEN, office.buttons(CITIZEN)["求助"])
    await office.send(CITIZEN, "路灯坏了")
    await office.press(CITIZEN, "nx")
    await office.press(CITIZEN, "pa:1")
    await office.send(CITIZEN, "13800138000")
    await office.press(CITIZEN, "cf:1")
    ack = office.last_text(CITIZEN)
    assert "QZ-2026-000001" in ack and "110" in ack
    cards = office.texts(STAFF)
    assert any("QZ-2026-000001" in t and "13800138000" in t for t in cards)
    assert any("QZ-2026-000001" in t for t in office.texts(STAFF2))
