"""Time-driven work on PTB's JobQueue. The database says what is due; running a job twice
changes nothing."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.context import MinqingContext
from bot.services import cases

if TYPE_CHECKING:
    from bot.runtime import Minqing

log = logging.getLogger(__name__)
AUTO_CLOSE = "auto_close"
PRUNE_INBOX = "prune_inbox"


async def auto_close(context: MinqingContext) -> None:
    """Close resolved cases whose citizen did not write again in AUTO_CLOSE_DAYS."""
    closed = await context.minqing.services.run_preamble(cases.auto_close)
    if closed:
        log.info("closed %d resolved cases", len(closed))


async def prune_inbox(context: MinqingContext) -> None:
    """Forget handled updates after a week."""
    removed = await context.minqing.inbox.prune()
    if removed:
        log.info("pruned %d handled updates", removed)


def schedule(minqing: Minqing) -> None:
    queue = minqing.app.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot's job-queue extra is required")
    queue.run_repeating(auto_close, interval=3600, first=10, name=AUTO_CLOSE)
    queue.run_repeating(prune_inbox, interval=6 * 3600, first=30, name=PRUNE_INBOX)
