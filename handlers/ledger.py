"""The ledger and the office's figures (/export and its buttons, /stats, /report) and public
announcements (/announce, /notices, /subscribe, /unsubscribe)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import export, report
from bot.context import MinqingContext
from bot.core.presses import LEDGER
from bot.services import announce, ledger
from handlers.base import PRIVATE, answer, guarded, service_command, view_command

log = logging.getLogger(__name__)


@guarded
async def export_ledger(update: Update, context: MinqingContext) -> None:
    """The ledger as a workbook: /export [本月|上月|2031-12-01 2031-12-31]."""
    args = context.args or []
    if not args:
        await context.request.run_as(ledger.choose)
        return
    await export.in_chat(context.request, args)


@guarded
async def ledger_button(update: Update, context: MinqingContext) -> None:
    """本月 or 上月 under /export: the press is checked like a typed command."""
    query = update.callback_query
    assert query is not None
    press = LEDGER.parse(query.data)
    if press is None or press.word not in ("month", "last"):
        log.warning("update %s: forged callback data (ledger)", update.update_id)
        await answer(update, context, "err_stale_button")
        return
    wanted = await export.prepare(context.request, [press.word])  # a refusal answers the press
    await query.answer()
    await export.produce(context.request, wanted)


@guarded
async def assessment(update: Update, context: MinqingContext) -> None:
    """The assessment figures and their chart: /stats [month|quarter|year] [last]."""
    await report.on_stats(context.request, context.args or [])


@guarded
async def annual_report(update: Update, context: MinqingContext) -> None:
    """The annual report (art. 41) as a workbook with its summary: /report year [last|2031]."""
    await export.annual(context.request, context.args or [])


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("export", export_ledger, filters=PRIVATE),
        CommandHandler("stats", assessment, filters=PRIVATE),
        CommandHandler("report", annual_report, filters=PRIVATE),
        CommandHandler("announce", service_command(
            announce.start, "Write a public announcement: a notice, a hearing or a press"
            " conference."), filters=PRIVATE),
        CommandHandler("notices", view_command(announce.notices, "Recent announcements."),
                       filters=PRIVATE),
        CommandHandler("subscribe", service_command(
            announce.subscribe_menu, "Subscribe to a kind of announcement."), filters=PRIVATE),
        CommandHandler("unsubscribe", service_command(
            announce.unsubscribe_menu, "Leave announcements."), filters=PRIVATE),
        CallbackQueryHandler(ledger_button, pattern=LEDGER.pattern),
    ]
