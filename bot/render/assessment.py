"""Assessment (考核) in words: /stats, the monthly circular (通报) and the annual report's
summary, from the figures of bot.services.stats."""

from __future__ import annotations

from bot.core.said import Tell
from bot.services import stats
from bot.services.stats import Figures, Period
from bot.settings import Settings
from bot.texts import t, when_day


def rate(lang: str, part: int, whole: int) -> str:
    if not whole:
        return t(lang, "stats_none")
    return t(lang, "stats_rate", rate=f"{part / whole * 100:.1f}%", part=part, whole=whole)


def hours(lang: str, value: float | None) -> str:
    if value is None:
        return t(lang, "stats_none")
    if value >= 48:
        days = round(value / 24, 1)
        return t(lang, "stats_days", days=int(days) if days == int(days) else days)
    rounded = round(value, 1)
    return t(lang, "stats_hours", hours=int(rounded) if rounded == int(rounded) else rounded)


def line(lang: str, f: Figures) -> str:
    return t(lang, "stats_line", received=f.received, handled=f.handled,
             accept=rate(lang, f.accepted_in_time, f.accept_decided),
             handle=rate(lang, f.handled_in_time, f.handle_decided),
             response=hours(lang, f.response_median), resolve=hours(lang, f.resolve_median),
             repeats=f.repeats, settle=rate(lang, f.items_resolved, f.items), talks=f.talks,
             attendance=rate(lang, f.attended, f.marked))


def period_name(lang: str, chosen: Period) -> str:
    first = chosen.first
    if chosen.kind == stats.MONTH:
        return t(lang, "stats_period_month", year=first.year, month=first.month)
    if chosen.kind == stats.QUARTER:
        return t(lang, "stats_period_quarter", year=first.year,
                 quarter=(first.month - 1) // 3 + 1)
    return t(lang, "stats_period_year", year=first.year)


def present_stats(view: stats.StatsView, lang: str, settings: Settings) -> list[Tell]:
    found = view.assessment
    chosen = found.period
    lines = [t(lang, "stats_title", period=period_name(lang, chosen),
               first=when_day(lang, chosen.first), last=when_day(lang, chosen.last))]
    if view.only is not None:  # a member of staff: their own row only
        mine = found.staff.get(view.only, Figures())
        lines.append(f"{found.names.get(view.only, '')}：{line(lang, mine)}" if lang == "zh"
                     else f"{found.names.get(view.only, '')}: {line(lang, mine)}")
        return [Tell(view.to, lang, "raw", {"text": "\n".join(lines)[:4000]})]
    colon = "：" if lang == "zh" else ": "
    lines.append(t(lang, "stats_office") + colon + line(lang, found.office))
    if found.staff:
        lines += ["", t(lang, "stats_staff")]
        for i, (staff_id, f) in enumerate(sorted(found.staff.items(),
                                                 key=lambda item: -item[1].received), 1):
            lines.append(f"{i}. {found.names.get(staff_id, staff_id)}{colon}{line(lang, f)}")
    if found.units:
        lines += ["", t(lang, "stats_units")]
        for i, (unit_id, f) in enumerate(sorted(found.units.items(),
                                                key=lambda item: -item[1].received), 1):
            lines.append(f"{i}. {found.unit_names.get(unit_id, unit_id)}{colon}{line(lang, f)}")
    return [Tell(view.to, lang, "raw", {"text": "\n".join(lines)[:4000]})]


def chart_rows(view: stats.StatsView) -> list[tuple[str, float | None, float | None]]:
    """The chart's bars: the office, then each member of staff numbered as in the text (a
    member of staff's chart: their own bars only)."""
    found = view.assessment
    if view.only is not None:
        mine = found.staff.get(view.only, Figures())
        return [("1", mine.accept_rate, mine.handle_rate)]
    rows = [("*", found.office.accept_rate, found.office.handle_rate)]
    ordered = sorted(found.staff.items(), key=lambda item: -item[1].received)
    rows += [(str(i), f.accept_rate, f.handle_rate) for i, (_, f) in enumerate(ordered, 1)]
    return rows
