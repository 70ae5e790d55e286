"""When screening rounds (排查调处) run: the bureau's report asks for a round every half month
(每半月排查一次) and a round every day in sensitive periods (敏感时期实行日排查、日报告). Plain
functions over days and the holiday calendar, so that the job, the console and the tests agree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.rules import is_working_day

SEMIMONTHLY_DAYS = (1, 16)  # the rounds of the half month
MAX_SEARCH = 31  # a working day is found within a month, even around the Spring Festival


@dataclass(frozen=True, slots=True)
class SensitivePeriod:
    """An admin-declared span (e.g. 全国两会): every day in it has a round, holidays included.
    It counts from its start, or from the day after it was declared if that is later."""

    first: date
    last: date
    declared_on: date
    reason: str = ""

    @property
    def effective_first(self) -> date:
        return max(self.first, self.declared_on + timedelta(days=1))

    def covers(self, day: date) -> bool:
        return self.effective_first <= day <= self.last


@dataclass(frozen=True, slots=True)
class RoundDay:
    day: date
    cadence: str  # "semimonthly" or "daily"


def next_working_day(day: date, calendar: Mapping[date, str]) -> date:
    """`day` itself when it is a working day, else the next one (the calendar's holidays and
    调休 working days count)."""
    for offset in range(MAX_SEARCH):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate, calendar):
            return candidate
    return day + timedelta(days=MAX_SEARCH)


def semimonthly_day(year: int, month: int, half: int, calendar: Mapping[date, str]) -> date:
    """The day the round of the 1st (half 0) or the 16th (half 1) runs: that day, or the next
    working day."""
    return next_working_day(date(year, month, SEMIMONTHLY_DAYS[half]), calendar)


def round_days(first: date, last: date, calendar: Mapping[date, str],
               periods: list[SensitivePeriod]) -> list[RoundDay]:
    """Every day in [first, last] on which a round opens, in order. A day in a sensitive
    period has a daily round (one round: the half month's, if due that day, is the same round);
    outside, the rounds of the 1st and the 16th, each moved to the next working day."""
    days: dict[date, str] = {}
    month = date(first.year, first.month, 1) - timedelta(days=1)  # the month before: its 16th
    month = date(month.year, month.month, 1)  # may move into the span
    while month <= last:
        for half in (0, 1):
            day = semimonthly_day(month.year, month.month, half, calendar)
            if first <= day <= last:
                days[day] = "semimonthly"
        month = (month + timedelta(days=32)).replace(day=1)
    day = first
    while day <= last:
        if any(period.covers(day) for period in periods):
            days[day] = "daily"
        day += timedelta(days=1)
    return [RoundDay(d, days[d]) for d in sorted(days)]


def closes_at(opens_at: datetime, next_opens_at: datetime | None,
              close_hours: int) -> datetime:
    """A round closes when the next one opens, or `close_hours` after it opened, whichever
    comes first."""
    limit = opens_at + timedelta(hours=close_hours)
    return min(limit, next_opens_at) if next_opens_at is not None else limit
