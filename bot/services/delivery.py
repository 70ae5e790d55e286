"""What happens when a message cannot be delivered: nobody is told "sent" for what never
arrived. The staff group's refusal moves the desk to private chats; a reply that does not reach
the citizen is recorded so in the case's history and told to the staff member who wrote it.
Whoever blocked the bot is unsubscribed from announcements."""

from __future__ import annotations

from bot.services import staff_chat
from bot.services.unit import Unit
from bot.texts import Term, t
from storage.models import OutboxItem

KICK = "kick"  # outbox purpose: removing a revoked staff member from the staff group


def undelivered(unit: Unit, item: OutboxItem, state: str) -> None:
    """`state` is `blocked` (the chat refuses the bot) or `failed` (given up after retries, or
    refused as malformed)."""
    if item.chat_id < 0 and item.chat_id == unit.settings.staff_chat_id:
        if item.purpose == KICK:
            _kick_failed(unit, item)
            return
        if state == "blocked":
            staff_chat.lost(unit, item.chat_id, t(unit.settings.default_language, "why_removed"),
                            refused=item)
        return
    if state == "blocked" and item.chat_id > 0:
        # Whoever blocked the bot gets no further announcements (a broadcast's next chunks
        # leave them out already, by users.blocked_at).
        unit.tx.subscriptions.remove(item.chat_id)
    if item.notify_id is None or item.case_id is None:
        return
    case = unit.tx.cases.get(item.case_id)
    if case is None:
        return
    why = Term(f"why_{state}")
    unit.tx.cases.add_event(case.id, unit.now, actor_id=None, direction="internal",
                            kind="undelivered", text=t(unit.settings.default_language,
                                                       f"why_{state}"))
    unit.say_to(item.notify_id, "reply_undelivered", number=case.number, why=why)


def _kick_failed(unit: Unit, item: OutboxItem) -> None:
    user_id = item.payload.get("user_id")
    if item.method != "banChatMember" or user_id is None:
        return
    for admin in unit.tx.users.with_roles(("admin",)):
        unit.say(admin, "kick_failed", id=user_id)
