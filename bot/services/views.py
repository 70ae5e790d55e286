"""What people look at, as data: the open queue, a case with its history, a citizen's own
cases. These functions only read; `bot.render.views` turns their data into messages (and later
into report sections, ledger sheets or web pages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.rules import RuleError
from bot.services import desk
from bot.services.unit import Unit
from bot.texts import Term
from storage.models import Case, CaseDeadline, CaseEvent, User

OPEN = ("new", "accepted")


@dataclass(frozen=True)
class QueueLine:
    case: Case
    owner: str | None  # None: nobody has claimed it


@dataclass(frozen=True)
class Queue:
    """The open queue, oldest first (at most 30)."""

    to: int
    lines: tuple[QueueLine, ...]


@dataclass(frozen=True)
class ChainLink:
    """One change of owner: `previous → owner`, and why."""

    at: datetime
    previous: str | None
    owner: str | Term
    why: Term


@dataclass(frozen=True)
class HistoryLine:
    event: CaseEvent
    who: str | Term  # the citizen, the office, a staff member (internal notes) or the system


@dataclass(frozen=True)
class StaffCase:
    """A case's card and whole history, internal notes included (staff side only)."""

    to: int
    case: Case
    card: Term
    chain: tuple[ChainLink, ...]
    history: tuple[HistoryLine, ...]
    units: bool = False  # the bureau's units exist: the unit concerned can be named
    instruct: bool = False  # the viewer is a leader (or an admin): 批示 can be given


@dataclass(frozen=True)
class MyCases:
    to: int
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class MyCase:
    """A citizen's own case: its head and the history they may see."""

    to: int
    case: Case
    history: tuple[HistoryLine, ...]
    deadline: CaseDeadline | None = None  # the next one not met, if any


def queue(unit: Unit, staff: User) -> Queue:
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    lines = []
    for case in unit.tx.cases.open_queue(limit=30):
        owner = unit.tx.users.get(case.owner_id) if case.owner_id else None
        lines.append(QueueLine(case, desk.display(owner) if owner else None))
    return Queue(staff.telegram_id, tuple(lines))


def staff_case(unit: Unit, staff: User, case: Case) -> StaffCase:
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    return StaffCase(staff.telegram_id, case, desk.card(unit, case), owner_chain(unit, case),
                     _history(unit, unit.tx.cases.events(case.id), internal=True),
                     unit.tx.units.exist(), staff.role in ("leader", "admin"))


def owner_chain(unit: Unit, case: Case) -> tuple[ChainLink, ...]:
    """Who owned the case: `李四 → 退回（撤销角色）`, one link per change."""
    links: list[ChainLink] = []
    previous: str | None = None
    for link in unit.tx.cases.owners(case.id):
        owner: str | Term = (desk.display(unit.tx.users.get(link.owner_id)) if link.owner_id
                             else "-")
        if link.reason == "revoked":
            owner, why = Term("chain_returned"), Term("chain_revoked")
        elif link.reason in ("claim", "reject"):
            why = Term(f"chain_{link.reason}")
        else:  # a hand-over, with the reason typed for it
            key = "chain_transfer" if previous else "chain_assign"
            why = Term(key, (("reason", link.reason),))
        links.append(ChainLink(link.assigned_at, previous, owner, why))
        previous = owner if link.owner_id and isinstance(owner, str) else None
    return tuple(links)


def staff_case_by_number(unit: Unit, staff: User, number: str) -> StaffCase:
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    case = unit.tx.cases.by_number(number.strip().upper())
    if case is None:
        raise RuleError("err_case_missing")
    return staff_case(unit, staff, case)


def staff_case_by_id(unit: Unit, staff: User, case_id: int) -> StaffCase:
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    case = unit.tx.cases.get(case_id)
    if case is None:
        raise RuleError("err_case_missing")
    return staff_case(unit, staff, case)


def my_cases(unit: Unit, user: User) -> MyCases:
    return MyCases(user.telegram_id, tuple(unit.tx.cases.of_citizen(user.telegram_id, limit=20)))


def my_case(unit: Unit, user: User, case_id: int) -> MyCase:
    """A citizen's own case; anyone else's is 'not found', never shown."""
    case = unit.tx.cases.get(case_id)
    if case is None or case.citizen_id != user.telegram_id:
        raise RuleError("err_case_missing")
    return MyCase(user.telegram_id, case,
                  _history(unit, unit.tx.cases.events(case.id), internal=False),
                  unit.tx.deadlines.next_unmet([case.id]).get(case.id))


def _history(unit: Unit, events: list[CaseEvent], internal: bool) -> tuple[HistoryLine, ...]:
    lines = []
    for event in events:
        if event.direction == "internal" and not internal:
            continue
        who: str | Term
        if event.direction == "in":
            who = Term("who_citizen")
        elif event.direction == "out":
            who = unit.settings.office_name
        elif event.direction == "internal":
            who = Term("who_internal",
                       (("name", desk.display(unit.tx.users.get(event.actor_id or 0))),))
        else:
            who = Term("who_system")
        lines.append(HistoryLine(event, who))
    return tuple(lines)
