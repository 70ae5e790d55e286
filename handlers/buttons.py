"""Inline buttons: one handler per journey, routed by the journey's pattern; each parses its
data strictly with the journey's own definitions, and the service checks who pressed it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import MinqingContext
from bot.core.presses import (
    ANNOUNCE,
    DESK,
    FRONT,
    INTAKE,
    MATTERS,
    MY_CASES,
    PEOPLE,
    SCREENING,
    TALKS,
    UNITS,
    Journey,
)
from bot.services import announce, front, matters, rounds, units
from handlers.base import Handler, answer, guarded

log = logging.getLogger(__name__)


def _pressed(journey: Journey, service: Callable[..., object]) -> Handler:
    @guarded
    async def pressed(update: Update, context: MinqingContext) -> None:
        query = update.callback_query
        assert query is not None
        cb = journey.parse(query.data)
        if cb is None:
            log.warning("update %s: forged callback data (%s)", update.update_id, journey.name)
            await answer(update, context, "err_stale_button")
            return
        if cb.action != "noop":
            await context.request.run_as(service, cb)
        await query.answer()

    pressed.__name__ = f"{journey.name}_button"
    return pressed


async def unknown_button(update: Update, context: MinqingContext) -> None:
    """Data no journey knows: forged, or from a version long gone. Changes nothing."""
    log.warning("update %s: forged or unknown callback data", update.update_id)
    await answer(update, context, "err_stale_button")


ROUTES: tuple[tuple[Journey, Callable[..., object]], ...] = (
    (INTAKE, front.button),
    (DESK, front.id_button),
    (MY_CASES, front.id_button),
    (TALKS, front.id_button),
    (PEOPLE, front.people_button),
    (UNITS, units.button),
    (SCREENING, rounds.button),
    (MATTERS, matters.button),
    (ANNOUNCE, announce.button),
    (FRONT, front.menu),
)


def handlers() -> list[BaseHandler]:
    return [
        *(CallbackQueryHandler(_pressed(journey, service), pattern=journey.pattern)
          for journey, service in ROUTES),
        CallbackQueryHandler(unknown_button),
    ]
