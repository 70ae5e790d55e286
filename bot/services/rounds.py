"""Screening rounds (排查调处): a round opens on its day (bot.core.screening), prompts every
unit's liaisons, reminds a silent one once, and closes. A liaison answers with a zero report
(无异常, 零报告) or reports items (上报), each of which becomes a case of kind `dispute` with its
guarantor (包保责任人). Silence is never a zero report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.calendar import at_local, parse_day, parse_hhmm
from bot.core.presses import Press, press
from bot.core.rules import RuleError, ascii_number
from bot.core.screening import closes_at, round_days
from bot.services import cases, deadlines, desk, screening
from bot.services.unit import Unit
from bot.texts import Term
from storage.models import BureauUnit, Dialogue, ScreeningItem, ScreeningRound, User

ITEM = "screening_item"  # one item: what → parties → people → demand → risk → target → guarantor
MEASURES = "screening_measures"  # the dialogue: a serious item's first measures
TEXT_LIMIT = 500
RISKS = (1, 2, 3, 4)  # 一般 · 较大 · 重大 · 特别重大
SERIOUS = 3  # 重大 and above reach every leader at once
PHONE = re.compile(r"(\+?\d[\d -]{5,}\d)\s*$")


def _opens_at(unit: Unit, day) -> datetime:
    return at_local(day, parse_hhmm(unit.settings.screening_time), unit.settings.tz)


def _today(unit: Unit):
    return unit.now.astimezone(unit.settings.tz).date()


def _calendar(unit: Unit, first, last) -> dict:
    """The holiday calendar the cadence needs for [first, last]: a round of the 1st or 16th
    moved by holidays before `first` can still fall in it."""
    return unit.tx.holidays.between(first - timedelta(days=45), last + timedelta(days=31))


def _next_opening(unit: Unit, after) -> datetime | None:
    calendar = _calendar(unit, after, after + timedelta(days=62))
    later = round_days(after + timedelta(days=1), after + timedelta(days=62), calendar,
                       screening.periods(unit, after))
    return _opens_at(unit, later[0].day) if later else None


def sweep(unit: Unit) -> dict[str, int]:
    """The job: open today's round when its time has come (prompting the liaisons), remind
    silent liaisons once, close rounds that are over. Each step is recorded with what it says,
    so a second run, or a run after a restart, says nothing again."""
    counts = {"opened": 0, "prompted": 0, "reminded": 0, "closed": 0, "escalated": 0}
    today = _today(unit)
    # The latest round whose time has come, looked for as far back as a round stays open: one
    # missed while the bot was down still opens (late) if it would not have closed yet.
    back = today - timedelta(days=unit.settings.screening_close_hours // 24 + 1)
    due = [r for r in round_days(back, today, _calendar(unit, back, today),
                                 screening.periods(unit, back))
           if _opens_at(unit, r.day) <= unit.now]
    if due:
        day = due[-1]
        opens = _opens_at(unit, day.day)
        closes = closes_at(opens, _next_opening(unit, day.day),
                           unit.settings.screening_close_hours)
        opened = (unit.tx.screening.open_round(day.day, day.cadence, opens, closes)
                  if closes > unit.now else None)
        if opened is not None:
            counts["opened"] += 1
            counts["prompted"] += _prompt(unit, opened)
    counts["escalated"] = _escalate(unit)
    remind_before = unit.now - timedelta(hours=unit.settings.screening_remind_hours)
    latest = unit.tx.screening.latest(unit.now)
    for current in unit.tx.screening.still_open():
        # A round closes when the next one opens (a sensitive period declared after it opened
        # brings the next one forward), or when its hours are over.
        if current.closes_at <= unit.now or (latest is not None and latest.id != current.id
                                             and latest.opens_at > current.opens_at):
            counts["closed"] += unit.tx.screening.close(current.id)
            continue
        for unit_id, liaison_id in unit.tx.screening.to_remind(current.id, remind_before):
            found = unit.tx.units.get(unit_id)
            if found is None or not unit.tx.screening.reminded(current.id, unit_id, liaison_id,
                                                                unit.now):
                continue
            liaison = unit.tx.users.get(liaison_id) or User(telegram_id=liaison_id)
            unit.say(liaison, "screening_remind", _answer_buttons(unit, liaison, current, found),
                     unit=found.name, closes=unit.moment(current.closes_at))
            counts["reminded"] += 1
    return counts


def _measures_hours(unit: Unit) -> dict[int, int]:
    """Risk level -> hours for the first measures (重大, then 特别重大)."""
    return dict(zip((SERIOUS, SERIOUS + 1), unit.settings.screening_measures_hours, strict=True))


def _escalate(unit: Unit) -> int:
    """A serious item whose first measures are overdue: every leader is told again, once."""
    told = 0
    for level, hours in _measures_hours(unit).items():
        for item in unit.tx.screening.measures_overdue(level, unit.now - timedelta(hours=hours)):
            if not unit.tx.screening.escalated(item.case_id, unit.now):
                continue
            unit.tx.audit.append(unit.now, None, "screening_escalate", case_id=item.case_id)
            found = unit.tx.units.get(item.unit_id)
            for leader in unit.tx.users.with_roles(("leader",)):
                unit.say(leader, "measures_overdue", [[(unit.text(leader, "btn_view_case"),
                                                        press("vw", item.case_id))]],
                         number=item.number, unit=found.name if found else "-",
                         risk=Term(f"risk_{level}"), hours=hours)
            told += 1
    return told


def _prompt(unit: Unit, current: ScreeningRound) -> int:
    told = 0
    for found in unit.tx.units.all():
        for liaison_id in found.liaison_ids:
            liaison = unit.tx.users.get(liaison_id)
            if liaison is None or liaison.role != "liaison":
                continue
            if unit.tx.screening.prompt(current.id, found.id, liaison_id, unit.now):
                key = "screening_prompt_daily" if current.cadence == "daily" else \
                    "screening_prompt"
                unit.say(liaison, key, _answer_buttons(unit, liaison, current, found),
                         unit=found.name, closes=unit.moment(current.closes_at))
                told += 1
    return told


def _answer_buttons(unit: Unit, liaison: User, current: ScreeningRound, found: BureauUnit):
    return [[(unit.text(liaison, "btn_screening_zero"), press("sz", current.id, found.id)),
             (unit.text(liaison, "btn_screening_report"), press("si", current.id, found.id))]]


def moments(unit: Unit, after: datetime, until: datetime) -> list[datetime]:
    """When the job has something to do in (after, until]: rounds opening, reminders coming
    due, rounds closing (the console's clock stops at each)."""
    first = after.astimezone(unit.settings.tz).date()
    last = until.astimezone(unit.settings.tz).date()
    calendar = _calendar(unit, first, last)
    found = {_opens_at(unit, r.day) for r in round_days(first, last, calendar,
                                                        screening.periods(unit, first))}
    remind = timedelta(hours=unit.settings.screening_remind_hours)
    for current in unit.tx.screening.still_open():
        found.update((current.opens_at + remind, current.closes_at))
        # a prompt sent late (a round opened after downtime) is reminded of late too
        found.update(m + remind for m in unit.tx.screening.unreminded_since(current.id))
    for moment in list(found):
        found.add(moment + remind)  # a round opening on the way is reminded of on the way
    for level, hours in _measures_hours(unit).items():
        for item in unit.tx.screening.measures_overdue(level, until):
            if item.created_at is not None:
                found.add(item.created_at + timedelta(hours=hours))
    return sorted(m for m in found if after < m <= until)


# --- a liaison's answer ---------------------------------------------------------------------

def _liaison_of(unit: Unit, liaison: User, round_id: int, unit_id: int
                ) -> tuple[ScreeningRound, BureauUnit]:
    current = unit.tx.screening.get(round_id)
    found = unit.tx.units.get(unit_id)
    if current is None or found is None:
        raise RuleError("err_stale_button")
    if liaison.telegram_id not in found.liaison_ids:
        raise RuleError("err_not_unit_liaison", unit=found.name)
    if current.closed or current.closes_at <= unit.now:
        raise RuleError("err_round_closed", day=unit.moment(current.opens_at))
    return current, found


def zero_report(unit: Unit, liaison: User, round_id: int, unit_id: int) -> None:
    current, found = _liaison_of(unit, liaison, round_id, unit_id)
    if any(i.unit_id == found.id for i in unit.tx.screening.items(current.id)):
        raise RuleError("err_zero_after_items", unit=found.name)
    if not unit.tx.screening.respond(current.id, found.id, "zero", liaison.telegram_id,
                                    unit.now):
        raise RuleError("err_already_answered", unit=found.name)
    unit.tx.audit.append(unit.now, liaison.telegram_id, "screening_zero", subject_id=found.id,
                         detail=str(current.id))
    unit.say(liaison, "screening_zero_done", unit=found.name)


def start_item(unit: Unit, liaison: User, round_id: int, unit_id: int) -> None:
    current, found = _liaison_of(unit, liaison, round_id, unit_id)
    if unit.tx.screening.answers(current.id).get(found.id) is not None:
        raise RuleError("err_already_answered", unit=found.name)
    unit.tx.dialogues.put(Dialogue(user_id=liaison.telegram_id, name=ITEM, step="what",
                                   data={"round_id": current.id, "unit_id": found.id}),
                          unit.now)
    unit.say(liaison, "item_ask_what", unit=found.name)


def done(unit: Unit, liaison: User, round_id: int, unit_id: int) -> None:
    """报送完毕: the unit's report for the round is complete."""
    current, found = _liaison_of(unit, liaison, round_id, unit_id)
    reported = [i for i in unit.tx.screening.items(current.id) if i.unit_id == found.id]
    if not reported:
        raise RuleError("err_nothing_reported")
    if not unit.tx.screening.respond(current.id, found.id, "reported", liaison.telegram_id,
                                    unit.now):
        raise RuleError("err_already_answered", unit=found.name)
    unit.tx.dialogues.clear(liaison.telegram_id)
    unit.say(liaison, "screening_report_done", unit=found.name, count=len(reported))


def on_text(unit: Unit, liaison: User, dialogue: Dialogue, text: str) -> None:
    """The item dialogue's typed steps."""
    words = unit.typed(liaison, text, TEXT_LIMIT, "err_item_long", collapse=True)
    if words is None:
        return
    step = dialogue.step
    if step == "what":
        unit.advance(dialogue, "parties", what=words)
        unit.say(liaison, "item_ask_parties")
    elif step == "parties":
        unit.advance(dialogue, "people", parties=words)
        unit.say(liaison, "item_ask_people")
    elif step == "people":
        people = ascii_number(words, low=1, high=100_000)
        if people is None:
            unit.say(liaison, "err_item_people")
            return
        unit.advance(dialogue, "demand", people=people)
        unit.say(liaison, "item_ask_demand")
    elif step == "demand":
        unit.advance(dialogue, "risk", demand=words)
        unit.say(liaison, "item_ask_risk", [[(unit.text(liaison, f"risk_{r}"), press("sr", r))
                                             for r in RISKS]])
    elif step == "target":
        target(unit, liaison, words)
    elif step == "guarantor_text":
        match = PHONE.search(words)
        name = words[:match.start()].strip(" ，,") if match else ""
        if match is None or not name:
            unit.say(liaison, "err_guarantor_text")
            return
        _create(unit, liaison, dialogue, None, name[:60], match.group(1).replace(" ", ""))
    else:
        unit.say(liaison, "item_use_buttons")


def risk(unit: Unit, liaison: User, level: int) -> None:
    dialogue = unit.dialogue(liaison, ITEM, "risk")
    if level not in RISKS:
        raise RuleError("err_stale_button")
    _liaison_of(unit, liaison, int(dialogue.data["round_id"]), int(dialogue.data["unit_id"]))
    unit.advance(dialogue, "target", risk=level)
    days = unit.settings.kind_handle_days["dispute"]
    unit.say(liaison, "item_ask_target",
             [[(unit.text(liaison, "btn_target_default", days=days), press("st"))]], days=days)


def target(unit: Unit, liaison: User, typed: str | None) -> None:
    """The date by which the dispute is to be settled (a deadline of its case); without one
    the office's limit for disputes applies."""
    dialogue = unit.dialogue(liaison, ITEM, "target")
    _liaison_of(unit, liaison, int(dialogue.data["round_id"]), int(dialogue.data["unit_id"]))
    day = None
    if typed is not None:
        day = parse_day(typed)
        if not _today(unit) <= day <= _today(unit) + timedelta(days=366):
            raise RuleError("err_target_day")
    unit.advance(dialogue, "guarantor", target=day.isoformat() if day else None)
    found = unit.tx.units.get(int(dialogue.data["unit_id"]))
    assert found is not None
    candidates = [found.leader_id] if found.leader_id else []
    candidates += [p.telegram_id for p in unit.tx.users.with_roles(("staff",))]
    buttons = [[(desk.display(unit.tx.users.get(i)), press("sg", i))] for i in candidates[:20]]
    buttons.append([(unit.text(liaison, "btn_guarantor_type"), press("sg", 0))])
    unit.say(liaison, "item_ask_guarantor", buttons)


def guarantor(unit: Unit, liaison: User, person_id: int) -> None:
    dialogue = unit.dialogue(liaison, ITEM, "guarantor")
    _liaison_of(unit, liaison, int(dialogue.data["round_id"]), int(dialogue.data["unit_id"]))
    if person_id == 0:
        unit.advance(dialogue, "guarantor_text")
        unit.say(liaison, "item_ask_guarantor_text")
        return
    person = unit.tx.users.get(person_id)
    if person is None or person.role not in ("staff", "leader"):
        raise RuleError("err_stale_button")
    _create(unit, liaison, dialogue, person, None, None)


def _create(unit: Unit, liaison: User, dialogue: Dialogue, person: User | None,
            name: str | None, phone: str | None) -> None:
    data = dialogue.data
    current, found = _liaison_of(unit, liaison, int(data["round_id"]), int(data["unit_id"]))
    level = int(data["risk"])
    owner = person.telegram_id if person is not None and person.role == "staff" else None
    text = unit.text(None, "item_case_text", what=data["what"], parties=data["parties"],
                     people=data["people"], demand=data["demand"])
    fields = {"kind": "dispute", "channel": "screening", "citizen_id": None,
              "citizen_name": found.name, "text": text, "unit_id": found.id,
              "state": "accepted" if owner else "new", "owner_id": owner,
              "accepted_at": unit.now if owner else None}
    case = cases.open_case(unit, liaison.telegram_id, fields, "screening_item")
    if data.get("target"):
        deadlines.set_target(unit, case, date.fromisoformat(data["target"]))
    if owner is not None:
        unit.tx.cases.add_owner(case.id, owner, liaison.telegram_id, "guarantor", unit.now)
    unit.tx.screening.add_item(ScreeningItem(
        case_id=case.id, round_id=current.id, unit_id=found.id, parties=data["parties"],
        people=int(data["people"]), demand=data["demand"], risk_level=level,
        guarantor_id=person.telegram_id if person else None, guarantor_name=name,
        guarantor_phone=phone, reported_by=liaison.telegram_id), unit.now)
    unit.tx.dialogues.clear(liaison.telegram_id)
    desk.announce_case(unit, case)
    who = desk.display(person) if person else f"{name} {phone}"
    more = [(unit.text(liaison, "btn_screening_report_more"), press("si", current.id, found.id)),
            (unit.text(liaison, "btn_screening_done"), press("sd", current.id, found.id))]
    rows: list = [more]
    if level >= SERIOUS:
        rows.append([(unit.text(liaison, "btn_measures"), press("mp", case.id))])
        hours = _measures_hours(unit)[level]
        if person is not None and person.role == "staff":
            unit.say(person, "item_guarantor_serious",
                     [[(unit.text(person, "btn_measures"), press("mp", case.id))]],
                     number=case.number, unit=found.name, hours=hours,
                     by=unit.moment(unit.now + timedelta(hours=hours)))
        for leader in unit.tx.users.with_roles(("leader",)):
            unit.say(leader, "item_serious", [[(unit.text(leader, "btn_view_case"),
                                                press("vw", case.id))]],
                     number=case.number, unit=found.name, risk=Term(f"risk_{level}"),
                     guarantor=who, hours=hours,
                     by=unit.moment(unit.now + timedelta(hours=hours)), text=data["what"])
    unit.say(liaison, "item_recorded", rows, number=case.number, risk=Term(f"risk_{level}"),
             guarantor=who)


def ask_measures(unit: Unit, user: User, case_id: int) -> None:
    """A serious item's first measures, reported by its unit's liaison, its guarantor, its
    owner, or a leader or admin."""
    item = unit.tx.screening.item(case_id)
    if item is None or item.risk_level < SERIOUS:
        raise RuleError("err_stale_button")
    found = unit.tx.units.get(item.unit_id)
    case = unit.tx.cases.get(case_id)
    allowed = (user.role in ("leader", "admin")
               or user.telegram_id in (item.guarantor_id, case.owner_id if case else None)
               or (found is not None and user.telegram_id in found.liaison_ids))
    if not allowed:
        raise RuleError("err_not_guarantor", number=item.number)
    if item.measures_at is not None:
        raise RuleError("err_measures_done", number=item.number)
    unit.tx.dialogues.put(Dialogue(user_id=user.telegram_id, name=MEASURES, step="text",
                                   data={"case_id": case_id}), unit.now)
    unit.say(user, "measures_ask", number=item.number)


def on_measures(unit: Unit, user: User, dialogue: Dialogue, text: str) -> None:
    words = unit.typed(user, text, 1000, "err_measures_long")
    if words is None:
        return
    case_id = int(dialogue.data["case_id"])
    ask_measures(unit, user, case_id)  # the right again, as of now
    item = unit.tx.screening.item(case_id)
    assert item is not None
    unit.tx.dialogues.clear(user.telegram_id)
    unit.tx.screening.measures_reported(case_id, unit.now)
    unit.tx.cases.add_event(case_id, unit.now, actor_id=user.telegram_id, direction="internal",
                            kind="measures", text=words)
    unit.tx.audit.append(unit.now, user.telegram_id, "screening_measures", case_id=case_id)
    for leader in unit.tx.users.with_roles(("leader",)):
        if leader.telegram_id != user.telegram_id:
            unit.say(leader, "measures_reported", number=item.number,
                     name=desk.display(user), text=words)
    unit.say(user, "measures_recorded", number=item.number)


def button(unit: Unit, user: User, cb: Press) -> None:
    """The screening journey's buttons; each checks who pressed it."""
    ids = cb.ids
    if cb.action == "sz":
        zero_report(unit, user, ids[0], ids[1])
    elif cb.action == "si":
        start_item(unit, user, ids[0], ids[1])
    elif cb.action == "sd":
        done(unit, user, ids[0], ids[1])
    elif cb.action == "sr":
        risk(unit, user, ids[0])
    elif cb.action == "st":
        target(unit, liaison=user, typed=None)
    elif cb.action == "sg":
        guarantor(unit, user, ids[0])
    elif cb.action == "mp":
        ask_measures(unit, user, ids[0])
    else:
        raise RuleError("err_stale_button")


# --- what staff and leaders see -------------------------------------------------------------

@dataclass(slots=True)
class RoundView:
    """A round: zero reports, items by risk level, the units still silent (staff, leaders)."""

    to: int
    round: ScreeningRound | None
    zero: tuple[str, ...]
    items: tuple[tuple[ScreeningItem, str, str], ...]  # with the unit's and guarantor's names
    silent: tuple[str, ...]
    without_liaison: tuple[str, ...]


def _guarantor(unit: Unit, item: ScreeningItem) -> str:
    if item.guarantor_id is not None:
        return desk.display(unit.tx.users.get(item.guarantor_id))
    return f"{item.guarantor_name or '-'} {item.guarantor_phone or ''}".strip()


def show(unit: Unit, viewer: User, day_text: str | None = None) -> RoundView:
    if not viewer.is_staff_side:
        raise RuleError("err_staff_only")
    if day_text:
        current = unit.tx.screening.on_day(parse_day(day_text))
        if current is None:
            raise RuleError("err_no_round_on", day=day_text)
    else:
        current = unit.tx.screening.latest(unit.now)
    all_units = unit.tx.units.all()
    names = {u.id: u.name for u in all_units}
    if current is None:
        return RoundView(viewer.telegram_id, None, (), (), (),
                         tuple(u.name for u in all_units if not u.liaison_ids))
    answers = unit.tx.screening.answers(current.id)
    items = unit.tx.screening.items(current.id)
    reporting = {i.unit_id for i in items}
    return RoundView(
        viewer.telegram_id, current,
        tuple(names.get(u, "-") for u, state in answers.items() if state == "zero"),
        tuple((i, names.get(i.unit_id, "-"), _guarantor(unit, i)) for i in items),
        tuple(u.name for u in all_units if u.liaison_ids and u.id not in answers
              and u.id not in reporting),
        tuple(u.name for u in all_units if not u.liaison_ids))
