"""Assessment (考核): the office's figures for a month, a quarter or a year, per member of staff,
per unit and for the office. Computed here, in plain functions over the rows of
storage.assessment, so that /stats, its chart, the ledger's sheet, the monthly circular and the
annual report all show the same numbers.

- received: cases received in the period; handled: handling deadlines met in it.
- 及时受理率: of the cases received whose accept deadline is decided (met, or past), the share
  met by it. 按期办结率: of the handling deadlines met in the period or due in it and unmet,
  the share met by their due moment (2022 信访工作条例 arts. 32-33; bot.core.deadlines).
- first response: from receipt to the office's first message to the citizen; resolve: from
  receipt to the handling deadline's being met. Medians, in hours.
- repeat: the same citizen about the same unit and kind again within 90 days.
- 化解率: screening items reported in the period that are resolved or closed.
- talks held (slots begun, not cancelled) and the attendance marked at them."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.rules import RuleError
from bot.services import desk
from bot.services.unit import Unit
from storage.models import User
from storage.repos import Tx
from storage.times import from_ts

MONTH, QUARTER, YEAR = "month", "quarter", "year"
OFFICE = "office"


@dataclass
class Figures:
    """One row of figures: the office's, a member of staff's or a unit's."""

    received: int = 0
    handled: int = 0
    accept_decided: int = 0
    accepted_in_time: int = 0
    handle_decided: int = 0
    handled_in_time: int = 0
    # Hours in tenths, counted: a median to six minutes, in memory that does not grow with
    # the period (the ledger's sheet covers years of cases).
    response_hours: Counter[int] = field(default_factory=Counter)
    resolve_hours: Counter[int] = field(default_factory=Counter)
    repeats: int = 0
    items: int = 0
    items_resolved: int = 0
    talks: int = 0
    attended: int = 0
    marked: int = 0  # bookings whose attendance was marked (attended or not)
    kinds: dict[str, int] = field(default_factory=dict)
    words: Counter[str] = field(default_factory=Counter)  # the circular's keywords (office)

    @property
    def accept_rate(self) -> float | None:
        return _share(self.accepted_in_time, self.accept_decided)

    @property
    def handle_rate(self) -> float | None:
        return _share(self.handled_in_time, self.handle_decided)

    @property
    def settle_rate(self) -> float | None:
        return _share(self.items_resolved, self.items)

    @property
    def attendance_rate(self) -> float | None:
        return _share(self.attended, self.marked)

    @property
    def response_median(self) -> float | None:
        return _median(self.response_hours)

    @property
    def resolve_median(self) -> float | None:
        return _median(self.resolve_hours)


def _median(tenths: Counter[int]) -> float | None:
    """The median of counted values (tenths of an hour), in hours."""
    total = sum(tenths.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]  # the two middle positions (one if odd)
    found: list[int] = []
    seen = 0
    for value in sorted(tenths):
        seen += tenths[value]
        while middle and middle[0] < seen:
            found.append(value)
            middle.pop(0)
    return sum(found) / len(found) / 10


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter or year
    first: date
    last: date  # the last day covered (today, for the current period)
    label: str  # 2031-12, 2031-Q4, 2031

    def previous(self) -> Period:
        return bounds(self.kind, self.first - timedelta(days=1), whole=True)


def bounds(kind: str, day: date, whole: bool = False, today: date | None = None) -> Period:
    """The month, quarter or year holding `day`: to `today` if given (to date), else whole."""
    if kind == MONTH:
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        label = f"{first:%Y-%m}"
    elif kind == QUARTER:
        first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        after = (first + timedelta(days=100)).replace(day=1)
        label = f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    else:
        first = day.replace(month=1, day=1)
        after = first.replace(year=first.year + 1)
        label = str(first.year)
    last = after - timedelta(days=1)
    if not whole and today is not None:
        last = min(last, today)
    return Period(kind, first, last, label)


def period(words: list[str], today: date) -> Period:
    """/stats [month|quarter|year] [last]: the current period to date, or the previous one."""
    kind, previous = MONTH, False
    for word in (w.lower() for w in words):
        if word in (MONTH, QUARTER, YEAR, "月", "季", "年", "本月", "本季度", "本年"):
            kind = {"月": MONTH, "本月": MONTH, "季": QUARTER, "本季度": QUARTER, "年": YEAR,
                    "本年": YEAR}.get(word, word)
        elif word in ("last", "上期", "上一期"):
            previous = True
        else:
            raise RuleError("err_stats_period")
    current = bounds(kind, today, today=today)
    return current.previous() if previous else current


@dataclass(frozen=True)
class Assessment:
    """The figures of one period: the office's, per member of staff, per unit."""

    period: Period
    office: Figures
    staff: dict[int, Figures]
    units: dict[int, Figures]
    kinds: dict[str, Figures]
    names: dict[int, str]  # staff ids -> names
    unit_names: dict[int, str]


def _tenths(start: str, end: str) -> int:
    """Hours between two stored moments, in tenths."""
    return round((from_ts(end) - from_ts(start)).total_seconds() / 360)


def figures(unit: Unit, chosen: Period, keywords: Iterable[str] = ()) -> Assessment:
    return compute(unit.tx, unit.settings.tz, unit.now, chosen, tuple(keywords))


def compute(tx: Tx, tz: ZoneInfo, now: datetime, chosen: Period,
            keywords: tuple[str, ...] = ()) -> Assessment:
    """Every figure of the period, computed once for all three groupings."""
    first = datetime.combine(chosen.first, time(0), tz)
    last = min(datetime.combine(chosen.last + timedelta(days=1), time(0), tz), now)
    office, staff, units = Figures(), defaultdict(Figures), defaultdict(Figures)
    kinds: defaultdict[str, Figures] = defaultdict(Figures)

    def groups(owner: int | None, unit_id: int | None, kind: str | None = None
               ) -> Iterable[Figures]:
        yield office
        if owner is not None:
            yield staff[owner]
        if unit_id is not None:
            yield units[unit_id]
        if kind is not None:
            yield kinds[kind]

    assessment = tx.assessment
    for row in assessment.received(first, last):
        decided = row["accept_due"] is not None and (
            row["accept_met"] is not None or from_ts(row["accept_due"]) < now)
        in_time = row["accept_met"] is not None and row["accept_met"] <= row["accept_due"]
        for f in groups(row["owner_id"], row["unit_id"], row["kind"]):
            f.received += 1
            f.kinds[row["kind"]] = f.kinds.get(row["kind"], 0) + 1
            if decided:
                f.accept_decided += 1
                f.accepted_in_time += in_time
            if row["first_out"]:
                f.response_hours[_tenths(row["created_at"], row["first_out"])] += 1
            f.repeats += bool(row["repeat"])
        for word in keywords:  # a plain substring: no word segmentation is needed for a list
            if word in row["text"]:
                office.words[word] += 1
    for row in assessment.handled(first, last):
        met = row["met_at"]
        for f in groups(row["owner_id"], row["unit_id"], row["kind"]):
            f.handle_decided += 1
            if met is not None:
                f.handled += 1
                f.handled_in_time += met <= row["due_at"]
                f.resolve_hours[_tenths(row["created_at"], met)] += 1
    for row in assessment.items(first, last):
        for f in groups(row["owner_id"], row["unit_id"], "dispute"):
            f.items += 1
            f.items_resolved += row["state"] in ("resolved", "closed")
    for row in assessment.talks(first, last):
        for f in groups(row["host_id"], None):
            f.talks += 1
            f.attended += row["attended"]
            f.marked += row["attended"] + row["no_show"]
    names = {i: desk.display(tx.users.get(i)) for i in staff}
    unit_names = {u.id: u.name for u in tx.units.all()}
    return Assessment(chosen, office, dict(staff), dict(units), dict(kinds), names, unit_names)



@dataclass(frozen=True)
class StatsView:
    """/stats as data: a member of staff sees their own row only."""

    to: int
    assessment: Assessment
    only: int | None  # a member of staff's own id: nobody else's figures are shown


def view(unit: Unit, user: User, words: list[str]) -> StatsView:
    if not user.is_staff_side:
        raise RuleError("err_staff_only")
    chosen = period(words, unit.now.astimezone(unit.settings.tz).date())
    found = figures(unit, chosen)
    only = user.telegram_id if user.role == "staff" else None
    return StatsView(user.telegram_id, found, only)


def sheet_rows(tx: Tx, tz: ZoneInfo, now: datetime, first: date, last: date,
               only: int | None) -> list[dict[str, object]]:
    """The ledger's assessment sheet: the office, each member of staff, each unit (a member
    of staff's export: their own row only)."""
    found = compute(tx, tz, now, Period("range", first, last, ""))

    def row(group: str, name: str, f: Figures) -> dict[str, object]:
        return {"group": group, "name": name, "received": f.received, "handled": f.handled,
                "accept": f.accept_rate, "handle": f.handle_rate,
                "response": _round(f.response_median), "resolve": _round(f.resolve_median),
                "repeats": f.repeats, "settle": f.settle_rate, "talks": f.talks,
                "attendance": f.attendance_rate}

    if only is not None:
        return [row("staff", found.names.get(only, str(only)),
                    found.staff.get(only, Figures()))]
    rows = [row(OFFICE, "", found.office)]
    rows += [row("staff", found.names[i], f) for i, f in sorted(found.staff.items())]
    rows += [row("unit", found.unit_names.get(i, str(i)), f)
             for i, f in sorted(found.units.items())]
    return rows


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
