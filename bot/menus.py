"""Which commands each role sees in Telegram's menu (per-chat command scopes)."""

from __future__ import annotations

from bot.texts import t
from storage.models import Outgoing

CITIZEN = ("start", "new", "mycases", "talks", "mybookings", "duty", "link", "lang", "cancel",
           "help")
STAFF = ("start", "cases", "case", "register", "extend", "slot", "series", "slot_cancel",
         "slot_move", "attendance", "outcome", "duty", "lang", "cancel", "help")
LEADER = ("start", "cases", "case", "extend", "duty", "talks", "lang", "cancel", "help")
ADMIN = (*STAFF, "invite", "users", "revoke", "failed", "holiday", "workday", "holidays",
         "rotation", "duty_set", "duty_swap")
COMMANDS_BY_ROLE: dict[str, tuple[str, ...]] = {
    "citizen": CITIZEN,
    "liaison": CITIZEN,
    "staff": STAFF,
    "leader": LEADER,
    "admin": ADMIN,
}


def commands(role: str, lang: str) -> list[dict[str, str]]:
    return [
        {"command": name, "description": t(lang, f"cmd_{name}")}
        for name in COMMANDS_BY_ROLE[role]
    ]


def menu_for_chat(chat_id: int, role: str, lang: str) -> Outgoing:
    """A setMyCommands call for one private chat; queued like any message, failures logged."""
    return Outgoing(
        chat_id=chat_id,
        method="setMyCommands",
        payload={
            "commands": commands(role, lang),
            "scope": {"type": "chat", "chat_id": chat_id},
        },
    )
