"""Talks (民情恳谈): slots, recurring series, booking with a waitlist, and running the talk."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from bot.clock import when, when_day
from bot.core.calendar import at_local, check_slot, occurrences, parse_day, parse_hhmm, parse_rule
from bot.core.presses import press
from bot.core.rules import RuleError
from bot.services import cases, desk
from bot.services.unit import Unit
from bot.texts import Term
from storage.models import SLOT_KINDS, Booking, Dialogue, TalkSlot, User

log = logging.getLogger(__name__)
BOOK = "book"
HOLIDAY_SLOT = "holiday_slot"  # a /slot on a public holiday, waiting for the organiser's yes
TOPIC_LIMIT = 200  # characters in a booking's topic: one sentence, as the prompt asks
ORGANISERS = ("staff", "admin")


def _organiser(user: User) -> None:
    if user.role not in ORGANISERS:
        raise RuleError("err_organiser_only")


def _span(day: date, span: str, unit: Unit) -> tuple:
    first, _, last = span.partition("-")
    tz = unit.settings.tz
    return at_local(day, parse_hhmm(first), tz), at_local(day, parse_hhmm(last or "x"), tz)


def _host(unit: Unit, host_id: int) -> User:
    host = unit.tx.users.get(host_id)
    if host is None or host.role != "leader":
        raise RuleError("err_host_not_leader", id=host_id)
    return host


def slot_line(unit: Unit, viewer: User, slot: TalkSlot) -> Term:
    """A slot in one line, as a text parameter: written in the language of whoever reads it
    (`viewer` is who will)."""
    host = unit.tx.users.get(slot.host_id)
    return Term("slot_line", (
        ("id", slot.id), ("kind", Term(f"slot_{slot.kind}")),
        ("start", unit.moment(slot.starts_at)),
        ("end", f"{slot.ends_at.astimezone(unit.settings.tz):%H:%M}"), ("place", slot.place),
        ("host", desk.display(host)), ("left", max(slot.capacity - slot.booked, 0)),
        ("topic", f" · {slot.topic}" if slot.topic else ""),
    ))


@dataclass(frozen=True)
class Talks:
    """The slots a citizen may book (full ones for the waitlist)."""

    to: int
    slots: tuple[tuple[TalkSlot, Term], ...]  # each with its line


@dataclass(frozen=True)
class Bookings:
    """A citizen's own bookings to come."""

    to: int
    held: tuple[tuple[Booking, TalkSlot, Term], ...]


# --- organising -----------------------------------------------------------------------------

def confirm_holiday_slot(unit: Unit, actor: User, yes: bool) -> TalkSlot | None:
    dialogue = unit.dialogue(actor, HOLIDAY_SLOT, "confirm")
    unit.tx.dialogues.clear(actor.telegram_id)
    if not yes:
        unit.say(actor, "cancelled")
        return None
    return create_slot(unit, actor, **dialogue.data, on_holiday=True)


def create_slot(unit: Unit, actor: User, kind: str, day_text: str, span: str, capacity: int,
                host_id: int, place: str, topic: str = "", on_holiday: bool = False
                ) -> TalkSlot | None:
    """One slot. On a public holiday it is made only once the organiser confirms (None while
    that question waits)."""
    _organiser(actor)
    if kind not in SLOT_KINDS:
        raise RuleError("err_slot_kind", kinds=" | ".join(SLOT_KINDS))
    day = parse_day(day_text)
    start, end = _span(day, span, unit)
    _host(unit, host_id)
    busy = end > start and unit.tx.talks.host_overlaps(host_id, start, end)
    check_slot(start, end, capacity, unit.now, busy)
    holiday = unit.tx.holidays.between(day, day).get(day) == "holiday"
    if holiday and not on_holiday:
        args = {"kind": kind, "day_text": day_text, "span": span, "capacity": capacity,
                "host_id": host_id, "place": place, "topic": topic}
        unit.tx.dialogues.put(Dialogue(user_id=actor.telegram_id, name=HOLIDAY_SLOT,
                                       step="confirm", data=args), unit.now)
        unit.say(actor, "slot_holiday_ask",
                 [[(unit.text(actor, "btn_slot_anyway"), press("sh", 1)),
                   (unit.text(actor, "btn_cancel"), press("sh", 0))]],
                 day=when_day(unit.lang(actor), day))
        return None
    slot = unit.tx.talks.create_slot(
        {"kind": kind, "starts_at": start, "ends_at": end, "place": place, "host_id": host_id,
         "capacity": capacity, "topic": topic, "created_by": actor.telegram_id}, unit.now)
    assert slot is not None
    unit.tx.audit.append(unit.now, actor.telegram_id, "slot_create", subject_id=slot.id)
    unit.say(actor, "slot_created", line=slot_line(unit, actor, slot))
    return slot


def create_series(unit: Unit, actor: User, kind: str, rule: str, span: str, capacity: int,
                  host_id: int, place: str, topic: str = "") -> int:
    """A recurring slot, generated TALK_WEEKS_AHEAD weeks ahead with public holidays left out."""
    _organiser(actor)
    if kind not in SLOT_KINDS:
        raise RuleError("err_slot_kind", kinds=" | ".join(SLOT_KINDS))
    parse_rule(rule)
    first, _, last = span.partition("-")
    parse_hhmm(first)
    parse_hhmm(last or "x")
    if capacity < 1:
        raise RuleError("err_slot_capacity")
    _host(unit, host_id)
    series = unit.tx.talks.create_series(
        {"kind": kind, "rule": rule, "start_time": first, "end_time": last, "place": place,
         "host_id": host_id, "capacity": capacity, "topic": topic,
         "created_by": actor.telegram_id}, unit.now)
    unit.tx.audit.append(unit.now, actor.telegram_id, "series_create", subject_id=series.id)
    generated = generate(unit, only_series=series.id)
    lang = unit.lang(actor)
    skipped = unit.text(actor, "list_sep").join(
        when_day(lang, day) + unit.text(actor, "chain_why", why=unit.text(actor, f"skip_{why}"))
        for day, why in generated.skipped) or unit.text(actor, "none")
    unit.say(actor, "series_created", id=series.id, count=len(generated.created),
             skipped=skipped)
    return len(generated.created)


@dataclass
class Generated:
    """What a generation did: the slots it made, and the days it left out with the reason
    (`holiday`, `host_busy`)."""

    created: list[TalkSlot] = field(default_factory=list)
    skipped: list[tuple[date, str]] = field(default_factory=list)


def generate(unit: Unit, only_series: int | None = None) -> Generated:
    """Create the slots of every series up to TALK_WEEKS_AHEAD weeks ahead (idempotent: one slot
    per series and day). Public holidays are left out; so is a day whose host is busy then."""
    tz = unit.settings.tz
    today = unit.now.astimezone(tz).date()
    last = today + timedelta(weeks=unit.settings.talk_weeks_ahead)
    calendar = unit.tx.holidays.between(today, last)
    result = Generated()
    for series in unit.tx.talks.active_series():
        if only_series is not None and series.id != only_series:
            continue
        for day in occurrences(series.rule, today, last):
            start = at_local(day, parse_hhmm(series.start_time), tz)
            end = at_local(day, parse_hhmm(series.end_time), tz)
            if start <= unit.now or end <= start:
                continue
            if calendar.get(day) == "holiday":
                result.skipped.append((day, "holiday"))
                continue
            existing = unit.tx.talks.series_slot(series.id, day)
            if existing is not None:
                # Generated before. One a holiday took away comes back now the day is a working
                # one again; one staff cancelled stays cancelled.
                if existing.state == "cancelled" and existing.cancel_reason == "holiday":
                    if unit.tx.talks.host_overlaps(series.host_id, start, end,
                                                   except_id=existing.id):
                        result.skipped.append((day, "host_busy"))
                        continue
                    unit.tx.talks.update_slot(existing.id, unit.now, state="open",
                                              cancel_reason=None)
                    reopened = unit.tx.talks.slot(existing.id)
                    assert reopened is not None
                    result.created.append(reopened)
                continue
            if unit.tx.talks.host_overlaps(series.host_id, start, end):
                result.skipped.append((day, "host_busy"))
                log.info("series %s: host busy on %s, no slot", series.id, day)
                continue
            slot = unit.tx.talks.create_slot(
                {"kind": series.kind, "starts_at": start, "ends_at": end, "place": series.place,
                 "host_id": series.host_id, "capacity": series.capacity,
                 "topic": series.topic, "series_id": series.id,
                 "series_day": day.isoformat()}, unit.now)
            if slot is not None:
                result.created.append(slot)
    return result


@dataclass
class HolidayCancels:
    """What a holiday entered later did to the talks on its day."""

    cancelled: list[TalkSlot] = field(default_factory=list)  # series slots taken away
    told: int = 0  # people booked or waiting who were told
    one_offs: list[TalkSlot] = field(default_factory=list)  # single slots left for staff


def cancel_for_holiday(unit: Unit, day: date, name: str) -> HolidayCancels:
    """A holiday entered after a series was generated cancels that day's series slot; those
    booked are told and offered the series' next slot. Single slots are staff's to decide."""
    tz = unit.settings.tz
    first = at_local(day, time(0), tz)
    result = HolidayCancels()
    for slot in unit.tx.talks.open_on(first, first + timedelta(days=1)):
        if slot.series_id is None:
            result.one_offs.append(slot)
            continue
        unit.tx.talks.update_slot(slot.id, unit.now, state="cancelled", cancel_reason="holiday")
        result.cancelled.append(slot)
        following = unit.tx.talks.next_of_series(slot.series_id, slot.starts_at)
        for booking in unit.tx.talks.of_slot(slot.id, ("booked", "waitlisted")):
            unit.tx.talks.set_booking(booking.id, unit.now, state="cancelled")
            citizen = unit.tx.users.get(booking.citizen_id) or User(telegram_id=booking.citizen_id)
            lang = unit.lang(citizen)
            buttons = None
            offer = unit.text(citizen, "none")
            if following is not None:
                offer = slot_line(unit, citizen, following)
                buttons = [[(unit.text(citizen, "btn_rebook"),
                             press("rb", booking.id, following.id))]]
            unit.say(citizen, "slot_holiday_notice", buttons, line=slot_line(unit, citizen, slot),
                     day=when_day(lang, day), name=name or unit.text(citizen, "kind_holiday"),
                     next=offer)
            result.told += 1
        unit.tx.audit.append(unit.now, None, "slot_cancel", subject_id=slot.id,
                             detail="holiday")
    return result


def rebook(unit: Unit, user: User, booking_id: int, slot_id: int) -> Booking:
    """Take the offered next slot of the series, with the same topic (a waitlist place if it
    is full by now)."""
    old = unit.tx.talks.booking(booking_id)
    if old is None or old.citizen_id != user.telegram_id or old.state != "cancelled":
        raise RuleError("err_booking_missing")
    taken_away = unit.tx.talks.slot(old.slot_id)
    target = _slot(unit, slot_id)
    if (taken_away is None or taken_away.cancel_reason != "holiday"
            or target.series_id != taken_away.series_id):
        raise RuleError("err_stale_button")
    return book(unit, user, target.id, old.topic, waitlist=True)


def _slot(unit: Unit, slot_id: int) -> TalkSlot:
    slot = unit.tx.talks.slot(slot_id)
    if slot is None or slot.state != "open":
        raise RuleError("err_slot_missing")
    return slot


def cancel_slot(unit: Unit, actor: User, slot_id: int, reason: str) -> None:
    _organiser(actor)
    slot = _slot(unit, slot_id)
    unit.tx.talks.update_slot(slot.id, unit.now, state="cancelled")
    for booking in unit.tx.talks.of_slot(slot.id, ("booked", "waitlisted")):
        unit.tx.talks.set_booking(booking.id, unit.now, state="cancelled")
        unit.say_to(booking.citizen_id, "slot_cancelled_notice",
                    line=slot_line(unit, unit.tx.users.get(booking.citizen_id) or actor, slot),
                    reason=reason)
    unit.tx.audit.append(unit.now, actor.telegram_id, "slot_cancel", subject_id=slot.id)
    unit.say(actor, "slot_cancelled", id=slot.id)


def move_slot(unit: Unit, actor: User, slot_id: int, day_text: str, span: str) -> None:
    """Everyone booked keeps the seat and is told the new time."""
    _organiser(actor)
    slot = _slot(unit, slot_id)
    start, end = _span(parse_day(day_text), span, unit)
    busy = end > start and unit.tx.talks.host_overlaps(slot.host_id, start, end,
                                                       except_id=slot.id)
    check_slot(start, end, slot.capacity, unit.now, busy)
    unit.tx.talks.update_slot(slot.id, unit.now, starts_at=start, ends_at=end)
    moved = unit.tx.talks.slot(slot.id)
    assert moved is not None
    for booking in unit.tx.talks.of_slot(slot.id, ("booked", "waitlisted")):
        citizen = unit.tx.users.get(booking.citizen_id) or User(telegram_id=booking.citizen_id)
        unit.say(citizen, "slot_moved_notice", line=slot_line(unit, citizen, moved))
    unit.tx.audit.append(unit.now, actor.telegram_id, "slot_move", subject_id=slot.id)
    unit.say(actor, "slot_moved", line=slot_line(unit, actor, moved))


# --- booking --------------------------------------------------------------------------------

def bookable(unit: Unit, user: User, limit: int = 20) -> list[TalkSlot]:
    """The slots a citizen may still book: open for booking and not already theirs (full ones
    stay, for the waitlist)."""
    closes = unit.now + timedelta(hours=unit.settings.booking_closes_hours)
    held = {slot.id for _, slot in unit.tx.talks.of_citizen(user.telegram_id, unit.now)}
    return [s for s in unit.tx.talks.upcoming(closes, limit=limit + len(held))
            if s.id not in held][:limit]


def list_talks(unit: Unit, user: User) -> Talks:
    return Talks(user.telegram_id,
                 tuple((s, slot_line(unit, user, s)) for s in bookable(unit, user)))


def ask_topic(unit: Unit, user: User, slot_id: int, waitlist: bool) -> None:
    slot = _slot(unit, slot_id)
    _check_can_book(unit, user, slot)
    unit.tx.dialogues.put(Dialogue(user_id=user.telegram_id, name=BOOK, step="topic",
                                   data={"slot_id": slot.id, "waitlist": waitlist}), unit.now)
    unit.say(user, "book_topic", line=slot_line(unit, user, slot))


def _check_can_book(unit: Unit, user: User, slot: TalkSlot, moving: Booking | None = None
                    ) -> None:
    if slot.starts_at - timedelta(hours=unit.settings.booking_closes_hours) <= unit.now:
        raise RuleError("err_booking_closed", hours=unit.settings.booking_closes_hours)
    if unit.tx.talks.holding(slot.id, user.telegram_id) is not None:
        raise RuleError("err_already_booked")
    limit = unit.settings.max_active_bookings
    if moving is None and unit.tx.talks.active_count(user.telegram_id, unit.now) >= limit:
        raise RuleError("err_booking_limit", max=limit)


def on_topic(unit: Unit, user: User, dialogue: Dialogue, text: str) -> None:
    topic = text.strip()
    if not topic:
        unit.say(user, "err_need_text")
        return
    if len(topic) > TOPIC_LIMIT:  # refused with the limit, never cut without a word
        unit.say(user, "err_topic_long", max=TOPIC_LIMIT, length=len(topic))
        return
    unit.tx.dialogues.clear(user.telegram_id)
    book(unit, user, int(dialogue.data["slot_id"]), topic,
         waitlist=bool(dialogue.data.get("waitlist")))


def book(unit: Unit, user: User, slot_id: int, topic: str, waitlist: bool = False) -> Booking:
    """Take a seat if one is free, else a waitlist place if asked for. The seat is taken by
    one conditional statement (storage: `take_seat`), so the capacity holds however many try
    at once and whatever was read before."""
    slot = _slot(unit, slot_id)
    _check_can_book(unit, user, slot)
    booking = unit.tx.talks.take_seat(slot.id, user.telegram_id, topic, unit.now)
    if booking is None:
        if not waitlist:
            raise RuleError("err_slot_full", id=slot.id)
        booking = unit.tx.talks.book(slot.id, user.telegram_id, topic, "waitlisted", unit.now)
        unit.say(user, "waitlisted", line=slot_line(unit, user, slot))
        return booking
    unit.tx.audit.append(unit.now, user.telegram_id, "booking_create", subject_id=booking.id)
    booked = unit.tx.talks.slot(slot.id)
    assert booked is not None
    unit.say(user, "booked", line=slot_line(unit, user, booked), topic=topic)
    return booking


def my_bookings(unit: Unit, user: User) -> Bookings:
    held = unit.tx.talks.of_citizen(user.telegram_id, unit.now)
    return Bookings(user.telegram_id,
                    tuple((b, s, slot_line(unit, user, s)) for b, s in held))


def _own_booking(unit: Unit, user: User, booking_id: int) -> Booking:
    booking = unit.tx.talks.booking(booking_id)
    if (booking is None or booking.citizen_id != user.telegram_id
            or booking.state not in ("booked", "waitlisted")):
        raise RuleError("err_booking_missing")
    return booking


def cancel_booking(unit: Unit, user: User, booking_id: int) -> None:
    booking = _own_booking(unit, user, booking_id)
    unit.tx.talks.set_booking(booking.id, unit.now, state="cancelled")
    unit.tx.audit.append(unit.now, user.telegram_id, "booking_cancel", subject_id=booking.id)
    unit.say(user, "booking_cancelled")
    if booking.state == "booked":
        _promote(unit, booking.slot_id)


def decline(unit: Unit, user: User, booking_id: int) -> None:
    """A promoted citizen gives the seat back; it goes to the next on the waitlist."""
    booking = _own_booking(unit, user, booking_id)
    unit.tx.talks.set_booking(booking.id, unit.now, state="declined")
    unit.say(user, "booking_declined")
    if booking.state == "booked":
        _promote(unit, booking.slot_id)


def _promote(unit: Unit, slot_id: int) -> None:
    slot = unit.tx.talks.slot(slot_id)
    if slot is None or slot.state != "open" or slot.starts_at <= unit.now:
        return
    for waiting in unit.tx.talks.of_slot(slot_id, ("waitlisted",)):
        if slot.booked >= slot.capacity:
            return
        unit.tx.talks.set_booking(waiting.id, unit.now, state="booked")
        slot = unit.tx.talks.slot(slot_id)  # the seats left count the one just given
        assert slot is not None
        citizen = unit.tx.users.get(waiting.citizen_id) or User(telegram_id=waiting.citizen_id)
        unit.say(citizen, "promoted", [[(unit.text(citizen, "btn_decline"),
                                         press("dc", waiting.id))]],
                 line=slot_line(unit, citizen, slot))


def reschedule_choices(unit: Unit, user: User, booking_id: int) -> None:
    booking = _own_booking(unit, user, booking_id)
    # A move takes a free seat in one step, so full slots are left out here.
    options = [s for s in bookable(unit, user) if s.booked < s.capacity]
    if not options:
        unit.say(user, "reschedule_none")
        return
    lang = unit.lang(user)
    buttons = [[(f"S{s.id} {when(lang, s.starts_at, unit.settings.tz)}",
                 press("mv", booking.id, s.id))] for s in options[:10]]
    unit.say(user, "reschedule_choose", buttons)


def reschedule(unit: Unit, user: User, booking_id: int, slot_id: int) -> Booking:
    """Move to another slot in one step: the new seat is taken and the old one freed together."""
    booking = _own_booking(unit, user, booking_id)
    slot = _slot(unit, slot_id)
    _check_can_book(unit, user, slot, moving=booking)
    moved = unit.tx.talks.take_seat(slot.id, user.telegram_id, booking.topic, unit.now)
    if moved is None:  # full (the refusal rolls the whole move back)
        raise RuleError("err_slot_full", id=slot.id)
    unit.tx.talks.set_booking(booking.id, unit.now, state="cancelled")
    if booking.state == "booked":
        _promote(unit, booking.slot_id)
    fresh = unit.tx.talks.slot(slot.id)
    assert fresh is not None
    unit.say(user, "rescheduled", line=slot_line(unit, user, fresh))
    return moved


# --- running the talk -----------------------------------------------------------------------

def attendance_list(unit: Unit, staff: User, slot_id: int) -> None:
    _organiser(staff)
    slot = unit.tx.talks.slot(slot_id)
    if slot is None:
        raise RuleError("err_slot_missing")
    bookings = unit.tx.talks.of_slot(slot.id)
    if not bookings:
        unit.say(staff, "attendance_empty", id=slot.id)
        return
    lines = [unit.words(staff, slot_line(unit, staff, slot))]
    buttons = []
    for b in bookings:
        who = desk.display(unit.tx.users.get(b.citizen_id))
        mark = unit.text(staff, f"attendance_{b.attendance}") if b.attendance else "-"
        lines.append(f"B{b.id} {who} · {b.topic} · {mark}")
        buttons.append([(f"B{b.id} ✓", press("at", b.id, 1)),
                        (f"B{b.id} ✗", press("at", b.id, 0))])
    unit.say(staff, "raw", buttons or None, text="\n".join(lines))


def _held_booking(unit: Unit, booking_id: int) -> Booking:
    """A seat of a talk that has begun: attendance and outcomes come after the start."""
    booking = unit.tx.talks.booking(booking_id)
    if booking is None or booking.state != "booked":
        raise RuleError("err_booking_missing")
    slot = unit.tx.talks.slot(booking.slot_id)
    if slot is None or slot.starts_at > unit.now:
        raise RuleError("err_talk_not_begun", start=unit.moment(slot.starts_at if slot else None))
    return booking


def mark_attendance(unit: Unit, staff: User, booking_id: int, attended: bool) -> None:
    _organiser(staff)
    booking = _held_booking(unit, booking_id)
    value = "attended" if attended else "no_show"
    unit.tx.talks.set_booking(booking.id, unit.now, attendance=value)
    unit.say(staff, "attendance_marked", id=booking.id,
             mark=unit.text(staff, f"attendance_{value}"))


def record_outcome(unit: Unit, staff: User, booking_id: int, text: str, open_case: bool) -> None:
    """The talk's outcome; it can open a case on the case desk for the citizen, linked to it."""
    _organiser(staff)
    booking = _held_booking(unit, booking_id)
    # A second outcome is added to the record, never written over the first.
    record = f"{booking.outcome}\n{text}" if booking.outcome else text
    unit.tx.talks.set_booking(booking.id, unit.now, outcome=record)
    if open_case and booking.case_id is not None:  # one case per talk: say which it is
        existing = unit.tx.cases.get(booking.case_id)
        assert existing is not None
        unit.tx.cases.add_event(existing.id, unit.now, actor_id=staff.telegram_id,
                                direction="internal", kind="note", text=text)
        unit.say(staff, "outcome_case_exists", id=booking.id, number=existing.number)
        return
    if not open_case:
        unit.say(staff, "outcome_recorded", id=booking.id)
        return
    citizen = unit.tx.users.get(booking.citizen_id)
    case = cases.open_case(
        unit, staff.telegram_id,
        {"kind": "help", "channel": "visit", "state": "accepted",
         "citizen_id": booking.citizen_id, "citizen_name": desk.display(citizen),
         "text": f"{booking.topic}\n{text}", "owner_id": staff.telegram_id,
         "accepted_at": unit.now, "booking_id": booking.id},
        "case_from_talk",
    )
    unit.tx.cases.add_owner(case.id, staff.telegram_id, staff.telegram_id, "talk", unit.now)
    unit.tx.talks.set_booking(booking.id, unit.now, case_id=case.id)
    unit.say(staff, "outcome_case", id=booking.id, number=case.number)
    if citizen is not None:
        unit.say(citizen, "citizen_case_from_talk", number=case.number)
