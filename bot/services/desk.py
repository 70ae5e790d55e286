"""Where case messages go: the staff desk (group, forum topic or private chats) and the citizen."""

from __future__ import annotations

from datetime import datetime

from bot.core.incoming import Incoming
from bot.core.presses import press
from bot.core.said import FOLLOW_UP, NOW, Delivery, Keyboard, OpenTopic, Tell
from bot.services import deadlines
from bot.services.unit import Unit
from bot.texts import Term, t
from storage.models import Case, User

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


def card_buttons(case: Case, units: bool = False) -> Keyboard:
    """The card's buttons; naming the unit concerned only once the bureau's units exist."""
    cid = case.id
    rows: list = [
        [(Term("btn_claim"), press("cl", cid)), (Term("btn_reply"), press("rp", cid))],
        [(Term("btn_transfer"), press("tr", cid)), (Term("btn_resolve"), press("rs", cid)),
         (Term("btn_reject"), press("rj", cid))],
    ]
    if units:
        rows.append([(Term("btn_case_unit"), press("cu", cid))])
    return rows


def card(unit: Unit, case: Case) -> Term:
    """A case's card, as a text parameter: written in the language of whoever reads it."""
    owner = unit.tx.users.get(case.owner_id) if case.owner_id else None
    return Term("card", (
        ("number", case.number),
        ("kind", Term(f"kind_{case.kind}")),
        ("channel", Term(f"channel_{case.channel}")),
        ("state", Term(f"state_{case.state}")),
        ("name", citizen_label(case)),
        ("phone", case.citizen_phone or "-"),
        ("owner", (owner.display_name or str(owner.telegram_id)) if owner else Term("unclaimed")),
        ("deadlines", deadlines.lines(unit, case)),
        ("text", case.text),
        ("instructions", _instructions(unit, case)),
    ))


def _instructions(unit: Unit, case: Case, limit: int = 3) -> Term | str:
    """The case's latest leaders' instructions (批示) for its card; nothing when none."""
    found = unit.tx.cases.instructions(case.id, limit)
    if not found:
        return ""
    lines = "\n".join(f"{display(unit.tx.users.get(e.actor_id or 0))} · {e.text}"
                      for e in found)
    return Term("card_instructions", (("lines", lines),))


def announce_case(unit: Unit, case: Case, attachments: list | None = None) -> None:
    """A new case reaches the staff: a forum topic of its own, or a card message."""
    forum = staff_chat_is_forum(unit)
    the_card = card(unit, case)
    buttons = card_buttons(case, unit.tx.units.exist())
    for chat_id, lang, in_topic in staff_recipients(unit, case):
        if forum and chat_id == unit.settings.staff_chat_id:
            title = f"{case.number} {t(lang, f'kind_{case.kind}')}"
            unit.tell(OpenTopic(chat_id, title, case.id))
        delivery = Delivery(case_id=case.id, in_case_topic=in_topic)
        unit.tell(Tell(chat_id, lang, "raw", {"text": the_card}, buttons,
                       delivery=Delivery(case_id=case.id, in_case_topic=in_topic,
                                         purpose="card")))
        if attachments:
            unit.tell(Tell(chat_id, lang, "raw", {"text": ""}, media=tuple(attachments),
                           delivery=delivery))


def to_staff(unit: Unit, case: Case, key: str, **params: object) -> None:
    """A notice about the case wherever staff follow it."""
    for chat_id, lang, in_topic in staff_recipients(unit, case):
        unit.tell(Tell(chat_id, lang, key, {"number": case.number, **params},
                       delivery=Delivery(case_id=case.id, in_case_topic=in_topic)))


def relay_to_staff(unit: Unit, case: Case, author: str, message: Incoming) -> None:
    """A citizen's message, headed with the case and the author, in every staff place."""
    for chat_id, lang, in_topic in staff_recipients(unit, case):
        header = t(lang, "relay_header_staff", number=case.number,
                   name=_author(lang, case, author))
        _relay(unit, chat_id, lang, header, message, case, in_topic, priority=FOLLOW_UP)


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
        unit.tell(Tell(chat_id, lang, "raw", {"text": text}, delivery=Delivery(
            case_id=case.id, in_case_topic=in_topic, purpose="link", album_key=key,
            delay_seconds=delay, priority=FOLLOW_UP)))


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
    _relay(unit, case.citizen_id, lang, header, message, case, False, notify_id)
    return True


def _relay(
    unit: Unit, chat_id: int, lang: str, header: str, message: Incoming, case: Case,
    in_topic: bool, notify_id: int | None = None, priority: int = NOW,
) -> None:
    """The message under its header; to staff, a citizen's further messages wait behind new
    cases (FOLLOW_UP), to the citizen staff's answer goes at once (NOW)."""
    body = f"{header}\n{message.text}" if message.text else header
    if message.media_group_id and message.media:
        key = f"{message.media_group_id}:{chat_id}"
        delivery = Delivery(case_id=case.id, in_case_topic=in_topic, purpose="link",
                            notify_id=notify_id, album_key=key, priority=priority)
        for item in message.media:
            # Later parts of the album keep only their own caption, never the header again.
            unit.tell(Tell(chat_id, lang, "raw", {"text": body}, media=(item,),
                           album_part=True, caption_first_only=not message.text,
                           delivery=delivery))
        return
    delivery = Delivery(case_id=case.id, in_case_topic=in_topic, purpose="link",
                        notify_id=notify_id, priority=priority)
    unit.tell(Tell(chat_id, lang, "raw", {"text": body}, media=tuple(message.media),
                   delivery=delivery))


def citizen_label(case: Case, user: User | None = None) -> str | Term:
    """Who raised the case, as staff see it: an anonymous case never shows a name."""
    if case.anonymous:
        return Term("anonymous")
    return case.real_name or case.citizen_name or (display(user) if user else "-")


def display(user: User | None) -> str:
    if user is None:
        return "-"
    return user.display_name or (f"@{user.username}" if user.username else str(user.telegram_id))
