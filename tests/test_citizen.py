"""The citizen's journey: /start, /lang, /new (every kind of step), /mycases, routing."""

from __future__ import annotations

from tests.harness import CITIZEN, CITIZEN2, STAFF, YEAR, Office, moment, ymd, zh_day


async def new_case(office: Office, user: int = CITIZEN, kind: str = "help",
                   text: str = "路灯坏了", phone: str | None = "13800138000") -> str:
    await office.send(user, "/new")
    await office.press(user, f"k:{kind}")
    await office.send(user, text)
    await office.press(user, "nx")
    if "pa:1" in office.buttons(user).values():
        await office.press(user, "pa:1")
    if phone:
        await office.send(user, phone)
    else:
        await office.press(user, "sk")
    if kind == "petition":
        await office.send(user, "张三丰")
    await office.press(user, "cf:1")
    rows = await office.rows("SELECT number FROM cases WHERE citizen_id = ? ORDER BY id DESC",
                             user)
    return rows[0]["number"]


async def test_start_shows_greeting_contact_card_and_menu(office: Office) -> None:
    await office.send(CITIZEN, "/start")
    text = office.last_text(CITIZEN)
    assert "张三" in text and "0531-12345678" in text and "09:00-17:00" in text
    assert set(office.buttons(CITIZEN).values()) == {
        "menu:new", "menu:mycases", "menu:talks", "menu:card"}


async def test_lang_switches_to_english_and_is_remembered(office: Office) -> None:
    await office.send(CITIZEN, "/lang")
    await office.press(CITIZEN, "lang:en")
    assert office.last_text(CITIZEN) == "Language set to English."
    await office.restart()
    await office.send(CITIZEN, "/new")
    assert office.last_text(CITIZEN) == "What kind of case is it?"
    menus = office.api.sent(CITIZEN, "setMyCommands")
    assert menus and menus[-1].params["scope"] == {"type": "chat", "chat_id": CITIZEN}


async def test_new_case_full_journey(office: Office) -> None:
    number = await new_case(office)
    assert number == f"QZ-{YEAR}-000001"
    ack = office.last_text(CITIZEN)
    # 15 calendar days from the first day, ending 23:59 in Asia/Shanghai.
    assert f"{zh_day(15)}23:59 前告知您是否受理" in ack
    assert "110" in ack and "119" in ack and "120" in ack
    assert "非办公时间" not in ack
    case = (await office.rows("SELECT * FROM cases"))[0]
    assert case["state"] == "new" and case["citizen_phone"] == "13800138000"
    accept = (await office.rows("SELECT * FROM case_deadlines"))[0]
    assert accept["kind"] == "accept" and accept["met_at"] is None
    assert accept["due_at"].startswith(f"{ymd(15)} 15:59:59")  # UTC
    assert await office.rows("SELECT * FROM dialogues") == []


async def test_case_numbers_follow_a_sequence_per_year(office: Office, clock) -> None:
    assert await new_case(office) == f"QZ-{YEAR}-000001"
    assert await new_case(office, CITIZEN2) == f"QZ-{YEAR}-000002"
    clock.moment = moment(35, 2, 0)
    assert await new_case(office) == f"QZ-{YEAR + 1}-000001"


async def test_privacy_notice_is_asked_once_and_recorded(office: Office) -> None:
    await new_case(office)
    agreed = await office.rows("SELECT privacy_agreed_at FROM users WHERE telegram_id = ?",
                               CITIZEN)
    assert agreed[0]["privacy_agreed_at"]
    office.api.clear()
    await new_case(office)
    assert not any("个人信息说明" in t for t in office.texts(CITIZEN))


async def test_declining_privacy_skips_personal_details(office: Office) -> None:
    await office.send(CITIZEN, "/new")
    await office.press(CITIZEN, "k:suggestion")
    await office.send(CITIZEN, "多种树")
    await office.press(CITIZEN, "nx")
    await office.press(CITIZEN, "pa:0")
    assert "电话：匿名（未同意个人信息说明）" in office.last_text(CITIZEN)
    await office.press(CITIZEN, "cf:1")
    case = (await office.rows("SELECT * FROM cases"))[0]
    assert case["citizen_phone"] is None
    # Only the Telegram id is kept, to route the answers; staff see the case as anonymous.
    assert case["anonymous"] == 1 and case["citizen_name"] == "" and case["real_name"] is None
    assert case["citizen_id"] == CITIZEN
    card = office.texts(STAFF)[-1]
    assert "群众：匿名（未同意个人信息说明）" in card and "张三" not in card
    await office.send(CITIZEN, "补充：路口也可以")
    relay = office.texts(STAFF)[-1]
    assert "匿名" in relay and "张三" not in relay


async def test_petition_without_privacy_agreement_is_not_submitted(office: Office) -> None:
    await office.send(CITIZEN, "/new")
    await office.press(CITIZEN, "k:petition")
    await office.send(CITIZEN, "反映问题")
    await office.press(CITIZEN, "nx")
    await office.press(CITIZEN, "pa:0")
    assert "实名" in office.last_text(CITIZEN)
    assert await office.rows("SELECT * FROM cases") == []


async def test_petition_asks_real_name_and_keeps_it_in_profile(office: Office) -> None:
    await new_case(office, kind="petition")
    case = (await office.rows("SELECT * FROM cases"))[0]
    assert case["real_name"] == "张三丰" and case["kind"] == "petition"
    office.api.clear()
    await office.send(CITIZEN, "/new")
    await office.press(CITIZEN, "k:petition")
    await office.send(CITIZEN, "第二件")
    await office.press(CITIZEN, "nx")
    await office.press(CITIZEN, "sk")
    assert office.buttons(CITIZEN) == {"张三丰": "rn"}
    await office.press(CITIZEN, "rn")
    assert "张三丰" in office.last_text(CITIZEN)


async def test_invalid_phone_is_refused_politely_and_changes_nothing(office: Office) -> None:
    await office.send(CITIZEN, "/new")
    await office.press(CITIZEN, "k:help")
    await office.send(CITIZEN, "求助")
    await office.press(CITIZEN, "nx")
    await office.press(CITIZEN, "pa:1")
    await office.send(CITIZEN, "12345")
    assert "格式不正确" in office.last_text(CITIZEN)
    dialogue = await office.rows("SELECT step FROM dialogues")
    assert dialogue[0]["step"] == "phone"
    await office.send(CITIZEN, "0531-8888 8888")
    assert "05318888888" in office.last_text(CITIZEN)


async def test_cancel_drops_the_draft(office: Office) -> None:
    await office.send(CITIZEN, "/new")
    await office.press(CITIZEN, "k:help")
    await office.send(CITIZEN, "/cancel")
    assert office.last_text(CITIZEN) == "已取消。"
    assert await office.rows("SELECT * FROM dialogues") == []
    await office.press(CITIZEN, "cf:1")
    assert office.alerts()[-1] == "这个按钮已失效，请重新操作。"
    assert await office.rows("SELECT * FROM cases") == []


async def test_after_hours_acknowledgement_says_when_staff_are_back(office: Office, clock) -> None:
    clock.moment = moment(4, 14, 0)  # Friday 22:00 in Shanghai
    await new_case(office)
    assert f"{zh_day(7)}09:00" in office.last_text(CITIZEN)  # Monday morning


async def test_attachments_in_the_new_dialogue_reach_the_card(office: Office) -> None:
    await office.send(CITIZEN, "/new")
    await office.press(CITIZEN, "k:complaint")
    await office.photo(CITIZEN, "P1")
    assert "文字描述" in office.last_text(CITIZEN)
    await office.send(CITIZEN, "噪音扰民")
    await office.document(CITIZEN, "D1")
    await office.press(CITIZEN, "nx")
    await office.press(CITIZEN, "pa:1")
    await office.press(CITIZEN, "sk")
    await office.press(CITIZEN, "cf:1")
    sends = office.api.sent(STAFF)
    assert any(c.method == "sendPhoto" and c.params["photo"] == "P1" for c in sends)
    assert any(c.method == "sendDocument" and c.params["document"] == "D1" for c in sends)
    events = await office.rows("SELECT media FROM case_events")
    assert "P1" in events[0]["media"] and "D1" in events[0]["media"]


async def test_dialogue_survives_a_restart(office: Office) -> None:
    await office.send(CITIZEN, "/new")
    await office.press(CITIZEN, "k:inquiry")
    await office.restart()
    await office.send(CITIZEN, "办事指南在哪里？")
    assert "继续" in office.buttons(CITIZEN)


async def test_message_with_one_open_case_is_added_and_relayed(office: Office) -> None:
    number = await new_case(office)
    office.api.clear()
    await office.send(CITIZEN, "补充：在3号楼")
    relays = office.texts(STAFF)
    assert any(number in t and "补充：在3号楼" in t for t in relays)
    events = await office.rows("SELECT kind, direction FROM case_events ORDER BY id")
    assert events[-1] == {"kind": "message", "direction": "in"}


async def test_message_with_several_open_cases_asks_which(office: Office) -> None:
    first = await new_case(office)
    second = await new_case(office, text="第二件事")
    office.api.clear()
    await office.send(CITIZEN, "这条是关于哪件？")
    buttons = office.buttons(CITIZEN)
    assert {first, second} <= {label.split(" ")[0] for label in buttons}
    await office.press(CITIZEN, next(v for k, v in buttons.items() if k.startswith(second)))
    assert office.last_text(CITIZEN) == f"已补充到事项 {second}。"
    assert any(second in t and "这条是关于哪件" in t for t in office.texts(STAFF))


async def test_message_without_open_case_offers_new(office: Office) -> None:
    await office.send(CITIZEN, "你好")
    assert "没有正在办理" in office.last_text(CITIZEN)
    assert office.buttons(CITIZEN) == {"提出新事项": "menu:new"}


async def test_mycases_lists_opens_and_never_shows_anothers_case(office: Office) -> None:
    number = await new_case(office)
    other = await new_case(office, CITIZEN2, text="王五的私事")
    await office.send(CITIZEN, "/mycases")
    assert number in office.last_text(CITIZEN) and other not in office.last_text(CITIZEN)
    case_id = (await office.rows("SELECT id FROM cases WHERE number = ?", number))[0]["id"]
    other_id = (await office.rows("SELECT id FROM cases WHERE number = ?", other))[0]["id"]
    await office.press(CITIZEN, f"mc:{case_id}")
    assert "路灯坏了" in office.last_text(CITIZEN)
    office.api.clear()
    await office.press(CITIZEN, f"mc:{other_id}")
    assert office.alerts()[-1] == "没有找到该事项。"
    assert not any("王五的私事" in t for t in office.texts(CITIZEN))


async def test_add_information_from_mycases_is_relayed(office: Office) -> None:
    number = await new_case(office)
    await new_case(office, text="另一件")
    case_id = (await office.rows("SELECT id FROM cases WHERE number = ?", number))[0]["id"]
    office.api.clear()
    await office.press(CITIZEN, f"ai:{case_id}")
    await office.send(CITIZEN, "补充材料")
    assert office.last_text(CITIZEN) == f"已补充到事项 {number}。"
    assert any(number in t and "补充材料" in t for t in office.texts(STAFF))


async def test_withdraw_after_confirmation(office: Office) -> None:
    number = await new_case(office)
    case_id = (await office.rows("SELECT id FROM cases"))[0]["id"]
    await office.press(CITIZEN, f"wd:{case_id}")
    assert (await office.rows("SELECT state FROM cases"))[0]["state"] == "new"
    await office.press(CITIZEN, f"wy:{case_id}")
    assert (await office.rows("SELECT state FROM cases"))[0]["state"] == "withdrawn"
    assert office.last_text(CITIZEN) == f"事项 {number} 已撤回。"
    assert any("撤回" in t for t in office.texts(STAFF))
    await office.press(CITIZEN2, f"wy:{case_id}")
    assert office.alerts()[-1] == "没有找到该事项。"
