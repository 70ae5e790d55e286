"""Time: stored in UTC, shown in the office's zone. Tests use a clock they control."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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


def local(moment: datetime | None, tz: ZoneInfo) -> str:
    """A moment as the office reads it: 2026-11-29 22:30."""
    if moment is None:
        return "-"
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
