"""The schedules on a clock that someone moves: the console's. Moving the clock forward steps
through every moment that falls due on the way, in order, running the registry's jobs there and
delivering what they queue, as the JobQueue would have in real time. (One sweep at the end
would be downtime: it keeps only the nearest of several reminders.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.clock import SteppedClock
from schedules.jobs import JOBS, Job, Office

MAX_STEPS = 100_000  # a bound on one move: a year of hourly ticks is under 9,000


class Stepper:
    def __init__(self, minqing: Office, clock: SteppedClock,
                 deliver: Callable[[], Awaitable[None]], jobs: tuple[Job, ...] = JOBS) -> None:
        self.minqing = minqing
        self.clock = clock
        self.deliver = deliver
        self.jobs = jobs
        start = clock.now()
        # Jobs without moments of their own tick on their interval, as on the JobQueue.
        self.ticks = {job.name: start + job.first for job in jobs if job.moments is None}

    async def run_all(self) -> None:
        """Every job once, as at the bot's start."""
        for job in self.jobs:
            await job.run(self.minqing)
        await self.deliver()

    async def advance(self, target: datetime) -> int:
        """Move the clock to `target`, stopping at each moment due on the way; returns how many
        stops it made."""
        stops = 0
        for _ in range(MAX_STEPS):
            moment, due = await self._next(target)
            if moment is None:
                break
            self.clock.move_to(moment)
            for job in due:
                await job.run(self.minqing)
                if job.name in self.ticks:
                    while self.ticks[job.name] <= moment:
                        self.ticks[job.name] += job.every
            await self.deliver()
            stops += 1
        self.clock.move_to(target)
        return stops

    async def _next(self, target: datetime) -> tuple[datetime | None, list[Job]]:
        now = self.clock.now()
        candidates: dict[Job, datetime] = {}
        for job in self.jobs:
            if job.moments is None:
                candidates[job] = self.ticks[job.name]
                continue
            moments = await self.minqing.services.read(job.moments, now, target)
            if moments:
                candidates[job] = moments[0]
        due_at = [m for m in candidates.values() if m <= target]
        if not due_at:
            return None, []
        moment = min(due_at)
        return moment, [job for job, m in candidates.items() if m <= moment]
