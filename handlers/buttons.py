"""Every inline button: parse the data strictly, let the service check who pressed it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.callbacks import parse
from bot.context import MinqingContext
from bot.services import front, people
from handlers.base import answer, guarded

log = logging.getLogger(__name__)
DIALOGUE_BUTTONS = {"k", "nx", "sk", "pa", "rn", "cf", "rc"}


@guarded
async def on_button(update: Update, context: MinqingContext) -> None:
    """Route a pressed button to its service; forged or stale data changes nothing."""
    query = update.callback_query
    assert query is not None
    cb = parse(query.data)
    if cb is None:
        log.warning("update %s: forged or unknown callback data", update.update_id)
        await answer(update, context, "err_stale_button")
        return
    request = context.request
    if cb.action == "noop":
        pass
    elif cb.action == "lang":
        if cb.word not in ("zh", "en"):
            await answer(update, context, "err_stale_button")
            return
        await request.run_as(people.set_language, cb.word)
    elif cb.action == "menu":
        await request.run_as(front.menu, cb.word or "")
    elif cb.action in DIALOGUE_BUTTONS:
        await request.run_as(front.button, cb)
    else:
        await request.run_as(front.id_button, cb)
    await query.answer()


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(on_button)]
