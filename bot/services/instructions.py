"""批示: a leader's written instruction on a case. It is relayed to the case's owner (or, for a
case nobody has claimed yet, to wherever staff follow it), kept in the case's history and shown
on its card."""

from __future__ import annotations

from bot.core.rules import RuleError
from bot.services import desk
from bot.services.unit import Unit
from storage.models import Case, Dialogue, User

INSTRUCTION = "instruction"  # the dialogue: the next message is the instruction
TEXT_LIMIT = 1000


def _leader(user: User) -> None:
    if user.role not in ("leader", "admin"):
        raise RuleError("err_leader_only")


def _case(unit: Unit, case_id: int) -> Case:
    case = unit.tx.cases.get(case_id)
    if case is None:
        raise RuleError("err_case_missing")
    return case


def ask(unit: Unit, leader: User, case_id: int) -> None:
    _leader(leader)
    case = _case(unit, case_id)
    unit.tx.dialogues.put(Dialogue(user_id=leader.telegram_id, name=INSTRUCTION, step="text",
                                   data={"case_id": case.id}), unit.now)
    unit.say(leader, "instruct_ask", number=case.number)


def on_text(unit: Unit, leader: User, dialogue: Dialogue, text: str) -> None:
    _leader(leader)
    words = unit.typed(leader, text, TEXT_LIMIT, "err_instruction_long")
    if words is None:
        return
    case = _case(unit, int(dialogue.data["case_id"]))
    unit.tx.dialogues.clear(leader.telegram_id)
    unit.tx.cases.add_event(case.id, unit.now, actor_id=leader.telegram_id,
                            direction="internal", kind="instruction", text=words)
    unit.tx.audit.append(unit.now, leader.telegram_id, "case_instruction", case_id=case.id)
    name = desk.display(leader)
    if case.owner_id is not None and case.owner_id != leader.telegram_id:
        unit.say_to(case.owner_id, "instruction_to_owner", number=case.number, name=name,
                    text=words)
        told = desk.display(unit.tx.users.get(case.owner_id))
    elif case.owner_id is None:
        desk.to_staff(unit, case, "instruction_to_staff", name=name, text=words)
        told = unit.text(leader, "instruction_to_queue")
    else:
        told = name
    unit.say(leader, "instruction_sent", number=case.number, told=told)
