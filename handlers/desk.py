"""The staff desk: /cases, /case, /register, /extend, and the staff chat's messages."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot import report
from bot.context import MinqingContext
from bot.services import cases, matters, register, rounds, views
from bot.texts import Term
from handlers.base import PRIVATE, answer, guarded, service_command, view_command
from handlers.reading import read_message


@guarded
async def show_case(update: Update, context: MinqingContext) -> None:
    """A case's card and history: /case QZ-2026-000001."""
    if not context.args:
        await answer(update, context, "err_usage", usage=Term("usage_case"))
        return
    await context.request.show(views.staff_case_by_number, context.args[0]
    )


@guarded
async def extend(update: Update, context: MinqingContext) -> None:
    """Extend a case's handling time once: /extend QZ-2026-000001 reason."""
    if not context.args or len(context.args) < 2:
        await answer(update, context, "err_usage", usage=Term("usage_extend"))
        return
    await context.request.run_as(cases.extend, context.args[0], " ".join(context.args[1:])
    )


@guarded
async def staff_chat_message(update: Update, context: MinqingContext) -> None:
    """In the staff chat: the owner's words in a case's topic or reply to its card."""
    assert update.effective_message is not None
    message = read_message(update.effective_message)
    if message.unsupported or message.too_large or message.is_empty:
        return
    await context.request.run_as(cases.staff_chat_message, message)


@guarded
async def screening_round(update: Update, context: MinqingContext) -> None:
    """The current screening round, or the one of a day: /screening [2031-12-16]."""
    args = context.args or []
    if len(args) > 1:
        await answer(update, context, "err_usage", usage=Term("usage_screening"))
        return
    await context.request.show(rounds.show, args[0] if args else None)


@guarded
async def morning_report(update: Update, context: MinqingContext) -> None:
    """The morning report on demand, with its chart: /digest."""
    await report.on_demand(context.request)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("cases", view_command(views.queue, "The open queue."),
                       filters=PRIVATE),
        CommandHandler("case", show_case, filters=PRIVATE),
        CommandHandler("register", service_command(
            register.start, "Register a case brought in person, by phone or by letter."),
            filters=PRIVATE),
        CommandHandler("extend", extend, filters=PRIVATE),
        CommandHandler("screening", screening_round, filters=PRIVATE),
        CommandHandler("digest", morning_report, filters=PRIVATE),
        CommandHandler("matter", service_command(
            matters.start, "Register a matter assigned by a superior."), filters=PRIVATE),
        CommandHandler("matters", view_command(matters.listing, "The open assigned matters."),
                       filters=PRIVATE),
    ]


def staff_chat_handlers(staff_chat_id: int | None) -> list[BaseHandler]:
    if staff_chat_id is None:
        return []
    return [
        MessageHandler(
            filters.Chat(staff_chat_id) & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
            staff_chat_message,
        )
    ]
