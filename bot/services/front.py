"""The front desk: greeting, contact card, help, language, cancelling, buttons of dialogues."""

from __future__ import annotations

from bot.callbacks import Callback
from bot.core.rules import EMERGENCY_NUMBERS, RuleError
from bot.services import cases, intake, people, register, talks, views
from bot.services.unit import Unit
from storage.models import User


def contact_card(unit: Unit, user: User) -> str:
    s = unit.settings
    return unit.text(user, "contact_card", office=s.office_name, address=s.office_address,
                     phone=s.office_phone, hours=s.office_hours, emergency=EMERGENCY_NUMBERS)


def welcome(unit: Unit, user: User, invite_token: str | None = None) -> None:
    if invite_token:
        user = people.redeem_invite(unit, user, invite_token)
        unit.say(user, "invite_welcome", role=unit.text(user, f"role_{user.role}"))
    name = user.display_name or str(user.telegram_id)
    if user.is_staff_side:
        unit.say(user, "greeting_staff", [[(unit.text(user, "btn_cases"), "menu:cases")]],
                 name=name, role=unit.text(user, f"role_{user.role}"))
        return
    greeting = unit.text(user, "greeting", name=name, office=unit.settings.office_name)
    menu = [[(unit.text(user, "btn_new"), "menu:new"),
             (unit.text(user, "btn_mycases"), "menu:mycases")],
            [(unit.text(user, "btn_talks"), "menu:talks"),
             (unit.text(user, "btn_card"), "menu:card")]]
    unit.say(user, "raw", menu, text=f"{greeting}\n\n{contact_card(unit, user)}")


def show_card(unit: Unit, user: User) -> None:
    unit.say(user, "raw", text=contact_card(unit, user))


def help_text(unit: Unit, user: User) -> None:
    parts = [unit.text(user, "help_staff" if user.is_staff_side else "help_citizen")]
    if user.role == "admin":
        parts.append(unit.text(user, "help_admin"))
    unit.say(user, "raw", text="\n\n".join(parts))


def choose_language(unit: Unit, user: User) -> None:
    unit.say(user, "lang_choose", [[("中文", "lang:zh"), ("English", "lang:en")]])


def cancel(unit: Unit, user: User) -> None:
    if unit.tx.dialogues.get(user.telegram_id) is None:
        unit.say(user, "nothing_to_cancel")
        return
    unit.tx.dialogues.clear(user.telegram_id)
    unit.say(user, "cancelled")


def button(unit: Unit, user: User, cb: Callback) -> None:
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


def menu(unit: Unit, user: User, entry: str) -> None:
    if entry == "new":
        intake.start(unit, user)
    elif entry == "mycases":
        views.my_cases(unit, user)
    elif entry == "card":
        show_card(unit, user)
    elif entry == "cases":
        views.queue(unit, user)
    elif entry == "talks":
        talks.list_talks(unit, user)
    else:
        raise RuleError("err_stale_button")


def case_button(unit: Unit, user: User, cb: Callback) -> None:
    """Buttons on cards, case views and bookings; each checks the presser's right itself."""
    case_id = cb.ids[0]  # the first id: a case, a slot or a booking, by action
    if cb.action == "cl":
        cases.claim(unit, user, case_id)
    elif cb.action == "rp":
        cases.ask(unit, user, cases.REPLY, case_id)
    elif cb.action == "rs":
        cases.ask(unit, user, cases.RESOLVE, case_id)
    elif cb.action == "rj":
        cases.ask(unit, user, cases.REJECT, case_id)
    elif cb.action == "tr":
        cases.transfer_choices(unit, user, case_id)
    elif cb.action == "tt":
        cases.transfer_target(unit, user, case_id, cb.ids[1])
    elif cb.action == "vw":
        views.staff_case_by_id(unit, user, case_id)
    elif cb.action == "mc":
        views.my_case(unit, user, case_id)
    elif cb.action == "ai":
        cases.ask_add_info(unit, user, case_id)
    elif cb.action == "wd":
        cases.ask_withdraw(unit, user, case_id)
    elif cb.action == "wy":
        cases.withdraw(unit, user, case_id)
    elif cb.action == "pc":
        cases.pick_case(unit, user, case_id)
    elif cb.action in ("bk", "wl"):
        talks.ask_topic(unit, user, case_id, waitlist=cb.action == "wl")
    elif cb.action == "bc":
        talks.cancel_booking(unit, user, case_id)
    elif cb.action == "bm":
        talks.reschedule_choices(unit, user, case_id)
    elif cb.action == "mv":
        talks.reschedule(unit, user, case_id, cb.ids[1])
    elif cb.action == "dc":
        talks.decline(unit, user, case_id)
    elif cb.action == "at":
        talks.mark_attendance(unit, user, case_id, cb.ids[1] == 1)
    else:
        raise RuleError("err_stale_button")
