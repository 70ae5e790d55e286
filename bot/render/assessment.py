"""Assessment (考核) in words: /stats and the monthly circular (通报), from the figures of
bot.services.stats."""

from __future__ import annotations

from bot.core.said import Tell
from bot.services import annual, circular, stats
from bot.services.stats import Figures, Period
from bot.settings import Settings
from bot.texts import t, when, when_day


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


def _change_count(lang: str, now: int, before: int) -> str:
    return t(lang, "circular_count", now=now, change=f"{now - before:+d}")


def _change_rate(lang: str, now: float | None, before: float | None) -> str:
    if now is None:
        return t(lang, "stats_none")
    if before is None:
        return f"{now * 100:.1f}%"
    return t(lang, "circular_rate", now=f"{now * 100:.1f}%",
             change=f"{(now - before) * 100:+.1f}")


def _circular_figures(lang: str, now: Figures, before: Figures) -> str:
    return t(lang, "circular_figures", received=_change_count(lang, now.received, before.received),
             handled=_change_count(lang, now.handled, before.handled),
             accept=_change_rate(lang, now.accept_rate, before.accept_rate),
             handle=_change_rate(lang, now.handle_rate, before.handle_rate))


def present_circular(view: circular.Circular, lang: str, settings: Settings) -> list[Tell]:
    sep = t(lang, "list_sep")
    colon = "：" if lang == "zh" else ": "
    sections: list[tuple[str, dict[str, object]]] = [
        ("circular_office", {"figures": _circular_figures(lang, view.office,
                                                          view.office_before)})]
    units = [f"{i}. {u.name}{colon}{_circular_figures(lang, u.now, u.before)}"
             for i, u in enumerate(view.units, 1)]
    if units:
        sections.append(("circular_units", {}))
    below = [u for u in view.units if u.below]
    threshold = f"{view.threshold:g}%"
    if below:
        named = sep.join(
            u.name + t(lang, "circular_below_rates", rates=sep.join(
                t(lang, f"stats_chart_{rate}") + " " + f"{_rate_of(u.now, rate) * 100:.1f}%"
                for rate in u.below)) for u in below)
        sections.append(("circular_below", {"threshold": threshold, "units": named}))
    else:
        sections.append(("circular_none_below", {"threshold": threshold}))
    kinds = sep.join(f"{t(lang, f'kind_{k}')} {n}" for k, n in view.kinds) or t(lang, "none")
    words = sep.join(f"{w} {n}" for w, n in view.words) or t(lang, "none")
    sections.append(("circular_kinds", {"kinds": kinds, "words": words}))
    sections.append(("circular_overdue", {"cases": view.overdue_cases,
                                          "assigned": len(view.overdue_matters)}))
    lines = [t(lang, "circular_title", period=period_name(lang, view.period))]
    for number, (key, params) in enumerate(sections):
        lines.append(t(lang, key, n=_section(lang, number), **params))
        if key == "circular_units":
            lines += units
    for matter_id, source, doc, due, who in view.overdue_matters:
        lines.append(t(lang, "circular_matter", id=matter_id, source=source, doc=doc,
                       due=when(lang, due, settings.tz), owner=who))
    return [Tell(view.to, lang, "raw", {"text": "\n".join(lines)[:4000]})]


def _section(lang: str, index: int) -> str:
    """A section's number as an office writes it: 一、二、… or 1. 2. …"""
    return f"{'一二三四五六七八九十'[index]}、" if lang == "zh" else f"{index + 1}. "


def _rate_of(f: Figures, rate: str) -> float:
    return (f.accept_rate if rate == "accept" else f.handle_rate) or 0.0


def present_annual(view: annual.Summary, lang: str, settings: Settings) -> list[Tell]:
    sep = t(lang, "list_sep")
    f = view.office
    lines = [t(lang, "annual_title", year=view.year, first=when_day(lang, view.first),
               last=when_day(lang, view.last)),
             t(lang, "annual_figures", received=f.received, handled=f.handled,
               accept=rate(lang, f.accepted_in_time, f.accept_decided),
               handle=rate(lang, f.handled_in_time, f.handle_decided), repeats=f.repeats),
             t(lang, "annual_kinds", kinds=sep.join(
                 f"{t(lang, f'kind_{k}')} {n}" for k, n in view.kinds) or t(lang, "none")),
             t(lang, "annual_complained", units=sep.join(
                 f"{name} {n}" for name, n in view.complained) or t(lang, "none")),
             t(lang, "annual_transfers", count=view.transfers),
             t(lang, "annual_matters", count=view.matters, reported=view.matters_reported),
             t(lang, "annual_settle", settle=rate(lang, f.items_resolved, f.items))]
    return [Tell(view.to, lang, "raw", {"text": "\n".join(lines)[:4000]})]
