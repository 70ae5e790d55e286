"""Which commands each role sees in Telegram's menu (per-chat command scopes)."""

from __future__ import annotations

from bot.texts import t
from storage.models import Outgoing

Group = tuple[str, tuple[str, ...]]  # (the group's heading in /help, its commands)

GENERAL: Group = ("help_group_general", ("start", "lang", "cancel", "help"))
NOTICES: Group = ("help_group_notices", ("notices", "subscribe", "unsubscribe"))
CITIZEN: tuple[Group, ...] = (
    ("help_group_cases", ("new", "mycases", "link")),
    ("help_group_talks", ("talks", "mybookings", "duty")),
    NOTICES,
    GENERAL,
)
OFFICE: Group = ("help_group_office", ("export", "stats", "report", "announce", "notices"))
DESK: Group = ("help_group_desk", ("cases", "case", "register", "extend", "screening",
                                   "digest", "matter", "matters"))
STAFF: tuple[Group, ...] = (
    DESK,
    OFFICE,
    ("help_group_organise", ("slot", "series", "slot_cancel", "slot_move", "attendance",
                             "outcome")),
    ("help_group_talks", ("talks", "duty")),
    GENERAL,
)
LEADER: tuple[Group, ...] = (DESK, OFFICE, ("help_group_talks", ("talks", "duty")), GENERAL)
ADMIN: tuple[Group, ...] = (
    *STAFF[:-1],
    ("help_group_people", ("invite", "users", "revoke", "failed", "units")),
    ("help_group_calendar", ("holiday", "workday", "holidays", "sensitive", "rotation",
                             "duty_set", "duty_swap")),
    GENERAL,
)
# Each role's commands, grouped: /help shows them so, and the menu holds the same ones.
GROUPS_BY_ROLE: dict[str, tuple[Group, ...]] = {
    "citizen": CITIZEN,
    "liaison": CITIZEN,
    "staff": STAFF,
    "leader": LEADER,
    "admin": ADMIN,
}
COMMANDS_BY_ROLE: dict[str, tuple[str, ...]] = {
    role: tuple(name for _, names in groups for name in names)
    for role, groups in GROUPS_BY_ROLE.items()
}


def help_text(role: str, lang: str) -> str:
    """Every command of the role, grouped, each with what it does."""
    lines = [t(lang, "help_title")]
    for heading, names in GROUPS_BY_ROLE[role]:
        lines.append("")
        lines.append(t(lang, heading))
        lines += [f"/{name} {t(lang, f'cmd_{name}')}" for name in names]
    tail = "help_tail_citizen" if role in ("citizen", "liaison") else "help_tail_staff"
    return "\n".join([*lines, "", t(lang, tail)])


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
