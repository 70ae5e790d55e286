"""Words: /help and the menus, the catalogue's Chinese and English, dates, plurals and ids."""

from __future__ import annotations

import re

import pytest

from bot.clock import when
from bot.menus import COMMANDS_BY_ROLE
from bot.services import people
from bot.texts import CATALOG
from tests.harness import (
    ADMIN,
    CITIZEN,
    CITIZEN2,
    LEADER,
    STAFF,
    Office,
    make_settings,
    moment,
    ymd,
    zh_day,
)
from tests.test_citizen import new_case
from tests.test_talks import book, slot

LIAISON = 5001


@pytest.mark.parametrize(("role", "user"), [("citizen", CITIZEN), ("staff", STAFF),
                                            ("leader", LEADER), ("admin", ADMIN),
                                            ("liaison", LIAISON)])
async def test_help_lists_every_command_of_the_role_and_the_menu_holds_them(
        office: Office, role: str, user: int) -> None:
    if role == "liaison":
        await office.minqing.services.run(people.grant, ADMIN, LIAISON, "liaison")
        await office.settle()
    await office.send(user, "/help")
    text = office.last_text(user)
    listed = re.findall(r"^/([a-z_]+) ", text, flags=re.M)
    assert listed == list(COMMANDS_BY_ROLE[role])
    assert text.count("【") >= 3  # grouped under headings
    office.api.clear()
    await office.minqing.services.run(people.set_language, user_row(user), "en")
    await office.settle()
    menu = office.api.sent(user, "setMyCommands")[-1]
    assert [c["command"] for c in menu.params["commands"]] == list(COMMANDS_BY_ROLE[role])
    await office.send(user, "/help")
    english = office.last_text(user)
    assert re.findall(r"^/([a-z_]+) ", english, flags=re.M) == listed
    assert not re.search(r"[\u4e00-\u9fff]", english)


def user_row(user_id: int):
    from storage.models import User

    return User(telegram_id=user_id)


def test_the_menus_cover_what_each_role_may_do() -> None:
    assert {"talks", "mybookings", "duty"} <= set(COMMANDS_BY_ROLE["citizen"])
    assert {"slot", "series", "attendance", "outcome"} <= set(COMMANDS_BY_ROLE["staff"])
    assert {"holiday", "workday", "holidays", "rotation", "duty_set", "duty_swap"} <= set(
        COMMANDS_BY_ROLE["admin"])
    assert "register" in COMMANDS_BY_ROLE["leader"]
    for commands in COMMANDS_BY_ROLE.values():
        assert all(f"cmd_{name}" in CATALOG for name in commands)


# Command syntax, placeholders and the office's own tokens may stay Latin in Chinese texts.
_ALLOWED = re.compile(r"\{[^}]*\}|\.env|[A-Z]+_[A-Z_]+|/[a-z_]+|QZ-\d{4}-\d+|"
                      r"[a-z_]+:[^\s，。）]*|\b(?:staff|leader|"
                      r"liaison|admin|week|day|case|remove|add|end|talk_day|S\d+|B\d+|ABCD2345)\b|"
                      r"[A-Za-z0-9_|,.-]*\d[A-Za-z0-9_|,.-]*")


def test_chinese_texts_have_no_english_words_and_chinese_punctuation() -> None:
    for key, (zh, _) in CATALOG.items():
        if key in ("raw",):
            continue
        stripped = _ALLOWED.sub("", zh)
        assert not re.search(r"[A-Za-z]{2,}", stripped), (key, zh)
        assert not re.search(r"[\u4e00-\u9fff][:,;?!]|[:,;?!][\u4e00-\u9fff]", zh), (key, zh)


def test_english_texts_use_one_word_for_a_case_and_mark_plurals() -> None:
    for key, (_, en) in CATALOG.items():
        # "assigned matter" is the glossary's name for 上级交办; a citizen's is a "case"
        bare = re.sub(r"\bassigned matters?\b", "", en, flags=re.IGNORECASE)
        assert not re.search(r"\bmatters?\b", bare, re.IGNORECASE), (key, en)
        # A count before a noun is written with its plural marker, never "1 seats".
        assert not re.search(r"\{(count|left|days|hours|max|told|attempts)\} [a-z]+s\b", en), (
            key, en)


async def test_dates_carry_the_year_and_the_weekday(office: Office) -> None:
    await new_case(office)
    assert f"{zh_day(15)}23:59" in office.last_text(CITIZEN)
    assert zh_day(15) == "2031年12月16日（周二）"
    assert when("en", moment(4, 6, 30), make_settings().tz) == "Fri 5 Dec 2031, 14:30"
    await office.send(CITIZEN2, "/lang en")
    await new_case(office, CITIZEN2)
    assert "Tue 16 Dec 2031, 23:59" in office.last_text(CITIZEN2)


async def test_seats_left_are_counted_in_english(office: Office) -> None:
    await office.send(CITIZEN, "/lang en")
    one = await slot(office, capacity=1)
    two = await slot(office, day=ymd(3), capacity=2)
    await office.send(CITIZEN, "/talks")
    text = office.last_text(CITIZEN)
    assert f"slot S{one}" in text and "1 seat left" in text and "2 seats left" in text
    assert "Wed 3 Dec 2031, 09:00-11:30" in text and f"S{two}" in text


async def test_each_acknowledgement_names_its_deadline(office: Office) -> None:
    number = await new_case(office)
    assert "前告知您是否受理（受理期限）" in office.last_text(CITIZEN)
    cid = (await office.rows("SELECT id FROM cases"))[0]["id"]
    await office.press(CITIZEN, f"mc:{cid}")
    assert "受理期限：" in office.last_text(CITIZEN)
    await office.press(STAFF, f"cl:{cid}")
    assert "办结期限为" in office.last_text(CITIZEN)
    await office.press(CITIZEN, f"mc:{cid}")
    assert "办结期限：" in office.last_text(CITIZEN)
    await office.send(STAFF, f"/extend {number} 需要协调")
    assert "办结期限延长至" in office.last_text(CITIZEN)


async def test_slot_and_booking_ids_are_told_apart(office: Office, clock) -> None:
    slot_id = await slot(office)
    await book(office, CITIZEN, slot_id)
    booking = (await office.rows("SELECT id FROM bookings"))[0]["id"]
    await office.send(STAFF, f"/slot_cancel B{booking} 测试")
    assert office.last_text(STAFF) == f"B{booking} 是预约编号，这里需要场次编号（如 S7）。"
    await office.send(STAFF, "/attendance x1")
    assert "不是场次编号" in office.last_text(STAFF)
    clock.moment = moment(2, 1, 30)
    await office.send(STAFF, f"/attendance S{slot_id}")
    assert f"B{booking} 张三" in office.last_text(STAFF)
    await office.send(STAFF, f"/attendance {slot_id}")
    assert f"B{booking} 张三" in office.last_text(STAFF)
    await office.send(STAFF, f"/outcome S{slot_id} 结果")
    assert office.last_text(STAFF) == f"S{slot_id} 是场次编号，这里需要预约编号（如 B12）。"
    await office.send(STAFF, f"/outcome B{booking} 已答复")
    assert office.last_text(STAFF) == f"预约 B{booking} 的结果已记录。"


async def test_attendance_of_an_empty_slot_says_nobody_booked(office: Office) -> None:
    slot_id = await slot(office)
    await office.send(STAFF, f"/attendance S{slot_id}")
    assert office.last_text(STAFF) == f"场次 S{slot_id} 还没有人预约，无需登记出席。"


async def test_which_case_buttons_show_the_start_of_each_case(office: Office) -> None:
    await new_case(office, text="楼道灯不亮已经一个多月了，请尽快修理")
    await new_case(office, text="垃圾清运不及时")
    await office.send(CITIZEN, "补充一句")
    labels = list(office.buttons(CITIZEN))
    assert any("楼道灯不亮已经一个多月了…" in label for label in labels)
    assert any("垃圾清运不及时" in label for label in labels)


async def test_usage_hints_speak_the_asker_s_language(office: Office) -> None:
    await office.send(STAFF, "/extend")
    hint = office.last_text(STAFF)
    assert hint.startswith("用法：/extend QZ-") and hint.endswith(" 理由")
    await office.send(STAFF, "/lang en")
    await office.send(STAFF, "/extend")
    hint = office.last_text(STAFF)
    assert hint.startswith("Usage: /extend QZ-") and hint.endswith(" reason")
    await office.send(ADMIN, f"/duty_set {ymd(1)}")
    assert "理由" in office.last_text(ADMIN) and "reason" not in office.last_text(ADMIN)
