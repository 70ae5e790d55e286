"""Benchmark: the morning report's figures (the chart excluded) and the deadline sweep's read,
at 10,000, 100,000 and 1,000,000 cases seeded straight into SQLite with their histories and
deadlines, each size in a process of its own (for its peak RSS); against the bare read path
(a `SELECT 1` through the same read connection) measured in the same run. It prints the query
plans, so that the indexes used are named and no full scan hides.

    .venv/bin/python -m bench.report [--sizes 10000 100000 1000000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NOW = datetime(2031, 12, 2, 0, 5, tzinfo=UTC)  # 08:05 in Asia/Shanghai, a Tuesday
# A city office carries about 2,000 open cases whatever the size of its history: the history
# grows, the working set does not. The open ones are due around now (some overdue, some soon).
OPEN_CASES = 2000
KINDS = ("help", "complaint", "petition", "suggestion", "inquiry")


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(path: str, cases: int) -> None:
    """Cases over three years, each with two history entries and its deadlines; the open ones
    due around now (some overdue, some due soon, most later)."""
    from storage.db import MIGRATIONS, _statements

    rng = random.Random(7)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for number, script in MIGRATIONS:
        for statement in _statements(script):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?)", (number,))
    conn.execute("INSERT INTO users (telegram_id, role, display_name, created_at, updated_at)"
                 " VALUES (2001, 'staff', '李四', 'a', 'a'), (3001, 'leader', '陈局长', 'a', 'a')")
    conn.execute("INSERT INTO units (name, created_at, updated_at) VALUES ('市博物馆', 'a', 'a')")
    span = 3 * 365 * 86400
    batch_cases, batch_events, batch_deadlines = [], [], []
    for i in range(1, cases + 1):
        created = NOW - timedelta(seconds=span * (cases - i) / cases + 60)
        is_open = i > cases - OPEN_CASES
        if is_open:  # an open case's deadline falls in the last 60 days to the next 60
            created = NOW - timedelta(days=rng.uniform(0, 60))
        kind = KINDS[i % len(KINDS)]
        accepted = created + timedelta(hours=2)
        state = "accepted" if is_open else "closed"
        closed = None if is_open else created + timedelta(days=rng.uniform(5, 40))
        batch_cases.append((i, f"QZ-{created.year}-{i:07d}", kind, state, "群众反映的问题",
                            2001, ts(created), ts(created), ts(accepted),
                            ts(closed) if closed else None, 1 if i % 3 == 0 else None))
        batch_events.append((i, ts(created), "in", "created"))
        batch_events.append((i, ts(closed or accepted), "system", "closed" if closed else "claim"))
        handle_due = created + timedelta(days=30)
        batch_deadlines.append((i, "accept", ts(created), ts(created + timedelta(days=15)),
                                ts(accepted)))
        batch_deadlines.append((i, "handle", ts(accepted), ts(handle_due),
                                None if is_open else ts(closed)))
        if len(batch_cases) >= 50_000 or i == cases:
            conn.executemany(
                "INSERT INTO cases (id, number, kind, state, text, owner_id, created_at,"
                " updated_at, accepted_at, closed_at, unit_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                batch_cases)
            conn.executemany("INSERT INTO case_events (case_id, at, direction, kind)"
                             " VALUES (?,?,?,?)", batch_events)
            conn.executemany(
                "INSERT INTO case_deadlines (case_id, kind, starts_at, due_at, days, counting,"
                " met_at) VALUES (?, ?, ?, ?, 30, 'calendar', ?)", batch_deadlines)
            conn.commit()
            batch_cases, batch_events, batch_deadlines = [], [], []
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


PLANS = {
    "new cases": "SELECT c.kind, c.channel, u.name FROM cases c LEFT JOIN units u ON"
                 " u.id = c.unit_id WHERE c.created_at >= ? AND c.created_at < ?",
    "open by state": "SELECT state, COUNT(*) FROM cases WHERE state IN ('new', 'accepted')"
                     " GROUP BY state",
    "due and overdue": "SELECT d.case_id, c.number, d.kind, MIN(d.due_at), c.owner_id"
                       " FROM case_deadlines d JOIN cases c ON c.id = d.case_id"
                       " WHERE d.met_at IS NULL AND d.due_at <= ? AND d.kind <> 'classify'"
                       " AND c.state IN ('new', 'accepted') GROUP BY d.case_id"
                       " ORDER BY MIN(d.due_at) LIMIT 500",
    "chart: overdue per day": "SELECT due_at, met_at FROM case_deadlines WHERE met_at IS NULL"
                              " AND due_at < ? UNION ALL SELECT due_at, met_at FROM"
                              " case_deadlines WHERE met_at >= ? AND met_at > due_at"
                              " AND due_at < ?",
    "sweep": "SELECT * FROM case_deadlines WHERE met_at IS NULL AND overdue_at IS NULL"
             " AND due_at <= ? ORDER BY due_at LIMIT 5000",
}


def one(cases: int, repeat: int, path: str) -> dict:
    from bot.clock import FakeClock
    from bot.services import digest, escalation
    from bot.services.unit import Services
    from bot.settings import Settings
    from storage.db import Database

    size = os.path.getsize(path) + (os.path.getsize(path + "-wal")
                                    if os.path.exists(path + "-wal") else 0)
    conn = sqlite3.connect(path)
    plans = {name: [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql,
                                               (ts(NOW),) * sql.count("?"))]
             for name, sql in PLANS.items()}
    conn.close()

    import asyncio

    async def measure() -> dict:
        clock = FakeClock(NOW)
        db = await Database(Path(path), clock).open()
        settings = Settings(_env_file=None, database_path=path)  # type: ignore[call-arg]
        services = Services(db, clock, settings, None)
        try:
            bare, report, sweep = [], [], []
            for _ in range(repeat):
                t0 = time.perf_counter()
                await db.read(lambda tx: tx.conn.execute("SELECT 1").fetchone())
                t1 = time.perf_counter()
                found = await services.read(
                    lambda unit: digest.figures(unit, NOW - timedelta(days=1), NOW))
                t2 = time.perf_counter()
                steps = await services.read(escalation.steps)
                t3 = time.perf_counter()
                bare.append(t1 - t0)
                report.append(t2 - t1)
                sweep.append(t3 - t2)
            return {"bare_ms": statistics.median(bare) * 1000,
                    "report_ms": statistics.median(report) * 1000,
                    "report_max_ms": max(report) * 1000,
                    "sweep_ms": statistics.median(sweep) * 1000,
                    "new": len(found.new), "open": sum(found.open_by_state.values()),
                    "overdue": len(found.overdue), "soon": len(found.soon),
                    "steps": len(steps)}
        finally:
            await db.close()

    result = asyncio.run(measure())
    result.update(cases=cases, db_mb=size / 1e6, plans=plans,
                  rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.path, args.seed)
        return
    if args.one:
        print(json.dumps(one(args.one, args.repeat, args.path)))
        return
    results = []
    for size in args.sizes:
        # Seeded in one process, measured in another: the peak RSS is the report's own.
        path = str(Path(tempfile.mkdtemp()) / "r.sqlite3")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.report", "--seed", str(size), "--path",
                        path], cwd=ROOT, check=True)
        seeded = time.perf_counter() - started
        out = subprocess.run([sys.executable, "-m", "bench.report", "--one", str(size),
                              "--repeat", str(args.repeat), "--path", path], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout
        results.append({**json.loads(out.strip().splitlines()[-1]), "seed_s": seeded})
    print(f"{'cases':>10}{'db MB':>9}{'seed s':>8}{'bare ms':>9}{'report ms':>11}"
          f"{'max ms':>8}{'sweep ms':>10}{'RSS MB':>8}  new/open/overdue/soon/steps")
    for r in results:
        print(f"{r['cases']:>10,}{r['db_mb']:>9.1f}{r['seed_s']:>8.1f}{r['bare_ms']:>9.3f}"
              f"{r['report_ms']:>11.2f}{r['report_max_ms']:>8.2f}{r['sweep_ms']:>10.2f}"
              f"{r['rss_mb']:>8.1f}  {r['new']}/{r['open']}/{r['overdue']}/{r['soon']}"
              f"/{r['steps']}")
    first, last = results[0], results[-1]
    print(f"\nreport time x{last['report_ms'] / first['report_ms']:.2f} for x"
          f"{last['cases'] / first['cases']:.0f} the cases; peak RSS x"
          f"{last['rss_mb'] / first['rss_mb']:.2f}")
    print("\nquery plans (at the largest size):")
    for name, plan in last["plans"].items():
        print(f"  {name}: {' / '.join(plan)}")


if __name__ == "__main__":
    main()
