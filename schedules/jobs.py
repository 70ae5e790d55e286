"""Time-driven work: one registry of jobs, run by PTB's JobQueue in production and stepped
through by the console's clock. The database says what is due; running a job twice changes
nothing, so a job may run as often as anyone likes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot import report
from bot.services import (
    broadcast,
    cases,
    circular,
    digest,
    escalation,
    matters,
    reminders,
    rounds,
    staff_chat,
    talks,
)
from bot.services.unit import Services, Unit
from bot.settings import Settings


class Office(Protocol):
    """What the jobs need of the running office (`minqing.runtime.Office`); the wiring above
    passes itself, so schedules never import it."""

    services: Services
    inbox: Any  # bot.inbox.InboxProcessor
    settings: Settings
    app: Any  # telegram.ext.Application (its job queue)

    async def check_staff_chat(self) -> bool | None: ...

    async def backup_if_due(self) -> Any: ...

log = logging.getLogger(__name__)
AUTO_CLOSE = "auto_close"
PRUNE_INBOX = "prune_inbox"
REMIND = "remind"
GENERATE_TALKS = "generate_talks"
CHECK_STAFF_CHAT = "check_staff_chat"
BACKUP = "backup"
SCREENING = "screening"
DEADLINES = "deadlines"
MORNING_REPORT = "morning_report"
CIRCULAR = "circular"
BROADCAST = "broadcast"
MAX_CHUNKS = 1000  # a bound on one run of a chunked sweep (200,000 cases)
CLOSE_CHUNK = 50  # cases closed in one transaction (each ~0.5 ms: the writer is held ~25 ms)


@dataclass(frozen=True)
class Job:
    """One time-driven task. `every` is how often the JobQueue runs it (`first` after start).
    `moments`, where given, names the moments in a stretch of time at which the job has
    something to do, so that a clock moved forward stops at each of them in order instead of
    ticking every `every`."""

    name: str
    run: Callable[[Office], Awaitable[None]]
    every: timedelta
    first: timedelta
    moments: Callable[[Unit, datetime, datetime], list[datetime]] | None = None


async def auto_close(minqing: Office) -> None:
    """Close resolved cases whose citizen did not write again in AUTO_CLOSE_DAYS."""
    closed = 0
    for _ in range(MAX_CHUNKS):
        # Found on a read connection, closed in a short transaction of their own.
        ids = await minqing.services.read(cases.closable, CLOSE_CHUNK)
        chunk = await minqing.services.run(cases.close, ids) if ids else []
        closed += len(chunk)
        if len(ids) < CLOSE_CHUNK or not chunk:
            break
    if closed:
        log.info("closed %d resolved cases", closed)


async def prune_inbox(minqing: Office) -> None:
    """Forget handled updates after a week."""
    removed = await minqing.inbox.prune()
    if removed:
        log.info("pruned %d handled updates", removed)


async def remind(minqing: Office) -> None:
    """Queue the reminders that are due (bookings, host lists, duty); each only once. What is
    due is read on a read connection; it is queued in chunks of their own transactions, so
    that the writer is never held for long."""
    services = minqing.services
    found = await services.read(reminders.due)
    total = await services.run(reminders.remind_duty)
    for start in range(0, len(found), reminders.CHUNK):
        counts = await services.run(reminders.remind, found[start:start + reminders.CHUNK])
        total["sent"] += counts["sent"]
        total["dropped"] += counts["dropped"]
    if total["sent"] or total["dropped"]:
        log.info("reminders: %(sent)d queued, %(dropped)d dropped", total)


async def screening(minqing: Office) -> None:
    """Open today's screening round when its time comes, remind silent liaisons, close rounds."""
    counts = await minqing.services.run(rounds.sweep)
    if any(counts.values()):
        log.info("screening: %(opened)d opened, %(prompted)d prompted, %(reminded)d reminded,"
                 " %(closed)d closed", counts)


async def deadlines(minqing: Office) -> None:
    """Remind the one answerable before each deadline and on its day; mark the passed ones
    overdue and tell the owner and every leader. Read off the writer, written in chunks."""
    services = minqing.services
    found = await services.read(escalation.steps)
    told = 0
    for start in range(0, len(found), escalation.CHUNK):
        told += await services.run(escalation.remind, found[start:start + escalation.CHUNK])
    assigned = await services.read(matters.steps)
    for start in range(0, len(assigned), matters.CHUNK):
        told += await services.run(matters.remind, assigned[start:start + matters.CHUNK])
    if told:
        log.info("deadlines: %d reminders and escalations queued", told)


def _deadline_moments(unit: Unit, after: datetime, until: datetime) -> list[datetime]:
    return sorted({*escalation.moments(unit, after, until), *matters.moments(unit, after, until)})


async def morning_report(minqing: Office) -> None:
    """The leaders' morning report (and Monday's weekly summary), once per leader per period;
    after downtime one report covers the whole missed span."""
    await report.send_due(minqing.services)


async def monthly_circular(minqing: Office) -> None:
    """Last month's circular (通报) to every leader, once each, from the 1st at DIGEST_TIME."""
    sent = await minqing.services.run(circular.send)
    if sent:
        log.info("circulars: %d queued", sent)


async def broadcasts(minqing: Office) -> None:
    """Queue each announcement's subscribers, a chunk a transaction, and keep its sender's
    progress message current; a restart goes on from the cursor."""
    for item in await minqing.services.read(broadcast.sending):
        done = item.done_queueing
        for _ in range(MAX_CHUNKS):
            if done or not await minqing.services.run(broadcast.queue_chunk, item.id):
                done = True
                break
        counted = await minqing.services.read(broadcast.tally, item.id, done)
        if counted is not None:  # counted off the writer; the edit is one short write
            await minqing.services.run(broadcast.progress, item.id, counted)


async def generate_talks(minqing: Office) -> None:
    """Generate recurring talk slots TALK_WEEKS_AHEAD weeks ahead."""
    generated = await minqing.services.run(talks.generate)
    if generated.created:
        log.info("generated %d talk slots", len(generated.created))


async def check_staff_chat(minqing: Office) -> None:
    """While the staff group refuses the bot, ask now and then whether it is back."""
    lost = await minqing.services.read(staff_chat.is_lost)
    if lost and minqing.settings.staff_chat_id is not None:
        await minqing.check_staff_chat()


async def backup(minqing: Office) -> None:
    """The daily backup, once BACKUP_TIME has come (a missed one is taken when the bot runs)."""
    await minqing.backup_if_due()


JOBS: tuple[Job, ...] = (
    Job(AUTO_CLOSE, auto_close, timedelta(hours=1), timedelta(seconds=10)),
    Job(PRUNE_INBOX, prune_inbox, timedelta(hours=6), timedelta(seconds=30)),
    # first=0: a reminder whose moment passed while the bot was down goes out at start, if the
    # event has not begun (otherwise it is dropped and logged).
    Job(REMIND, remind, timedelta(minutes=1), timedelta(0), reminders.moments),
    Job(SCREENING, screening, timedelta(minutes=5), timedelta(seconds=20), rounds.moments),
    # first=0: a report missed while the bot was down goes at start.
    Job(MORNING_REPORT, morning_report, timedelta(minutes=5), timedelta(0), digest.moments),
    Job(BROADCAST, broadcasts, timedelta(seconds=3), timedelta(seconds=1), broadcast.moments),
    Job(CIRCULAR, monthly_circular, timedelta(minutes=30), timedelta(seconds=40),
        circular.moments),
    Job(DEADLINES, deadlines, timedelta(minutes=5), timedelta(seconds=15), _deadline_moments),
    Job(GENERATE_TALKS, generate_talks, timedelta(hours=6), timedelta(seconds=5)),
    Job(CHECK_STAFF_CHAT, check_staff_chat, timedelta(minutes=10), timedelta(minutes=10)),
    Job(BACKUP, backup, timedelta(minutes=10), timedelta(minutes=2)),
)


def schedule(minqing: Office) -> None:
    queue = minqing.app.job_queue
    if queue is None:
        raise RuntimeError("python-telegram-bot's job-queue extra is required")
    for job in JOBS:
        queue.run_repeating(_on_queue(job, minqing), interval=job.every.total_seconds(),
                            first=job.first.total_seconds(), name=job.name)


def _on_queue(job: Job, minqing: Office) -> Callable[[object], Awaitable[None]]:
    async def callback(context: object) -> None:
        await job.run(minqing)

    callback.__name__ = job.name
    callback.__doc__ = job.run.__doc__
    return callback
