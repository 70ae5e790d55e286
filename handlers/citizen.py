"""The citizen's journey: /new, /mycases, /link, and plain messages in the private chat."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import MinqingContext
from bot.services import cases, intake, routing, views
from bot.texts import Term
from handlers.base import PRIVATE, answer, guarded, service_command, view_command
from handlers.reading import read_message

log = logging.getLogger(__name__)


@guarded
async def link(update: Update, context: MinqingContext) -> None:
    """Link a case registered in person to this chat: /link QZ-2026-000001 CODE."""
    if not context.args or len(context.args) != 2:
        await answer(update, context, "err_usage", usage=Term("usage_link"))
        return
    await context.request.run_as(cases.link_case, *context.args)


@guarded
async def private_message(update: Update, context: MinqingContext) -> None:
    """Anything typed or sent in the private chat: dialogue, staff desk or the citizen's case."""
    assert update.effective_message is not None
    message = read_message(update.effective_message)
    refusal = (
        ("err_unsupported", {"what": message.unsupported}) if message.unsupported
        else ("err_too_large", {}) if message.too_large
        else ("err_empty", {}) if message.is_empty
        else None
    )
    if refusal is not None:
        log.info("update %s refused: %s", update.update_id, refusal[0])
        await answer(update, context, refusal[0], **refusal[1])
        return
    await context.request.run_as(routing.private_message, message)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("new", service_command(intake.start, "Start the /new dialogue."),
                       filters=PRIVATE),
        CommandHandler("mycases", view_command(views.my_cases, "The citizen's own cases."),
                       filters=PRIVATE),
        CommandHandler("link", link, filters=PRIVATE),
    ]


def message_handlers() -> list[BaseHandler]:
    return [MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
                           private_message)]
