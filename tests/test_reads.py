"""Reads have connections of their own: a long one never holds up the writer."""

from __future__ import annotations

import asyncio
import time

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
