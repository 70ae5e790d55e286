"""The annual report (2022 信访工作条例 art. 41: statistics, fields, the most complained-about
units, transfers and supervision): an XLSX of the year built on the ledger's sheets and the
assessment's figures, and a text summary of the same numbers. For leaders and admins.

/report year (this year to date), /report year last, /report year 2031."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.rules import RuleError
from bot.services import ledger, stats
from bot.services.ledger import NUMBER, SHARE, TEXT, Column, Scope, Sheet, field_of
from bot.services.stats import Figures
from bot.services.unit import Unit
from storage.models import User
from storage.repos import Tx

COMPLAINED = ("complaint", "petition")  # what counts as a complaint about a unit
TOP_UNITS = 10


def _figures(tx: Tx, scope: Scope) -> stats.Assessment:
    return stats.compute(tx, scope.tz, scope.now,
                         stats.Period(stats.YEAR, scope.first_day, scope.last_day, ""))


def _row(name: object, f: Figures) -> dict[str, object]:
    return {"name": name, "received": f.received, "handled": f.handled,
            "accept": f.accept_rate, "handle": f.handle_rate, "repeats": f.repeats,
            "complaints": sum(f.kinds.get(k, 0) for k in COMPLAINED),
            "items": f.items, "settle": f.settle_rate}


def by_kind(tx: Tx, scope: Scope) -> list[dict[str, object]]:
    found = _figures(tx, scope)
    rows = [_row(scope.word(f"kind_{k}"), f) for k, f in sorted(
        found.kinds.items(), key=lambda item: -item[1].received)]
    return [*rows, _row(scope.word("annual_total"), found.office)]


def by_unit(tx: Tx, scope: Scope) -> list[dict[str, object]]:
    found = _figures(tx, scope)
    return [_row(found.unit_names.get(i, str(i)), f) for i, f in sorted(
        found.units.items(), key=lambda item: -item[1].received)]


def most_complained(tx: Tx, scope: Scope) -> list[dict[str, object]]:
    rows = [r for r in by_unit(tx, scope) if r["complaints"]]
    return sorted(rows, key=lambda r: -_count(r["complaints"]))[:TOP_UNITS]


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


FIGURES = (
    *ledger.RECEIVED_AND_RATES,
    Column("col_repeats", 8, field_of("repeats"), NUMBER),
    Column("col_complaints", 8, field_of("complaints"), NUMBER),
    Column("col_items", 8, field_of("items"), NUMBER),
    Column("col_settle_rate", 10, field_of("settle"), SHARE),
)
KINDS = Sheet("sheet_by_kind", (Column("col_kind", 10, field_of("name"), TEXT), *FIGURES),
              by_kind)
UNITS = Sheet("sheet_by_unit", (Column("col_unit", 16, field_of("name"), TEXT), *FIGURES),
              by_unit)
COMPLAINED_UNITS = Sheet("sheet_complained", (
    Column("col_unit", 16, field_of("name"), TEXT),
    Column("col_complaints", 8, field_of("complaints"), NUMBER),
    Column("col_received_count", 8, field_of("received"), NUMBER),
    Column("col_handle_rate", 10, field_of("handle"), SHARE),
), most_complained)
TRANSFERS = Sheet("sheet_transfers", (
    Column("col_number", 16, field_of("number")),
    Column("col_unit", 14, lambda row, scope: row["unit"] or None),
    Column("col_transferred", 17, lambda row, scope: scope.local(row["at"]), ledger.MOMENT),
    Column("col_from", 10, field_of("by_name")),
    Column("col_to", 10, field_of("to_name")),
    Column("col_reason", 30, field_of("reason")),
), lambda tx, s: tx.assessment.transfers(s.first, s.last))
# The annual report's workbook: its own sheets, then the ledger's assigned matters.
SHEETS: list[Sheet] = [KINDS, UNITS, COMPLAINED_UNITS, TRANSFERS, ledger.MATTERS]


def year_of(words: list[str], today: date) -> int:
    """/report year [last|2031]."""
    if not words or words[0].lower() not in ("year", "年", "年度"):
        raise RuleError("err_report_usage")
    rest = [w.lower() for w in words[1:]]
    if not rest:
        return today.year
    if rest == ["last"] or rest == ["上年"] or rest == ["去年"]:
        return today.year - 1
    if len(rest) == 1 and rest[0].isascii() and rest[0].isdigit() and len(rest[0]) == 4:
        year = int(rest[0])
        if 2000 <= year <= today.year:
            return year
    raise RuleError("err_report_usage")


def scope(unit: Unit, user: User, words: list[str]) -> Scope:
    """Leaders and admins only: the year, to today if it is the current one."""
    if user.role not in ("leader", "admin"):
        raise RuleError("err_leaders_and_admins")
    today = unit.now.astimezone(unit.settings.tz).date()
    year = year_of(words, today)
    last = min(date(year, 12, 31), today)
    return ledger.scope(unit, user, date(year, 1, 1), last)


@dataclass(frozen=True)
class Summary:
    """The report's text: the same figures as its workbook."""

    to: int
    year: int
    first: date
    last: date
    office: Figures
    kinds: tuple[tuple[str, int], ...]
    complained: tuple[tuple[str, int], ...]
    transfers: int
    matters: int
    matters_reported: int


def summary(unit: Unit, to: int, wanted: Scope) -> Summary:
    found = _figures(unit.tx, wanted)
    complained = [(str(r["name"]), _count(r["complaints"]))
                  for r in most_complained(unit.tx, wanted)]
    transfers = sum(1 for _ in unit.tx.assessment.transfers(wanted.first, wanted.last))
    matters = list(unit.tx.ledger.matters(wanted.first, wanted.last))
    kinds = sorted(((k, f.received) for k, f in found.kinds.items()), key=lambda x: -x[1])
    return Summary(to, wanted.first_day.year, wanted.first_day, wanted.last_day,
                   found.office, tuple(kinds), tuple(complained[:3]), transfers, len(matters),
                   sum(1 for m in matters if m["state"] == "reported"))
