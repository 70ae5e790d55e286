"""Staff register cases brought in person, by phone or by letter, so the ledger is complete."""

from __future__ import annotations

from bot.core.incoming import Incoming
from bot.core.presses import press
from bot.core.rules import RuleError, normalise_phone
from bot.services import desk, units
from bot.services.cases import confirm_buttons, new_link_code, open_case
from bot.services.intake import kind_buttons
from bot.services.unit import Unit
from storage.models import CASE_KINDS, Dialogue, User

REGISTER = "register"
CHANNELS = ("visit", "phone", "letter")


def start(unit: Unit, staff: User) -> None:
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    unit.tx.dialogues.put(
        Dialogue(user_id=staff.telegram_id, name=REGISTER, step="channel"), unit.now
    )
    unit.say(staff, "reg_channel",
             [[(unit.text(staff, f"channel_{c}"), press("rc", c)) for c in CHANNELS]])


def _current(unit: Unit, staff: User, step: str) -> Dialogue:
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    return unit.dialogue(staff, REGISTER, step)


def choose_channel(unit: Unit, staff: User, channel: str) -> None:
    if channel not in CHANNELS:
        raise RuleError("err_stale_button")
    unit.advance(_current(unit, staff, "channel"), "kind", channel=channel)
    unit.say(staff, "new_choose_kind", kind_buttons(unit, staff))


def choose_kind(unit: Unit, staff: User, kind: str) -> None:
    if kind not in CASE_KINDS:
        raise RuleError("err_stale_button")
    unit.advance(_current(unit, staff, "kind"), "name", kind=kind)
    unit.say(staff, "reg_name")


def skip_phone(unit: Unit, staff: User) -> None:
    unit.advance(_current(unit, staff, "phone"), "text", phone=None)
    unit.say(staff, "reg_text")


def on_message(unit: Unit, staff: User, dialogue: Dialogue, message: Incoming) -> None:
    text = message.text.strip()
    if dialogue.step in ("channel", "kind", "confirm"):
        unit.say(staff, "err_use_buttons")
        return
    if not text:
        unit.say(staff, "err_need_text")
        return
    if dialogue.step == "name":
        unit.advance(dialogue, "phone", name=text[:80])
        unit.say(staff, "reg_phone", [[(unit.text(staff, "btn_skip"), press("sk"))]])
    elif dialogue.step == "phone":
        phone = normalise_phone(text)
        if phone is None:
            unit.say(staff, "err_phone", [[(unit.text(staff, "btn_skip"), press("sk"))]])
            return
        unit.advance(dialogue, "text", phone=phone)
        unit.say(staff, "reg_text")
    elif dialogue.step == "text":
        data = {**dialogue.data, "text": text}
        unit.advance(dialogue, "confirm", text=text)
        unit.say(
            staff, "reg_summary",
            confirm_buttons(unit, staff),
            channel=unit.text(staff, f"channel_{data['channel']}"),
            kind=unit.text(staff, f"kind_{data['kind']}"), name=data["name"],
            phone=data.get("phone") or "-", text=text,
        )


def confirm(unit: Unit, staff: User, submit: bool) -> str | None:
    dialogue = _current(unit, staff, "confirm")
    unit.tx.dialogues.clear(staff.telegram_id)
    if not submit:
        unit.say(staff, "cancelled")
        return None
    data = dialogue.data
    code = new_link_code()
    case = open_case(
        unit,
        staff.telegram_id,
        {
            "kind": data["kind"], "channel": data["channel"], "state": "accepted",
            "citizen_id": None, "citizen_name": data["name"],
            "citizen_phone": data.get("phone"), "real_name": data["name"],
            "text": data["text"], "owner_id": staff.telegram_id, "link_code": code,
            "accepted_at": unit.now,
        },
        "case_register",
    )
    unit.tx.cases.add_owner(case.id, staff.telegram_id, staff.telegram_id, "registered",
                            unit.now)
    if desk.staff_group(unit) is not None:  # in private chats the owner has it already
        desk.announce_case(unit, case)
    unit.say(staff, "reg_done", number=case.number, code=code)
    units.ask_case_unit(unit, staff, case)
    return case.number
