"""Where a private message goes: the dialogue in progress, the staff desk, or a citizen's case."""

from __future__ import annotations

from bot.core.incoming import Incoming
from bot.services import (
    announce,
    cases,
    instructions,
    intake,
    matters,
    register,
    rounds,
    talks,
    units,
)
from bot.services.unit import Unit
from storage.models import Dialogue, User


def private_message(unit: Unit, user: User, message: Incoming) -> None:
    dialogue = unit.tx.dialogues.get(user.telegram_id)
    if dialogue is not None:
        if dialogue.name == intake.NEW_CASE:
            intake.on_message(unit, user, dialogue, message)
            return
        if dialogue.name == register.REGISTER and user.is_staff_side:
            register.on_message(unit, user, dialogue, message)
            return
        if dialogue.name == instructions.INSTRUCTION and user.role in ("leader", "admin"):
            instructions.on_text(unit, user, dialogue, message.text)
            return
        if dialogue.name == announce.ANNOUNCE and user.is_staff_side:
            announce.on_message(unit, user, dialogue, message)
            return
        if dialogue.name in (matters.MATTER, matters.RESULT) and user.is_staff_side:
            matters.on_message(unit, user, dialogue, message)
            return
        if dialogue.name == rounds.MEASURES:
            rounds.on_measures(unit, user, dialogue, message.text)
            return
        if dialogue.name == rounds.ITEM and user.role == "liaison":
            rounds.on_text(unit, user, dialogue, message.text)
            return
        if dialogue.name == units.UNIT_NAME and user.role == "admin":
            units.on_name(unit, user, dialogue, message.text)
            return
        if dialogue.name == talks.BOOK:
            talks.on_topic(unit, user, dialogue, message.text)
            return
        if dialogue.name == cases.CHOOSE and cases.choose_more(unit, user, dialogue, message):
            return
        if dialogue.name == cases.ADD_INFO and _add_info(unit, user, dialogue, message):
            return
        if dialogue.name in (cases.REPLY, cases.RESOLVE, cases.REJECT, cases.TRANSFER) and (
            user.is_staff_side and cases.staff_dialogue_message(unit, user, dialogue, message)
        ):
            return
        # The message does not belong to the dialogue (or the dialogue is stale): drop it.
        unit.tx.dialogues.clear(user.telegram_id)
    if user.is_staff_side:
        if not cases.private_reply_to_relay(unit, user, message):
            unit.say(user, "staff_hint")
        return
    cases.citizen_message(unit, user, message)


def _add_info(unit: Unit, user: User, dialogue: Dialogue, message: Incoming) -> bool:
    case = unit.tx.cases.get(int(dialogue.data["case_id"]))
    if case is None or case.citizen_id != user.telegram_id:
        return False
    album = dialogue.data.get("album")
    if dialogue.step == "album":
        if message.media_group_id != album:
            return False
        cases.add_message(unit, user, case, message)
        return True
    if case.state not in ("new", "accepted", "resolved"):
        return False
    if message.media_group_id:
        unit.advance(dialogue, "album", album=message.media_group_id)
    else:
        unit.tx.dialogues.clear(user.telegram_id)
    cases.add_to_case(unit, user, case, message)
    return True
