"""The front desk: greeting, contact card, help, language, cancelling, buttons of dialogues."""

from __future__ import annotations

from collections.abc import Callable

from bot import menus
from bot.core.presses import Press, press
from bot.core.rules import EMERGENCY_NUMBERS, RuleError
from bot.services import (
    cases,
    classify,
    instructions,
    intake,
    people,
    register,
    talks,
    units,
    views,
)
from bot.services.unit import Unit
from storage.models import User


def contact_card(unit: Unit, user: User) -> str:
    s = unit.settings
    return unit.text(user, "contact_card", office=s.office_name, address=s.office_address,
                     phone=s.office_phone, hours=s.office_hours, emergency=EMERGENCY_NUMBERS)


def welcome(unit: Unit, user: User, invite_token: str | None = None) -> None:
    if invite_token:
        changed = people.redeem_invite(unit, user, invite_token)
        if changed is None:  # waits for the person to confirm the change of role
            return
        user = changed
        unit.say(user, "invite_welcome", role=unit.text(user, f"role_{user.role}"))
    name = user.display_name or str(user.telegram_id)
    if user.is_staff_side:
        unit.say(user, "greeting_staff",
                 [[(unit.text(user, "btn_cases"), press("menu", "cases"))]], name=name,
                 role=unit.text(user, f"role_{user.role}"))
        return
    greeting = unit.text(user, "greeting", name=name, office=unit.settings.office_name)
    menu = [[(unit.text(user, "btn_new"), press("menu", "new")),
             (unit.text(user, "btn_mycases"), press("menu", "mycases"))],
            [(unit.text(user, "btn_talks"), press("menu", "talks")),
             (unit.text(user, "btn_card"), press("menu", "card"))]]
    unit.say(user, "raw", menu, text=f"{greeting}\n\n{contact_card(unit, user)}")


def show_card(unit: Unit, user: User) -> None:
    unit.say(user, "raw", text=contact_card(unit, user))


def help_text(unit: Unit, user: User) -> None:
    unit.say(user, "raw", text=menus.help_text(user.role, unit.lang(user)))


def choose_language(unit: Unit, user: User) -> None:
    unit.say(user, "lang_choose",
             [[("中文", press("lang", "zh")), ("English", press("lang", "en"))]])


def cancel(unit: Unit, user: User) -> None:
    if unit.tx.dialogues.get(user.telegram_id) is None:
        unit.say(user, "nothing_to_cancel")
        return
    unit.tx.dialogues.clear(user.telegram_id)
    unit.say(user, "cancelled")


def button(unit: Unit, user: User, cb: Press) -> None:
    """A button whose meaning depends on the dialogue in progress (/new or /register)."""
    dialogue = unit.tx.dialogues.get(user.telegram_id)
    in_register = dialogue is not None and dialogue.name == register.REGISTER
    if cb.action == "k":
        (register.choose_kind if in_register else intake.choose_kind)(unit, user, cb.word or "")
    elif cb.action == "sk":
        (register.skip_phone if in_register else intake.skip_phone)(unit, user)
    elif cb.action == "cf":
        (register.confirm if in_register else intake.confirm)(unit, user, cb.ids[0] == 1)
    elif cb.action == "nx":
        intake.next_step(unit, user)
    elif cb.action == "pa":
        intake.privacy(unit, user, cb.ids[0] == 1)
    elif cb.action == "rn":
        intake.use_profile_name(unit, user)
    elif cb.action == "rc":
        register.choose_channel(unit, user, cb.word or "")
    else:
        raise RuleError("err_stale_button")


def menu(unit: Unit, user: User, cb: Press) -> None:
    """The main menu's buttons, and the one that only closes a question."""
    entry = cb.word if cb.action == "menu" else None
    if cb.action == "noop":
        return
    if entry == "new":
        intake.start(unit, user)
    elif entry == "mycases":
        unit.show(user, views.my_cases(unit, user))
    elif entry == "card":
        show_card(unit, user)
    elif entry == "cases":
        unit.show(user, views.queue(unit, user))
    elif entry == "talks":
        unit.show(user, talks.list_talks(unit, user))
    else:
        raise RuleError("err_stale_button")


def people_button(unit: Unit, user: User, cb: Press) -> None:
    """The language buttons, and the answer to an invite that changes a role."""
    if cb.action == "iv":
        people.confirm_invite(unit, user, cb.ids[0] == 1)
    elif cb.word in ("zh", "en"):
        people.set_language(unit, user, cb.word)
    else:
        raise RuleError("err_stale_button")


# Buttons that carry ids: a case, a slot or a booking. Each service checks the presser's right.
ID_BUTTONS: dict[str, Callable[[Unit, User, tuple[int, ...]], object]] = {
    "cl": lambda unit, user, ids: cases.claim(unit, user, ids[0]),
    "rp": lambda unit, user, ids: cases.ask(unit, user, cases.REPLY, ids[0]),
    "rs": lambda unit, user, ids: cases.ask(unit, user, cases.RESOLVE, ids[0]),
    "rj": lambda unit, user, ids: cases.ask(unit, user, cases.REJECT, ids[0]),
    "tr": lambda unit, user, ids: cases.transfer_choices(unit, user, ids[0]),
    "tt": lambda unit, user, ids: cases.transfer_target(unit, user, ids[0], ids[1]),
    "vw": lambda unit, user, ids: unit.show(user, views.staff_case_by_id(unit, user, ids[0])),
    "cu": lambda unit, user, ids: units.case_unit_choices(unit, user, ids[0]),
    "ins": lambda unit, user, ids: instructions.ask(unit, user, ids[0]),
    "cg": lambda unit, user, ids: classify.classify(unit, user, ids[0], ids[1]),
    "cs": lambda unit, user, ids: units.set_case_unit(unit, user, ids[0], ids[1]),
    "mc": lambda unit, user, ids: unit.show(user, views.my_case(unit, user, ids[0])),
    "ai": lambda unit, user, ids: cases.ask_add_info(unit, user, ids[0]),
    "ro": lambda unit, user, ids: cases.reopen(unit, user, ids[0]),
    "rr": lambda unit, user, ids: cases.only_reply(unit, user, ids[0]),
    "wd": lambda unit, user, ids: cases.ask_withdraw(unit, user, ids[0]),
    "wy": lambda unit, user, ids: cases.withdraw(unit, user, ids[0]),
    "pc": lambda unit, user, ids: cases.pick_case(unit, user, ids[0]),
    "bk": lambda unit, user, ids: talks.ask_topic(unit, user, ids[0], waitlist=False),
    "wl": lambda unit, user, ids: talks.ask_topic(unit, user, ids[0], waitlist=True),
    "bc": lambda unit, user, ids: talks.cancel_booking(unit, user, ids[0]),
    "bm": lambda unit, user, ids: talks.reschedule_choices(unit, user, ids[0]),
    "mv": lambda unit, user, ids: talks.reschedule(unit, user, ids[0], ids[1]),
    "dc": lambda unit, user, ids: talks.decline(unit, user, ids[0]),
    "rb": lambda unit, user, ids: talks.rebook(unit, user, ids[0], ids[1]),
    "sh": lambda unit, user, ids: talks.confirm_holiday_slot(unit, user, ids[0] == 1),
    "at": lambda unit, user, ids: talks.mark_attendance(unit, user, ids[0], ids[1] == 1),
}


def id_button(unit: Unit, user: User, cb: Press) -> None:
    action = ID_BUTTONS.get(cb.action)
    if action is None:
        raise RuleError("err_stale_button")
    action(unit, user, cb.ids)
