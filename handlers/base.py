"""What every handler shares: refusing politely, and answering directly."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import filters

from bot.context import MinqingContext
from bot.core.rules import RuleError
from bot.render.messages import text as render_text
from bot.texts import t

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE  # most commands are for private chats only
Handler = Callable[[Update, MinqingContext], Awaitable[None]]


async def lang_of(context: MinqingContext) -> str:
    """The asker's language (bad-input paths ask it of the services)."""
    return await context.request.language()


async def answer(update: Update, context: MinqingContext, key: str, **params: object) -> None:
    """A direct answer that changes nothing (a refusal, a hint): not queued, since there is no
    state change for it to belong to."""
    chat = update.effective_chat
    body = t(await lang_of(context), key, **params)
    query = update.callback_query
    if query is not None:
        await query.answer(body[:200], show_alert=True)
        return
    if chat is None:
        return
    for message in render_text(chat.id, body):
        await context.bot.send_message(chat_id=chat.id, **message.payload)


def guarded(handler: Handler) -> Handler:
    """Turn a rule's refusal into a polite answer; the transaction was rolled back."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: MinqingContext) -> None:
        try:
            await handler(update, context)
        except RuleError as refusal:
            log.info("update %s refused: %s", update.update_id, refusal.key)
            await answer(update, context, refusal.key, **refusal.params)

    return wrapper


def service_command(service: Callable[..., object], doc: str, *, view: bool = False
                    ) -> Handler:
    """A command that only asks one service for the person asking (no arguments); a `view`
    is read off the writer and rendered for the asker."""

    @guarded
    async def command(update: Update, context: MinqingContext) -> None:
        if view:
            await context.request.show(service)
        else:
            await context.request.run_as(service)

    command.__doc__ = doc
    command.__name__ = getattr(service, "__name__", "command")
    return command


def view_command(view: Callable[..., object], doc: str) -> Handler:
    return service_command(view, doc, view=True)
