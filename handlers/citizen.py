"""The citizen's journey: /new, /mycases, /link, and plain messages in the private chat."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import MinqingContext
from bot.incoming import read_message
from bot.services import cases, intake, routing, views
from handlers.base import answer, guarded

PRIVATE = filters.ChatType.PRIVATE


@guarded
async def new_case(update: Update, context: MinqingContext) -> None:
    """Start the /new dialogue."""
    await context.minqing.services.run_as(context.asker, intake.start)


@guarded
async def my_cases(update: Update, context: MinqingContext) -> None:
    """List the citizen's own cases."""
    await context.minqing.services.run_as(context.asker, views.my_cases)


@guarded
async def link(update: Update, context: MinqingContext) -> None:
    """Link a case registered in person to this chat: /link QZ-2026-000001 CODE."""
    if not context.args or len(context.args) != 2:
        await answer(update, context, "err_usage", usage="/link QZ-2026-000001 ABCD2345")
        return
    await context.minqing.services.run_as(context.asker, cases.link_case, *context.args)


@guarded
async def private_message(update: Update, context: MinqingContext) -> None:
    """Anything typed or sent in the private chat: dialogue, staff desk or the citizen's case."""
    assert update.effective_message is not None
    message = read_message(update.effective_message)
    if message.unsupported:
        await answer(update, context, "err_unsupported", what=message.unsupported)
        return
    if message.too_large:
        await answer(update, context, "err_too_large")
        return
    if message.is_empty:
        await answer(update, context, "err_empty")
        return
    await context.minqing.services.run_as(context.asker, routing.private_message, message)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("new", new_case, filters=PRIVATE),
        CommandHandler("mycases", my_cases, filters=PRIVATE),
        CommandHandler("link", link, filters=PRIVATE),
    ]


def message_handlers() -> list[BaseHandler]:
    return [MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                           private_message)]
