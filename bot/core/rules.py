"""The case desk's rules as plain functions: no Telegram, no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.texts import Term
from storage.models import Case, User

# Allowed state changes; anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"accepted", "rejected", "withdrawn"}),
    "accepted": frozenset({"resolved", "rejected", "withdrawn"}),
    "resolved": frozenset({"closed", "accepted"}),
    "closed": frozenset(),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
}
OPEN_STATES = ("new", "accepted")
CASE_NUMBER = re.compile(r"^QZ-([0-9]{4})-([0-9]{6})$")
_PHONE = re.compile(r"^(?:\+?86)?(1[3-9][0-9]{9}|0[0-9]{2,3}[0-9]{7,8}|[0-9]{7,8})$")
EMERGENCY_NUMBERS = "110 · 119 · 120"
OPENING_SEARCH_DAYS = 60  # longer than any run of holidays a calendar holds


class RuleError(Exception):
    """A request the rules refuse; `key` names the text that explains why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


_REF = re.compile(r"^([SsBb]?)([0-9]{1,9})$")
_ASCII_DIGITS = re.compile(r"^[0-9]{1,15}$")  # `str.isdigit` also takes '²' and '٣'
TELEGRAM_ID_DIGITS = 15  # Telegram's ids fit in 52 bits; SQLite's integers in 63
MAX_SEATS = 1000  # one talk's capacity, far above any hall


def ascii_number(text: str, *, low: int = 0, high: int = 10 ** TELEGRAM_ID_DIGITS) -> int | None:
    """A whole number written in ASCII digits within [low, high], else None: so that a
    superscript, an Arabic-Indic digit or a number past SQLite's range is refused, not read."""
    text = text.strip()
    if not _ASCII_DIGITS.match(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_ref(text: str, kind: str) -> int:
    """A slot (`S7`) or a booking (`B12`) as commands take it: the letter may be left out,
    but a booking is never taken where a slot is meant, nor the other way round."""
    match = _REF.match(text.strip())
    if match is None:
        raise RuleError("err_not_a_slot" if kind == "slot" else "err_not_a_booking", text=text)
    letter = match.group(1).upper()
    if kind == "slot" and letter == "B":
        raise RuleError("err_wrong_ref", text=text)
    if kind == "booking" and letter == "S":
        raise RuleError("err_wrong_ref_booking", text=text)
    return int(match.group(2))


def state_term(state: str) -> Term:
    """A case's state, named in the language of the text it goes into."""
    return Term(f"state_{state}")


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def require_transition(case: Case, target: str) -> None:
    if not can_transition(case.state, target):
        raise RuleError("err_transition", number=case.number, state=state_term(case.state))


def may_work(user: User, case: Case) -> bool:
    """Reply, transfer and resolve belong to the owner (首问负责), or a leader or admin."""
    return user.role in ("leader", "admin") or (
        user.role == "staff" and case.owner_id == user.telegram_id
    )


def may_reject(user: User, case: Case) -> bool:
    """Any staff member may turn down a new case; an accepted one only its owner (or above)."""
    if not user.is_staff_side:
        return False
    if case.state == "new":
        return True
    return may_work(user, case)


def deadline(start: datetime, days: int, tz: ZoneInfo) -> datetime:
    """Calendar days from `start`; the deadline ends at 23:59:59 local time on the last day."""
    local_day = start.astimezone(tz).date() + timedelta(days=days)
    end = datetime.combine(local_day, time(23, 59, 59), tzinfo=tz)
    return end.astimezone(UTC)


def is_working_day(day: date, calendar: Mapping[date, str]) -> bool:
    """Monday to Friday, less public holidays, plus the extra working days of 调休."""
    kind = calendar.get(day)
    if kind == "holiday":
        return False
    if kind == "workday":
        return True
    return day.weekday() < 5


def is_office_open(now: datetime, tz: ZoneInfo, hours: tuple[time, time],
                   calendar: Mapping[date, str]) -> bool:
    local = now.astimezone(tz)
    return is_working_day(local.date(), calendar) and hours[0] <= local.time() < hours[1]


def next_opening(now: datetime, tz: ZoneInfo, hours: tuple[time, time],
                 calendar: Mapping[date, str]) -> datetime:
    """When staff are next at their desks: the next working day by the holiday calendar, at
    opening time (a holiday is closed, a 调休 working day open)."""
    local = now.astimezone(tz)
    day = local.date()
    for offset in range(OPENING_SEARCH_DAYS):
        candidate_day = day + timedelta(days=offset)
        if not is_working_day(candidate_day, calendar):
            continue
        opening = datetime.combine(candidate_day, hours[0], tzinfo=tz)
        if offset == 0 and local.time() >= hours[0]:
            continue
        return opening.astimezone(UTC)
    raise RuleError("err_no_working_day", days=OPENING_SEARCH_DAYS)


def normalise_phone(raw: str) -> str | None:
    """A Chinese mobile or landline number in digits, or None when it is not one."""
    digits = re.sub(r"[\s\-()]", "", raw.strip())
    match = _PHONE.match(digits)
    return match.group(1) if match else None


def is_case_number(text: str) -> bool:
    return bool(CASE_NUMBER.match(text.strip().upper()))


def split_text(text: str, limit: int = 4096) -> list[str]:
    """Split text into pieces Telegram accepts, at line breaks where possible."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n") if cut < limit else rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces
