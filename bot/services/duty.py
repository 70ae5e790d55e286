"""The leaders' duty roster (局领导值班接访): rotation, overrides and swaps, and /duty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.clock import when_day
from bot.core.calendar import duty_leader, parse_day
from bot.core.rules import RuleError
from bot.services import desk, talks
from bot.services.unit import Unit
from bot.texts import Day
from storage.models import TalkSlot, User


def _admin(user: User) -> None:
    if user.role != "admin":
        raise RuleError("err_admin_only")


def assigned_on(unit: Unit, day: date) -> int | None:
    """Whom the rotation or an override puts on duty on `day`, whatever their role now."""
    rotation = unit.tx.duty.rotation_on(day)
    # A rotation by working day counts every day since it began: the calendar must cover them.
    first = min(date.fromisoformat(rotation.starts_on), day) if rotation else day
    calendar = unit.tx.holidays.between(first, day)
    overrides = unit.tx.duty.overrides(day, day)
    return duty_leader(
        day,
        rotation.unit if rotation else None,
        rotation.leaders if rotation else [],
        date.fromisoformat(rotation.starts_on) if rotation else None,
        overrides,
        calendar,
    )


def leader_on(unit: Unit, day: date) -> int | None:
    """The leader on duty; None on a day off, or when the one assigned is no longer a leader
    (the day is uncovered until an admin reassigns it, and nobody is reminded for it)."""
    leader_id = assigned_on(unit, day)
    if leader_id is None:
        return None
    leader = unit.tx.users.get(leader_id)
    return leader_id if leader is not None and leader.role == "leader" else None


def assigned(unit: Unit, first: date, days: int) -> dict[date, int | None]:
    return {first + timedelta(days=i): assigned_on(unit, first + timedelta(days=i))
            for i in range(days)}


def roster(unit: Unit, first: date, days: int) -> dict[date, int | None]:
    return {first + timedelta(days=i): leader_on(unit, first + timedelta(days=i))
            for i in range(days)}


def set_rotation(unit: Unit, admin: User, turn: str, leaders: list[int], first_text: str,
                 reason: str) -> None:
    _admin(admin)
    if turn not in ("week", "day"):
        raise RuleError("err_usage", usage="/rotation week|day 3001,3002 2026-12-07 理由")
    for leader_id in leaders:
        leader = unit.tx.users.get(leader_id)
        if leader is None or leader.role != "leader":
            raise RuleError("err_host_not_leader", id=leader_id)
    first = parse_day(first_text)
    unit.tx.duty.set_rotation(turn, leaders, first, admin.telegram_id, reason, unit.now)
    unit.tx.audit.append(unit.now, admin.telegram_id, "duty_rotation", detail=turn)
    lang = unit.lang(admin)
    monday = first - timedelta(days=first.weekday())
    weeks = ""
    if turn == "week" and monday != first:  # turns change on Mondays: say which one counts
        weeks = unit.text(admin, "rotation_monday", monday=when_day(lang, monday))
    unit.say(admin, "rotation_set", turn=unit.text(admin, f"turn_{turn}"),
             leaders=unit.text(admin, "list_sep").join(
                 desk.display(unit.tx.users.get(i)) for i in leaders),
             first=when_day(lang, first), weeks=weeks)


def override(unit: Unit, admin: User, day_text: str, leader_id: int, reason: str) -> None:
    _admin(admin)
    leader = unit.tx.users.get(leader_id)
    if leader is None or leader.role != "leader":
        raise RuleError("err_host_not_leader", id=leader_id)
    if not reason.strip():
        raise RuleError("err_need_reason")
    day = parse_day(day_text)
    unit.tx.duty.override(day, leader_id, admin.telegram_id, reason, unit.now)
    unit.tx.audit.append(unit.now, admin.telegram_id, "duty_override", subject_id=leader_id,
                         detail=day.isoformat())
    unit.say(admin, "duty_overridden", day=Day(day), name=desk.display(leader))


def swap(unit: Unit, admin: User, first_text: str, second_text: str, reason: str) -> None:
    """Two leaders exchange duty days (recorded as two overrides with the same reason)."""
    _admin(admin)
    if not reason.strip():
        raise RuleError("err_need_reason")
    first, second = parse_day(first_text), parse_day(second_text)
    a, b = leader_on(unit, first), leader_on(unit, second)
    if a is None or b is None:
        raise RuleError("err_no_duty")
    if a == b:  # the same day twice, or two days of one leader: nothing would change
        raise RuleError("err_swap_same", name=desk.display(unit.tx.users.get(a)))
    unit.tx.duty.override(first, b, admin.telegram_id, reason, unit.now)
    unit.tx.duty.override(second, a, admin.telegram_id, reason, unit.now)
    unit.tx.audit.append(unit.now, admin.telegram_id, "duty_swap",
                         detail=f"{first.isoformat()}<->{second.isoformat()}")
    unit.say(admin, "duty_swapped", first=Day(first), second=Day(second))


@dataclass(frozen=True)
class DutyView:
    """Today's duty leader and the next reception days (public); a leader's own duty days; for
    admins the next two weeks, uncovered days marked."""

    to: int
    today: date
    leader: str | None  # None: uncovered (assigned to someone who left) or nobody
    uncovered: bool
    receptions: tuple[tuple[TalkSlot, str], ...]  # with the host's name
    mine: tuple[date, ...] | None  # leaders only
    coming: tuple[tuple[date, str | None], ...] | None  # admins only; None: uncovered


def show(unit: Unit, user: User) -> DutyView:
    today = unit.now.astimezone(unit.settings.tz).date()
    leader_id = leader_on(unit, today)
    leader = desk.display(unit.tx.users.get(leader_id)) if leader_id else None
    receptions = tuple(
        (slot, desk.display(unit.tx.users.get(slot.host_id)))
        for slot in unit.tx.talks.upcoming(unit.now, limit=5, kind="reception_day"))
    mine = None
    if user.role == "leader":
        mine = tuple(d for d, who in roster(unit, today, 28).items() if who == user.telegram_id)
    coming = None
    if user.role == "admin":  # what needs arranging: uncovered days stand out
        days: list[tuple[date, str | None]] = []
        for day, who in assigned(unit, today, 14).items():
            if who is None:
                continue
            person = unit.tx.users.get(who)
            covered = person is not None and person.role == "leader"
            days.append((day, desk.display(person) if covered else None))
        coming = tuple(days)
    return DutyView(user.telegram_id, today, leader,
                    leader_id is None and assigned_on(unit, today) is not None, receptions,
                    mine, coming)


def set_day(unit: Unit, admin: User, kind: str, day_text: str, name: str) -> None:
    """A public holiday, or an extra working day (调休): recurring slots and the roster follow."""
    _admin(admin)
    day = parse_day(day_text)
    unit.tx.holidays.put(day, kind, name, admin.telegram_id, unit.now)
    unit.tx.audit.append(unit.now, admin.telegram_id, f"calendar_{kind}", detail=day.isoformat())
    lang = unit.lang(admin)
    unit.say(admin, "holiday_set", day=when_day(lang, day), kind=unit.text(admin, f"kind_{kind}"))
    if kind == "holiday":
        cancels = talks.cancel_for_holiday(unit, day, name)
        if cancels.cancelled:
            unit.say(admin, "holiday_talks_cancelled", count=len(cancels.cancelled),
                     told=cancels.told)
        if cancels.one_offs:
            unit.say(admin, "holiday_one_offs", slots=unit.text(admin, "list_sep").join(
                unit.text(admin, "slot_ref", id=s.id) for s in cancels.one_offs))
    else:
        _regenerate(unit, admin)


def _regenerate(unit: Unit, admin: User) -> None:
    """A day that became a working day again gets the series slots now due on it."""
    generated = talks.generate(unit)
    if generated.created:
        unit.say(admin, "holiday_talks_generated", count=len(generated.created))


def remove_day(unit: Unit, admin: User, day_text: str) -> None:
    _admin(admin)
    day = parse_day(day_text)
    if not unit.tx.holidays.remove(day):
        raise RuleError("err_no_such_day", day=Day(day))
    unit.tx.audit.append(unit.now, admin.telegram_id, "calendar_remove", detail=day.isoformat())
    unit.say(admin, "holiday_removed", day=when_day(unit.lang(admin), day))
    _regenerate(unit, admin)


def list_days(unit: Unit, admin: User) -> None:
    _admin(admin)
    today = unit.now.astimezone(unit.settings.tz).date()
    lines = [unit.text(admin, "holidays_title")] + [
        f"{when_day(unit.lang(admin), date.fromisoformat(row['day']))} · "
        f"{unit.text(admin, 'kind_' + row['kind'])} · {row['name']}"
        for row in unit.tx.holidays.listing(today)
    ]
    unit.say(admin, "raw", text="\n".join(lines))
