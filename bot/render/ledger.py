"""The ledger's writers: sheets (bot.services.ledger) as an XLSX workbook or as CSV files.

XLSX is written by XlsxWriter in constant-memory mode: each row goes to a temporary file as it
is made and nothing is kept, so memory stays flat however long the period. The header row is
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


def write_xlsx(path: Path, sheets: list[Sheet], rows: Rows, scope: Scope,
               max_rows: int = XLSX_MAX_ROWS) -> dict[str, int]:
    """Write the workbook to `path`; returns each sheet's count of data rows."""
    import xlsxwriter  # imported only to write a workbook

    book = xlsxwriter.Workbook(str(path), {
        "constant_memory": True,  # each row goes to a temporary file as it is written
        "default_date_format": DATE_FORMAT, "remove_timezone": True})
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DDDDDD"}),
        (MOMENT, False): book.add_format({"num_format": DATE_FORMAT}),
        (MOMENT, True): book.add_format({"num_format": DATE_FORMAT, "bg_color": "#F4CCCC"}),
        (SHARE, False): book.add_format({"num_format": "0.0%"}),
        (SHARE, True): book.add_format({"num_format": "0.0%", "bg_color": "#F4CCCC"}),
        "late": book.add_format({"bg_color": "#F4CCCC"}),
    }
    counts: dict[str, int] = {}
    try:
        for sheet in sheets:
            counts[sheet.name] = _sheet(book, sheet, rows(sheet), scope, formats, max_rows)
    finally:
        book.close()
    return counts


def _sheet(book: Any, sheet: Sheet, rows: Iterable[Any], scope: Scope,
           formats: dict[Any, Any], max_rows: int) -> int:
    title = scope.word(sheet.name)
    styled = [i for i, c in enumerate(sheet.columns) if c.kind == SHARE]
    part, count = 1, 0
    ws = _start(book, sheet, title, formats["header"], scope)
    at = 1
    for row in rows:
        if at >= max_rows:  # Excel's limit: the sheet goes on in another
            part += 1
            ws = _start(book, sheet, f"{title}({part})", formats["header"], scope)
            at = 1
        values = [column.value(row, scope) for column in sheet.columns]
        if sheet.overdue is not None and sheet.overdue(row, scope):
            for i, (column, value) in enumerate(zip(sheet.columns, values, strict=True)):
                if column.kind in (MOMENT, SHARE) and value is not None:
                    ws.write(at, i, value, formats[(column.kind, True)])
                elif value is None:
                    ws.write_blank(at, i, None, formats["late"])
                else:
                    ws.write(at, i, value, formats["late"])
        else:
            ws.write_row(at, 0, values)  # a moment takes the default date format
            for i in styled:
                if values[i] is not None:
                    ws.write_number(at, i, values[i], formats[(SHARE, False)])
        at += 1
        count += 1
    return count


def _start(book: Any, sheet: Sheet, title: str, header: Any, scope: Scope) -> Any:
    """A new sheet: its columns sized, the header written bold and frozen."""
    ws = book.add_worksheet(title[:31])
    for i, column in enumerate(sheet.columns):
        ws.set_column(i, i, column.width)
    ws.freeze_panes(1, 0)
    ws.write_row(0, 0, [scope.word(c.header) for c in sheet.columns], header)
    return ws


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
