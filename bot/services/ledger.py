"""The ledger (台帐): which sheets it has, their columns, who may export what, and the record
of each export. A column or a sheet is added here and nowhere else: the writers
(bot.render.ledger) know only `Sheet` and `Column`.

Leaders and admins export everything; staff the cases they own or owned (and the talks they
host, the assigned matters they handle). Every export is written to the audit log with who,
when and the period, in the transaction that queues the file (chat) or before the file is
written (command line)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.presses import press
from bot.core.rules import RuleError
from bot.core.said import DOCUMENT_LIMIT
from bot.services import stats
from bot.services.unit import Unit
from bot.texts import Term, t
from storage.models import User
from storage.repos import Tx
from storage.times import from_ts, ts

MOMENT, DAY, TEXT, NUMBER, SHARE = "moment", "day", "text", "number", "share"
# Chat exports are refused above this many cases before anything is written: at up to about
# 250 bytes a case row (a summary runs to 120 characters; bench.export's short rows take 75)
# the file would near Telegram's 50 MB for documents.
CHAT_MAX_CASES = 200_000


@dataclass(frozen=True)
class Scope:
    """What one export covers: the local days [first_day, last_day], the same span in UTC,
    whose rows (`owner` None: everybody's), in which language and zone, as of `now`."""

    first_day: date
    last_day: date
    first: datetime
    last: datetime
    owner: int | None
    lang: str
    tz: ZoneInfo
    now: datetime

    def local(self, stored: str | None) -> datetime | None:
        """A stored UTC moment as a naive local datetime to the minute: a date cell."""
        if not stored:
            return None
        return from_ts(stored).astimezone(self.tz).replace(tzinfo=None, second=0, microsecond=0)

    def word(self, key: str) -> str:
        return t(self.lang, key)


Value = Callable[[sqlite3.Row, Scope], object]


@dataclass(frozen=True)
class Column:
    header: str  # the text key of its header
    width: int  # in characters, as a spreadsheet sizes columns
    value: Value
    kind: str = TEXT


@dataclass(frozen=True)
class Sheet:
    name: str  # the text key of its tab (and of a CSV file's suffix)
    columns: tuple[Column, ...]
    rows: Callable[[Tx, Scope], Iterable[sqlite3.Row]]
    overdue: Callable[[sqlite3.Row, Scope], bool] | None = None
    everyone_only: bool = False  # only for those who export everything


def field_of(name: str) -> Value:
    """A column whose value is the row's field as it is."""
    return lambda row, scope: row[name]


def _moment(name: str) -> Value:
    return lambda row, scope: scope.local(row[name])


def _term(prefix: str, name: str) -> Value:
    return lambda row, scope: scope.word(f"{prefix}{row[name]}") if row[name] else None


def _met(due: str, met: str) -> Value:
    """是 (on time), 否 (late, or past due and still unmet), blank while it may still be met."""
    def value(row: sqlite3.Row, scope: Scope) -> str | None:
        if row[due] is None:
            return None
        if row[met] is not None:
            return scope.word("ledger_yes" if row[met] <= row[due] else "ledger_no")
        due_at = from_ts(row[due])
        return scope.word("ledger_no") if due_at < scope.now else None
    return value


def _answer(row: sqlite3.Row) -> str:
    """A unit that reported an item has answered, whether or not it pressed 报送完毕."""
    return row["answer"] or ("reported" if row["number"] else "none")


def _late(row: sqlite3.Row, scope: Scope) -> bool:
    """A case is marked when a deadline passed unmet while it was open, or was met late."""
    for due, met in (("accept_due", "accept_met"), ("handle_due", "handle_met")):
        if row[due] is None:
            continue
        if row[met] is not None:
            if row[met] > row[due]:
                return True
        elif row["state"] in ("new", "accepted") and from_ts(row[due]) < scope.now:
            return True
    return False


def _citizen(row: sqlite3.Row, scope: Scope) -> str | None:
    return scope.word("ledger_anonymous") if row["anonymous"] else row["citizen"] or None


def _summary(row: sqlite3.Row, scope: Scope) -> str:
    text = " ".join(str(row["text"]).split())
    return text if len(text) <= SUMMARY else text[:SUMMARY - 1] + "…"


SUMMARY = 120  # characters of a case's text in its row

CASES = Sheet("sheet_cases", (
    Column("col_number", 16, field_of("number")),
    Column("col_channel", 8, _term("channel_", "channel")),
    Column("col_kind", 8, _term("kind_", "kind")),
    Column("col_category", 22, _term("category_", "category")),
    Column("col_received", 17, _moment("created_at"), MOMENT),
    Column("col_citizen", 10, _citizen),
    Column("col_phone", 14, lambda row, scope: row["citizen_phone"] or None),
    Column("col_summary", 40, _summary),
    Column("col_unit", 14, lambda row, scope: row["unit"] or None),
    Column("col_owners", 18, lambda row, scope: row["owners"] or None),
    Column("col_state", 8, _term("state_", "state")),
    Column("col_accept_due", 17, _moment("accept_due"), MOMENT),
    Column("col_accept_met", 17, _moment("accept_met"), MOMENT),
    Column("col_accept_on_time", 8, _met("accept_due", "accept_met")),
    Column("col_handle_due", 17, _moment("handle_due"), MOMENT),
    Column("col_handle_met", 17, _moment("handle_met"), MOMENT),
    Column("col_handle_on_time", 8, _met("handle_due", "handle_met")),
    Column("col_extended", 8, lambda row, scope: row["extended_days"] or None, NUMBER),
    Column("col_round", 11, lambda row, scope: row["round_day"] or None),
    Column("col_guarantor", 10, lambda row, scope: row["guarantor"] or None),
    Column("col_guarantor_phone", 14, lambda row, scope: row["guarantor_phone"] or None),
), lambda tx, s: tx.ledger.cases(s.first, s.last, s.owner), overdue=_late)

TALKS = Sheet("sheet_talks", (
    Column("col_slot", 7, lambda row, scope: f"S{row['id']}"),
    Column("col_slot_kind", 10, _term("slot_", "kind")),
    Column("col_starts", 17, _moment("starts_at"), MOMENT),
    Column("col_ends", 17, _moment("ends_at"), MOMENT),
    Column("col_place", 16, field_of("place")),
    Column("col_host", 10, field_of("host")),
    Column("col_capacity", 6, field_of("capacity"), NUMBER),
    Column("col_slot_state", 8, _term("slot_state_", "state")),
    Column("col_booker", 10, lambda row, scope: row["citizen"] if row["booking_state"] else ""),
    Column("col_booking_state", 8, _term("ledger_booking_", "booking_state")),
    Column("col_attendance", 8, _term("attendance_", "attendance")),
    Column("col_outcome", 30, lambda row, scope: row["outcome"] or None),
), lambda tx, s: tx.ledger.talks(s.first, s.last, s.owner))

ROUNDS = Sheet("sheet_rounds", (
    Column("col_round", 11, field_of("day")),
    Column("col_cadence", 8, _term("cadence_", "cadence")),
    Column("col_unit", 14, field_of("unit")),
    Column("col_answer", 8, lambda row, scope: scope.word(f"answer_{_answer(row)}")),
    Column("col_answered", 17, _moment("answered_at"), MOMENT),
    Column("col_number", 16, lambda row, scope: row["number"] or None),
    Column("col_parties", 20, lambda row, scope: row["parties"] or None),
    Column("col_people", 6, field_of("people"), NUMBER),
    Column("col_demand", 30, lambda row, scope: row["demand"] or None),
    Column("col_risk", 8, _term("risk_", "risk_level")),
    Column("col_guarantor", 10, lambda row, scope: row["guarantor"] or None),
    Column("col_guarantor_phone", 14, lambda row, scope: row["guarantor_phone"] or None),
    Column("col_target", 17, _moment("target"), MOMENT),
    Column("col_settled", 17, _moment("settled"), MOMENT),
), lambda tx, s: tx.ledger.rounds(s.first_day.isoformat(), s.last_day.isoformat(), s.owner),
    overdue=lambda row, scope: bool(row["target"]) and (
        (row["settled"] or ts(scope.now)) > row["target"]))

MATTERS = Sheet("sheet_matters", (
    Column("col_matter", 7, lambda row, scope: f"M{row['id']}"),
    Column("col_source", 14, field_of("source")),
    Column("col_doc_number", 18, field_of("doc_number")),
    Column("col_content", 36, field_of("content")),
    Column("col_registered", 17, _moment("created_at"), MOMENT),
    Column("col_due", 17, _moment("due_at"), MOMENT),
    Column("col_owner", 10, field_of("owner")),
    Column("col_number", 16, lambda row, scope: row["case_number"] or None),
    Column("col_matter_state", 8, _term("matter_state_", "state")),
    Column("col_result", 36, lambda row, scope: row["result"] or None),
    Column("col_reported", 17, _moment("reported_at"), MOMENT),
), lambda tx, s: tx.ledger.matters(s.first, s.last, s.owner),
    overdue=lambda row, scope: row["overdue_at"] is not None)

ANNOUNCEMENTS = Sheet("sheet_announcements", (
    Column("col_announcement", 7, lambda row, scope: f"A{row['id']}"),
    Column("col_announcement_kind", 10, _term("announcement_", "kind")),
    Column("col_title", 30, field_of("title")),
    Column("col_created", 17, _moment("created_at"), MOMENT),
    Column("col_creator", 10, field_of("creator")),
    Column("col_announcement_state", 8, _term("announcement_state_", "state")),
    Column("col_event_at", 17, _moment("event_at"), MOMENT),
    Column("col_place", 16, lambda row, scope: row["place"] or None),
    Column("col_recipients", 8, field_of("queued"), NUMBER),
    Column("col_sent", 8, field_of("sent"), NUMBER),
    Column("col_blocked", 8, field_of("blocked"), NUMBER),
    Column("col_failed", 8, field_of("failed"), NUMBER),
), lambda tx, s: tx.ledger.announcements(s.first, s.last))

# Assessment's first four figures as columns: the ledger's sheet and the annual report's share
# them (rows with received, handled, accept and handle, as bot.services.stats makes them).
RECEIVED_AND_RATES = (
    Column("col_received_count", 8, field_of("received"), NUMBER),
    Column("col_handled_count", 8, field_of("handled"), NUMBER),
    Column("col_accept_rate", 10, field_of("accept"), SHARE),
    Column("col_handle_rate", 10, field_of("handle"), SHARE),
)

STATS = Sheet("sheet_stats", (
    Column("col_group", 8, lambda row, scope: scope.word(f"stats_group_{row['group']}")),
    Column("col_name", 14, lambda row, scope: row["name"] or scope.word("stats_office")),
    *RECEIVED_AND_RATES,
    Column("col_response_hours", 12, field_of("response"), NUMBER),
    Column("col_resolve_hours", 12, field_of("resolve"), NUMBER),
    Column("col_repeats", 8, field_of("repeats"), NUMBER),
    Column("col_settle_rate", 10, field_of("settle"), SHARE),
    Column("col_talks", 8, field_of("talks"), NUMBER),
    Column("col_attendance_rate", 10, field_of("attendance"), SHARE),
), lambda tx, s: stats.sheet_rows(tx, s.tz, s.now, s.first_day, s.last_day, s.owner))

# The ledger's sheets, in their order in the workbook.
SHEETS: list[Sheet] = [CASES, TALKS, ROUNDS, MATTERS, ANNOUNCEMENTS, STATS]


def sheets_for(scope: Scope) -> list[Sheet]:
    return [s for s in SHEETS if scope.owner is None or not s.everyone_only]


# --- periods ---------------------------------------------------------------------------------

def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def period(words: list[str], today: date) -> tuple[date, date]:
    """/export's period: 本月/month (the default), 上月/last, or two dates FROM TO."""
    if not words or words[0].lower() in ("month", "本月"):
        return month_of(today)
    if len(words) == 1 and words[0].lower() in ("last", "上月"):
        return month_of(today.replace(day=1) - timedelta(days=1))
    if len(words) == 2:
        try:
            first, last = date.fromisoformat(words[0]), date.fromisoformat(words[1])
        except ValueError:
            raise RuleError("err_export_period") from None
        if first > last:
            raise RuleError("err_export_order")
        return first, last
    raise RuleError("err_export_period")


def scope(unit: Unit, user: User | None, first_day: date, last_day: date,
          lang: str | None = None) -> Scope:
    """Who may export what: leaders and admins (and the command line, `user` None)
    everything, staff their own cases; refused for everyone else."""
    if user is not None and user.role not in ("staff", "leader", "admin"):
        raise RuleError("err_staff_only")
    tz = unit.settings.tz
    owner = user.telegram_id if user is not None and user.role == "staff" else None
    return Scope(first_day, last_day,
                 datetime.combine(first_day, time(0), tz),
                 datetime.combine(last_day + timedelta(days=1), time(0), tz),
                 owner, lang or unit.lang(user), tz, unit.now)


def size_check(unit: Unit, wanted: Scope) -> int:
    """The cases a chat export would hold; refused before anything is written when the file
    would be too large for Telegram."""
    count = unit.tx.ledger.count_cases(wanted.first, wanted.last, wanted.owner)
    if count > CHAT_MAX_CASES:
        raise RuleError("err_export_too_large", count=count, limit=DOCUMENT_LIMIT // 2 ** 20,
                        command=command_line(wanted))
    return count


def command_line(wanted: Scope) -> str:
    """The command that exports the same period on the server, whatever its size."""
    return (f"python main.py export --from {wanted.first_day.isoformat()} --to "
            f"{wanted.last_day.isoformat()} --format xlsx --out ledger.xlsx")


def record(unit: Unit, actor_id: int, wanted: Scope, how: str, rows: int) -> None:
    """The audit log's line for an export: who (0: the command line), when (the row's
    moment), which period and whose rows."""
    whose = "all" if wanted.owner is None else f"owner {wanted.owner}"
    unit.tx.audit.append(unit.now, actor_id, "export", detail=(
        f"{wanted.first_day.isoformat()}..{wanted.last_day.isoformat()} {how} {whose}"
        f" {rows} cases"))


def choose(unit: Unit, user: User) -> None:
    """/export without a period: this month or last month by button, a range typed."""
    if not user.is_staff_side:
        raise RuleError("err_staff_only")
    unit.say(user, "export_choose", [[(Term("btn_export_month"), press("ex", "month")),
                                      (Term("btn_export_last"), press("ex", "last"))]])
