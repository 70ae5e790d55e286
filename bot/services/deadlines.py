"""A case's deadlines in one place (case_deadlines; the rules are bot.core.deadlines): kept in
step with the case's state, extended, and shown with 🟡/🔴. Classification is
bot.services.classify; the sweep that reminds and escalates is bot.services.escalation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.core import deadlines as rules
from bot.core.deadlines import ACCEPT, HANDLE, OVERDUE, SOON
from bot.core.rules import RuleError
from bot.services.unit import Unit
from bot.texts import Lines, Term
from storage.models import Case, CaseDeadline

MARKS = {SOON: "🟡", OVERDUE: "🔴"}


def _calendar(unit: Unit, start: datetime, days: int) -> dict:
    span = rules.calendar_span(days, unit.settings.deadline_counting)
    if not span:
        return {}
    first = start.astimezone(unit.settings.tz).date()
    return unit.tx.holidays.between(first, first + timedelta(days=span))


def due_from(unit: Unit, start: datetime, days: int) -> datetime:
    counting = unit.settings.deadline_counting
    return rules.due_after(start, days, unit.settings.tz, counting,
                           _calendar(unit, start, days))


def sync(unit: Unit, case: Case) -> None:
    """Give the case the deadlines its state calls for, and meet those its state has met:
    arriving starts the one to accept, acceptance meets it and starts handling (and, for a
    petition or complaint, its classification), an end meets them all. Idempotent."""
    tx = unit.tx
    if case.state in rules.ENDED:
        tx.deadlines.meet(case.id, unit.now)
        return
    for plan in rules.plans(case.kind, case.state, case.category, case.created_at,
                            case.accepted_at, unit.now, unit.settings):
        tx.deadlines.add(case.id, plan.kind, plan.starts_at,
                         due_from(unit, plan.starts_at, plan.days), plan.days,
                         unit.settings.deadline_counting)
    if case.state == "accepted":
        tx.deadlines.meet(case.id, case.accepted_at or unit.now, (ACCEPT,))


def due(unit: Unit, case_id: int, kind: str) -> datetime | None:
    found = unit.tx.deadlines.get(case_id, kind)
    return found.due_at if found else None


def set_target(unit: Unit, case: Case, day: date) -> None:
    """A dispute's handling deadline is the target date its unit set at reporting."""
    unit.tx.deadlines.reset(case.id, HANDLE, rules.end_of(day, unit.settings.tz), None, "date")


def extend(unit: Unit, case: Case) -> datetime:
    """The one extension of the handling deadline (2022 信访工作条例 art. 34: up to 30 days)."""
    handle = unit.tx.deadlines.get(case.id, HANDLE)
    if handle is None or handle.met_at is not None:
        raise RuleError("err_transition", number=case.number, state=Term(f"state_{case.state}"))
    days = unit.settings.extension_days
    moved = due_from(unit, handle.due_at, days)
    if not unit.tx.deadlines.extend(case.id, HANDLE, days, moved):
        raise RuleError("err_already_extended", number=case.number)
    return moved


# --- shown --------------------------------------------------------------------------------

def mark(unit: Unit, deadline: CaseDeadline) -> str:
    settings = unit.settings
    return MARKS.get(rules.flag(deadline.due_at, deadline.met_at, unit.now,
                                settings.deadline_remind_days, settings.tz), "")


def line(unit: Unit, deadline: CaseDeadline) -> Term:
    """`受理期限：12月15日（周一）23:59 🟡`, with its extension and when it was met."""
    extra: object = ""
    if deadline.met_at is not None:
        extra = Term("deadline_met_late" if deadline.met_at > deadline.due_at
                     else "deadline_met", (("at", unit.moment(deadline.met_at)),))
    elif deadline.extended_days:
        extra = Term("deadline_extended", (("days", deadline.extended_days),))
    return Term("deadline_line", (("label", Term(f"due_{deadline.kind}")),
                                  ("due", unit.moment(deadline.due_at)),
                                  ("mark", mark(unit, deadline)), ("extra", extra)))


def lines(unit: Unit, case: Case) -> Lines:
    return Lines(tuple(line(unit, d) for d in unit.tx.deadlines.of_case(case.id)))
