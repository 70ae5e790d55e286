"""The citizen's /new dialogue: kind → description (+ attachments) → phone → name → confirm."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.core.deadlines import ACCEPT
from bot.core.incoming import Incoming
from bot.core.presses import press
from bot.core.rules import (
    EMERGENCY_NUMBERS,
    OPENING_SEARCH_DAYS,
    RuleError,
    is_office_open,
    next_opening,
    normalise_phone,
)
from bot.core.said import ALBUM_WAIT, Delivery, Tell
from bot.services import cases, deadlines, desk
from bot.services.unit import Unit
from storage.models import CASE_KINDS, Dialogue, Media, User

NEW_CASE = "new_case"
MAX_ATTACHMENTS = 20
_REAL_NAME = re.compile(r"^[^\d@/\\<>]{2,40}$")


def kind_buttons(unit: Unit, user: User) -> list[list[tuple[str, str]]]:
    labels = [(unit.text(user, f"kind_{k}"), press("k", k)) for k in CASE_KINDS]
    return [labels[:3], labels[3:]]


def start(unit: Unit, user: User) -> None:
    unit.tx.dialogues.put(Dialogue(user_id=user.telegram_id, name=NEW_CASE, step="kind"), unit.now)
    unit.say(user, "new_choose_kind", kind_buttons(unit, user))


def _current(unit: Unit, user: User, step: str) -> Dialogue:
    return unit.dialogue(user, NEW_CASE, step)


def choose_kind(unit: Unit, user: User, kind: str) -> None:
    if kind not in CASE_KINDS:
        raise RuleError("err_stale_button")
    dialogue = _current(unit, user, "kind")
    unit.advance(dialogue, "text", kind=kind)
    unit.say(user, "new_describe", kind=unit.text(user, f"kind_{kind}"))


def on_message(unit: Unit, user: User, dialogue: Dialogue, message: Incoming) -> None:
    """A message while the citizen is in the /new dialogue."""
    step = dialogue.step
    if step == "kind":
        unit.say(user, "new_choose_kind", kind_buttons(unit, user))
        return
    if step in ("text", "attach"):
        _collect(unit, user, dialogue, message)
        return
    if step == "phone":
        phone = normalise_phone(message.contact_phone or message.text)
        if phone is None:
            unit.say(user, "err_phone", [[(unit.text(user, "btn_skip"), press("sk"))]])
            return
        _after_phone(unit, user, unit.advance(dialogue, "phone", phone=phone))
        return
    if step == "real_name":
        name = message.text.strip()
        if not _REAL_NAME.match(name):
            unit.say(user, "err_real_name")
            return
        unit.tx.users.set_real_name(user.telegram_id, name, unit.now)
        _confirm(unit, user, unit.advance(dialogue, "confirm", real_name=name))
        return
    if step == "privacy":
        unit.say(user, "privacy_choose")
        return
    _confirm(unit, user, dialogue)  # step "confirm": show the summary again


def _collect(unit: Unit, user: User, dialogue: Dialogue, message: Incoming) -> None:
    data = dict(dialogue.data)
    attachments: list[dict] = list(data.get("attachments", []))
    albums: list[str] = list(data.get("albums", []))
    room = MAX_ATTACHMENTS - len(attachments)
    new_items = [m.model_dump(exclude_none=True) for m in message.media][: max(room, 0)]
    if message.media and room <= 0:
        unit.say(user, "err_too_many_attachments", max=MAX_ATTACHMENTS)
        return
    attachments += new_items
    first_of_album = bool(message.media_group_id) and message.media_group_id not in albums
    if message.media_group_id and first_of_album:
        albums.append(message.media_group_id)
    text = data.get("text", "")
    if message.text.strip():
        text = f"{text}\n{message.text.strip()}" if text else message.text.strip()
    data.update(text=text, attachments=attachments, albums=albums)
    if not text:
        # Attachments came first; the description is still needed.
        unit.advance(dialogue, **data)
        if not message.media_group_id or first_of_album:
            unit.say(user, "new_need_text")
        return
    unit.advance(dialogue, "attach", **data)
    buttons = [[(unit.text(user, "btn_next"), press("nx"))]]
    delivery = Delivery()
    if message.media_group_id:
        # One answer per album, once its parts are in: each part's answer replaces the last.
        delivery = Delivery(album_key=f"answer:{message.media_group_id}",
                            delay_seconds=ALBUM_WAIT)
    unit.tell(Tell(user.telegram_id, unit.lang(user), "new_more_or_next",
                   {"count": len(attachments)}, buttons, delivery=delivery))


def next_step(unit: Unit, user: User) -> None:
    """The citizen pressed Continue after the description."""
    dialogue = _current(unit, user, "attach")
    if user.privacy_agreed_at is None:
        unit.advance(dialogue, "privacy")
        unit.say(user, "privacy_notice", [[(unit.text(user, "btn_agree"), press("pa", 1)),
                                           (unit.text(user, "btn_disagree"), press("pa", 0))]])
        return
    _ask_phone(unit, user, unit.advance(dialogue, "phone"))


def privacy(unit: Unit, user: User, agreed: bool) -> None:
    dialogue = _current(unit, user, "privacy")
    if agreed:
        unit.tx.users.agree_privacy(user.telegram_id, unit.now)
        _ask_phone(unit, user, unit.advance(dialogue, "phone"))
        return
    if dialogue.data.get("kind") == "petition":
        unit.tx.dialogues.clear(user.telegram_id)
        unit.say(user, "privacy_declined_petition")
        return
    # Other kinds go on without a name or a phone: only the Telegram id, to send the answers.
    _confirm(unit, user, unit.advance(dialogue, "confirm", anonymous=True, phone=None,
                                      real_name=None))


def _ask_phone(unit: Unit, user: User, dialogue: Dialogue) -> None:
    unit.say(user, "new_phone", [[(unit.text(user, "btn_skip"), press("sk"))]])


def skip_phone(unit: Unit, user: User) -> None:
    _after_phone(unit, user, _current(unit, user, "phone"))


def _after_phone(unit: Unit, user: User, dialogue: Dialogue) -> None:
    if dialogue.data.get("kind") != "petition":
        _confirm(unit, user, unit.advance(dialogue, "confirm"))
        return
    unit.advance(dialogue, "real_name")
    if user.real_name:
        unit.say(user, "new_real_name_known", [[(user.real_name, press("rn"))]],
                 name=user.real_name)
    else:
        unit.say(user, "new_real_name")


def use_profile_name(unit: Unit, user: User) -> None:
    dialogue = _current(unit, user, "real_name")
    if not user.real_name:
        raise RuleError("err_stale_button")
    _confirm(unit, user, unit.advance(dialogue, "confirm", real_name=user.real_name))


def _confirm(unit: Unit, user: User, dialogue: Dialogue) -> None:
    data = dialogue.data
    none = unit.text(user, "anonymous") if data.get("anonymous") else unit.text(user, "none")
    unit.say(
        user,
        "new_summary",
        cases.confirm_buttons(unit, user),
        kind=unit.text(user, f"kind_{data['kind']}"),
        text=data.get("text", ""),
        count=len(data.get("attachments", [])),
        phone=data.get("phone") or none,
        real_name=data.get("real_name") or none,
    )


def confirm(unit: Unit, user: User, submit: bool) -> str | None:
    """Submit or drop the draft; returns the new case number."""
    dialogue = _current(unit, user, "confirm")
    unit.tx.dialogues.clear(user.telegram_id)
    if not submit:
        unit.say(user, "cancelled")
        return None
    data = dialogue.data
    settings = unit.settings
    attachments = [Media(**m) for m in data.get("attachments", [])]
    anonymous = bool(data.get("anonymous"))
    case = cases.open_case(
        unit,
        user.telegram_id,
        {
            "kind": data["kind"],
            "channel": "chat",
            "state": "new",
            "citizen_id": user.telegram_id,
            "citizen_name": "" if anonymous else desk.display(user),
            "citizen_phone": None if anonymous else data.get("phone"),
            "real_name": None if anonymous else data.get("real_name"),
            "anonymous": anonymous,
            "text": data.get("text", ""),
        },
        "case_create",
        attachments,
    )
    number = case.number
    desk.announce_case(unit, case, attachments)
    tz = settings.tz
    hours = settings.opening_hours
    after_hours = ""
    today = unit.now.astimezone(tz).date()
    calendar = unit.tx.holidays.between(today, today + timedelta(days=OPENING_SEARCH_DAYS))
    if not is_office_open(unit.now, tz, hours, calendar):
        after_hours = unit.text(user, "ack_after_hours",
                                back=unit.moment(next_opening(unit.now, tz, hours, calendar)))
    due = deadlines.due(unit, case.id, ACCEPT)
    unit.say(user, "ack_case", number=number, due=unit.moment(due), after_hours=after_hours,
             emergency=EMERGENCY_NUMBERS)
    return number
