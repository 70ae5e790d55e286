"""The screening rounds' cadence (issue 10 §2): the 1st and the 16th, moved to the next working
day by the holiday calendar; every day in a sensitive period, holidays included, from its start
or from the day after it was declared; a round closes when the next opens or after its hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.core.screening import RoundDay, SensitivePeriod, closes_at, round_days

# The tests' year: 2031. 1 Feb 2031 is a Saturday; 16 Feb a Sunday; 1 Mar a Saturday.
CALENDAR = {date(2031, 3, 3): "holiday", date(2031, 3, 16): "workday"}


def days(first: date, last: date, periods=()) -> list[tuple[str, str]]:
    return [(r.day.isoformat(), r.cadence)
            for r in round_days(first, last, CALENDAR, list(periods))]


def test_rounds_of_the_half_month_move_to_the_next_working_day() -> None:
    assert days(date(2031, 1, 1), date(2031, 3, 31)) == [
        ("2031-01-01", "semimonthly"),  # a Wednesday
        ("2031-01-16", "semimonthly"),  # a Thursday
        ("2031-02-03", "semimonthly"),  # the 1st is a Saturday: Monday
        ("2031-02-17", "semimonthly"),  # the 16th is a Sunday: Monday
        ("2031-03-04", "semimonthly"),  # Saturday, then Monday the 3rd is a holiday: Tuesday
        ("2031-03-16", "semimonthly"),  # a Sunday, but a 调休 working day
    ]


def test_a_moved_round_of_the_month_before_falls_in_the_span() -> None:
    calendar = {date(2031, 5, 16): "holiday"}  # Friday the 16th: the round runs Monday 19th
    found = round_days(date(2031, 5, 18), date(2031, 5, 20), calendar, [])
    assert found == [RoundDay(date(2031, 5, 19), "semimonthly")]


def test_a_sensitive_period_has_a_round_every_day_holidays_included() -> None:
    period = SensitivePeriod(date(2031, 3, 1), date(2031, 3, 5), declared_on=date(2031, 2, 20),
                             reason="全国两会")
    assert days(date(2031, 2, 27), date(2031, 3, 7), [period]) == [
        ("2031-03-01", "daily"), ("2031-03-02", "daily"), ("2031-03-03", "daily"),
        ("2031-03-04", "daily"),  # the half month's round is the same round that day
        ("2031-03-05", "daily"),
    ]


def test_a_period_declared_late_counts_from_the_next_day() -> None:
    period = SensitivePeriod(date(2031, 3, 1), date(2031, 3, 5), declared_on=date(2031, 3, 2))
    assert period.effective_first == date(2031, 3, 3)
    assert [d for d, _ in days(date(2031, 3, 1), date(2031, 3, 6), [period])] == [
        "2031-03-03", "2031-03-04", "2031-03-05"]
    assert not period.covers(date(2031, 3, 6))


def test_a_round_closes_at_the_next_or_after_its_hours() -> None:
    opens = datetime(2031, 3, 1, 1, 0, tzinfo=UTC)
    assert closes_at(opens, None, 48) == opens + timedelta(hours=48)
    assert closes_at(opens, opens + timedelta(days=1), 48) == opens + timedelta(days=1)
    assert closes_at(opens, opens + timedelta(days=15), 48) == opens + timedelta(hours=48)
