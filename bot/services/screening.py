"""Screening (排查调处): the sensitive periods admins declare, in which rounds run daily."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.calendar import parse_day
from bot.core.rules import RuleError, ascii_number
from bot.core.screening import SensitivePeriod
from bot.services.unit import Unit
from bot.texts import Day
from storage.models import SensitivePeriodRow, User

REASON_LIMIT = 100


@dataclass(slots=True)
class Periods:
    """The current and coming sensitive periods (admins)."""

    to: int
    today: date
    periods: tuple[SensitivePeriodRow, ...]


def _admin(user: User) -> None:
    if user.role != "admin":
        raise RuleError("err_admin_only")


def _today(unit: Unit) -> date:
    return unit.now.astimezone(unit.settings.tz).date()


def periods(unit: Unit, on: date) -> list[SensitivePeriod]:
    """The periods the cadence needs for days from `on` on."""
    return [SensitivePeriod(p.first_day, p.last_day, p.declared_on, p.reason)
            for p in unit.tx.sensitive.ending_on_or_after(on)]


def list_periods(unit: Unit, admin: User) -> Periods:
    _admin(admin)
    today = _today(unit)
    return Periods(admin.telegram_id, today,
                   tuple(unit.tx.sensitive.ending_on_or_after(today)))


def add_period(unit: Unit, admin: User, first_text: str, last_text: str, reason: str) -> None:
    """/sensitive add FIRST LAST reason: from FIRST (or tomorrow, if FIRST is today or past)
    to LAST, a round every day."""
    _admin(admin)
    first, last = parse_day(first_text), parse_day(last_text)
    today = _today(unit)
    reason = " ".join(reason.split())
    if not reason or len(reason) > REASON_LIMIT:
        raise RuleError("err_sensitive_reason", max=REASON_LIMIT)
    if last < first:
        raise RuleError("err_sensitive_order", first=Day(first), last=Day(last))
    if last <= today:
        raise RuleError("err_sensitive_past", last=Day(last))
    period = unit.tx.sensitive.add(first, last, today, reason, admin.telegram_id, unit.now)
    unit.tx.audit.append(unit.now, admin.telegram_id, "sensitive_add", subject_id=period.id,
                         detail=f"{first}:{last}")
    effective = SensitivePeriod(first, last, today).effective_first
    unit.say(admin, "sensitive_added", id=period.id, reason=reason, first=Day(effective),
             last=Day(last))


def end_period(unit: Unit, admin: User, ref: str) -> None:
    """/sensitive end P3: the period ends today (its last daily round is today's)."""
    _admin(admin)
    period_id = ascii_number(ref.strip().upper().removeprefix("P"))
    period = unit.tx.sensitive.get(period_id) if period_id is not None else None
    today = _today(unit)
    if period is None:
        raise RuleError("err_sensitive_missing")
    if period.last_day < today:
        raise RuleError("err_sensitive_over", id=period.id, last=Day(period.last_day))
    # Today's round is its last; one that had not begun covers no day at all.
    unit.tx.sensitive.end(period.id, today, admin.telegram_id)
    unit.tx.audit.append(unit.now, admin.telegram_id, "sensitive_end", subject_id=period.id)
    unit.say(admin, "sensitive_ended", id=period.id, reason=period.reason, last=Day(today))
