"""A petition's or complaint's category (2022 信访工作条例: 建议意见类 art. 29, 检举控告类
art. 30, 申诉求决类 art. 31): asked of its owner at the claim, chased when still unset after
CLASSIFY_DAYS, and deciding its handling deadline (only art. 31(6) runs the 60 + 30 days)."""

from __future__ import annotations

from bot.core import deadlines as rules
from bot.core.deadlines import CLASSIFIED, CLASSIFY, HANDLE
from bot.core.presses import press
from bot.core.rules import RuleError
from bot.services import deadlines, desk
from bot.services.unit import Unit
from bot.texts import Term
from storage.models import Case, User


def category_buttons(case: Case) -> list:
    return [[(Term(f"category_{name}"), press("cg", case.id, index))]
            for index, name in enumerate(rules.CATEGORIES)]


def ask_category(unit: Unit, staff: User, case: Case) -> None:
    """On a claim: a petition or complaint is classified by its owner, by buttons."""
    if case.kind in CLASSIFIED and case.category is None:
        unit.say(staff, "ask_category", category_buttons(case), number=case.number)


def classify(unit: Unit, user: User, case_id: int, index: int) -> None:
    case = unit.tx.cases.get(case_id)
    if case is None or case.kind not in CLASSIFIED or not 0 <= index < len(rules.CATEGORIES):
        raise RuleError("err_stale_button")
    if not (user.role in ("leader", "admin") or case.owner_id == user.telegram_id):
        raise RuleError("err_not_owner", number=case.number,
                        name=desk.display(unit.tx.users.get(case.owner_id or 0)))
    if case.state not in ("new", "accepted"):
        raise RuleError("err_transition", number=case.number, state=Term(f"state_{case.state}"))
    category = rules.CATEGORIES[index]
    if case.category == category:
        unit.say(user, "category_same", number=case.number,
                 category=Term(f"category_{category}"))
        return
    unit.tx.cases.update(case.id, unit.now, category=category)
    unit.tx.deadlines.meet(case.id, unit.now, (CLASSIFY,))
    handle = unit.tx.deadlines.get(case.id, HANDLE)
    if handle is not None:
        days = rules.handle_days(case.kind, category, unit.settings)
        moved = deadlines.due_from(unit, handle.starts_at, days)
        unit.tx.deadlines.reset(case.id, HANDLE, moved, days, unit.settings.deadline_counting)
    unit.tx.cases.add_event(case.id, unit.now, actor_id=user.telegram_id, direction="internal",
                            kind="classified", text=category)
    unit.tx.audit.append(unit.now, user.telegram_id, "case_classify", case_id=case.id,
                         detail=category)
    unit.say(user, "category_set", number=case.number, category=Term(f"category_{category}"),
             due=unit.moment(deadlines.due(unit, case.id, HANDLE)))
