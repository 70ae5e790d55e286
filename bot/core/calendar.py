"""Calendar rules for talks and the duty roster: working days, recurrence, rotation.
Plain functions over dates; no Telegram, no database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.rules import RuleError, is_working_day

_RULE = re.compile(r"^(weekly):([1-7])$|^(monthly):([1-9]|[12][0-9]|3[01])$")


def parse_rule(rule: str) -> tuple[str, int]:
    match = _RULE.match(rule)
    if not match:
        raise RuleError("err_rule")
    if match.group(1):
        return "weekly", int(match.group(2))
    return "monthly", int(match.group(4))


def occurrences(rule: str, first: date, last: date) -> list[date]:
    """The days a recurring rule falls on in [first, last] (holidays included: the caller
    decides what a holiday means for it)."""
    unit, number = parse_rule(rule)
    days: list[date] = []
    day = first
    while day <= last:
        hit = day.isoweekday() == number if unit == "weekly" else day.day == number
        if hit:
            days.append(day)
        day += timedelta(days=1)
    return days


def at_local(day: date, clock_time: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock_time, tzinfo=tz).astimezone(UTC)


def parse_hhmm(text: str) -> time:
    match = re.match(r"^([0-9]{1,2}):([0-9]{2})$", text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise RuleError("err_time", text=text)
    return time(int(match.group(1)), int(match.group(2)))


FIRST_YEAR, LAST_YEAR = 2000, 2099  # the days an office plans for; 0001-01-01 is a typo


def parse_day(text: str) -> date:
    """A day written YYYY-MM-DD, in ASCII digits and within 2000-2099."""
    text = text.strip()
    if not re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", text):
        raise RuleError("err_date", text=text[:20])
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise RuleError("err_date", text=text) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise RuleError("err_date", text=text)
    return day


def check_slot(start: datetime, end: datetime, capacity: int, now: datetime,
               host_busy: bool) -> None:
    """The refusals for a new or moved slot."""
    if start <= now:
        raise RuleError("err_slot_past")
    if end <= start:
        raise RuleError("err_slot_order")
    if capacity < 1:
        raise RuleError("err_slot_capacity")
    if host_busy:
        raise RuleError("err_slot_host_busy")


def duty_leader(
    day: date,
    rotation_unit: str | None,
    leaders: list[int],
    starts_on: date | None,
    overrides: dict[date, int],
    calendar: dict[date, str],
) -> int | None:
    """Who is on duty on `day`: an override if one was set, else the rotation's turn.
    A rotation by day counts working days only; by week, whole weeks from its first Monday.
    Nobody is on duty on a day off unless an override says so."""
    if day in overrides:
        return overrides[day]
    if not leaders or starts_on is None or rotation_unit is None or day < starts_on:
        return None
    if not is_working_day(day, calendar):
        return None
    if rotation_unit == "week":
        first_monday = starts_on - timedelta(days=starts_on.weekday())
        turn = (day - first_monday).days // 7
    else:
        turn = sum(
            1 for offset in range((day - starts_on).days)
            if is_working_day(starts_on + timedelta(days=offset), calendar)
        )
    return leaders[turn % len(leaders)]
