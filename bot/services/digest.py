"""The leaders' morning report (日报告 / 排查日报): at DIGEST_TIME on working days (every day, and
titled 日报告, in a sensitive period) every leader gets one report of the span since the last:
what came in, what is open, what is due (🟡) or overdue (🔴), the screening round, assigned
matters, today's talks and duty leader, units without a liaison; a 30-day chart goes with it.
Each is recorded per leader per period with its outbox rows, so it goes once; after downtime one
report covers the whole missed span. Monday mornings bring the weekly summary as well."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core import deadlines as rules
from bot.core.calendar import at_local, parse_hhmm
from bot.core.rules import RuleError, is_working_day
from bot.core.said import SendFile
from bot.services import desk, duty, rounds, screening, talks
from bot.services.unit import Unit
from bot.texts import Term
from storage.models import User

DAILY, WEEKLY = "daily", "weekly"
CHART_DAYS = 30
LIST_LIMIT = 15  # cases named in one section; the rest are counted


@dataclass(frozen=True)
class Due:
    """A report the job owes: to these leaders, for this period and span."""

    kind: str
    period: str
    since: datetime
    until: datetime
    leaders: tuple[int, ...]
    sensitive: bool = False


@dataclass(frozen=True)
class Figures:
    since: datetime
    until: datetime
    new: tuple[tuple[str, str, str | None], ...]  # (kind, channel, unit) of each new case
    open_by_state: dict[str, int]
    soon: tuple[tuple[int, str, str, datetime, str], ...]  # case id, number, kind, due, owner
    overdue: tuple[tuple[int, str, str, datetime, str], ...]
    round: rounds.RoundView | None
    matters: tuple[tuple[int, str, datetime, str, str], ...]  # id, source+doc, due, owner, mark
    talks: tuple[Term, ...]
    duty_leader: str | None
    without_liaison: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """One report, as data: its title, its figures, and the buttons of its serious items."""

    to: int
    kind: str  # daily (the morning report), sensitive (日报告) or demand (/digest)
    figures: Figures
    buttons: tuple[tuple[str, int], ...] = ()  # (label, case id)


@dataclass(frozen=True)
class Weekly:
    to: int
    first: date  # the week's Monday
    by_kind: tuple[tuple[str, int, int], ...]  # kind, this week, the week before
    by_unit: tuple[tuple[str, int, int], ...]
    total: tuple[int, int]


@dataclass(frozen=True)
class Series:
    """The chart's 30 days: cases opened and closed, and deadlines overdue, per local day."""

    days: tuple[date, ...]
    opened: tuple[int, ...]
    closed: tuple[int, ...]
    overdue: tuple[int, ...]


def _local(unit: Unit, moment: datetime) -> date:
    return moment.astimezone(unit.settings.tz).date()


def _at(unit: Unit, day: date) -> datetime:
    return at_local(day, parse_hhmm(unit.settings.digest_time), unit.settings.tz)


def _sensitive(unit: Unit, day: date) -> bool:
    return any(p.covers(day) for p in screening.periods(unit, day))


def report_day(unit: Unit) -> date | None:
    """The latest day whose report time has come: a working day, or any day in a sensitive
    period (searched back two weeks, past any run of holidays)."""
    today = _local(unit, unit.now)
    calendar = unit.tx.holidays.between(today - timedelta(days=14), today)
    for back in range(15):
        day = today - timedelta(days=back)
        if _at(unit, day) <= unit.now and (is_working_day(day, calendar)
                                           or _sensitive(unit, day)):
            return day
    return None


def due(unit: Unit) -> list[Due]:
    """The reports owed now, each to the leaders who have not had it (read connection)."""
    leaders = [u.telegram_id for u in unit.tx.users.with_roles(("leader",))]
    if not leaders:
        return []
    owed: list[Due] = []
    day = report_day(unit)
    if day is not None:
        period = day.isoformat()
        missing = tuple(i for i in leaders if i not in unit.tx.reports.sent(DAILY, period))
        if missing:
            until = _at(unit, day)
            since = unit.tx.reports.last_until(DAILY) or until - timedelta(days=1)
            owed.append(Due(DAILY, period, min(since, until), until, missing,
                            _sensitive(unit, day)))
    today = _local(unit, unit.now)
    monday = today - timedelta(days=today.weekday())
    if _at(unit, monday) <= unit.now:
        period = f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
        missing = tuple(i for i in leaders if i not in unit.tx.reports.sent(WEEKLY, period))
        if missing:
            start = at_local(monday, parse_hhmm("00:00"), unit.settings.tz)
            owed.append(Due(WEEKLY, period, start - timedelta(days=7), start, missing))
    return owed


def figures(unit: Unit, since: datetime, until: datetime) -> Figures:
    settings = unit.settings
    horizon = rules.end_of(_local(unit, unit.now) + timedelta(days=settings.deadline_remind_days),
                           settings.tz)
    soon, overdue = [], []
    names: dict[int | None, str] = {}
    for case_id, number, kind, due_at, owner_id in unit.tx.reports.due_cases(horizon):
        if owner_id not in names:
            names[owner_id] = (desk.display(unit.tx.users.get(owner_id)) if owner_id
                               else unit.text(None, "unclaimed"))
        line = (case_id, number, kind, due_at, names[owner_id])
        (overdue if due_at < unit.now else soon).append(line)
    current = unit.tx.screening.latest(unit.now)
    view = rounds.show(unit, User(telegram_id=0, role="staff")) if current else None
    matters = []
    for m in unit.tx.matters.due_by(horizon):
        mark = "🔴" if m.due_at < unit.now else "🟡"
        matters.append((m.id, f"{m.source} {m.doc_number}", m.due_at,
                        desk.display(unit.tx.users.get(m.owner_id)), mark))
    today = _local(unit, unit.now)
    start = at_local(today, parse_hhmm("00:00"), settings.tz)
    slots = unit.tx.talks.starting_between(start, start + timedelta(days=1))
    viewer = User(telegram_id=0, role="staff")
    leader = duty.leader_on(unit, today)
    return Figures(
        since, until, tuple(unit.tx.reports.new_cases(since, until)),
        unit.tx.reports.open_by_state(), tuple(soon), tuple(overdue), view, tuple(matters),
        tuple(talks.slot_line(unit, viewer, s) for s in slots if s.state == "open"),
        desk.display(unit.tx.users.get(leader)) if leader else None,
        tuple(u.name for u in unit.tx.units.all() if not u.liaison_ids))


def _buttons(found: Figures) -> tuple[tuple[str, int], ...]:
    """The report's 🔴 cases and its 重大/特别重大 items, each a button to its case."""
    buttons = [(f"🔴 {number}", cid) for cid, number, *_ in found.overdue[:LIST_LIMIT]]
    if found.round is not None:
        taken = {cid for _, cid in buttons}
        buttons += [(f"⚠ {item.number}", item.case_id) for item, _, _ in found.round.items
                    if item.risk_level >= rounds.SERIOUS and item.case_id not in taken]
    return tuple(buttons[:20])


def report(unit: Unit, to: int, kind: str, since: datetime, until: datetime) -> Report:
    found = figures(unit, since, until)
    return Report(to, kind, found, _buttons(found))


def on_demand(unit: Unit, user: User) -> Report:
    """/digest: the same report, from the last one to now (leaders and staff)."""
    if not user.is_staff_side:
        raise RuleError("err_staff_only")
    since = unit.tx.reports.last_until(DAILY) or unit.now - timedelta(days=1)
    return report(unit, user.telegram_id, "demand", min(since, unit.now), unit.now)


def weekly(unit: Unit, to: int, since: datetime, until: datetime) -> Weekly:
    def count(first: datetime, last: datetime) -> tuple[Counter, Counter]:
        rows = unit.tx.reports.new_cases(first, last)
        return Counter(k for k, _, _ in rows), Counter(u or "" for _, _, u in rows)

    kinds, units = count(since, until)
    kinds_before, units_before = count(since - timedelta(days=7), since)
    by_kind = tuple((k, kinds[k], kinds_before[k]) for k in sorted(kinds | kinds_before))
    by_unit = tuple((u, units[u], units_before[u]) for u in sorted(units | units_before))
    return Weekly(to, _local(unit, since), by_kind, by_unit,
                  (sum(kinds.values()), sum(kinds_before.values())))


def series(unit: Unit, until: datetime) -> Series:
    """The chart's figures, from the deadline model and the cases' own moments."""
    last = _local(unit, until)
    days = tuple(last - timedelta(days=CHART_DAYS - 1 - i) for i in range(CHART_DAYS))
    first = at_local(days[0], parse_hhmm("00:00"), unit.settings.tz)
    end = at_local(last + timedelta(days=1), parse_hhmm("00:00"), unit.settings.tz)
    opened = Counter(_local(unit, m) for m in unit.tx.reports.created_between(first, end))
    closed = Counter(_local(unit, m) for m in unit.tx.reports.closed_between(first, end))
    spans = unit.tx.deadlines.overdue_spans(first, end)
    overdue = []
    for day in days:  # overdue at the end of each day (or now, for today)
        moment = min(at_local(day + timedelta(days=1), parse_hhmm("00:00"), unit.settings.tz),
                     until)
        overdue.append(sum(1 for due_at, met in spans
                           if due_at < moment and (met is None or met > moment)))
    return Series(days, tuple(opened[d] for d in days), tuple(closed[d] for d in days),
                  tuple(overdue))


def send(unit: Unit, owed: list[Due], charts: dict[str, bytes]) -> int:
    """Record and queue each owed report, each leader's in one go with its record: a second
    run, or a run after a restart, finds it recorded and sends nothing."""
    sent = 0
    for item in owed:
        for leader_id in item.leaders:
            if not unit.tx.reports.record(leader_id, item.kind, item.period, item.since,
                                          item.until, unit.now):
                continue
            leader = unit.tx.users.get(leader_id) or User(telegram_id=leader_id)
            if item.kind == WEEKLY:
                unit.show(leader, weekly(unit, leader_id, item.since, item.until))
            else:
                kind = "sensitive" if item.sensitive else "daily"
                unit.show(leader, report(unit, leader_id, kind, item.since, item.until))
                chart = charts.get(unit.lang(leader))
                if chart:
                    unit.tell(SendFile(leader_id, unit.lang(leader), "chart.png", chart,
                                       as_photo=True, caption_key="chart_caption",
                                       params={"days": CHART_DAYS}))
            sent += 1
    return sent


def demand(unit: Unit, user: User, charts: dict[str, bytes]) -> None:
    """/digest: the report and its chart, to the one who asked (refused for citizens)."""
    unit.show(user, on_demand(unit, user))
    chart = charts.get(unit.lang(user))
    if chart:
        unit.tell(SendFile(user.telegram_id, unit.lang(user), "chart.png", chart,
                           as_photo=True, caption_key="chart_caption",
                           params={"days": CHART_DAYS}))


def languages(unit: Unit, owed: list[Due]) -> set[str]:
    """The languages the owed morning reports' charts are drawn in."""
    return {unit.lang(unit.tx.users.get(i)) for d in owed if d.kind == DAILY
            for i in d.leaders}


def moments(unit: Unit, after: datetime, until: datetime) -> list[datetime]:
    """Each day's DIGEST_TIME in (after, until]: for the console's clock (the job itself
    decides whether the day has a report)."""
    first = _local(unit, after)
    found = (_at(unit, first + timedelta(days=i))
             for i in range((_local(unit, until) - first).days + 1))
    return [m for m in found if after < m <= until]
