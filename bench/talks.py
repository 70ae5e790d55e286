"""Benchmark: booking under concurrent attempts on one slot, and one reminder sweep over 10,000
future bookings; against empty transactions of the same concurrency (the storage path alone).

    .venv/bin/python -m bench.talks [--slots 50] [--attempts 200] [--bookings 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def figures(name: str, latencies: list[float], elapsed: float) -> str:
    ordered = sorted(latencies)
    return (f"{name:<28}{len(ordered):>7}{len(ordered) / elapsed:>12.0f}"
            f"{statistics.median(ordered) * 1000:>9.2f}"
            f"{ordered[int(len(ordered) * 0.99)] * 1000:>9.2f}")


async def timed(work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    try:
        result = await work
    except Exception as exc:  # a refusal is an answer too
        result = exc
    return time.perf_counter() - start, result


async def run(slots: int, attempts: int, bookings: int) -> None:
    from bot.clock import Clock
    from bot.core.rules import RuleError
    from bot.local_api import LocalBotApi
    from bot.services import talks
    from bot.services.unit import Who
    from bot.settings import Settings
    from minqing.runtime import Minqing

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "t.sqlite3")
        settings = Settings(_env_file=None, database_path=path)  # type: ignore[call-arg]
        minqing = Minqing(settings, token="1:bench", request=LocalBotApi(Clock(), record=False),
                          clock=Clock(), lift_pacing=True)
        await minqing.start(background=False)
        services = minqing.services
        now = datetime.now(UTC)

        def seed(tx: Any) -> list[int]:
            tx.users.set_role(3001, "leader", now)
            ids = []
            for index in range(slots):
                start = now + timedelta(days=3, hours=index)
                slot = tx.talks.create_slot({
                    "kind": "talk_day", "starts_at": start,
                    "ends_at": start + timedelta(minutes=50), "place": "室", "host_id": 3001,
                    "capacity": 10}, now)
                ids.append(slot.id)
            return ids

        slot_ids = await minqing.db.write(seed)
        print(f"{'':<28}{'count':>7}{'per s':>12}{'p50 ms':>9}{'p99 ms':>9}")
        # Baseline: empty transactions, the same number in flight at once.
        latencies: list[float] = []
        start = time.perf_counter()
        for _ in slot_ids:
            results = await asyncio.gather(*(timed(minqing.db.write(lambda tx: None))
                                             for _ in range(attempts)))
            latencies += [r[0] for r in results]
        print(figures("baseline: empty transaction", latencies, time.perf_counter() - start))
        # Booking: `attempts` citizens at once on each 10-seat slot.
        latencies, booked, refused = [], 0, 0
        start = time.perf_counter()
        for number, slot_id in enumerate(slot_ids):
            whos = [Who(telegram_id=100_000 + number * attempts + i, name="c")
                    for i in range(attempts)]
            results = await asyncio.gather(*(timed(services.run_as(w, talks.book, slot_id, "t"))
                                             for w in whos))
            latencies += [r[0] for r in results]
            booked += sum(1 for r in results if not isinstance(r[1], BaseException))
            refused += sum(1 for r in results if isinstance(r[1], RuleError))
        print(figures("booking attempts", latencies, time.perf_counter() - start))
        print(f"  booked {booked} of {slots * 10} seats, {refused} clear refusals")
        await minqing.sender.flush()

        def many(tx: Any) -> None:
            for index in range(bookings // 10):
                start_at = now + timedelta(minutes=120 + index % 1200)
                slot = tx.talks.create_slot({
                    "kind": "talk_day", "starts_at": start_at,
                    "ends_at": start_at + timedelta(minutes=30), "place": "室",
                    "host_id": 3001, "capacity": 10}, now)
                for seat in range(10):
                    citizen = 500_000 + index * 10 + seat
                    tx.users.seen(citizen, "c", None, now)
                    tx.talks.book(slot.id, citizen, "t", "booked", now)

        await minqing.db.write(many)
        for label in (f"sweep, {bookings:,} seats (first)", "sweep, the same again"):
            # As the job runs it (schedules.jobs.remind): what is due read on a read
            # connection, then chunks of reminders.CHUNK, each in its own transaction. "held" is
            # the longest the writer was held at once (inside the thread); "answered" the
            # longest a chunk took from the job's call to its answer (queueing included).
            began = time.perf_counter()
            minqing.db.longest_hold = 0.0
            queued, dropped, read_took, writes = await timed_sweep(minqing)
            held = minqing.db.longest_hold
            chunks, longest = len(writes), max(writes, default=0.0)
            took = time.perf_counter() - began
            print(f"{label:<28} {took * 1000:>8.0f} ms  queued {queued} (reminders and host"
                  f" lists), dropped {dropped}; read {read_took * 1000:.0f} ms off the writer,"
                  f" {chunks} write transactions: longest held {held * 1000:.0f} ms, answered"
                  f" {longest * 1000:.0f} ms")
        await minqing.stop()


async def timed_sweep(minqing: Any) -> tuple[int, int, float, list[float]]:
    """schedules.jobs.remind, with each of its transactions timed: (queued, dropped, seconds
    reading, seconds of each write)."""
    from schedules import jobs

    services = minqing.services
    writes: list[float] = []
    reads: list[float] = []
    counted = {"sent": 0, "dropped": 0}
    run, read = services.run, services.read

    async def timed_run(work: Any, *args: Any) -> Any:
        start = time.perf_counter()
        result = await run(work, *args)
        writes.append(time.perf_counter() - start)
        if isinstance(result, dict):
            counted["sent"] += result.get("sent", 0)
            counted["dropped"] += result.get("dropped", 0)
        return result

    async def timed_read(work: Any, *args: Any) -> Any:
        start = time.perf_counter()
        result = await read(work, *args)
        reads.append(time.perf_counter() - start)
        return result

    services.run, services.read = timed_run, timed_read
    try:
        await jobs.remind(minqing)
    finally:
        services.run, services.read = run, read
    return counted["sent"], counted["dropped"], sum(reads), writes


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--slots", type=int, default=50)
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--bookings", type=int, default=10_000)
    options = parser.parse_args()
    asyncio.run(run(options.slots, options.attempts, options.bookings))
