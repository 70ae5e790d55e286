"""Public announcements (公示、听证、新闻发布会): staff write one (/announce: kind, title, text, an
attachment, the date and place, a hearing's seats), a leader approves it when
ANNOUNCEMENT_APPROVAL is on, and it goes to the kind's subscribers through the outbox at the
broadcast priority. Anyone lists them (/notices); citizens subscribe per kind (/subscribe,
/unsubscribe). A hearing that takes registrations gets a talk slot of kind `hearing`: its seats,
bookings and reminders are the talks' own (bot.services.talks).

The broadcast (bot.services.broadcast) queues subscribers in chunks and keeps the sender's
progress message current."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.calendar import at_local, parse_day, parse_hhmm
from bot.core.incoming import Incoming
from bot.core.presses import Press, press
from bot.core.rules import RuleError, ascii_number
from bot.core.said import SCHEDULED, Delivery, Tell
from bot.services import broadcast, desk
from bot.services.unit import Unit
from bot.texts import Term
from storage.models import ANNOUNCEMENT_KINDS, Announcement, Dialogue, User

ANNOUNCE = "announce"  # the dialogue: kind → title → text → attachment → when → seats
TITLE_LIMIT, BODY_LIMIT, PLACE_LIMIT = 100, 3000, 100
MAX_SEATS = 500
HEARING_HOURS = 2  # a hearing's slot lasts this long from its start
NOTICES_LISTED = 10


def _staff_side(user: User) -> None:
    if not user.is_staff_side:
        raise RuleError("err_staff_only")


def start(unit: Unit, user: User) -> None:
    _staff_side(user)
    unit.tx.dialogues.put(Dialogue(user_id=user.telegram_id, name=ANNOUNCE, step="kind"),
                          unit.now)
    unit.say(user, "ann_ask_kind", [[(Term(f"announcement_{k}"), press("ak", k))
                                     for k in ANNOUNCEMENT_KINDS]])


def choose_kind(unit: Unit, user: User, kind: str) -> None:
    _staff_side(user)
    if kind not in ANNOUNCEMENT_KINDS:
        raise RuleError("err_stale_button")
    dialogue = unit.dialogue(user, ANNOUNCE, "kind")
    unit.advance(dialogue, "title", kind=kind)
    unit.say(user, "ann_ask_title", kind=Term(f"announcement_{kind}"))


def _skip_button() -> list:
    return [[(Term("btn_ann_skip"), press("as"))]]


def on_message(unit: Unit, user: User, dialogue: Dialogue, message: Incoming) -> None:
    _staff_side(user)
    step = dialogue.step
    if step == "attachment":
        if not message.media:
            unit.say(user, "ann_ask_attachment", _skip_button())
            return
        advanced = unit.advance(dialogue, media=message.media[0].model_dump(exclude_none=True))
        _after_attachment(unit, user, advanced)
        return
    if step == "title":
        words = unit.typed(user, message.text, TITLE_LIMIT, "err_ann_long", collapse=True)
        if words is not None:
            unit.advance(dialogue, "body", title=words)
            unit.say(user, "ann_ask_body")
    elif step == "body":
        words = unit.typed(user, message.text, BODY_LIMIT, "err_ann_long")
        if words is not None:
            unit.advance(dialogue, "attachment", body=words)
            unit.say(user, "ann_ask_attachment", _skip_button())
    elif step == "when":
        event_at, place = _when(unit, message.text)
        advanced = unit.advance(dialogue, event_at=event_at.isoformat(), place=place)
        if advanced.data["kind"] == "hearing":
            unit.advance(advanced, "seats")
            unit.say(user, "ann_ask_seats", _skip_button(), most=MAX_SEATS)
        else:
            _draft(unit, user, advanced)
    elif step == "seats":
        seats = ascii_number(message.text.strip(), low=1, high=MAX_SEATS)
        if seats is None:
            raise RuleError("err_ann_seats", most=MAX_SEATS)
        _draft(unit, user, unit.advance(dialogue, seats=seats))
    else:
        unit.say(user, "item_use_buttons")


def _when(unit: Unit, text: str) -> tuple[datetime, str]:
    """"2031-12-20 09:30 三楼会议室": a moment to come and a place."""
    parts = text.split(maxsplit=2)
    if len(parts) < 3:
        raise RuleError("err_ann_when")
    try:
        moment = at_local(parse_day(parts[0]), parse_hhmm(parts[1]), unit.settings.tz)
    except RuleError:
        raise RuleError("err_ann_when") from None
    if moment <= unit.now or moment > unit.now + timedelta(days=366):
        raise RuleError("err_ann_when_future")
    place = " ".join(parts[2].split())[:PLACE_LIMIT]
    return moment, place


def skip(unit: Unit, user: User) -> None:
    """The skip button: no attachment, no date and place, or no registration."""
    _staff_side(user)
    dialogue = unit.dialogue(user, ANNOUNCE, "attachment", "when", "seats")
    if dialogue.step == "attachment":
        _after_attachment(unit, user, dialogue)
    else:
        _draft(unit, user, dialogue)


def _after_attachment(unit: Unit, user: User, dialogue: Dialogue) -> None:
    if dialogue.data["kind"] in ("hearing", "press"):
        unit.advance(dialogue, "when")
        unit.say(user, "ann_ask_when", _skip_button())
    else:
        _draft(unit, user, dialogue)


def _draft(unit: Unit, user: User, dialogue: Dialogue) -> None:
    """The dialogue's answers become a draft, shown to its writer with 发布 and 取消."""
    data = dialogue.data
    fields = {"kind": data["kind"], "title": data["title"], "body": data["body"],
              "media": data.get("media"), "place": data.get("place"),
              "event_at": datetime.fromisoformat(data["event_at"]) if data.get("event_at")
              else None, "seats": data.get("seats")}
    announcement = unit.tx.announcements.add(fields, user.telegram_id, unit.now)
    unit.tx.dialogues.clear(user.telegram_id)
    approval = unit.settings.announcement_approval and user.role not in ("leader", "admin")
    unit.say(user, "ann_preview",
             [[(Term("btn_ann_submit" if approval else "btn_ann_send"),
                press("ac", announcement.id)), (Term("btn_cancel"), press("noop"))]],
             text=Term("ann_message", tuple(broadcast.message_params(unit, announcement).items())),
             seats=Term("ann_seats", (("seats", announcement.seats),))
             if announcement.seats else "")


def confirm(unit: Unit, user: User, announcement_id: int) -> None:
    """发布: sent at once, or put to the leaders when approval is required."""
    _staff_side(user)
    a = unit.tx.announcements.get(announcement_id)
    if a is None or a.state != "draft" or (
            a.created_by != user.telegram_id and user.role not in ("leader", "admin")):
        raise RuleError("err_stale_button")
    if unit.settings.announcement_approval and user.role not in ("leader", "admin"):
        moved = unit.tx.announcements.move(a.id, ("draft",), "pending", unit.now)
        if moved is None:
            raise RuleError("err_stale_button")
        params = broadcast.message_params(unit, moved)
        for leader in unit.tx.users.with_roles(("leader",)):
            unit.say(leader, "ann_approve_ask",
                     [[(Term("btn_ann_approve"), press("ad", a.id, 1)),
                       (Term("btn_ann_reject"), press("ad", a.id, 0))]],
                     name=desk.display(user), text=Term("ann_message", tuple(params.items())))
        unit.tx.audit.append(unit.now, user.telegram_id, "announcement_submit",
                             subject_id=a.id)
        unit.say(user, "ann_submitted", id=a.id)
        return
    _begin(unit, user, a, ("draft",))


def decide(unit: Unit, user: User, announcement_id: int, approve: bool) -> None:
    """A leader's 批准 or 不予发布; the first leader to press decides."""
    if user.role not in ("leader", "admin"):
        raise RuleError("err_leaders_and_admins")
    a = unit.tx.announcements.get(announcement_id)
    if a is None:
        raise RuleError("err_stale_button")
    if a.state != "pending":
        raise RuleError("err_ann_decided", id=a.id, state=Term(f"announcement_state_{a.state}"))
    if not approve:
        if unit.tx.announcements.move(a.id, ("pending",), "rejected", unit.now,
                                      by=user.telegram_id) is None:
            raise RuleError("err_stale_button")
        unit.tx.audit.append(unit.now, user.telegram_id, "announcement_reject",
                             subject_id=a.id)
        unit.say(user, "ann_rejected_done", id=a.id)
        unit.say_to(a.created_by, "ann_rejected", id=a.id, title=a.title,
                    name=desk.display(user))
        return
    _begin(unit, user, a, ("pending",))
    if a.created_by != user.telegram_id:
        unit.say_to(a.created_by, "ann_approved", id=a.id, title=a.title,
                    name=desk.display(user))


def _begin(unit: Unit, user: User, a: Announcement, expect: tuple[str, ...]) -> None:
    """Its broadcast begins: a hearing's seats become a talk slot, the sender gets the
    progress message, and the broadcast job queues the subscribers from now on."""
    moved = unit.tx.announcements.move(a.id, expect, "sending", unit.now,
                                       by=user.telegram_id)
    if moved is None:
        raise RuleError("err_stale_button")
    if moved.seats and moved.event_at is not None:
        slot = unit.tx.talks.create_slot(
            {"kind": "hearing", "starts_at": moved.event_at,
             "ends_at": moved.event_at + timedelta(hours=HEARING_HOURS),
             "place": moved.place or "", "host_id": moved.created_by, "capacity": moved.seats,
             "topic": moved.title, "created_by": user.telegram_id}, unit.now)
        assert slot is not None
        unit.tx.announcements.set_slot(moved.id, slot.id)
    unit.tx.audit.append(unit.now, user.telegram_id, "announcement_send", subject_id=a.id)
    creator = unit.tx.users.get(moved.created_by) or User(telegram_id=moved.created_by)
    total = unit.tx.subscriptions.count(moved.kind)
    unit.tell(Tell(creator.telegram_id, unit.lang(creator), "ann_progress",
                   {"id": moved.id, "sent": 0, "blocked": 0, "failed": 0, "left": total},
                   delivery=Delivery(priority=SCHEDULED)))
    unit.tx.announcements.progress(moved.id, unit.tx.outbox_last_id, None)
    if user.telegram_id != creator.telegram_id:
        unit.say(user, "ann_sending", id=moved.id, count=total)
    broadcast.queue_chunk(unit, moved.id)  # the first chunk with the decision; the job the rest


# --- reading and subscribing -------------------------------------------------------------

@dataclass(frozen=True)
class Notices:
    """/notices as data: the recent announcements, each with a hearing's registration."""

    to: int
    items: tuple[tuple[Announcement, bool], ...]  # (announcement, registration still open)


def notices(unit: Unit, user: User) -> Notices:
    found = []
    for a in unit.tx.announcements.recent(NOTICES_LISTED):
        slot = unit.tx.talks.slot(a.slot_id) if a.slot_id else None
        found.append((a, slot is not None and slot.state == "open"
                      and slot.starts_at > unit.now))
    return Notices(user.telegram_id, tuple(found))


def subscribe_menu(unit: Unit, user: User) -> None:
    mine = unit.tx.subscriptions.kinds_of(user.telegram_id)
    rest = [k for k in ANNOUNCEMENT_KINDS if k not in mine]
    buttons = [[(Term(f"btn_sub_{k}"), press("sb", k))] for k in rest]
    unit.say(user, "sub_menu" if rest else "sub_all", buttons or None,
             mine=_kinds(unit, user, mine) if mine else Term("none"))


def unsubscribe_menu(unit: Unit, user: User) -> None:
    mine = unit.tx.subscriptions.kinds_of(user.telegram_id)
    if not mine:
        unit.say(user, "sub_nothing")
        return
    buttons = [[(Term(f"btn_unsub_{k}"), press("ub", k))] for k in ANNOUNCEMENT_KINDS
               if k in mine]
    buttons.append([(Term("btn_unsub_all"), press("ub", "all"))])
    unit.say(user, "unsub_menu", buttons, mine=_kinds(unit, user, mine))


def _kinds(unit: Unit, user: User, kinds: set[str]) -> str:
    return unit.text(user, "list_sep").join(
        unit.words(user, Term(f"announcement_{k}")) for k in ANNOUNCEMENT_KINDS if k in kinds)


def subscribe(unit: Unit, user: User, kind: str) -> None:
    if kind not in ANNOUNCEMENT_KINDS:
        raise RuleError("err_stale_button")
    if not unit.tx.subscriptions.add(user.telegram_id, kind, unit.now):
        raise RuleError("sub_already", kind=Term(f"announcement_{kind}"))
    unit.say(user, "sub_done", kind=Term(f"announcement_{kind}"))


def unsubscribe(unit: Unit, user: User, kind: str) -> None:
    if kind != "all" and kind not in ANNOUNCEMENT_KINDS:
        raise RuleError("err_stale_button")
    removed = unit.tx.subscriptions.remove(user.telegram_id, None if kind == "all" else kind)
    if not removed:
        raise RuleError("sub_nothing")
    unit.say(user, "unsub_done_all" if kind == "all" else "unsub_done",
             kind=Term(f"announcement_{kind}") if kind != "all" else "")


def button(unit: Unit, user: User, cb: Press) -> None:
    """The announcements journey's buttons; each checks who pressed it."""
    if cb.action == "ak" and cb.word:
        choose_kind(unit, user, cb.word)
    elif cb.action == "as":
        skip(unit, user)
    elif cb.action == "ac":
        confirm(unit, user, cb.ids[0])
    elif cb.action == "ad":
        if cb.ids[1] not in (0, 1):
            raise RuleError("err_stale_button")
        decide(unit, user, cb.ids[0], cb.ids[1] == 1)
    elif cb.action == "sb" and cb.word:
        subscribe(unit, user, cb.word)
    elif cb.action == "ub" and cb.word:
        unsubscribe(unit, user, cb.word)
    else:
        raise RuleError("err_stale_button")
