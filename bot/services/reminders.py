"""Reminders: the database says what is due; each one is recorded when queued (or dropped),
so a sweep run twice, or after a restart, queues it once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.clock import when_day
from bot.core.calendar import at_local, parse_hhmm
from bot.core.said import SCHEDULED, Delivery, Tell
from bot.services import desk, duty
from bot.services.talks import slot_line
from bot.services.unit import Unit
from storage.models import TalkSlot, User

log = logging.getLogger(__name__)


CHUNK = 50  # reminders queued in one transaction: the writer is never held for long


@dataclass(frozen=True)
class Due:
    """What the read part of a sweep found due: a booking's reminders (the hours before the
    start that have come and are not recorded), or a slot's host list."""

    kind: str  # "booking" or "host"
    slot_id: int
    starts_at: datetime
    booking_id: int = 0
    citizen_id: int = 0
    hours: tuple[int, ...] = ()


def sweep(unit: Unit) -> dict[str, int]:
    """Every reminder that is due, in one transaction (tests and small offices; the job reads
    `due` on a read connection and writes `remind` in chunks)."""
    counts = remind(unit, due(unit))
    for kind, count in remind_duty(unit).items():
        counts[kind] += count
    return counts


def due(unit: Unit) -> list[Due]:
    """The read part of a sweep: bookings and host lists whose reminders have come. What a
    reminder was already recorded for is left out; `remind` checks again as it writes."""
    return _due_bookings(unit) + _due_host_lists(unit)


def remind(unit: Unit, found: list[Due]) -> dict[str, int]:
    """Queue (or drop) the reminders of `found`, each recorded as it is queued, so a second
    sweep never repeats one; a booking cancelled or moved since it was read is left alone."""
    counts = {"sent": 0, "dropped": 0}
    booked = unit.tx.talks.still_booked([d.booking_id for d in found if d.kind == "booking"])
    slots: dict[int, TalkSlot | None] = {}
    for item in found:
        if item.slot_id not in slots:
            slots[item.slot_id] = unit.tx.talks.slot(item.slot_id)
        slot = slots[item.slot_id]
        if slot is None or slot.state != "open" or slot.starts_at != item.starts_at:
            continue
        if item.kind == "booking":
            if booked.get(item.booking_id) == slot.id:
                _booking(unit, item, slot, counts)
        else:
            _host_list(unit, slot, counts)
    return counts


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
            counts["dropped"] += 1
        return False
    if unit.tx.reminders.record(key, due, "sent", now):
        counts["sent"] += 1
        return True
    return False


def _due_bookings(unit: Unit) -> list[Due]:
    hours = unit.settings.booking_reminder_hours
    if not hours:
        return []
    seats = unit.tx.talks.booked_starting_between(unit.now - timedelta(days=1),
                                                  unit.now + timedelta(hours=max(hours)))
    done = unit.tx.reminders.known([_seat_key(s["booking_id"], s["starts_at"], h)
                                    for s in seats for h in hours])
    found: list[Due] = []
    for seat in seats:
        starts_at = seat["starts_at"]
        due_hours = tuple(sorted(
            h for h in hours if _seat_key(seat["booking_id"], starts_at, h) not in done
            and starts_at - timedelta(hours=h) <= unit.now))
        if due_hours:
            found.append(Due("booking", seat["slot_id"], starts_at, seat["booking_id"],
                             seat["citizen_id"], due_hours))
    return found


def _booking(unit: Unit, item: Due, slot: TalkSlot, counts: dict[str, int]) -> None:
    # After downtime several may be due at once: only the one nearest the event is sent,
    # the earlier ones are recorded as superseded (if the event began, all are dropped).
    began = unit.now >= slot.starts_at
    keep, superseded = (item.hours, ()) if began else (item.hours[:1], item.hours[1:])
    for h in superseded:
        key = _seat_key(item.booking_id, item.starts_at, h)
        if unit.tx.reminders.record(key, slot.starts_at - timedelta(hours=h), "dropped",
                                    unit.now):
            log.info("reminder %s superseded by a nearer one", key)
            counts["dropped"] += 1
    for h in keep:
        key = _seat_key(item.booking_id, item.starts_at, h)
        if not _record(unit, key, slot.starts_at - timedelta(hours=h), slot.starts_at, counts):
            continue
        citizen = unit.tx.users.get(item.citizen_id) or User(telegram_id=item.citizen_id)
        _remind(unit, citizen, "reminder_booking", start=unit.moment(slot.starts_at),
                 line=slot_line(unit, citizen, slot))


def _seat_key(booking_id: int, starts_at: datetime, hours: int) -> str:
    # The start is part of the key: a slot that moves is reminded of again at its new time.
    return f"booking:{booking_id}:{hours}h:{starts_at.astimezone(UTC):%Y-%m-%d %H:%M}"


def _host_key(slot: TalkSlot) -> str:
    return f"host:{slot.id}:{slot.starts_at:%Y%m%d%H%M}"


def _due_host_lists(unit: Unit) -> list[Due]:
    """The host gets the attendees and their topics the day before (HOST_LIST_TIME)."""
    tz = unit.settings.tz
    at = parse_hhmm(unit.settings.host_list_time)
    slots = [slot for slot in unit.tx.talks.starting_between(unit.now - timedelta(days=1),
                                                             unit.now + timedelta(days=2))
             if at_local(slot.starts_at.astimezone(tz).date() - timedelta(days=1), at, tz)
             <= unit.now]
    done = unit.tx.reminders.known([_host_key(slot) for slot in slots])
    return [Due("host", slot.id, slot.starts_at) for slot in slots
            if _host_key(slot) not in done]


def _host_list(unit: Unit, slot: TalkSlot, counts: dict[str, int]) -> None:
    tz = unit.settings.tz
    day_before = slot.starts_at.astimezone(tz).date() - timedelta(days=1)
    at = at_local(day_before, parse_hhmm(unit.settings.host_list_time), tz)
    if not _record(unit, _host_key(slot), at, slot.starts_at, counts):
        return
    host = unit.tx.users.get(slot.host_id) or User(telegram_id=slot.host_id)
    if host.role != "leader":  # the host left the post: the talk waits for a new one
        return
    attendees = [
        f"{desk.display(unit.tx.users.get(b.citizen_id))}: {b.topic}"
        for b in unit.tx.talks.of_slot(slot.id)
    ]
    _remind(unit, host, "host_list", line=slot_line(unit, host, slot),
             attendees="\n".join(attendees) or "-")


def remind_duty(unit: Unit) -> dict[str, int]:
    """The duty reminders of today and tomorrow (a few at most: one transaction)."""
    counts = {"sent": 0, "dropped": 0}
    _duty(unit, counts)
    return counts


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
            _remind(unit, leader, "duty_evening", day=when_day(lang, day))
        if _record(unit, f"duty:{day}:{leader_id}:morning", at_local(day, morning, tz), begins,
                   counts):
            if previous is None:
                _remind(unit, leader, "duty_morning_first", day=when_day(lang, day))
                continue
            _remind(unit, leader, "duty_morning", day=when_day(lang, day),
                     before=desk.display(unit.tx.users.get(previous)))
            off = unit.tx.users.get(previous) or User(telegram_id=previous)
            _remind(unit, off, "duty_handover_off", day=when_day(unit.lang(off), day),
                     name=desk.display(leader))


def _remind(unit: Unit, user: User, key: str, **params: object) -> None:
    """A reminder waits behind answers and relays, never behind a broadcast."""
    unit.tell(Tell(user.telegram_id, unit.lang(user), key, params,
                   delivery=Delivery(priority=SCHEDULED)))


def _previous_duty(unit: Unit, day) -> int | None:
    for back in range(1, 15):
        leader = duty.leader_on(unit, day - timedelta(days=back))
        if leader is not None:
            return leader
    return None


