"""Reminders: the database says what is due; each one is recorded when queued (or dropped),
so a sweep run twice, or after a restart, queues it once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.clock import when_day
from bot.core.calendar import at_local, parse_hhmm
from bot.services import desk, duty
from bot.services.talks import slot_line
from bot.services.unit import Unit
from storage.models import TalkSlot, User

log = logging.getLogger(__name__)


CHUNK = 200  # reminders queued in one transaction: the writer is never held for long


class _Full(Exception):
    """This transaction has queued its share; the next chunk goes on from here."""


def sweep(unit: Unit) -> dict[str, int]:
    """Every reminder that is due, in one transaction (tests and small offices)."""
    counts, _ = sweep_chunk(unit, limit=None)
    return counts


def sweep_chunk(unit: Unit, limit: int | None = CHUNK) -> tuple[dict[str, int], bool]:
    """At most `limit` reminders queued or dropped; True when more may be due (the job runs
    the next chunk in a transaction of its own). Each is recorded as it is queued, so a next
    chunk never repeats one."""
    counts = {"sent": 0, "dropped": 0, "limit": limit or 0}
    try:
        _bookings(unit, counts)
        _host_lists(unit, counts)
        _duty(unit, counts)
    except _Full:
        del counts["limit"]
        return counts, True
    del counts["limit"]
    return counts, False


def _count(counts: dict[str, int], kind: str) -> None:
    counts[kind] += 1
    if counts["limit"] and counts["sent"] + counts["dropped"] >= counts["limit"]:
        raise _Full


def moments(unit: Unit, after: datetime, until: datetime) -> list[datetime]:
    """The moments in (after, until] at which a reminder may fall due, in order: a clock moved
    forward stops at each, so the 24-hour reminder goes before the 1-hour one, as in real time.
    A moment with nothing to send costs one empty sweep."""
    tz = unit.settings.tz
    found: set[datetime] = set()
    hours = unit.settings.booking_reminder_hours
    reach = timedelta(hours=max(hours, default=0)) + timedelta(days=2)
    host_at = parse_hhmm(unit.settings.host_list_time)
    for slot in unit.tx.talks.starting_between(after, until + reach):
        found.update(slot.starts_at - timedelta(hours=h) for h in hours)
        found.add(at_local(slot.starts_at.astimezone(tz).date() - timedelta(days=1), host_at, tz))
    evening = parse_hhmm(unit.settings.duty_evening_time)
    morning = parse_hhmm(unit.settings.duty_morning_time)
    day = after.astimezone(tz).date()
    while day <= until.astimezone(tz).date() + timedelta(days=1):
        found.add(at_local(day - timedelta(days=1), evening, tz))
        found.add(at_local(day, morning, tz))
        day += timedelta(days=1)
    return sorted(m for m in found if after < m <= until)


def _record(unit: Unit, key: str, due, begins, counts: dict[str, int]) -> bool:
    """True when the reminder should be queued now: it is due, still useful, and new."""
    now = unit.now
    if due > now:
        return False
    if now >= begins:
        if unit.tx.reminders.record(key, due, "dropped", now):
            log.warning("reminder %s dropped: the event began at %s", key, begins.isoformat())
            _count(counts, "dropped")
        return False
    if counts["limit"] and counts["sent"] + counts["dropped"] >= counts["limit"]:
        raise _Full  # before recording: this one goes in the next chunk
    if unit.tx.reminders.record(key, due, "sent", now):
        counts["sent"] += 1
        return True
    return False


def _bookings(unit: Unit, counts: dict[str, int]) -> None:
    hours = unit.settings.booking_reminder_hours
    if not hours:
        return
    seats = unit.tx.talks.booked_starting_between(unit.now - timedelta(days=1),
                                                  unit.now + timedelta(hours=max(hours)))
    # The start is part of the key: a slot that moves is reminded of again at its new time.
    keys = [_seat_key(s, h) for s in seats for h in hours]
    done = unit.tx.reminders.known(keys)
    slots: dict[int, TalkSlot] = {}
    for seat in seats:
        slot = slots.get(seat["slot_id"]) or unit.tx.talks.slot(seat["slot_id"])
        assert slot is not None
        slots[seat["slot_id"]] = slot
        due = [h for h in hours if _seat_key(seat, h) not in done
               and slot.starts_at - timedelta(hours=h) <= unit.now]
        # After downtime several may be due at once: only the one nearest the event is sent,
        # the earlier ones are recorded as superseded (if the event began, all are dropped).
        ordered = sorted(due)
        began = unit.now >= slot.starts_at
        keep, superseded = (ordered, []) if began else (ordered[:1], ordered[1:])
        for h in superseded:
            key = _seat_key(seat, h)
            if unit.tx.reminders.record(key, slot.starts_at - timedelta(hours=h), "dropped",
                                        unit.now):
                log.info("reminder %s superseded by a nearer one", key)
                _count(counts, "dropped")
        for h in keep:
            key = _seat_key(seat, h)
            if not _record(unit, key, slot.starts_at - timedelta(hours=h), slot.starts_at,
                           counts):
                continue
            citizen = unit.tx.users.get(seat["citizen_id"]) or User(telegram_id=seat["citizen_id"])
            unit.say(citizen, "reminder_booking", start=unit.moment(slot.starts_at),
                     line=slot_line(unit, citizen, slot))


def _seat_key(seat: dict, hours: int) -> str:
    return f"booking:{seat['booking_id']}:{hours}h:{seat['starts_at'][:16]}"


def _host_lists(unit: Unit, counts: dict[str, int]) -> None:
    """The host gets the attendees and their topics the day before (HOST_LIST_TIME)."""
    tz = unit.settings.tz
    at = parse_hhmm(unit.settings.host_list_time)
    for slot in unit.tx.talks.starting_between(unit.now - timedelta(days=1),
                                               unit.now + timedelta(days=2)):
        day_before = slot.starts_at.astimezone(tz).date() - timedelta(days=1)
        key = f"host:{slot.id}:{slot.starts_at:%Y%m%d%H%M}"
        if not _record(unit, key, at_local(day_before, at, tz), slot.starts_at,
                       counts):
            continue
        host = unit.tx.users.get(slot.host_id) or User(telegram_id=slot.host_id)
        if host.role != "leader":  # the host left the post: the talk waits for a new one
            continue
        attendees = [
            f"{desk.display(unit.tx.users.get(b.citizen_id))}: {b.topic}"
            for b in unit.tx.talks.of_slot(slot.id)
        ]
        unit.say(host, "host_list", line=slot_line(unit, host, slot),
                 attendees="\n".join(attendees) or "-")


def _duty(unit: Unit, counts: dict[str, int]) -> None:
    """A leader is reminded when a stint of duty begins, the evening before and on its first
    morning; that morning is also the handover to the leader coming off duty. A leader who
    stays on (a weekly turn, or the same leader after a day off) is not reminded again."""
    tz = unit.settings.tz
    today = unit.now.astimezone(tz).date()
    evening = parse_hhmm(unit.settings.duty_evening_time)
    morning = parse_hhmm(unit.settings.duty_morning_time)
    opening = unit.settings.opening_hours[0]
    for day in (today, today + timedelta(days=1)):
        leader_id = duty.leader_on(unit, day)
        if leader_id is None:
            continue
        previous = _previous_duty(unit, day)
        if previous == leader_id:
            continue
        # The duty begins when the office opens; a morning reminder set at or after opening
        # still has an hour to be of use.
        begins = at_local(day, opening, tz)
        if morning >= opening:
            begins = at_local(day, morning, tz) + timedelta(hours=1)
        leader = unit.tx.users.get(leader_id) or User(telegram_id=leader_id)
        lang = unit.lang(leader)
        if _record(unit, f"duty:{day}:{leader_id}:evening",
                   at_local(day - timedelta(days=1), evening, tz), begins, counts):
            unit.say(leader, "duty_evening", day=when_day(lang, day))
        if _record(unit, f"duty:{day}:{leader_id}:morning", at_local(day, morning, tz), begins,
                   counts):
            if previous is None:
                unit.say(leader, "duty_morning_first", day=when_day(lang, day))
                continue
            unit.say(leader, "duty_morning", day=when_day(lang, day),
                     before=desk.display(unit.tx.users.get(previous)))
            off = unit.tx.users.get(previous) or User(telegram_id=previous)
            unit.say(off, "duty_handover_off", day=when_day(unit.lang(off), day),
                     name=desk.display(leader))


def _previous_duty(unit: Unit, day) -> int | None:
    for back in range(1, 15):
        leader = duty.leader_on(unit, day - timedelta(days=back))
        if leader is not None:
            return leader
    return None


