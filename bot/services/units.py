"""The bureau's subordinate units (下属单位): admins register them with their liaisons and a
responsible leader; staff name the unit a case concerns (at claim, at registration, or later)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.presses import Press, press
from bot.core.rules import RuleError
from bot.core.said import Keyboard
from bot.services import desk
from bot.services.unit import Unit
from storage.models import BureauUnit, Case, Dialogue, User

UNIT_NAME = "unit_name"  # the dialogue: a new unit's name (unit 0) or a unit's new name
NAME_LIMIT = 60


@dataclass(slots=True)
class UnitLine:
    unit: BureauUnit
    leader: str | None
    liaisons: tuple[str, ...]


@dataclass(slots=True)
class UnitsView:
    """Every unit with its leader and liaisons (admins)."""

    to: int
    units: tuple[UnitLine, ...]


@dataclass(slots=True)
class UnitCard:
    """One unit, with the buttons to edit it (admins)."""

    to: int
    line: UnitLine


def _admin(user: User) -> None:
    if user.role != "admin":
        raise RuleError("err_admin_only")


def _unit(unit: Unit, unit_id: int) -> BureauUnit:
    found = unit.tx.units.get(unit_id)
    if found is None:
        raise RuleError("err_unit_missing")
    return found


def _line(unit: Unit, found: BureauUnit) -> UnitLine:
    leader = unit.tx.users.get(found.leader_id) if found.leader_id else None
    return UnitLine(found, desk.display(leader) if leader else None,
                    tuple(desk.display(unit.tx.users.get(i)) for i in found.liaison_ids))


def list_units(unit: Unit, admin: User) -> UnitsView:
    _admin(admin)
    return UnitsView(admin.telegram_id, tuple(_line(unit, u) for u in unit.tx.units.all()))


def show_unit(unit: Unit, admin: User, unit_id: int) -> UnitCard:
    _admin(admin)
    return UnitCard(admin.telegram_id, _line(unit, _unit(unit, unit_id)))


def ask_name(unit: Unit, admin: User, unit_id: int) -> None:
    """A new unit's name (`unit_id` 0), or a unit's new name: the next message gives it."""
    _admin(admin)
    if unit_id:
        _unit(unit, unit_id)
    unit.tx.dialogues.put(Dialogue(user_id=admin.telegram_id, name=UNIT_NAME, step="name",
                                   data={"unit_id": unit_id}), unit.now)
    unit.say(admin, "unit_ask_name", max=NAME_LIMIT)


def on_name(unit: Unit, admin: User, dialogue: Dialogue, text: str) -> None:
    _admin(admin)
    name = " ".join(text.split())
    if not 1 <= len(name) <= NAME_LIMIT:
        unit.say(admin, "err_unit_name", max=NAME_LIMIT)  # the dialogue waits for another
        return
    unit_id = int(dialogue.data.get("unit_id") or 0)
    if unit_id:
        if not unit.tx.units.rename(_unit(unit, unit_id).id, name, unit.now):
            unit.say(admin, "err_unit_exists", name=name)
            return
        unit.tx.audit.append(unit.now, admin.telegram_id, "unit_rename", subject_id=unit_id)
        key = "unit_renamed"
    else:
        added = unit.tx.units.add(name, unit.now)
        if added is None:
            unit.say(admin, "err_unit_exists", name=name)
            return
        unit_id = added.id
        unit.tx.audit.append(unit.now, admin.telegram_id, "unit_add", subject_id=unit_id)
        key = "unit_added"
    unit.tx.dialogues.clear(admin.telegram_id)
    unit.say(admin, key, name=name)
    unit.show(admin, show_unit(unit, admin, unit_id))


def liaison_choices(unit: Unit, admin: User, unit_id: int) -> None:
    _admin(admin)
    found = _unit(unit, unit_id)
    buttons = _choices(unit, found, "liaison", "lt", set(found.liaison_ids))
    unit.say(admin, "unit_choose_liaisons", buttons, name=found.name)


def toggle_liaison(unit: Unit, admin: User, unit_id: int, user_id: int) -> None:
    _admin(admin)
    found = _unit(unit, unit_id)
    person = _with_role(unit, user_id, "liaison", "err_not_liaison")
    added = unit.tx.units.toggle_liaison(found.id, user_id)
    unit.tx.audit.append(unit.now, admin.telegram_id, "unit_liaison", subject_id=user_id,
                         detail=f"{found.id}:{'add' if added else 'remove'}")
    unit.say(admin, "unit_liaison_added" if added else "unit_liaison_removed",
             name=desk.display(person), unit=found.name)


def leader_choices(unit: Unit, admin: User, unit_id: int) -> None:
    _admin(admin)
    found = _unit(unit, unit_id)
    buttons = _choices(unit, found, "leader", "lg", {found.leader_id or 0})
    unit.say(admin, "unit_choose_leader", buttons, name=found.name)


def _with_role(unit: Unit, user_id: int, role: str, refusal: str) -> User:
    """The person, who must hold `role` now, whatever the button said."""
    person = unit.tx.users.get(user_id)
    if person is None or person.role != role:
        raise RuleError(refusal, id=user_id)
    return person


def _choices(unit: Unit, found: BureauUnit, role: str, action: str,
             current: set[int]) -> Keyboard:
    """The people with `role` as buttons for the unit, ✓ on the current ones."""
    people = unit.tx.users.with_roles((role,))
    if not people:
        raise RuleError(f"err_no_{role}_users")
    return [[(("✓ " if p.telegram_id in current else "") + desk.display(p),
              press(action, found.id, p.telegram_id))] for p in people[:30]]


def set_leader(unit: Unit, admin: User, unit_id: int, leader_id: int) -> None:
    _admin(admin)
    found = _unit(unit, unit_id)
    leader = _with_role(unit, leader_id, "leader", "err_host_not_leader")
    unit.tx.units.set_leader(found.id, leader_id, unit.now)
    unit.tx.audit.append(unit.now, admin.telegram_id, "unit_leader", subject_id=leader_id,
                         detail=str(found.id))
    unit.say(admin, "unit_leader_set", unit=found.name, name=desk.display(leader))


def button(unit: Unit, user: User, cb: Press) -> None:
    """The /units journey's buttons; each checks the presser's right."""
    ids = cb.ids
    if cb.action == "un":
        ask_name(unit, user, 0)
    elif cb.action == "uv":
        unit.show(user, show_unit(unit, user, ids[0]))
    elif cb.action == "ur":
        ask_name(unit, user, ids[0])
    elif cb.action == "ul":
        liaison_choices(unit, user, ids[0])
    elif cb.action == "lt":
        toggle_liaison(unit, user, ids[0], ids[1])
    elif cb.action == "ug":
        leader_choices(unit, user, ids[0])
    elif cb.action == "lg":
        set_leader(unit, user, ids[0], ids[1])
    else:
        raise RuleError("err_stale_button")


# --- the unit a case concerns ---------------------------------------------------------------

def ask_case_unit(unit: Unit, staff: User, case: Case) -> None:
    """After a claim or a registration: which unit the case concerns (when units exist)."""
    units = unit.tx.units.all()
    if not units or case.unit_id is not None:
        return
    unit.say(staff, "case_unit_choose", _case_unit_buttons(unit, staff, case, units),
             number=case.number)


def case_unit_choices(unit: Unit, staff: User, case_id: int) -> None:
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    case = unit.tx.cases.get(case_id)
    if case is None:
        raise RuleError("err_case_missing")
    units = unit.tx.units.all()
    if not units:
        raise RuleError("err_no_units")
    unit.say(staff, "case_unit_choose", _case_unit_buttons(unit, staff, case, units),
             number=case.number)


def _case_unit_buttons(unit: Unit, staff: User, case: Case,
                       units: list[BureauUnit]) -> Keyboard:
    rows: list = [[(("✓ " if u.id == case.unit_id else "") + u.name, press("cs", case.id, u.id))]
                  for u in units[:30]]
    rows.append([(unit.text(staff, "btn_no_unit"), press("cs", case.id, 0))])
    return rows


def set_case_unit(unit: Unit, staff: User, case_id: int, unit_id: int) -> None:
    """Staff (or a leader or admin) name the unit the case concerns; 0: none."""
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    case = unit.tx.cases.get(case_id)
    if case is None:
        raise RuleError("err_case_missing")
    found = _unit(unit, unit_id) if unit_id else None
    unit.tx.cases.update(case.id, unit.now, unit_id=found.id if found else None)
    unit.tx.cases.add_event(case.id, unit.now, actor_id=staff.telegram_id,
                            direction="internal", kind="unit",
                            text=found.name if found else "-")
    unit.tx.audit.append(unit.now, staff.telegram_id, "case_unit", case_id=case.id,
                         detail=str(found.id) if found else "none")
    if found is None:
        unit.say(staff, "case_unit_cleared", number=case.number)
    else:
        unit.say(staff, "case_unit_set", number=case.number, unit=found.name)
