"""Time: stored in UTC, shown in the office's zone. Tests use a clock they control."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock(Clock):
    def __init__(self, start: datetime) -> None:
        self.moment = start.astimezone(UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


class SteppedClock(Clock):
    """The console's clock: the wall clock moved forward by an offset a trainee sets (and the
    console keeps with its database), so the schedules can be tried out in minutes."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return super().now() + self.offset

    def move_to(self, moment: datetime) -> None:
        """From now on the clock reads `moment` (and runs on from there); never backwards."""
        self.offset = max(self.offset, moment - super().now())


def local(moment: datetime | None, tz: ZoneInfo) -> str:
    """A moment as the office reads it: 2026-11-29 22:30."""
    if moment is None:
        return "-"
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")


def when_day(lang: str, day: date) -> str:
    """A day as the office writes it: 2026年12月5日（周六） · Sat 5 Dec 2026."""
    if lang == "en":
        return f"{_WEEKDAYS_EN[day.weekday()]} {day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日（周{_WEEKDAYS_ZH[day.weekday()]}）"


def when(lang: str, moment: datetime | None, tz: ZoneInfo) -> str:
    """A moment in the office's zone: 2026年12月5日（周六）14:30 · Sat 5 Dec 2026, 14:30."""
    if moment is None:
        return "—" if lang == "en" else "无"
    there = moment.astimezone(tz)
    sep = ", " if lang == "en" else ""
    return f"{when_day(lang, there.date())}{sep}{there:%H:%M}"
