"""Where case messages go: the staff desk (group, forum topic or private chats) and the citizen."""

from __future__ import annotations

from datetime import datetime

from bot import render
from bot.incoming import Incoming
from bot.services.unit import Unit
from bot.texts import Term, t
from storage.models import Case, Outgoing, User

FORUM_KEY = "staff_chat_is_forum"
SUMMARY_LIMIT = 3500  # characters of a flood's summary (Telegram takes 4096 a message)
LOST_KEY = "staff_chat:lost"  # set by bot.services.staff_chat


def staff_chat_is_forum(unit: Unit) -> bool:
    return staff_group(unit) is not None and unit.tx.kv.get(FORUM_KEY) == "1"


def staff_group(unit: Unit) -> int | None:
    """The staff group while the bot can post there; None sends the desk to private chats."""
    chat_id = unit.settings.staff_chat_id
    if chat_id is None or unit.tx.kv.get(LOST_KEY) == "1":
        return None
    return chat_id


def staff_recipients(unit: Unit, case: Case) -> list[tuple[int, str, bool]]:
    """(chat id, language, in the case's topic) for each place staff see this case."""
    group = staff_group(unit)
    if group is not None:  # one read for the group's state, one for whether it has topics
        return [(group, unit.settings.default_language, unit.tx.kv.get(FORUM_KEY) == "1")]
    if case.owner_id is not None:
        owner = unit.tx.users.get(case.owner_id)
        return [(case.owner_id, unit.lang(owner), False)]
    people = unit.tx.users.with_roles(("staff",)) or unit.tx.users.with_roles(("admin",))
    return [(p.telegram_id, unit.lang(p), False) for p in people]


def card_buttons(lang: str, case: Case) -> list[list[render.Button]]:
    cid = case.id
    return [
        [(t(lang, "btn_claim"), f"cl:{cid}"), (t(lang, "btn_reply"), f"rp:{cid}")],
        [(t(lang, "btn_transfer"), f"tr:{cid}"), (t(lang, "btn_resolve"), f"rs:{cid}"),
         (t(lang, "btn_reject"), f"rj:{cid}")],
    ]


def due_label(case: Case) -> Term:
    """Which deadline a case's `due_at` is: deciding whether to accept it (2022 信访工作条例
    art. 23: 15 days), or handling it once accepted (art. 34: 60 days)."""
    return Term("due_accept" if case.state == "new" else "due_handle")


def card_text(unit: Unit, lang: str, case: Case) -> str:
    owner = unit.tx.users.get(case.owner_id) if case.owner_id else None
    name = citizen_label(lang, case)
    return t(
        lang,
        "card",
        number=case.number,
        kind=t(lang, f"kind_{case.kind}"),
        channel=t(lang, f"channel_{case.channel}"),
        state=t(lang, f"state_{case.state}"),
        name=name,
        phone=case.citizen_phone or "-",
        owner=(owner.display_name or str(owner.telegram_id)) if owner else t(lang, "unclaimed"),
        due=unit.moment(case.due_at),
        due_label=due_label(case),
        text=case.text,
    )


def announce_case(unit: Unit, case: Case, attachments: list | None = None) -> None:
    """A new case reaches the staff: a forum topic of its own, or a card message."""
    forum = staff_chat_is_forum(unit)
    for chat_id, lang, in_topic in staff_recipients(unit, case):
        if forum and chat_id == unit.settings.staff_chat_id:
            title = f"{case.number} {t(lang, f'kind_{case.kind}')}"
            unit.send([Outgoing(chat_id=chat_id, method="createForumTopic",
                                payload={"name": title[:128]}, case_id=case.id, purpose="topic")])
        options = {"case_id": case.id, "in_case_topic": in_topic}
        unit.send(render.text(chat_id, card_text(unit, lang, case), card_buttons(lang, case),
                              purpose="card", **options))
        if attachments:
            unit.send(render.media(chat_id, attachments, **options))


def to_staff(unit: Unit, case: Case, key: str, **params: object) -> None:
    """A notice about the case wherever staff follow it."""
    for chat_id, lang, in_topic in staff_recipients(unit, case):
        unit.send(render.text(chat_id, t(lang, key, number=case.number, **params),
                              case_id=case.id, in_case_topic=in_topic))


def relay_to_staff(unit: Unit, case: Case, author: str, message: Incoming) -> None:
    """A citizen's message, headed with the case and the author, in every staff place."""
    for chat_id, lang, in_topic in staff_recipients(unit, case):
        header = t(lang, "relay_header_staff", number=case.number,
                   name=_author(lang, case, author))
        _relay(unit, chat_id, header, message, case, in_topic)


def flood_summary(unit: Unit, case: Case, author: str, first_event: int, start: datetime,
                  ends: datetime) -> None:
    """One message per minute for the rest of a flood: it waits until the minute ends, and
    each new message replaces the waiting summary with a longer one."""
    events = [e for e in unit.tx.cases.events_from(case.id, first_event)
              if e.direction == "in" and e.kind == "message"]
    delay = max((ends - unit.now).total_seconds(), 0.0)
    for chat_id, lang, in_topic in staff_recipients(unit, case):
        lines = [f"{index}. {e.text}" if e.text else f"{index}. "
                 + t(lang, "attachments", count=len(e.media))
                 for index, e in enumerate(events, 1)]
        held = sum(len(e.media) for e in events)
        body = "\n".join(lines)
        if len(body) > SUMMARY_LIMIT:
            body = body[:SUMMARY_LIMIT] + "…"
        text = t(lang, "flood_summary", number=case.number,
                 name=_author(lang, case, author), count=len(events), text=body,
                 held=held)
        key = f"summary:{case.id}:{start:%Y%m%d%H%M%S}:{chat_id}"
        unit.send(render.text(chat_id, text, case_id=case.id, in_case_topic=in_topic,
                              purpose="link", album_key=key, delay_seconds=delay))


def _author(lang: str, case: Case, author: str) -> str:
    return t(lang, "anonymous") if case.anonymous else author


def relay_to_citizen(unit: Unit, case: Case, message: Incoming,
                     notify_id: int | None = None) -> bool:
    """Staff's answer as the office (never a staff member's account); False if no chat.
    `notify_id` hears if it cannot be delivered."""
    if case.citizen_id is None:
        return False
    citizen = unit.tx.users.get(case.citizen_id)
    lang = unit.lang(citizen)
    header = t(lang, "relay_header_citizen", office=unit.settings.office_name,
               number=case.number)
    _relay(unit, case.citizen_id, header, message, case, False, notify_id)
    return True


def _relay(
    unit: Unit, chat_id: int, header: str, message: Incoming, case: Case, in_topic: bool,
    notify_id: int | None = None,
) -> None:
    options = {"case_id": case.id, "in_case_topic": in_topic, "purpose": "link",
               "notify_id": notify_id}
    body = f"{header}\n{message.text}" if message.text else header
    if message.media_group_id and message.media:
        key = f"{message.media_group_id}:{chat_id}"
        for item in message.media:
            part = render.album_part(chat_id, item, body, key, **options)
            # Later parts of the album keep only their own caption, never the header again.
            part.payload["media"][0]["_first_only"] = not message.text
            unit.send([part])
        return
    if message.media:
        unit.send(render.media(chat_id, message.media, body, **options))
    else:
        unit.send(render.text(chat_id, body, **options))


def citizen_label(lang: str, case: Case, user: User | None = None) -> str:
    """Who raised the case, as staff see it: an anonymous case never shows a name."""
    if case.anonymous:
        return t(lang, "anonymous")
    return case.real_name or case.citizen_name or (display(user) if user else "-")


def display(user: User | None) -> str:
    if user is None:
        return "-"
    return user.display_name or (f"@{user.username}" if user.username else str(user.telegram_id))
