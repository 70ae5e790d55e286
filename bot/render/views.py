"""Views' data as chat messages, in the reader's language: the same texts the office always
sent, composed here and nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.clock import when, when_day
from bot.core.presses import press
from bot.core.said import Keyboard, Said, Tell
from bot.render import announcements, assessment, report
from bot.services import (
    announce,
    annual,
    circular,
    digest,
    duty,
    matters,
    people,
    rounds,
    screening,
    stats,
    talks,
    units,
    views,
)
from bot.services.desk import card_buttons
from bot.settings import Settings
from bot.texts import Moment, Term, t, words

OPEN = views.OPEN


def present(view: object, lang: str, settings: Settings) -> list[Said]:
    presenter = _PRESENTERS.get(type(view))
    if presenter is None:
        raise TypeError(f"no presenter for {type(view).__name__}")
    return presenter(view, lang, settings)


def _raw(to: int, lang: str, lines: list[str], buttons: Keyboard | None = None) -> list[Said]:
    return [Tell(to, lang, "raw", {"text": "\n".join(lines)}, buttons or None)]


def _queue(view: views.Queue, lang: str, settings: Settings) -> list[Said]:
    if not view.lines:
        return [Tell(view.to, lang, "queue_empty")]
    lines = [t(lang, "queue_title", count=len(view.lines))]
    buttons = []
    for line in view.lines:
        case = line.case
        lines.append(t(
            lang, "queue_line", number=case.number, kind=Term(f"kind_{case.kind}"),
            state=Term(f"state_{case.state}"), owner=line.owner or t(lang, "unclaimed"),
            created=Moment(case.created_at, settings.tz)))
        buttons.append([(case.number, press("vw", case.id))])
    return _raw(view.to, lang, lines, buttons[:30])


def _staff_case(view: views.StaffCase, lang: str, settings: Settings) -> list[Said]:
    body = words(lang, view.card)
    chain = [_chain_link(link, lang, settings) for link in view.chain]
    if chain:
        body += "\n\n" + t(lang, "owner_chain") + "\n" + "\n".join(chain)
    body += "\n\n" + _history(view.history, lang, settings)
    buttons = list(card_buttons(view.case, view.units))
    if view.instruct:
        buttons.append([(Term("btn_instruct"), press("ins", view.case.id))])
    return [Tell(view.to, lang, "raw", {"text": body}, buttons)]


def _chain_link(link: views.ChainLink, lang: str, settings: Settings) -> str:
    owner = words(lang, link.owner)
    step = f"{link.previous} → {owner}" if link.previous else f"→ {owner}"
    return (f"{when(lang, link.at, settings.tz)} {step}"
            + t(lang, "chain_why", why=words(lang, link.why)))


def _history(lines: tuple[views.HistoryLine, ...], lang: str, settings: Settings) -> str:
    out = [t(lang, "history")]
    colon = ": " if lang == "en" else "："
    for line in lines:
        event = line.event
        label = t(lang, f"event_{event.kind}")
        body = event.text
        if event.kind == "classified":  # the category's name, in the reader's language
            body = t(lang, f"category_{body}")
        if event.media:
            body += " " + t(lang, "attachments", count=len(event.media))
        out.append(f"[{when(lang, event.at, settings.tz)}] {words(lang, line.who)} · {label}"
                   + (f"{colon}{body}" if body else ""))
    return "\n".join(out)


def _my_cases(view: views.MyCases, lang: str, settings: Settings) -> list[Said]:
    if not view.cases:
        return [Tell(view.to, lang, "mycases_empty",
                     buttons=[[(Term("btn_new"), press("menu", "new"))]])]
    lines = [t(lang, "mycases_title")]
    for case in view.cases:
        lines.append(t(lang, "mycases_line", number=case.number,
                       kind=Term(f"kind_{case.kind}"), state=Term(f"state_{case.state}"),
                       updated=Moment(case.updated_at, settings.tz)))
    return _raw(view.to, lang, lines, [[(case.number, press("mc", case.id))]
                                       for case in view.cases])


def _my_case(view: views.MyCase, lang: str, settings: Settings) -> list[Said]:
    case = view.case
    head = t(lang, "mycase_head", number=case.number, kind=Term(f"kind_{case.kind}"),
             state=Term(f"state_{case.state}"),
             due=Term("mycase_due", (("label", Term(f"due_{view.deadline.kind}")),
                                     ("due", Moment(view.deadline.due_at, settings.tz))))
             if view.deadline else "")
    buttons = []
    if case.state in (*OPEN, "resolved"):
        buttons.append([(Term("btn_add_info"), press("ai", case.id))])
    if case.state in OPEN:
        buttons.append([(Term("btn_withdraw"), press("wd", case.id))])
    return _raw(view.to, lang, [head, "", _history(view.history, lang, settings)], buttons)


def _talks(view: talks.Talks, lang: str, settings: Settings) -> list[Said]:
    if not view.slots:
        return [Tell(view.to, lang, "talks_empty")]
    lines = [t(lang, "talks_title")] + [words(lang, line) for _, line in view.slots]
    buttons: list[list[Any]] = []
    for slot, _ in view.slots:
        full = slot.booked >= slot.capacity
        label = Term("btn_waitlist" if full else "btn_book", (("id", slot.id),))
        buttons.append([(label, press("wl" if full else "bk", slot.id))])
    return _raw(view.to, lang, lines, buttons)


def _bookings(view: talks.Bookings, lang: str, settings: Settings) -> list[Said]:
    if not view.held:
        return [Tell(view.to, lang, "mybookings_empty")]
    lines = [t(lang, "mybookings_title")]
    buttons: list[list[Any]] = []
    for booking, slot, line in view.held:
        state = t(lang, f"booking_{booking.state}")
        lines.append(f"{words(lang, line)} · {state} · {booking.topic}")
        buttons.append([
            (Term("btn_cancel_booking", (("id", slot.id),)), press("bc", booking.id)),
            (Term("btn_reschedule", (("id", slot.id),)), press("bm", booking.id))])
    return _raw(view.to, lang, lines, buttons)


def _duty(view: duty.DutyView, lang: str, settings: Settings) -> list[Said]:
    name = view.leader or t(lang, "duty_uncovered" if view.uncovered else "nobody")
    lines = [t(lang, "duty_today", day=when_day(lang, view.today), name=name)]
    if view.receptions:
        lines.append(t(lang, "duty_receptions"))
        for slot, host in view.receptions:
            start = when(lang, slot.starts_at, settings.tz)
            lines.append(f"{t(lang, 'slot_ref', id=slot.id)} {start} {slot.place} · {host}")
    if view.mine is not None:
        mine = [when_day(lang, d) for d in view.mine]
        lines.append(t(lang, "duty_mine",
                       days=t(lang, "list_sep").join(mine) or t(lang, "none")))
    if view.coming is not None:
        lines.append(t(lang, "duty_coming"))
        for day, leader in view.coming:
            lines.append(f"{when_day(lang, day)} {leader or t(lang, 'duty_uncovered')}")
    buttons = [[(Term("btn_book", (("id", s.id),)), press("bk", s.id))]
               for s, _ in view.receptions]
    return _raw(view.to, lang, lines, buttons)


def _users(view: people.Users, lang: str, settings: Settings) -> list[Said]:
    if not view.people:
        return [Tell(view.to, lang, "users_empty")]
    lines = [t(lang, "users_title")] + [
        t(lang, "users_line", id=p.telegram_id, name=p.display_name or "-",
          role=Term(f"role_{p.role}")) for p in view.people]
    return _raw(view.to, lang, lines)


def _failed(view: people.Failed, lang: str, settings: Settings) -> list[Said]:
    if not view.items:
        return [Tell(view.to, lang, "failed_empty")]
    return _raw(view.to, lang, [
        t(lang, "failed_line", id=i.update_id, attempts=i.attempts, error=(i.error or "")[:200])
        for i in view.items])


def _unit_words(line: units.UnitLine, lang: str) -> dict[str, Any]:
    return {"name": line.unit.name, "leader": line.leader or t(lang, "none"),
            "liaisons": t(lang, "list_sep").join(line.liaisons) or t(lang, "unit_no_liaison")}


def _units(view: units.UnitsView, lang: str, settings: Settings) -> list[Said]:
    new = [(Term("btn_unit_new"), press("un"))]
    if not view.units:
        return [Tell(view.to, lang, "units_empty", buttons=[new])]
    lines = [t(lang, "units_title", count=len(view.units))]
    lines += [t(lang, "units_line", **_unit_words(line, lang)) for line in view.units]
    buttons: list[list[Any]] = [[(line.unit.name, press("uv", line.unit.id))]
                                for line in view.units[:30]]
    return _raw(view.to, lang, lines, [*buttons, new])


def _unit_card(view: units.UnitCard, lang: str, settings: Settings) -> list[Said]:
    uid = view.line.unit.id
    return [Tell(view.to, lang, "unit_card", _unit_words(view.line, lang), [[
        (Term("btn_unit_rename"), press("ur", uid)),
        (Term("btn_unit_liaisons"), press("ul", uid)),
        (Term("btn_unit_leader"), press("ug", uid))]])]


def _periods(view: screening.Periods, lang: str, settings: Settings) -> list[Said]:
    if not view.periods:
        return [Tell(view.to, lang, "sensitive_empty")]
    lines = [t(lang, "sensitive_title")]
    for p in view.periods:
        now = t(lang, "sensitive_now") if p.first_day <= view.today <= p.last_day else ""
        lines.append(t(lang, "sensitive_line", id=p.id, first=when_day(lang, p.first_day),
                       last=when_day(lang, p.last_day), reason=p.reason, now=now))
    return _raw(view.to, lang, lines)


def _matters(view: matters.MattersView, lang: str, settings: Settings) -> list[Said]:
    if not view.lines:
        return [Tell(view.to, lang, "matters_empty")]
    lines = [t(lang, "matters_title", count=len(view.lines))]
    lines += [t(lang, "matters_line", id=m.id, source=m.source, doc=m.doc_number,
                due=Moment(m.due_at, settings.tz), mark=mark, owner=owner,
                content=m.content[:60]) for m, owner, mark in view.lines]
    return _raw(view.to, lang, lines,
                [[(t(lang, "btn_matter_report_id", id=m.id), press("mr", m.id))]
                 for m, _, _ in view.lines[:20]])


def _round(view: rounds.RoundView, lang: str, settings: Settings) -> list[Said]:
    sep = t(lang, "list_sep")
    lines: list[str] = []
    current = view.round
    if current is None:
        lines.append(t(lang, "screening_none"))
    else:
        lines.append(t(lang, "screening_title", day=when_day(lang, current.day),
                       cadence=Term(f"screening_cadence_{current.cadence}"),
                       closes=Moment(current.closes_at, settings.tz),
                       closed=t(lang, "screening_closed_mark") if current.closed else ""))
        lines.append(t(lang, "screening_zero", count=len(view.zero),
                       units=sep.join(view.zero) or t(lang, "none")))
        lines.append(t(lang, "screening_items", count=len(view.items)))
        for item, unit_name, who in view.items:
            mark = ("" if item.risk_level < rounds.SERIOUS
                    else t(lang, "screening_measures_in") if item.measures_at
                    else t(lang, "screening_measures_overdue") if item.escalated_at
                    else t(lang, "screening_measures_due"))
            lines.append(t(lang, "screening_item_line", risk=Term(f"risk_{item.risk_level}"),
                           number=item.number, unit=unit_name, guarantor=who) + mark)
        lines.append(t(lang, "screening_silent", count=len(view.silent),
                       units=sep.join(view.silent) or t(lang, "none")))
    if view.without_liaison:
        lines.append(t(lang, "screening_no_liaison", units=sep.join(view.without_liaison)))
    buttons = [[(f"{t(lang, f'risk_{i.risk_level}')} {i.number}", press("vw", i.case_id))]
               for i, _, _ in view.items if i.risk_level >= rounds.SERIOUS]
    return _raw(view.to, lang, lines, buttons)


_PRESENTERS: dict[type, Callable[[Any, str, Settings], list[Said]]] = {
    digest.Report: report.present_report,
    digest.Weekly: report.present_weekly,
    stats.StatsView: assessment.present_stats,
    circular.Circular: assessment.present_circular,
    annual.Summary: assessment.present_annual,
    announce.Notices: announcements.present_notices,
    rounds.RoundView: _round,
    matters.MattersView: _matters,
    screening.Periods: _periods,
    units.UnitsView: _units,
    units.UnitCard: _unit_card,
    views.Queue: _queue,
    views.StaffCase: _staff_case,
    views.MyCases: _my_cases,
    views.MyCase: _my_case,
    talks.Talks: _talks,
    talks.Bookings: _bookings,
    duty.DutyView: _duty,
    people.Users: _users,
    people.Failed: _failed,
}
