"""The staff group's life: lost (the bot removed, or refused), back again, or upgraded to a
supergroup with a new id. Staff never miss a case: while the group is lost, cards and relays go
to the staff members' private chats, and admins hear of each change at once."""

from __future__ import annotations

from bot.services.desk import LOST_KEY
from bot.services.unit import Unit
from storage.models import OutboxItem

MOVED_KEY = "staff_chat:moved:{old}"  # the supergroup's id, kept for the old one's setting


def is_lost(unit: Unit) -> bool:
    return unit.tx.kv.get(LOST_KEY) == "1"


def lost(unit: Unit, chat_id: int, why: str, refused: OutboxItem | None = None) -> bool:
    """The group refuses the bot. The refused message and those waiting go to the staff
    privately; True when this is news (admins are told once)."""
    if chat_id != unit.settings.staff_chat_id:
        return False
    _reroute(unit, chat_id, refused)
    if is_lost(unit):
        return False
    unit.tx.kv.put(LOST_KEY, "1")
    unit.tx.audit.append(unit.now, None, "staff_chat_lost", subject_id=chat_id)
    for admin in unit.tx.users.with_roles(("admin",)):
        unit.say(admin, "staff_chat_lost", chat=chat_id, why=why)
    return True


def back(unit: Unit, chat_id: int) -> bool:
    """The bot is in the group again: cards go there from now on."""
    if chat_id != unit.settings.staff_chat_id or not is_lost(unit):
        return False
    unit.tx.kv.put(LOST_KEY, "0")
    unit.tx.audit.append(unit.now, None, "staff_chat_back", subject_id=chat_id)
    for admin in unit.tx.users.with_roles(("admin",)):
        unit.say(admin, "staff_chat_back", chat=chat_id)
    return True


def moved(unit: Unit, old: int, new: int) -> bool:
    """The group became a supergroup: follow it, remember the new id, and ask admins to put it
    in `.env`. True when this is news."""
    key = MOVED_KEY.format(old=old)
    if unit.tx.kv.get(key) == str(new):
        unit.tx.outbox.move_chat(old, new)
        return False
    unit.tx.kv.put(key, str(new))
    unit.tx.outbox.move_chat(old, new)
    unit.tx.audit.append(unit.now, None, "staff_chat_moved", subject_id=new, detail=str(old))
    for admin in unit.tx.users.with_roles(("admin",)):
        unit.say(admin, "staff_chat_moved", old=old, new=new)
    return True


def moved_to(unit: Unit, chat_id: int) -> int | None:
    """Where the group set as `chat_id` went, when it became a supergroup (followed through)."""
    for _ in range(10):  # a group is upgraded once; the bound only guards a loop
        value = unit.tx.kv.get(MOVED_KEY.format(old=chat_id))
        if not value:
            break
        chat_id = int(value)
    return chat_id


def _reroute(unit: Unit, chat_id: int, refused: OutboxItem | None) -> None:
    """Each message still waiting for the group goes to every staff member privately."""
    staff = unit.tx.users.with_roles(("staff",)) or unit.tx.users.with_roles(("admin",))
    waiting = unit.tx.outbox.pending_for_chat(chat_id)
    for item in ([refused] if refused is not None else []) + waiting:
        if item is not refused:
            unit.tx.outbox.give_up(item.id, "failed", "rerouted: the staff chat is lost")
        if item.method in ("createForumTopic", "banChatMember", "unbanChatMember"):
            continue  # meaningful in the group only
        for person in staff:
            unit.tx.outbox.copy_to(item, person.telegram_id, unit.now)
