"""Exporting the ledger (台帐): in chat (/export, a document to the one who asked) and from the
command line (`main.py export`); the annual report (/report year) the same way. The rows are
read in one snapshot on a read connection and written by XlsxWriter or csv on that
connection's own thread, so the event loop and the writer never wait for an export. Sits above
the services (it uses the rendering layer's writers), like bot.report."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import weakref
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.core.said import DOCUMENT_LIMIT, SendFile
from bot.render.ledger import XLSX_MAX_ROWS, write_csv, write_xlsx
from bot.services import annual as annual_report
from bot.services import ledger
from bot.services.ledger import Scope, Sheet
from bot.services.unit import Request, Services, Unit
from storage.models import User
from storage.repos import Tx

log = logging.getLogger(__name__)
# One export at a time (per event loop): it holds one of the two read connections while it
# runs (a minute for 200,000 cases), and the other must stay free for everyone else's reads.
_ONE_AT_A_TIME: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary())


def _exporting() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _ONE_AT_A_TIME.get(loop)
    if lock is None:
        lock = _ONE_AT_A_TIME[loop] = asyncio.Lock()
    return lock


@dataclass(frozen=True)
class Written:
    scope: Scope
    counts: dict[str, int]

    @property
    def cases(self) -> int:
        return self.counts.get(ledger.CASES.name, 0)


async def write(services: Services, wanted: Scope, out: Path, fmt: str = "xlsx",
                sheets: list[Sheet] | None = None, max_rows: int | None = None) -> Written:
    """Write the ledger of `wanted` to `out` (xlsx, or csv: one file a sheet)."""
    chosen = sheets if sheets is not None else ledger.sheets_for(wanted)

    def work(tx: Tx) -> dict[str, int]:
        def rows(sheet: Sheet) -> object:
            return sheet.rows(tx, wanted)
        if fmt == "csv":
            return write_csv(out, chosen, rows, wanted)
        return write_xlsx(out, chosen, rows, wanted, max_rows=max_rows or XLSX_MAX_ROWS)

    async with _exporting():
        return Written(wanted, await services.db.read(work))


def _chat_scope(unit: Unit, user_id: int, words: list[str]) -> Scope:
    user = unit.tx.users.get(user_id) or User(telegram_id=user_id)
    first, last = ledger.period(words, unit.now.astimezone(unit.settings.tz).date())
    wanted = ledger.scope(unit, user, first, last)
    ledger.size_check(unit, wanted)
    return wanted


def _deliver(unit: Unit, user: User, written: Written, content: bytes) -> None:
    ledger.record(unit, user.telegram_id, written.scope, "chat", written.cases)
    params = {"first": written.scope.first_day.isoformat(),
              "last": written.scope.last_day.isoformat(), "count": written.cases}
    filename = unit.text(user, "export_filename", first=f"{written.scope.first_day:%Y%m%d}",
                         last=f"{written.scope.last_day:%Y%m%d}") + ".xlsx"
    unit.tell(SendFile(user.telegram_id, unit.lang(user), filename, content,
                       caption_key="export_caption", params=params))


async def prepare(request: Request, words: list[str]) -> Scope:
    """/export's period and whose rows, checked (a refusal raises, before any work)."""
    return await request.services.read(_chat_scope, request.asker.telegram_id, words)


async def produce(request: Request, wanted: Scope) -> None:
    """The workbook as a document to the one who asked, up to Telegram's 50 MB; a longer
    period is refused with the advice to split it or use the command line."""
    with tempfile.TemporaryDirectory(prefix="minqing-export-") as folder:
        path = Path(folder) / "ledger.xlsx"
        written = await write(request.services, wanted, path)
        size = await asyncio.to_thread(lambda: path.stat().st_size)
        content = b"" if size > DOCUMENT_LIMIT else await asyncio.to_thread(path.read_bytes)
    log.info("export of %d cases (%d bytes) for a %s", written.cases, size,
             "member of staff" if wanted.owner else "leader or admin")
    if not content:
        await request.run_as(_too_large, written)
        return
    await request.run_as(_deliver, written, content)


def _too_large(unit: Unit, user: User, written: Written) -> None:
    unit.say(user, "err_export_too_large", count=written.cases,
             limit=DOCUMENT_LIMIT // 2 ** 20, command=ledger.command_line(written.scope))


async def in_chat(request: Request, words: list[str]) -> None:
    """/export 本月|上月|FROM TO."""
    await produce(request, await prepare(request, words))


async def from_command_line(services: Services, first: date, last: date, fmt: str, out: Path,
                            lang: str | None = None) -> Written:
    """`main.py export`: everything in the period, any size; recorded with actor 0."""
    wanted = await services.read(lambda unit: ledger.scope(unit, None, first, last, lang))
    await services.run(lambda unit: ledger.record(
        unit, 0, wanted, f"command line {fmt}",
        unit.tx.ledger.count_cases(wanted.first, wanted.last)))
    return await write(services, wanted, out, fmt)


async def annual(request: Request, words: list[str]) -> None:
    """/report year [last|2031]: the annual report (art. 41) as a workbook, with its summary
    in words; leaders and admins only."""
    who = request.asker

    def look(unit: Unit) -> tuple[Scope, annual_report.Summary]:
        user = unit.tx.users.get(who.telegram_id) or User(telegram_id=who.telegram_id)
        wanted = annual_report.scope(unit, user, words)
        return wanted, annual_report.summary(unit, who.telegram_id, wanted)

    wanted, summary = await request.services.read(look)
    with tempfile.TemporaryDirectory(prefix="minqing-report-") as folder:
        path = Path(folder) / "report.xlsx"
        written = await write(request.services, wanted, path, sheets=annual_report.SHEETS)
        content = await asyncio.to_thread(path.read_bytes)

    def queue(unit: Unit, user: User) -> None:
        ledger.record(unit, user.telegram_id, wanted, "annual report",
                      summary.office.received)
        unit.show(user, summary)
        filename = unit.text(user, "annual_filename", year=summary.year) + ".xlsx"
        unit.tell(SendFile(user.telegram_id, unit.lang(user), filename, content,
                           caption_key="annual_caption", params={"year": summary.year}))

    log.info("annual report %s: %s rows", summary.year, sum(written.counts.values()))
    await request.run_as(queue)
