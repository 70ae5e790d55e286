"""Time-driven work on PTB's JobQueue. The database says what is due; running a job twice
changes nothing."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.context import MinqingContext
from bot.services import cases, reminders, talks

if TYPE_CHECKING:
    from bot.runtime import Minqing

log = logging.getLogger(__name__)
AUTO_CLOSE = "auto_close"
PRUNE_INBOX = "prune_inbox"
REMIND = "remind"
GENERATE_TALKS = "generate_talks"


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


async def remind(context: MinqingContext) -> None:
    """Queue the reminders that are due (bookings, host lists, duty); each only once."""
    counts = await context.minqing.services.run_preamble(reminders.sweep)
    if counts["sent"] or counts["dropped"]:
        log.info("reminders: %(sent)d queued, %(dropped)d dropped", counts)


async def generate_talks(context: MinqingContext) -> None:
    """Generate recurring talk slots TALK_WEEKS_AHEAD weeks ahead."""
    created = await context.minqing.services.run_preamble(talks.generate)
    if created:
        log.info("generated %d talk slots", created)

def schedule(minqing: Minqing) -> None:
    queue = minqing.app.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot's job-queue extra is required")
    queue.run_repeating(auto_close, interval=3600, first=10, name=AUTO_CLOSE)
    queue.run_repeating(prune_inbox, interval=6 * 3600, first=30, name=PRUNE_INBOX)
    # first=0: a reminder whose moment passed while the bot was down goes out at start, if the
    # event has not begun (otherwise it is dropped and logged).
    queue.run_repeating(remind, interval=60, first=0, name=REMIND)
    queue.run_repeating(generate_talks, interval=6 * 3600, first=5, name=GENERATE_TALKS)

