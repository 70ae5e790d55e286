"""Matters assigned by superiors (上级交办): staff or leaders register one (source, document
number, content, deadline, owner, optionally a case); its owner is reminded before the deadline
and on its day, reports the result (text and attachments), and the one who registered it is
told. An overdue matter is escalated like a case: its owner and every leader are told once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core import deadlines as rules
from bot.core.calendar import parse_day
from bot.core.incoming import Incoming
from bot.core.presses import press
from bot.core.rules import RuleError
from bot.core.said import Tell
from bot.services import desk
from bot.services.unit import Unit
from bot.texts import Term
from storage.models import AssignedMatter, Dialogue, User

MATTER = "matter"  # the dialogue: source → doc → content → due → owner → case
RESULT = "matter_result"  # the dialogue: the next message is the matter's result
TEXT_LIMIT = 1000
CHUNK = 50


def _staff_side(user: User) -> None:
    if not user.is_staff_side:
        raise RuleError("err_staff_only")


def start(unit: Unit, user: User) -> None:
    _staff_side(user)
    unit.tx.dialogues.put(Dialogue(user_id=user.telegram_id, name=MATTER, step="source"),
                          unit.now)
    unit.say(user, "matter_ask_source")


def on_message(unit: Unit, user: User, dialogue: Dialogue, message: Incoming) -> None:
    _staff_side(user)
    if dialogue.name == RESULT:
        _report(unit, user, dialogue, message)
        return
    words = unit.typed(user, message.text, TEXT_LIMIT, "err_matter_long", collapse=True)
    if words is None:
        return
    step = dialogue.step
    if step == "source":
        unit.advance(dialogue, "doc", source=words[:100])
        unit.say(user, "matter_ask_doc")
    elif step == "doc":
        unit.advance(dialogue, "content", doc=words[:100])
        unit.say(user, "matter_ask_content")
    elif step == "content":
        unit.advance(dialogue, "due", content=words)
        unit.say(user, "matter_ask_due")
    elif step == "due":
        day = parse_day(words)
        today = unit.now.astimezone(unit.settings.tz).date()
        if not today <= day <= today + timedelta(days=366):
            raise RuleError("err_target_day")
        unit.advance(dialogue, "owner", due=day.isoformat())
        people = unit.tx.users.with_roles(("staff", "leader"))
        unit.say(user, "matter_ask_owner",
                 [[(desk.display(p), press("mo", p.telegram_id))] for p in people[:20]])
    elif step == "case":
        case = unit.tx.cases.by_number(words.upper())
        if case is None:
            raise RuleError("err_case_missing")
        _create(unit, user, dialogue, case.id)
    else:
        unit.say(user, "item_use_buttons")


def owner(unit: Unit, user: User, owner_id: int) -> None:
    dialogue = unit.dialogue(user, MATTER, "owner")
    person = unit.tx.users.get(owner_id)
    if person is None or person.role not in ("staff", "leader"):
        raise RuleError("err_stale_button")
    unit.advance(dialogue, "case", owner=owner_id)
    unit.say(user, "matter_ask_case", [[(Term("btn_matter_no_case"), press("mn"))]])


def no_case(unit: Unit, user: User) -> None:
    dialogue = unit.dialogue(user, MATTER, "case")
    _create(unit, user, dialogue, None)


def _create(unit: Unit, user: User, dialogue: Dialogue, case_id: int | None) -> None:
    data = dialogue.data
    due = rules.end_of(datetime.fromisoformat(data["due"]).date(), unit.settings.tz)
    matter = unit.tx.matters.add(data["source"], data["doc"], data["content"], due,
                                 int(data["owner"]), case_id, user.telegram_id, unit.now)
    unit.tx.dialogues.clear(user.telegram_id)
    unit.tx.audit.append(unit.now, user.telegram_id, "matter_register",
                         subject_id=matter.id, case_id=case_id)
    params = _params(unit, matter)
    unit.say(user, "matter_registered", **params)
    if matter.owner_id != user.telegram_id:
        unit.say_to(matter.owner_id, "matter_to_owner", _report_button(matter), **params)


def _params(unit: Unit, matter: AssignedMatter) -> dict[str, object]:
    case = unit.tx.cases.get(matter.case_id) if matter.case_id else None
    return {"id": matter.id, "source": matter.source, "doc": matter.doc_number,
            "content": matter.content, "due": unit.moment(matter.due_at),
            "owner": desk.display(unit.tx.users.get(matter.owner_id)),
            "case": Term("matter_case", (("number", case.number),)) if case else ""}


def _report_button(matter: AssignedMatter) -> list:
    return [[(Term("btn_matter_report"), press("mr", matter.id))]]


def ask_result(unit: Unit, user: User, matter_id: int) -> None:
    matter = _mine(unit, user, matter_id)
    unit.tx.dialogues.put(Dialogue(user_id=user.telegram_id, name=RESULT, step="text",
                                   data={"matter_id": matter.id}), unit.now)
    unit.say(user, "matter_ask_result", id=matter.id)


def _mine(unit: Unit, user: User, matter_id: int) -> AssignedMatter:
    """Its owner reports it, or a leader or admin."""
    _staff_side(user)
    matter = unit.tx.matters.get(matter_id)
    if matter is None:
        raise RuleError("err_stale_button")
    if user.telegram_id != matter.owner_id and user.role not in ("leader", "admin"):
        raise RuleError("err_matter_not_owner", id=matter.id,
                        name=desk.display(unit.tx.users.get(matter.owner_id)))
    if matter.state != "open":
        raise RuleError("err_matter_reported", id=matter.id)
    return matter


def _report(unit: Unit, user: User, dialogue: Dialogue, message: Incoming) -> None:
    matter = _mine(unit, user, int(dialogue.data["matter_id"]))
    text = message.text.strip()
    if not text and not message.media:
        unit.say(user, "err_need_text")
        return
    if len(text) > TEXT_LIMIT:
        unit.say(user, "err_matter_long", max=TEXT_LIMIT, length=len(text))
        return
    unit.tx.matters.report(matter.id, text, list(message.media), unit.now)
    unit.tx.dialogues.clear(user.telegram_id)
    unit.tx.audit.append(unit.now, user.telegram_id, "matter_report", subject_id=matter.id)
    params = {**_params(unit, matter), "result": text, "by": desk.display(user),
              "late": Term("matter_late") if unit.now > matter.due_at else ""}
    unit.say(user, "matter_reported", **params)
    if matter.registered_by != user.telegram_id:
        registrar = unit.tx.users.get(matter.registered_by) or User(
            telegram_id=matter.registered_by)
        unit.say(registrar, "matter_result_to_registrar", **params)
        if message.media:
            unit.tell(Tell(registrar.telegram_id, unit.lang(registrar), "raw", {"text": ""},
                           media=tuple(message.media)))


# --- /matters -----------------------------------------------------------------------------

@dataclass(frozen=True)
class MattersView:
    to: int
    lines: tuple[tuple[AssignedMatter, str, str], ...]  # with its owner's name and its 🟡/🔴


def listing(unit: Unit, user: User) -> MattersView:
    _staff_side(user)
    settings = unit.settings
    lines = tuple(
        (m, desk.display(unit.tx.users.get(m.owner_id)),
         {rules.SOON: "🟡", rules.OVERDUE: "🔴"}.get(rules.flag(
             m.due_at, None, unit.now, settings.deadline_remind_days, settings.tz), ""))
        for m in unit.tx.matters.open())
    return MattersView(user.telegram_id, lines)


# --- the deadline sweep's part --------------------------------------------------------------

def steps(unit: Unit) -> list[tuple[int, str]]:
    settings = unit.settings
    horizon = unit.now + timedelta(days=settings.deadline_remind_days + 1)
    found = []
    for m in unit.tx.matters.due_by(horizon):
        if m.overdue_at is not None:
            continue
        said = rules.next_step("matter", m.due_at, m.warned_at is not None,
                               m.reminded_at is not None, unit.now,
                               settings.deadline_remind_days, settings.tz,
                               settings.opening_hours[0])
        if said is not None:
            found.append((m.id, said))
    return found


def remind(unit: Unit, found: list[tuple[int, str]]) -> int:
    told = 0
    for matter_id, said in found:
        matter = unit.tx.matters.get(matter_id)
        if matter is None or not unit.tx.matters.mark(matter_id, said, unit.now):
            continue
        key = {rules.WARN: "matter_soon", rules.ON_DAY: "matter_today",
               rules.PASSED: "matter_overdue"}[said]
        people = {matter.owner_id}
        if said == rules.PASSED:
            people |= {u.telegram_id for u in unit.tx.users.with_roles(("leader",))}
            unit.tx.audit.append(unit.now, None, "matter_overdue", subject_id=matter.id)
        for person in sorted(people):
            unit.say_to(person, key, _report_button(matter), days=unit.settings.
                        deadline_remind_days, **_params(unit, matter))
        told += 1
    return told


def button(unit: Unit, user: User, cb) -> None:
    """The matters journey's buttons; each checks who pressed it."""
    if cb.action == "mo":
        owner(unit, user, cb.ids[0])
    elif cb.action == "mn":
        no_case(unit, user)
    elif cb.action == "mr":
        ask_result(unit, user, cb.ids[0])
    else:
        raise RuleError("err_stale_button")


def moments(unit: Unit, after: datetime, until: datetime) -> list[datetime]:
    settings = unit.settings
    found: set[datetime] = set()
    for m in unit.tx.matters.due_by(until + timedelta(days=settings.deadline_remind_days + 1)):
        early, on_day = rules.reminder_moments(m.due_at, settings.deadline_remind_days,
                                               settings.tz, settings.opening_hours[0])
        found |= {t for t in (early, on_day, m.due_at + timedelta(seconds=1))
                  if after < t <= until}
    return sorted(found)
