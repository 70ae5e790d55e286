"""The ledger's writers: sheets (bot.services.ledger) as an XLSX workbook or as CSV files.

XLSX is written by openpyxl in write-only mode: each row goes to a temporary file as it is
made and nothing is kept, so memory stays flat however long the period. The header row is
frozen and bold, columns are sized, moments are date cells, and overdue rows are filled red. A
sheet over Excel's row limit goes on in a second sheet of the same name (2), and so on."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.services.ledger import MOMENT, SHARE, Scope, Sheet

XLSX_MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header's among them
DATE_FORMAT = "yyyy-mm-dd hh:mm"
Rows = Callable[[Sheet], Iterable[Any]]


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _start(book: Any, sheet: Sheet, title: str, scope: Scope, style: dict[str, Any]) -> Any:
    """A new sheet: its columns sized, the header written bold and frozen."""
    from openpyxl.cell import WriteOnlyCell

    ws = book.create_sheet(title)
    for i, column in enumerate(sheet.columns):
        ws.column_dimensions[_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=scope.word(column.header))
        cell.font, cell.fill = style["bold"], style["grey"]
        header.append(cell)
    ws.append(header)
    return ws


def write_xlsx(path: Path, sheets: list[Sheet], rows: Rows, scope: Scope,
               max_rows: int = XLSX_MAX_ROWS) -> dict[str, int]:
    """Write the workbook to `path`; returns each sheet's count of data rows."""
    from openpyxl import Workbook  # imported only to write a workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    book = Workbook(write_only=True)
    style = {"bold": Font(bold=True), "grey": PatternFill("solid", fgColor="DDDDDD")}
    red = PatternFill("solid", fgColor="F4CCCC")
    counts: dict[str, int] = {}
    for sheet in sheets:
        title = scope.word(sheet.name)
        part, count = 1, 0
        ws = _start(book, sheet, title, scope, style)
        written = 1
        for row in rows(sheet):
            if written >= max_rows:  # Excel's limit: the sheet goes on in another
                part += 1
                ws = _start(book, sheet, f"{title}({part})", scope, style)
                written = 1
            late = sheet.overdue is not None and sheet.overdue(row, scope)
            values = []
            for column in sheet.columns:
                value = column.value(row, scope)
                if late or (column.kind == MOMENT and value is not None) or column.kind == SHARE:
                    cell = WriteOnlyCell(ws, value=value)
                    if column.kind == MOMENT:
                        cell.number_format = DATE_FORMAT
                    elif column.kind == SHARE:
                        cell.number_format = "0.0%"
                    if late:
                        cell.fill = red
                    value = cell
                values.append(value)
            ws.append(values)
            written += 1
            count += 1
        counts[sheet.name] = count
    book.save(path)
    return counts


def csv_paths(path: Path, sheets: list[Sheet]) -> list[Path]:
    """The first sheet goes to `path`, each further one beside it: ledger-talks.csv."""
    return [path if i == 0 else path.with_name(
        f"{path.stem}-{sheet.name.removeprefix('sheet_')}{path.suffix or '.csv'}")
        for i, sheet in enumerate(sheets)]


def write_csv(path: Path, sheets: list[Sheet], rows: Rows, scope: Scope) -> dict[str, int]:
    """CSV in UTF-8 with a byte-order mark (so that Excel reads the Chinese), one file a
    sheet; a moment is written to the minute, an overdue row has 逾期 in a last column."""
    counts: dict[str, int] = {}
    overdue = scope.word("col_overdue")
    for sheet, target in zip(sheets, csv_paths(path, sheets), strict=True):
        with target.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            header = [scope.word(c.header) for c in sheet.columns]
            writer.writerow([*header, overdue] if sheet.overdue else header)
            count = 0
            for row in rows(sheet):
                values = [_plain(c.value(row, scope), c.kind) for c in sheet.columns]
                if sheet.overdue is not None:
                    values.append(overdue if sheet.overdue(row, scope) else "")
                writer.writerow(values)
                count += 1
        counts[sheet.name] = count
    return counts


def _plain(value: object, kind: str) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind == SHARE and isinstance(value, float):
        return f"{value * 100:.1f}%"
    return "" if value is None else value
