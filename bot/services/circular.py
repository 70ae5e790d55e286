"""The monthly circular (通报) to leaders: on the 1st at DIGEST_TIME, last month's figures by
unit and their change from the month before, the units below CIRCULAR_THRESHOLD named, the
most frequent kinds and the office's keywords, and what is overdue (cases and assigned
matters). Recorded per leader per month with its outbox rows (`circulars`), so it goes once;
after downtime the month's circular goes when the bot is back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.core.calendar import at_local, parse_hhmm
from bot.services import desk, stats
from bot.services.stats import Figures, Period
from bot.services.unit import Unit
from storage.models import User

TOP_KINDS = 5
MATTERS_LISTED = 10


@dataclass(frozen=True)
class UnitLine:
    name: str
    now: Figures
    before: Figures
    below: tuple[str, ...]  # the rates under the threshold: "accept", "handle"


@dataclass(frozen=True)
class Circular:
    to: int
    period: Period
    office: Figures
    office_before: Figures
    units: tuple[UnitLine, ...]
    threshold: float  # per cent
    kinds: tuple[tuple[str, int], ...]
    words: tuple[tuple[str, int], ...]
    overdue_cases: int
    overdue_matters: tuple[tuple[int, str, str, datetime, str], ...]  # id, source, doc, due, who


def _month_start(unit: Unit, day: date) -> datetime:
    return at_local(day.replace(day=1), parse_hhmm(unit.settings.digest_time), unit.settings.tz)


def owed(unit: Unit) -> tuple[Period, tuple[int, ...]] | None:
    """Last month's circular, once this month's 1st at DIGEST_TIME has come: to the leaders
    who have not had it."""
    today = unit.now.astimezone(unit.settings.tz).date()
    if unit.now < _month_start(unit, today):
        return None
    month = stats.bounds(stats.MONTH, today.replace(day=1) - timedelta(days=1), whole=True)
    began = unit.tx.reports.first_activity()
    if began is None or began.astimezone(unit.settings.tz).date() > month.last:
        return None  # the office was not on Minqing that month: nothing to circulate
    sent = unit.tx.reports.circulated(month.label)
    leaders = tuple(u.telegram_id for u in unit.tx.users.with_roles(("leader",))
                    if u.telegram_id not in sent)
    return (month, leaders) if leaders else None


def compose(unit: Unit, to: int, month: Period) -> Circular:
    settings = unit.settings
    found = stats.figures(unit, month, settings.circular_keywords)
    before = stats.figures(unit, month.previous())
    limit = settings.circular_threshold / 100
    lines = []
    for unit_id in sorted(set(found.units) | set(before.units),
                          key=lambda i: found.unit_names.get(i, str(i))):
        now = found.units.get(unit_id, Figures())
        below = tuple(name for name, value in (("accept", now.accept_rate),
                                               ("handle", now.handle_rate))
                      if value is not None and value < limit)
        lines.append(UnitLine(found.unit_names.get(unit_id, str(unit_id)), now,
                              before.units.get(unit_id, Figures()), below))
    kinds = sorted(found.office.kinds.items(), key=lambda item: (-item[1], item[0]))
    words = tuple((w, found.office.words[w]) for w in settings.circular_keywords
                  if found.office.words[w])
    until = unit.now
    matters = []
    for matter in unit.tx.matters.due_by(until, limit=MATTERS_LISTED):
        owner = unit.tx.users.get(matter.owner_id)
        matters.append((matter.id, matter.source, matter.doc_number, matter.due_at,
                        desk.display(owner)))
    return Circular(to, month, found.office, before.office, tuple(lines),
                    settings.circular_threshold, tuple(kinds[:TOP_KINDS]), words,
                    unit.tx.assessment.overdue_cases(until), tuple(matters))



def send(unit: Unit) -> int:
    """Record and queue the circular to each leader owed it; a second run finds it recorded."""
    due = owed(unit)
    if due is None:
        return 0
    month, leaders = due
    sent = 0
    for leader_id in leaders:
        if not unit.tx.reports.record_circular(leader_id, month.label, unit.now):
            continue
        leader = unit.tx.users.get(leader_id) or User(telegram_id=leader_id)
        unit.show(leader, compose(unit, leader_id, month))
        sent += 1
    return sent


def moments(unit: Unit, after: datetime, until: datetime) -> list[datetime]:
    """Each 1st at DIGEST_TIME in (after, until], for the console's clock."""
    tz = unit.settings.tz
    day = after.astimezone(tz).date().replace(day=1)
    found = []
    while True:
        moment = _month_start(unit, day)
        if moment > until:
            return found
        if moment > after:
            found.append(moment)
        day = (datetime.combine(day, time(0)) + timedelta(days=32)).date().replace(day=1)
