"""What people look at: the open queue, a case with its history, a citizen's own cases."""

from __future__ import annotations

from bot import render
from bot.clock import when
from bot.core.rules import RuleError
from bot.services import desk
from bot.services.unit import Unit
from storage.models import Case, CaseEvent, User

OPEN = ("new", "accepted")


def queue(unit: Unit, staff: User) -> None:
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    cases = unit.tx.cases.open_queue(limit=30)
    if not cases:
        unit.say(staff, "queue_empty")
        return
    lines = [unit.text(staff, "queue_title", count=len(cases))]
    buttons = []
    for case in cases:
        owner = unit.tx.users.get(case.owner_id) if case.owner_id else None
        lines.append(unit.text(
            staff, "queue_line", number=case.number, kind=unit.text(staff, f"kind_{case.kind}"),
            state=unit.text(staff, f"state_{case.state}"),
            owner=desk.display(owner) if owner else unit.text(staff, "unclaimed"),
            created=unit.moment(case.created_at),
        ))
        buttons.append([(case.number, f"vw:{case.id}")])
    unit.say(staff, "raw", buttons[:30], text="\n".join(lines))


def staff_case(unit: Unit, staff: User, case: Case) -> None:
    """The card and the whole history, internal notes included (staff side only)."""
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    lang = unit.lang(staff)
    chain = owner_chain(unit, staff, case)
    body = desk.card_text(unit, lang, case)
    if chain:
        body += "\n\n" + unit.text(staff, "owner_chain") + "\n" + "\n".join(chain)
    body += "\n\n" + _history(unit, staff, unit.tx.cases.events(case.id), internal=True)
    unit.send(render.text(staff.telegram_id, body, desk.card_buttons(lang, case)))


def owner_chain(unit: Unit, viewer: User, case: Case) -> list[str]:
    """Who owned the case, in words: `李四 → 退回（撤销角色）`, one line per change."""
    lang = unit.lang(viewer)
    lines: list[str] = []
    previous: str | None = None
    for link in unit.tx.cases.owners(case.id):
        owner = desk.display(unit.tx.users.get(link.owner_id)) if link.owner_id else None
        if link.reason == "revoked":
            owner, why = unit.text(viewer, "chain_returned"), unit.text(viewer, "chain_revoked")
        elif link.reason in ("claim", "reject"):
            why = unit.text(viewer, f"chain_{link.reason}")
        else:  # a hand-over, with the reason typed for it
            key = "chain_transfer" if previous else "chain_assign"
            why = unit.text(viewer, key, reason=link.reason)
        step = f"{previous} → {owner}" if previous else f"→ {owner}"
        lines.append(f"{when(lang, link.assigned_at, unit.settings.tz)} {step}"
                     + unit.text(viewer, "chain_why", why=why))
        previous = owner if link.owner_id else None
    return lines


def staff_case_by_number(unit: Unit, staff: User, number: str) -> None:
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    case = unit.tx.cases.by_number(number.strip().upper())
    if case is None:
        raise RuleError("err_case_missing")
    staff_case(unit, staff, case)


def staff_case_by_id(unit: Unit, staff: User, case_id: int) -> None:
    if not staff.is_staff_side:
        raise RuleError("err_staff_only")
    case = unit.tx.cases.get(case_id)
    if case is None:
        raise RuleError("err_case_missing")
    staff_case(unit, staff, case)


def my_cases(unit: Unit, user: User) -> None:
    cases = unit.tx.cases.of_citizen(user.telegram_id, limit=20)
    if not cases:
        unit.say(user, "mycases_empty", [[(unit.text(user, "btn_new"), "menu:new")]])
        return
    lines = [unit.text(user, "mycases_title")]
    for case in cases:
        lines.append(unit.text(
            user, "mycases_line", number=case.number, kind=unit.text(user, f"kind_{case.kind}"),
            state=unit.text(user, f"state_{case.state}"),
            updated=unit.moment(case.updated_at),
        ))
    buttons = [[(case.number, f"mc:{case.id}")] for case in cases]
    unit.say(user, "raw", buttons, text="\n".join(lines))


def my_case(unit: Unit, user: User, case_id: int) -> None:
    """A citizen's own case; anyone else's is 'not found', never shown."""
    case = unit.tx.cases.get(case_id)
    if case is None or case.citizen_id != user.telegram_id:
        raise RuleError("err_case_missing")
    head = unit.text(
        user, "mycase_head", number=case.number, kind=unit.text(user, f"kind_{case.kind}"),
        state=unit.text(user, f"state_{case.state}"), due=unit.moment(case.due_at),
        due_label=desk.due_label(case),
    )
    body = head + "\n\n" + _history(unit, user, unit.tx.cases.events(case.id), internal=False)
    buttons = []
    if case.state in (*OPEN, "resolved"):
        buttons.append([(unit.text(user, "btn_add_info"), f"ai:{case.id}")])
    if case.state in OPEN:
        buttons.append([(unit.text(user, "btn_withdraw"), f"wd:{case.id}")])
    unit.say(user, "raw", buttons or None, text=body)


def _history(unit: Unit, viewer: User, events: list[CaseEvent], internal: bool) -> str:
    lines = [unit.text(viewer, "history")]
    tz = unit.settings.tz
    for event in events:
        if event.direction == "internal" and not internal:
            continue
        if event.direction == "in":
            who = unit.text(viewer, "who_citizen")
        elif event.direction == "out":
            who = unit.settings.office_name
        elif event.direction == "internal":
            who = unit.text(viewer, "who_internal",
                            name=desk.display(unit.tx.users.get(event.actor_id or 0)))
        else:
            who = unit.text(viewer, "who_system")
        label = unit.text(viewer, f"event_{event.kind}")
        body = event.text
        if event.media:
            body += " " + unit.text(viewer, "attachments", count=len(event.media))
        colon = ": " if unit.lang(viewer) == "en" else "："
        lines.append(f"[{when(unit.lang(viewer), event.at, tz)}] {who} · {label}"
                     + (f"{colon}{body}" if body else ""))
    return "\n".join(lines)
