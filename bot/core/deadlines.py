"""A case's deadlines as plain rules: which ones a case has, how long each runs, when its
answerable person is reminded and when it is overdue. No Telegram, no database.

The figures are settings (bot.settings), after the 2022 信访工作条例: deciding on acceptance in
15 days (art. 23), handling a 申诉求决类 matter under art. 31(6) in 60 days with one extension of
up to 30 (art. 34); the office's own limits for everything else. Provinces differ."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.rules import is_working_day
from bot.settings import Settings

ACCEPT = "accept"  # deciding whether to accept (受理), from the case's arrival
HANDLE = "handle"  # handling it (办理), from its acceptance; a dispute's from its report
CLASSIFY = "classify"  # a petition's or complaint's category, from its claim
KINDS = (ACCEPT, HANDLE, CLASSIFY)
CLASSIFIED = ("petition", "complaint")  # the kinds 信访工作条例 arts. 29-31 classify
# 建议意见类 (art. 29), 检举控告类 (art. 30), 申诉求决类 by a legal route of art. 31(1)-(5),
# and 申诉求决类 handled as a petition under art. 31(6): only this last runs the 60 (+30) days.
CATEGORIES = ("suggestion", "accusation", "route", "claim")
ENDED = ("resolved", "closed", "rejected", "withdrawn")
SOON, OVERDUE = "soon", "overdue"
WARN, ON_DAY, PASSED = "warned_at", "reminded_at", "overdue_at"  # what a sweep records


@dataclass(frozen=True)
class Plan:
    """A deadline a case should have: from when, for how many days (None: a date was set)."""

    kind: str
    starts_at: datetime
    days: int


def accept_days(kind: str, settings: Settings) -> int | None:
    """A screening item is reported by the bureau's own unit: nobody decides to accept it."""
    if kind == "dispute":
        return None
    return settings.petition_accept_days if kind in CLASSIFIED else settings.accept_days


def handle_days(kind: str, category: str | None, settings: Settings) -> int:
    """A petition or complaint not classified yet runs the statutory 60 days until it is."""
    if kind in CLASSIFIED:
        if category is None or category == "claim":
            return settings.handle_days
        return settings.category_handle_days[category]
    return settings.kind_handle_days[kind]


def plans(kind: str, state: str, category: str | None, created_at: datetime,
          accepted_at: datetime | None, now: datetime, settings: Settings) -> list[Plan]:
    """The deadlines a case in this state should have by now (those it has are kept)."""
    if state in ENDED:
        return []
    wanted: list[Plan] = []
    days = accept_days(kind, settings)
    if days is not None:
        wanted.append(Plan(ACCEPT, created_at, days))
    if kind == "dispute" or state == "accepted":
        start = accepted_at or created_at
        wanted.append(Plan(HANDLE, start, handle_days(kind, category, settings)))
        if kind in CLASSIFIED and category is None:
            wanted.append(Plan(CLASSIFY, now, settings.classify_days))
    return wanted


def due_after(start: datetime, days: int, tz: ZoneInfo, counting: str,
              calendar: Mapping[date, str]) -> datetime:
    """The end (23:59:59 local) of the `days`th calendar or working day after `start`."""
    day = start.astimezone(tz).date()
    if counting == "working":
        left = days
        while left > 0:
            day += timedelta(days=1)
            if is_working_day(day, calendar):
                left -= 1
    else:
        day += timedelta(days=days)
    return end_of(day, tz)


def end_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def calendar_span(days: int, counting: str) -> int:
    """How many days of holiday calendar a count of `days` can reach across."""
    return days * 3 + 60 if counting == "working" else 0


def flag(due_at: datetime, met_at: datetime | None, now: datetime, remind_days: int,
         tz: ZoneInfo) -> str:
    """🟡 within DEADLINE_REMIND_DAYS of the deadline's day, 🔴 past it; computed when shown."""
    if met_at is not None:
        return ""
    if now > due_at:
        return OVERDUE
    if now.astimezone(tz).date() >= due_at.astimezone(tz).date() - timedelta(days=remind_days):
        return SOON
    return ""


def reminder_moments(due_at: datetime, remind_days: int, tz: ZoneInfo,
                     opening: time) -> tuple[datetime, datetime]:
    """When the answerable person hears of a deadline: DEADLINE_REMIND_DAYS before its day
    and on its day, each as the office opens."""
    day = due_at.astimezone(tz).date()
    early = datetime.combine(day - timedelta(days=remind_days), opening, tzinfo=tz)
    on_day = datetime.combine(day, opening, tzinfo=tz)
    return early.astimezone(UTC), on_day.astimezone(UTC)


def next_step(kind: str, due_at: datetime, warned: bool, reminded: bool, now: datetime,
              remind_days: int, tz: ZoneInfo, opening: time) -> str | None:
    """What a sweep does now for an unmet deadline not yet marked overdue: mark it overdue,
    remind on the day, remind early, or nothing. A classification is only ever chased once it
    is late (its one day is too short for notice ahead)."""
    if now > due_at:
        return PASSED
    if kind == CLASSIFY:
        return None
    early, on_day = reminder_moments(due_at, remind_days, tz, opening)
    if now >= on_day and not reminded:
        return ON_DAY
    if early <= now < on_day and not warned and remind_days > 0:
        return WARN
    return None
