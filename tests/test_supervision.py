"""Supervised background work and a safe shutdown (issue 9 §6): a worker that ends is fatal
and said so; a failing job never stops the office; shutdown closes everything whatever fails."""

from __future__ import annotations

import asyncio

import pytest

from bot.services import reminders
from minqing.runtime import WorkerStopped
from storage.maintenance import DatabaseLock
from tests.harness import Office, make_settings


async def test_a_worker_that_ends_is_fatal_and_named(tmp_path, clock, monkeypatch) -> None:
    office = Office(tmp_path / "w.sqlite3", make_settings(), clock)

    async def broken() -> None:
        raise RuntimeError("the inbox broke")

    monkeypatch.setattr(office.minqing.inbox, "run", broken)
    await office.minqing.start(background=True)
    try:
        with pytest.raises(WorkerStopped, match=r"inbox worker stopped.*RuntimeError"):
            await asyncio.wait_for(office.minqing.supervise(), timeout=5)
    finally:
        await office.minqing.stop()


async def test_shutdown_closes_everything_when_a_step_fails(tmp_path, clock,
                                                            monkeypatch) -> None:
    office = Office(tmp_path / "s.sqlite3", make_settings(), clock)
    await office.minqing.start(background=True)

    async def refuses() -> None:
        raise OSError("the sender would not stop")

    monkeypatch.setattr(office.minqing.sender, "stop", refuses)
    await office.minqing.stop()
    assert office.minqing.db._conn is None  # the database was closed all the same
    lock = DatabaseLock(office.minqing.db.path)
    assert lock.acquire()  # and the lock released
    lock.release()


async def test_a_failing_job_never_stops_the_office(tmp_path, clock, monkeypatch) -> None:
    office = Office(tmp_path / "j.sqlite3", make_settings(), clock)
    await office.minqing.start(background=True)
    office.expect_errors = True
    calls = []
    real = reminders.due

    def flaky(unit):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bad row")
        return real(unit)

    monkeypatch.setattr(reminders, "due", flaky)
    try:
        job = office.minqing.app.job_queue.get_jobs_by_name("remind")[0]
        await job.run(office.minqing.app)  # fails: logged, and the office goes on
        await job.run(office.minqing.app)  # the next run works
        assert len(calls) == 2
        assert not any(task.done() for task in office.minqing._tasks)  # the workers run on
    finally:
        await office.minqing.stop()
