"""The deadline sweep (责任追究): the one answerable for a deadline is reminded
DEADLINE_REMIND_DAYS before it and on its day; when it passes, the case is overdue and its owner
and every leader are told. Each is recorded with what it says, so it is said once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core import deadlines as rules
from bot.core.deadlines import CLASSIFY
from bot.core.presses import press
from bot.services import desk
from bot.services.classify import category_buttons
from bot.services.unit import Unit
from bot.texts import Term
from storage.models import Case, CaseDeadline

CHUNK = 50  # deadlines acted on in one transaction


@dataclass(frozen=True)
class Step:
    case_id: int
    kind: str
    said: str  # bot.core.deadlines.WARN, ON_DAY or PASSED


def steps(unit: Unit, limit: int = 5000) -> list[Step]:
    """The read part of the sweep (on a read connection): what is to be said now."""
    settings = unit.settings
    opening = settings.opening_hours[0]
    horizon = unit.now + timedelta(days=settings.deadline_remind_days + 1)
    found: list[Step] = []
    for d in unit.tx.deadlines.pending(horizon, limit):
        said = rules.next_step(d.kind, d.due_at, d.warned_at is not None,
                               d.reminded_at is not None, unit.now,
                               settings.deadline_remind_days, settings.tz, opening)
        if said is not None:
            found.append(Step(d.case_id, d.kind, said))
    return found


def remind(unit: Unit, found: list[Step]) -> int:
    """The write part: each step re-checked and recorded with what it says, so a second run
    (or a run after a restart) says nothing again."""
    told = 0
    for step in found:
        deadline = unit.tx.deadlines.get(step.case_id, step.kind)
        case = unit.tx.cases.get(step.case_id)
        if deadline is None or case is None or deadline.met_at is not None:
            continue
        settings = unit.settings
        again = rules.next_step(deadline.kind, deadline.due_at, deadline.warned_at is not None,
                                deadline.reminded_at is not None, unit.now,
                                settings.deadline_remind_days, settings.tz,
                                settings.opening_hours[0])
        if again != step.said or not unit.tx.deadlines.mark(case.id, step.kind, step.said,
                                                           unit.now):
            continue
        if step.said == rules.PASSED:
            unit.tx.audit.append(unit.now, None, "deadline_overdue", case_id=case.id,
                                 detail=step.kind)
        _tell(unit, case, deadline, step.said)
        told += 1
    return told


def _tell(unit: Unit, case: Case, deadline: CaseDeadline, said: str) -> None:
    params = {"number": case.number, "label": Term(f"due_{deadline.kind}"),
              "due": unit.moment(deadline.due_at)}
    if deadline.kind == CLASSIFY:
        if case.owner_id is not None:
            unit.say_to(case.owner_id, "classify_late", category_buttons(case), **params)
        return
    key = {rules.WARN: "deadline_soon", rules.ON_DAY: "deadline_today",
           rules.PASSED: "deadline_overdue"}[said]
    params["days"] = unit.settings.deadline_remind_days
    params["owner"] = (desk.display(unit.tx.users.get(case.owner_id))
                       if case.owner_id else Term("unclaimed"))
    people, to_staff = answerable(unit, case)
    if said == rules.PASSED:  # every leader too, once
        people |= {u.telegram_id for u in unit.tx.users.with_roles(("leader",))}
    for person in sorted(people):
        unit.say_to(person, key, [[(Term("btn_view_case"), press("vw", case.id))]], **params)
    if to_staff:
        desk.to_staff(unit, case, key, **{k: v for k, v in params.items() if k != "number"})


def answerable(unit: Unit, case: Case) -> tuple[set[int], bool]:
    """Who answers for the case's deadlines: its owner; for a screening item, its guarantor
    (or, for a guarantor typed by name, the unit's liaisons and leader); for an unclaimed case,
    the staff (True: wherever they follow the case) and the office's responsible leader."""
    people: set[int] = set()
    if case.owner_id is not None:
        people.add(case.owner_id)
    if case.kind == "dispute":
        item = unit.tx.screening.item(case.id)
        if item is not None and item.guarantor_id is not None:
            people.add(item.guarantor_id)
        elif item is not None:
            found = unit.tx.units.get(item.unit_id)
            if found is not None:
                people |= set(found.liaison_ids)
                if found.leader_id is not None:
                    people.add(found.leader_id)
    if people:
        return people, False
    leader = unit.settings.office_leader_id
    leaders = ({leader} if leader is not None and unit.tx.users.get(leader) is not None
               else {u.telegram_id for u in unit.tx.users.with_roles(("leader",))})
    return leaders, True


def moments(unit: Unit, after: datetime, until: datetime) -> list[datetime]:
    """When the sweep has something to do in (after, until]: for the console's clock."""
    settings = unit.settings
    found: set[datetime] = set()
    last = until + timedelta(days=settings.deadline_remind_days + 1)
    for d in unit.tx.deadlines.pending_between(after, last):
        early, on_day = rules.reminder_moments(d.due_at, settings.deadline_remind_days,
                                               settings.tz, settings.opening_hours[0])
        candidates = [d.due_at + timedelta(seconds=1)]
        if d.kind != CLASSIFY:
            candidates += [early, on_day]
        found |= {m for m in candidates if after < m <= until}
    return sorted(found)
