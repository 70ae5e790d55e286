"""Reads have connections of their own: a long one never holds up the writer."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.clock import FakeClock
from storage.db import Database
from tests.harness import OPEN_HOURS


async def test_a_two_second_read_does_not_delay_a_write(tmp_path) -> None:
    db = await Database(tmp_path / "r.sqlite3", FakeClock(OPEN_HOURS)).open()
    try:
        await db.write(lambda tx: tx.kv.put("k", "0"))
        started = asyncio.Event()
        loop = asyncio.get_running_loop()

        def slow_read(tx) -> str:
            value = tx.kv.get("k")  # the snapshot is taken here
            loop.call_soon_threadsafe(started.set)
            time.sleep(2)
            return value

        reading = asyncio.create_task(db.read(slow_read))
        await asyncio.wait_for(started.wait(), 5)
        began = time.perf_counter()
        await db.write(lambda tx: tx.kv.put("k", "1"))
        took = time.perf_counter() - began
        assert took < 0.1, f"the write waited {took:.3f} s behind a read"
        assert not reading.done()
        assert await reading == "0"  # the read kept its snapshot
        assert await db.read(lambda tx: tx.kv.get("k")) == "1"
        # The other read connection serves everyone else meanwhile.
        reading = asyncio.create_task(db.read(slow_read))
        await asyncio.wait_for(started.wait(), 5)
        began = time.perf_counter()
        assert await db.read(lambda tx: tx.kv.get("k")) == "1"
        assert time.perf_counter() - began < 0.1
        await reading
    finally:
        await db.close()


async def test_reads_cannot_write(tmp_path) -> None:
    db = await Database(tmp_path / "q.sqlite3", FakeClock(OPEN_HOURS)).open()
    try:
        try:
            await db.read(lambda tx: tx.kv.put("k", "x"))
        except Exception as exc:
            assert "readonly" in str(exc).lower() or "read-only" in str(exc).lower()
        else:
            raise AssertionError("a read wrote")
        assert await db.read(lambda tx: tx.kv.get("k")) is None
    finally:
        await db.close()


async def test_a_row_put_off_while_a_sweep_reads_is_not_taken_up_again(tmp_path, clock) -> None:
    """The outbox's sweep reads beside the writer: a row whose delivery fails and is put off
    while the sweep reads still looks due in the sweep's snapshot. It must wait for its retry,
    not be sent again at once."""
    from storage.models import Outgoing
    from tests.harness import CITIZEN, Office, make_settings

    office = await Office(tmp_path / "s.sqlite3", make_settings(), clock).start()
    try:
        sender = office.minqing.sender
        office.api.fail(429, "Too Many Requests: retry after 5", method="sendMessage",
                        chat_id=CITIZEN, retry_after=5)
        sender._delivering = False  # queued first, delivered by hand below
        await office.minqing.db.write(lambda tx: tx.outbox.add(
            Outgoing(chat_id=CITIZEN, payload={"text": "答复"}), clock.now()))
        await sender._sweep()
        real_read = office.minqing.db.read
        delivering = asyncio.Event()

        async def stale_read(work):  # the snapshot is taken, then the delivery settles
            result = await real_read(work)
            await delivering.wait()
            await asyncio.gather(*sender._in_flight.values())
            return result

        office.minqing.db.read = stale_read  # type: ignore[method-assign]
        sweeping = asyncio.create_task(sender._sweep())
        await asyncio.sleep(0)
        sender._dispatch()  # the first attempt: answered 429, put off by 5 s
        delivering.set()
        await sweeping
        office.minqing.db.read = real_read  # type: ignore[method-assign]
        sender._dispatch()
        await asyncio.gather(*sender._in_flight.values())
        assert office.texts(CITIZEN) == []  # not sent again before its retry is due
        clock.advance(seconds=6)
        await office.settle()
        assert office.texts(CITIZEN) == ["答复"]
    finally:
        await office.stop()


@pytest.fixture
def clock():
    from tests.harness import OPEN_HOURS

    return FakeClock(OPEN_HOURS)
