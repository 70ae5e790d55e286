"""Benchmark: one five-statement transaction awaited statement by statement through aiosqlite,
against the same statements run in one hop on the database thread (what `storage.db` does).

    .venv/bin/python -m bench.tx_hops [--transactions 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STATEMENTS = [
    ("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
     "excluded.value", ("a", "1")),
    ("SELECT value FROM kv WHERE key = ?", ("a",)),
    ("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
     "excluded.value", ("b", "2")),
    ("SELECT COUNT(*) FROM kv", ()),
    ("UPDATE kv SET value = value || 'x' WHERE key = ?", ("a",)),
]


async def per_statement(db, count: int) -> list[float]:
    import aiosqlite

    # The library's public path: every statement awaited on its own.
    conn = await aiosqlite.connect(db.path, isolation_level=None)
    await conn.execute("PRAGMA busy_timeout=5000")
    times = []
    for _ in range(count):
        start = time.perf_counter()
        await conn.execute("BEGIN IMMEDIATE")
        for sql, params in STATEMENTS:
            cursor = await conn.execute(sql, params)
            await cursor.fetchall()
        await conn.execute("COMMIT")
        times.append(time.perf_counter() - start)
    await conn.close()
    return times


async def one_hop(db, count: int) -> list[float]:
    def work(tx) -> None:
        for sql, params in STATEMENTS:
            tx.conn.execute(sql, params).fetchall()

    times = []
    for _ in range(count):
        start = time.perf_counter()
        await db.write(work)
        times.append(time.perf_counter() - start)
    return times


async def main(count: int) -> None:
    from bot.clock import Clock
    from storage.db import Database

    with tempfile.TemporaryDirectory() as folder:
        db = await Database(Path(folder) / "hops.sqlite3", Clock()).open()
        results = {}
        for name, runner in (("per statement", per_statement), ("one hop", one_hop)):
            await runner(db, 200)  # warm up
            times = await runner(db, count)
            results[name] = times
            print(f"{name:<14} mean {statistics.mean(times) * 1e6:7.0f} µs   "
                  f"p50 {statistics.median(times) * 1e6:7.0f} µs   "
                  f"p99 {sorted(times)[int(len(times) * 0.99)] * 1e6:7.0f} µs")
        ratio = statistics.mean(results["per statement"]) / statistics.mean(results["one hop"])
        print(f"one hop is {ratio:.1f}x faster than awaiting each statement")
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=5000)
    asyncio.run(main(parser.parse_args().transactions))
