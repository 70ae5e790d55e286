"""The morning report and the weekly summary, written for one reader: numbered sections, each
only when it has something to say; a report with nothing in any section says 零报告."""

from __future__ import annotations

from collections import Counter

from bot.core.presses import press
from bot.core.said import Tell
from bot.services import digest
from bot.settings import Settings
from bot.texts import Moment, Term, t, when, when_day

NUMERALS = "一二三四五六七八九十"
TITLES = {"daily": "report_title_daily", "sensitive": "report_title_sensitive",
          "demand": "report_title_demand"}


def _counts(lang: str, counter: Counter, family: str) -> str:
    sep = t(lang, "list_sep")
    return sep.join(f"{t(lang, f'{family}_{k}') if family else (k or t(lang, 'report_no_unit'))}"
                    f" {n}" for k, n in counter.most_common())


def _case_lines(lang: str, lines, settings: Settings) -> list[str]:
    shown = [t(lang, "report_case_line", number=number, label=Term(f"due_{kind}"),
               due=Moment(due, settings.tz), owner=owner)
             for _, number, kind, due, owner in lines[:digest.LIST_LIMIT]]
    if len(lines) > digest.LIST_LIMIT:
        shown.append(t(lang, "report_more", count=len(lines) - digest.LIST_LIMIT))
    return shown


def _sections(view: digest.Report, lang: str, settings: Settings) -> list[tuple[str, list[str]]]:
    f = view.figures
    sections: list[tuple[str, list[str]]] = []
    if f.new:
        sections.append((t(lang, "report_new", count=len(f.new)), [
            t(lang, "report_by_kind", counts=_counts(lang, Counter(k for k, _, _ in f.new),
                                                      "kind")),
            t(lang, "report_by_channel", counts=_counts(
                lang, Counter(c for _, c, _ in f.new), "channel")),
            t(lang, "report_by_unit", counts=_counts(lang, Counter(u for _, _, u in f.new),
                                                      ""))]))
    if f.open_by_state:
        sections.append((t(lang, "report_open", count=sum(f.open_by_state.values())), [
            _counts(lang, Counter(f.open_by_state), "state")]))
    if f.overdue:
        sections.append((t(lang, "report_overdue", count=len(f.overdue)),
                         _case_lines(lang, f.overdue, settings)))
    if f.soon:
        sections.append((t(lang, "report_soon", count=len(f.soon),
                           days=settings.deadline_remind_days),
                         _case_lines(lang, f.soon, settings)))
    current = f.round.round if f.round is not None else None
    if current is not None:
        sep = t(lang, "list_sep")
        risks = Counter(item.risk_level for item, _, _ in f.round.items)
        lines = [t(lang, "report_round_zero", count=len(f.round.zero),
                   units=sep.join(f.round.zero) or t(lang, "none")),
                 t(lang, "report_round_items", count=len(f.round.items),
                   risks=sep.join(f"{t(lang, f'risk_{r}')} {risks[r]}"
                                  for r in sorted(risks, reverse=True)) or t(lang, "none")),
                 t(lang, "report_round_silent", count=len(f.round.silent),
                   units=sep.join(f.round.silent) or t(lang, "none"))]
        lines += [t(lang, "report_guarantor", number=item.number, unit=unit_name,
                    risk=Term(f"risk_{item.risk_level}"), guarantor=who)
                  for item, unit_name, who in f.round.items[:digest.LIST_LIMIT]]
        sections.append((t(lang, "report_round", day=when_day(lang, current.day),
                           cadence=Term(f"screening_cadence_{current.cadence}")), lines))
    if f.matters:
        sections.append((t(lang, "report_matters", count=len(f.matters)), [
            t(lang, "report_matter_line", id=i, what=what, due=Moment(due, settings.tz),
              mark=mark, owner=owner) for i, what, due, owner, mark in f.matters]))
    if f.talks or f.duty_leader:
        lines = [t(lang, "report_duty", name=f.duty_leader or t(lang, "none"))]
        lines += [t(lang, "raw", text=line) for line in f.talks]
        sections.append((t(lang, "report_today"), lines))
    if f.without_liaison:
        sections.append((t(lang, "report_no_liaison", count=len(f.without_liaison)),
                         [t(lang, "list_sep").join(f.without_liaison)]))
    return sections


def present_report(view: digest.Report, lang: str, settings: Settings) -> list[Tell]:
    f = view.figures
    head = [t(lang, TITLES[view.kind]),
            t(lang, "report_span", since=when(lang, f.since, settings.tz),
              until=when(lang, f.until, settings.tz))]
    body: list[str] = []
    sections = _sections(view, lang, settings)
    quiet = not (f.new or f.overdue or f.soon or f.matters or (
        f.round is not None and f.round.round is not None
        and (f.round.items or f.round.silent)))
    for number, (title, lines) in enumerate(sections):
        mark = NUMERALS[number] + "、" if lang == "zh" else f"{number + 1}. "
        body.append(mark + title)
        body += [("　" if lang == "zh" else "   ") + line for line in lines]
    if quiet:
        body.append(t(lang, "report_zero"))
    buttons = [[(label, press("vw", case_id))] for label, case_id in view.buttons]
    text = "\n".join([*head, "", *body])
    return [Tell(view.to, lang, "raw", {"text": text[:4000]}, buttons or None)]


def present_weekly(view: digest.Weekly, lang: str, settings: Settings) -> list[Tell]:
    def change(now: int, before: int) -> str:
        return f"{now}（{now - before:+d}）" if lang == "zh" else f"{now} ({now - before:+d})"

    sep = t(lang, "list_sep")
    lines = [t(lang, "weekly_title", first=when_day(lang, view.first)),
             t(lang, "weekly_total", now=view.total[0], before=view.total[1],
               change=f"{view.total[0] - view.total[1]:+d}")]
    if view.by_kind:
        lines.append(t(lang, "report_by_kind", counts=sep.join(
            f"{t(lang, f'kind_{k}')} {change(a, b)}" for k, a, b in view.by_kind)))
    if view.by_unit:
        lines.append(t(lang, "report_by_unit", counts=sep.join(
            f"{u or t(lang, 'report_no_unit')} {change(a, b)}" for u, a, b in view.by_unit)))
    return [Tell(view.to, lang, "raw", {"text": "\n".join(lines)})]
