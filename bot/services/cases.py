"""Casework: routing citizens' messages; the staff's claim, reply, transfer, resolve, reject."""

from __future__ import annotations

import re
import secrets
import string
from datetime import timedelta

from bot.core.deadlines import HANDLE
from bot.core.incoming import Incoming
from bot.core.presses import press
from bot.core.rules import (
    RuleError,
    may_reject,
    may_work,
    require_transition,
    state_term,
)
from bot.core.said import Keyboard
from bot.services import classify, deadlines, desk, limits, units
from bot.services.unit import Unit
from storage.models import Case, Dialogue, Media, User

CASE_NUMBER_IN = re.compile(r"QZ-[0-9]{4}-[0-9]{6}")
REPLY, TRANSFER, RESOLVE, REJECT, ADD_INFO, CHOOSE = (
    "reply", "transfer", "resolve", "reject", "add_info", "choose_case",
)
OPEN = ("new", "accepted")


def _case(unit: Unit, case_id: int) -> Case:
    case = unit.tx.cases.get(case_id)
    if case is None:
        raise RuleError("err_case_missing")
    return case


def _staff_only(user: User) -> None:
    if not user.is_staff_side:
        raise RuleError("err_staff_only")


def _own_case(unit: Unit, user: User, case_id: int) -> Case:
    case = unit.tx.cases.get(case_id)
    if case is None or case.citizen_id != user.telegram_id:
        raise RuleError("err_case_missing")
    return case


def open_case(
    unit: Unit,
    actor_id: int,
    fields: dict,
    action: str,
    attachments: list[Media] | None = None,
) -> Case:
    """A new case under the next number of the year (in the office's time zone), with its first
    history entry and its audit row."""
    year = unit.now.astimezone(unit.settings.tz).year
    case = unit.tx.cases.create({"number": unit.tx.cases.next_number(year), **fields}, unit.now)
    deadlines.sync(unit, case)
    unit.tx.cases.add_event(case.id, unit.now, actor_id=actor_id, direction="in",
                            kind="created", text=case.text, media=attachments)
    unit.tx.audit.append(unit.now, actor_id, action, case_id=case.id,
                         detail=f"{case.kind}/{case.channel}")
    return case


def confirm_buttons(unit: Unit, user: User) -> Keyboard:
    return [[(unit.text(user, "btn_submit"), press("cf", 1)),
             (unit.text(user, "btn_cancel"), press("cf", 0))]]


# --- citizens -------------------------------------------------------------------------------

def citizen_message(unit: Unit, user: User, message: Incoming) -> None:
    """A citizen wrote outside any dialogue: add it to their case, ask which, or offer /new."""
    if message.reply_to_message_id is not None:
        linked = unit.tx.cases.by_message(message.chat_id, message.reply_to_message_id)
        if linked is not None and linked.citizen_id == user.telegram_id and linked.state in (
            *OPEN, "resolved"
        ):
            add_to_case(unit, user, linked, message)
            return
    open_cases = unit.tx.cases.of_citizen(user.telegram_id, only_open=True)
    if len(open_cases) == 1:
        add_to_case(unit, user, open_cases[0], message)
        return
    if len(open_cases) > 1:
        unit.tx.dialogues.put(
            Dialogue(user_id=user.telegram_id, name=CHOOSE, step="pick",
                     data={"message": message.model_dump()}),
            unit.now,
        )
        buttons = [[(f"{c.number} · {unit.text(user, f'kind_{c.kind}')} · {snippet(c.text)}",
                     press("pc", c.id))] for c in open_cases[:8]]
        unit.say(user, "which_case", buttons)
        return
    recent = unit.tx.cases.of_citizen(user.telegram_id, limit=1)
    if recent and recent[0].state == "resolved":
        add_to_case(unit, user, recent[0], message)
        return
    unit.say(user, "no_open_case", [[(unit.text(user, "btn_new"), press("menu", "new"))]])


def snippet(text: str, length: int = 12) -> str:
    """The start of a case's text, enough to tell it from the others on a button."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[:length] + "…"


def add_to_case(unit: Unit, user: User, case: Case, message: Incoming) -> None:
    """Kept in the history either way. On a resolved case the citizen is asked whether they
    disagree with the result (reopen) or are only replying: a message alone never reopens it,
    and without an answer the case stays resolved (auto-close runs on as before)."""
    add_message(unit, user, case, message)
    if case.state == "resolved":
        if limits.once_a_minute(unit, user.telegram_id):
            unit.say(user, "resolved_reply_ask",
                     [[(unit.text(user, "btn_object"), press("ro", case.id))],
                      [(unit.text(user, "btn_only_reply"), press("rr", case.id))]],
                     number=case.number)
    elif limits.once_a_minute(unit, user.telegram_id):
        unit.say(user, "added_to_case", number=case.number)


def reopen(unit: Unit, user: User, case_id: int) -> None:
    """The citizen disagrees with the result: the case is handled again."""
    case = _own_case(unit, user, case_id)
    reopened = unit.tx.cases.update(case.id, unit.now, expect_state=("resolved",),
                                    state="accepted", resolved_at=None)
    if reopened is None:
        raise RuleError("err_transition", number=case.number, state=state_term(case.state))
    unit.tx.cases.add_event(case.id, unit.now, actor_id=user.telegram_id,
                            direction="system", kind="reopened")
    unit.tx.audit.append(unit.now, user.telegram_id, "case_reopen", case_id=case.id)
    desk.to_staff(unit, reopened, "staff_reopened")
    unit.say(user, "case_reopened", number=case.number)


def only_reply(unit: Unit, user: User, case_id: int) -> None:
    case = _own_case(unit, user, case_id)
    unit.say(user, "resolved_reply_kept", number=case.number,
             state=state_term(case.state))


def add_message(unit: Unit, user: User, case: Case, message: Incoming) -> None:
    """Every message is kept in the case. Past FLOOD_MESSAGES in a minute the citizen is asked
    to slow down, and staff get one summary for the rest of that minute instead of each
    message, so that one person cannot queue a backlog in front of everyone's new cases."""
    event = unit.tx.cases.add_event(case.id, unit.now, actor_id=user.telegram_id,
                                    direction="in", kind="message", text=message.text,
                                    media=message.media)
    author = case.real_name or desk.display(user)
    state = limits.minute(unit, user.telegram_id)
    state.messages += 1
    settings = unit.settings
    if state.messages <= settings.flood_messages:
        limits.keep(unit, user.telegram_id, state)
        desk.relay_to_staff(unit, case, author, message)
        return
    if not state.slowed:
        state.slowed = True
        unit.say(user, "flood_slow_down", max=settings.flood_messages)
    first = state.digest_from.setdefault(str(case.id), event)
    relayed = min(len(message.media), max(settings.flood_attachments - state.attachments, 0))
    state.attachments += relayed
    limits.keep(unit, user.telegram_id, state)
    if relayed:  # the attachments alone, under the usual header; the text goes in the summary
        desk.relay_to_staff(unit, case, author, message.model_copy(update={
            "media": message.media[:relayed], "text": "", "media_group_id": None}))
    desk.flood_summary(unit, case, author, first, state.start, state.ends)


def pick_case(unit: Unit, user: User, case_id: int) -> None:
    dialogue = unit.dialogue(user, CHOOSE)
    case = _own_case(unit, user, case_id)
    if case.state not in OPEN:
        raise RuleError("err_transition", number=case.number, state=state_term(case.state))
    unit.tx.dialogues.clear(user.telegram_id)
    for raw in dialogue.data.get("messages", [dialogue.data["message"]]):
        add_message(unit, user, case, Incoming(**raw))
    unit.say(user, "added_to_case", number=case.number)


def choose_more(unit: Unit, user: User, dialogue: Dialogue, message: Incoming) -> bool:
    """Another part of the album waiting for the citizen's choice of case joins it."""
    first = dialogue.data["message"]
    if message.media_group_id and message.media_group_id == first.get("media_group_id"):
        messages = dialogue.data.get("messages", [first])
        unit.advance(dialogue, messages=[*messages, message.model_dump()])
        return True
    return False


def ask_add_info(unit: Unit, user: User, case_id: int) -> None:
    case = _own_case(unit, user, case_id)
    if case.state not in (*OPEN, "resolved"):
        raise RuleError("err_transition", number=case.number, state=state_term(case.state))
    unit.tx.dialogues.put(
        Dialogue(user_id=user.telegram_id, name=ADD_INFO, step="wait", data={"case_id": case.id}),
        unit.now,
    )
    unit.say(user, "add_info_prompt", number=case.number)


def ask_withdraw(unit: Unit, user: User, case_id: int) -> None:
    case = _own_case(unit, user, case_id)
    require_transition(case, "withdrawn")
    unit.say(user, "withdraw_confirm",
             [[(unit.text(user, "btn_withdraw_yes"), press("wy", case.id)),
               (unit.text(user, "btn_cancel"), press("noop"))]],
             number=case.number)


def withdraw(unit: Unit, user: User, case_id: int) -> None:
    case = _own_case(unit, user, case_id)
    require_transition(case, "withdrawn")
    updated = unit.tx.cases.update(case.id, unit.now, expect_state=OPEN, state="withdrawn",
                                   closed_at=unit.now)
    if updated is None:
        raise RuleError("err_transition", number=case.number, state=state_term(case.state))
    deadlines.sync(unit, updated)
    unit.tx.cases.add_event(case.id, unit.now, actor_id=user.telegram_id, direction="system",
                            kind="withdrawn")
    unit.tx.audit.append(unit.now, user.telegram_id, "case_withdraw", case_id=case.id)
    desk.to_staff(unit, updated, "staff_withdrawn")
    unit.say(user, "withdrawn", number=case.number)


def link_case(unit: Unit, user: User, number: str, code: str) -> None:
    """A citizen whose case was registered in person links their chat with the given code."""
    case = unit.tx.cases.by_number(number.strip().upper())
    if (
        case is None
        or case.citizen_id is not None
        or not case.link_code
        or not secrets.compare_digest(case.link_code, code.strip().upper())
    ):
        raise RuleError("err_link")
    unit.tx.cases.update(case.id, unit.now, citizen_id=user.telegram_id, link_code=None)
    unit.tx.cases.add_event(case.id, unit.now, actor_id=user.telegram_id, direction="system",
                            kind="linked")
    unit.tx.audit.append(unit.now, user.telegram_id, "case_link", case_id=case.id)
    unit.say(user, "linked", number=case.number)


# --- staff ----------------------------------------------------------------------------------

def claim(unit: Unit, staff: User, case_id: int) -> Case:
    """受理: the first to claim owns the case; the compare-and-set makes a second claim lose."""
    _staff_only(staff)
    case = _case(unit, case_id)
    claimed = None
    returned = case.state == "accepted" and case.owner_id is None  # back from a revoked owner
    if case.state == "new" and case.owner_id is None:
        claimed = unit.tx.cases.update(
            case.id, unit.now, expect_state=("new",), expect_owner=None, state="accepted",
            owner_id=staff.telegram_id, accepted_at=unit.now,
        )
    elif returned:
        # Already accepted, with its deadline, and the citizen was told: only the owner changes.
        claimed = unit.tx.cases.update(case.id, unit.now, expect_state=("accepted",),
                                       expect_owner=None, owner_id=staff.telegram_id)
    if claimed is None:
        current = unit.tx.cases.get(case.id)
        assert current is not None
        if current.state not in OPEN:  # its state is the reason, not who last held it
            raise RuleError("err_transition", number=case.number,
                            state=state_term(current.state))
        if current.owner_id is not None:
            owner = unit.tx.users.get(current.owner_id)
            raise RuleError("err_already_owned", number=case.number, name=desk.display(owner))
        raise RuleError("err_transition", number=case.number, state=state_term(current.state))
    deadlines.sync(unit, claimed)
    unit.tx.cases.add_owner(case.id, staff.telegram_id, staff.telegram_id, "claim", unit.now)
    unit.tx.cases.add_event(case.id, unit.now, actor_id=staff.telegram_id, direction="system",
                            kind="claim")
    unit.tx.audit.append(unit.now, staff.telegram_id, "case_claim", case_id=case.id)
    desk.to_staff(unit, claimed, "staff_claimed", name=desk.display(staff))
    if claimed.citizen_id is not None and not returned:
        unit.say_to(claimed.citizen_id, "citizen_accepted", number=case.number,
                    due=unit.moment(deadlines.due(unit, case.id, HANDLE)))
    classify.ask_category(unit, staff, claimed)
    units.ask_case_unit(unit, staff, claimed)
    return claimed


def _workable(unit: Unit, staff: User, case_id: int, states: tuple[str, ...] = OPEN) -> Case:
    _staff_only(staff)
    case = _case(unit, case_id)
    if not may_work(staff, case):
        if case.owner_id is None and case.state in OPEN:
            raise RuleError("err_claim_first", number=case.number)
        owner = unit.tx.users.get(case.owner_id) if case.owner_id else None
        raise RuleError("err_not_owner", number=case.number, name=desk.display(owner))
    if case.state not in states:
        raise RuleError("err_transition", number=case.number, state=state_term(case.state))
    return case


def ask(unit: Unit, staff: User, action: str, case_id: int) -> None:
    """Reply, resolve or reject pressed: check the right now, then wait for the text."""
    if action == REJECT:
        _staff_only(staff)
        case = _case(unit, case_id)
        if not may_reject(staff, case):
            raise RuleError("err_not_owner", number=case.number,
                            name=desk.display(unit.tx.users.get(case.owner_id or 0)))
        require_transition(case, "rejected")
    elif action == RESOLVE:
        case = _workable(unit, staff, case_id, ("accepted",))
    else:  # a reply: refused here, at the press, not after the text has been typed
        case = _workable(unit, staff, case_id, OPEN)
    unit.tx.dialogues.put(
        Dialogue(user_id=staff.telegram_id, name=action, step="text", data={"case_id": case.id}),
        unit.now,
    )
    unit.say(staff, f"ask_{action}", number=case.number)


def staff_dialogue_message(unit: Unit, staff: User, dialogue: Dialogue, message: Incoming) -> bool:
    """The text a staff member was asked for; False when the message is not part of it."""
    case_id = int(dialogue.data["case_id"])
    album = dialogue.data.get("album")
    if dialogue.step == "album":
        if message.media_group_id != album:
            unit.tx.dialogues.clear(staff.telegram_id)
            return False
        case = _workable(unit, staff, case_id, OPEN)
        _reply(unit, staff, case, message, notify=False)
        return True
    if dialogue.name in (RESOLVE, REJECT, TRANSFER) and not message.text.strip():
        unit.say(staff, "err_need_text")
        return True
    if dialogue.name == REPLY:
        current = _case(unit, case_id)
        if current.state not in OPEN:
            # The case changed since the press: the dialogue ends here (said, not raised, so
            # that ending it is not rolled back with the refusal).
            unit.tx.dialogues.clear(staff.telegram_id)
            unit.say(staff, "err_transition", number=current.number,
                     state=state_term(current.state))
            return True
        case = _workable(unit, staff, case_id, OPEN)
        if message.media_group_id:
            unit.advance(dialogue, "album", album=message.media_group_id)
        else:
            unit.tx.dialogues.clear(staff.telegram_id)
        _reply(unit, staff, case, message, notify=True)
    elif dialogue.name == RESOLVE:
        unit.tx.dialogues.clear(staff.telegram_id)
        resolve(unit, staff, case_id, message.text.strip())
    elif dialogue.name == REJECT:
        unit.tx.dialogues.clear(staff.telegram_id)
        reject(unit, staff, case_id, message.text.strip())
    elif dialogue.name == TRANSFER:
        unit.tx.dialogues.clear(staff.telegram_id)
        transfer(unit, staff, case_id, int(dialogue.data["target"]), message.text.strip())
    return True


def replied_case(unit: Unit, message: Incoming) -> Case | None:
    """The case of the bot's message being replied to: by its recorded id, or else by the case
    number in its first line (a copy sent again after a crash was never recorded)."""
    assert message.reply_to_message_id is not None
    case = unit.tx.cases.by_message(message.chat_id, message.reply_to_message_id)
    if case is None and message.reply_to_header:
        found = CASE_NUMBER_IN.search(message.reply_to_header)
        case = unit.tx.cases.by_number(found.group(0)) if found else None
    return case


def _reply(unit: Unit, staff: User, case: Case, message: Incoming, notify: bool) -> None:
    """Staff's answer goes to the citizen as the office. "Sent" is said only for a chat that
    takes messages; if it does not arrive, the staff member hears so (bot.services.delivery)."""
    sent = desk.relay_to_citizen(unit, case, message, notify_id=staff.telegram_id)
    unit.tx.cases.add_event(case.id, unit.now, actor_id=staff.telegram_id,
                            direction="out" if sent else "internal",
                            kind="reply" if sent else "note",
                            text=message.text, media=message.media)
    if not notify:
        return
    citizen = unit.tx.users.get(case.citizen_id) if case.citizen_id else None
    key = "reply_no_chat" if not sent else (
        "reply_sent_blocked" if citizen is not None and citizen.blocked_at else "reply_sent")
    unit.say(staff, key, number=case.number, phone=case.citizen_phone or "-")


def staff_chat_message(unit: Unit, user: User, message: Incoming) -> None:
    """In the staff chat: the owner's words in the case's topic (or in reply to its card) go to
    the citizen; anyone else's stay internal, kept in the history."""
    if not user.is_staff_side:
        return
    if message.thread_id is not None and desk.staff_chat_is_forum(unit):
        case = unit.tx.cases.by_topic(message.thread_id)
    elif message.reply_to_message_id is not None:
        case = replied_case(unit, message)
    else:
        case = None
    if case is None:
        return
    if case.owner_id == user.telegram_id and case.state in OPEN:
        _reply(unit, user, case, message, notify=False)
        return
    unit.tx.cases.add_event(case.id, unit.now, actor_id=user.telegram_id, direction="internal",
                            kind="note", text=message.text, media=message.media)


def private_reply_to_relay(unit: Unit, staff: User, message: Incoming) -> bool:
    """In a staff member's private chat, answering a relayed message answers its case."""
    if message.reply_to_message_id is None:
        return False
    case = replied_case(unit, message)
    if case is None:
        return False
    case = _workable(unit, staff, case.id, (*OPEN,))
    _reply(unit, staff, case, message, notify=True)
    return True


def transfer_choices(unit: Unit, staff: User, case_id: int) -> None:
    case = _workable(unit, staff, case_id)
    people = [p for p in unit.tx.users.with_roles(("staff",)) if p.telegram_id != case.owner_id]
    if not people:
        raise RuleError("err_no_transfer_target")
    buttons = [[(desk.display(p), press("tt", case.id, p.telegram_id))] for p in people[:20]]
    unit.say(staff, "transfer_choose", buttons, number=case.number)


def transfer_target(unit: Unit, staff: User, case_id: int, target_id: int) -> None:
    case = _workable(unit, staff, case_id)
    target = unit.tx.users.get(target_id)
    if target is None or target.role != "staff" or target.telegram_id == case.owner_id:
        raise RuleError("err_stale_button")
    unit.tx.dialogues.put(
        Dialogue(user_id=staff.telegram_id, name=TRANSFER, step="text",
                 data={"case_id": case.id, "target": target_id}),
        unit.now,
    )
    unit.say(staff, "ask_transfer", number=case.number, name=desk.display(target))


def transfer(unit: Unit, actor: User, case_id: int, target_id: int, reason: str) -> Case:
    case = _workable(unit, actor, case_id)
    target = unit.tx.users.get(target_id)
    if target is None or target.role != "staff":
        raise RuleError("err_stale_button")
    fields: dict = {"owner_id": target_id}
    assigned = case.state == "new"  # 分办: a leader or an admin hands an unclaimed case out
    if assigned:
        fields.update(state="accepted", accepted_at=unit.now)
    moved = unit.tx.cases.update(case.id, unit.now, expect_state=(case.state,),
                                 expect_owner=case.owner_id, **fields)
    if moved is None:
        raise RuleError("err_transition", number=case.number, state=state_term(case.state))
    deadlines.sync(unit, moved)
    unit.tx.cases.add_owner(case.id, target_id, actor.telegram_id, reason, unit.now)
    unit.tx.cases.add_event(case.id, unit.now, actor_id=actor.telegram_id, direction="internal",
                            kind="transfer", text=reason)
    unit.tx.audit.append(unit.now, actor.telegram_id, "case_transfer", case_id=case.id,
                         subject_id=target_id)
    previous = case.owner_id
    unit.say(target, "transfer_to_you", number=case.number, name=desk.display(actor),
             reason=reason)
    if previous is not None and previous != target_id:
        unit.say_to(previous, "transfer_from_you", number=case.number,
                    name=desk.display(target), reason=reason)
    if desk.staff_group(unit) is not None:  # in private chats both were told above
        desk.to_staff(unit, moved, "staff_transferred", name=desk.display(target))
    if actor.telegram_id not in (previous, target_id):
        unit.say(actor, "transfer_done", number=case.number, name=desk.display(target))
    if assigned and moved.citizen_id is not None:  # accepted now: told as on a claim
        unit.say_to(moved.citizen_id, "citizen_accepted", number=case.number,
                    due=unit.moment(deadlines.due(unit, case.id, HANDLE)))
    if assigned:
        classify.ask_category(unit, target, moved)
    return moved


def resolve(unit: Unit, actor: User, case_id: int, summary: str) -> Case:
    case = _workable(unit, actor, case_id, ("accepted",))
    require_transition(case, "resolved")
    done = unit.tx.cases.update(case.id, unit.now, expect_state=("accepted",), state="resolved",
                                resolved_at=unit.now, outcome=summary)
    if done is None:
        raise RuleError("err_transition", number=case.number, state=state_term(case.state))
    deadlines.sync(unit, done)
    unit.tx.cases.add_event(case.id, unit.now, actor_id=actor.telegram_id, direction="out",
                            kind="resolved", text=summary)
    unit.tx.audit.append(unit.now, actor.telegram_id, "case_resolve", case_id=case.id)
    desk.to_staff(unit, done, "staff_resolved", name=desk.display(actor))
    if done.citizen_id is not None:
        unit.say_to(done.citizen_id, "citizen_resolved", number=case.number, summary=summary,
                    office=unit.settings.office_name, days=unit.settings.auto_close_days)
    return done


def reject(unit: Unit, actor: User, case_id: int, reason: str) -> Case:
    """不予受理: any staff member for a new case (becoming its owner of record), the owner (or a
    leader or admin) for an accepted one; always with a reason the citizen is told."""
    _staff_only(actor)
    case = _case(unit, case_id)
    if not may_reject(actor, case):
        raise RuleError("err_not_owner", number=case.number,
                        name=desk.display(unit.tx.users.get(case.owner_id or 0)))
    require_transition(case, "rejected")
    owner = case.owner_id if case.owner_id is not None else actor.telegram_id
    done = unit.tx.cases.update(case.id, unit.now, expect_state=(case.state,),
                                expect_owner=case.owner_id, state="rejected", owner_id=owner,
                                closed_at=unit.now, outcome=reason)
    if done is None:
        raise RuleError("err_transition", number=case.number, state=state_term(case.state))
    deadlines.sync(unit, done)
    if case.owner_id is None:
        unit.tx.cases.add_owner(case.id, owner, actor.telegram_id, "reject", unit.now)
    unit.tx.cases.add_event(case.id, unit.now, actor_id=actor.telegram_id, direction="out",
                            kind="rejected", text=reason)
    unit.tx.audit.append(unit.now, actor.telegram_id, "case_reject", case_id=case.id)
    desk.to_staff(unit, done, "staff_rejected", name=desk.display(actor))
    if done.citizen_id is not None:
        unit.say_to(done.citizen_id, "citizen_rejected", number=case.number, reason=reason)
    return done


def extend(unit: Unit, actor: User, number: str, reason: str) -> Case:
    """Extend an accepted case's handling time once, telling the citizen why."""
    found = unit.tx.cases.by_number(number.strip().upper())
    if found is None:
        raise RuleError("err_case_missing")
    case = _workable(unit, actor, found.id, ("accepted",))
    if unit.tx.cases.has_event(case.id, "extended"):  # once in the case's whole life
        raise RuleError("err_already_extended", number=case.number)
    due = deadlines.extend(unit, case)
    extended = unit.tx.cases.update(case.id, unit.now)
    assert extended is not None
    unit.tx.cases.add_event(case.id, unit.now, actor_id=actor.telegram_id, direction="out",
                            kind="extended", text=reason)
    unit.tx.audit.append(unit.now, actor.telegram_id, "case_extend", case_id=case.id)
    if case.citizen_id is not None:
        unit.say_to(case.citizen_id, "citizen_extended", number=case.number,
                    due=unit.moment(due), reason=reason)
    unit.say(actor, "extended", number=case.number, due=unit.moment(due))
    return extended


def auto_close(unit: Unit, limit: int = -1) -> list[str]:
    """Resolved cases the citizen did not answer within AUTO_CLOSE_DAYS close by themselves,
    all in this transaction (tests; the job reads `closable` and writes `close` in chunks)."""
    return close(unit, closable(unit, limit))


def closable(unit: Unit, limit: int = -1) -> list[int]:
    """The read part of auto-close: resolved cases past AUTO_CLOSE_DAYS (read connection)."""
    cutoff = unit.now - timedelta(days=unit.settings.auto_close_days)
    return [case.id for case in unit.tx.cases.resolved_before(cutoff, limit)]


def close(unit: Unit, case_ids: list[int]) -> list[str]:
    """Close those of `case_ids` that are still resolved past the cutoff (a case may have been
    reopened since it was read); each only if it is still so, as one conditional update."""
    cutoff = unit.now - timedelta(days=unit.settings.auto_close_days)
    closed: list[str] = []
    for case_id in case_ids:
        case = unit.tx.cases.get(case_id)
        if case is None or case.resolved_at is None or case.resolved_at > cutoff:
            continue
        done = unit.tx.cases.update(case.id, unit.now, expect_state=("resolved",),
                                    state="closed", closed_at=unit.now)
        if done is None:
            continue
        deadlines.sync(unit, done)
        unit.tx.cases.add_event(case.id, unit.now, actor_id=None, direction="system",
                                kind="closed")
        unit.tx.audit.append(unit.now, None, "case_close", case_id=case.id)
        if case.citizen_id is not None:
            unit.say_to(case.citizen_id, "citizen_closed", number=case.number)
        closed.append(case.number)
    return closed


def new_link_code() -> str:
    alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))
