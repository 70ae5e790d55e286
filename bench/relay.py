"""Benchmark: "a citizen's message is added to the case and relayed to its owner", through the
whole stack (the production poller reading raw getUpdates answers, the real Application, inbox,
SQLite file, services, outbox, in-process Bot API), against the bare framework path (PTB's own
get_updates, which parses the answer, and a handler that only replies, with as many updates in
progress at once as Minqing's inbox allows), in one run.

    .venv/bin/python -m bench.relay                          # 20,000 updates per phase
    .venv/bin/python -m bench.relay --updates 10000 --runs 5 # and the medians of five runs

Each variant runs in its own process so that peak memory (max RSS) is its own. Both read the
updates from the same fake Bot API, which holds them as Telegram does. Two phases: `latency`
sends one update at a time and waits for its relay (closed loop); `throughput` keeps at most
1,000 updates waiting or in progress, so its p50/p99 are the time an update spends queued behind
that cap, not the bot's latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITIZENS = 500
OWNERS = 20
WINDOW = 100
BACKLOG = 1000
PHASES = (("latency", 1), ("throughput", WINDOW))  # (name, updates per ingest)


def message_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "c"},
        "from": {"id": user_id, "is_bot": False, "first_name": "c"}, "text": text}}


class Arrivals:
    """Records when the transport received the relay that carries each marker."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.event = asyncio.Event()
        self.progress = asyncio.Event()
        self.waiting: set[str] = set()
        self.arrived = 0

    def __call__(self, call: Any) -> None:
        text = call.params.get("text") or ""
        marker = text.rsplit("#", 1)[-1] if "#" in text else None
        if marker is not None:
            self.at[marker] = time.perf_counter()
            self.arrived += 1
            self.progress.set()
            self.waiting.discard(marker)
            if not self.waiting:
                self.event.set()

    async def wait(self, markers: set[str]) -> None:
        self.waiting = {m for m in markers if m not in self.at}
        if not self.waiting:
            return
        self.event.clear()
        await asyncio.wait_for(self.event.wait(), timeout=60)


def summarise(name: str, started: float, finished: float, sent: dict[str, float],
              arrivals: dict[str, float]) -> dict[str, Any]:
    latencies = sorted((arrivals[m] - t) * 1000 for m, t in sent.items())
    count = len(latencies)
    return {
        "phase": name,
        "updates": count,
        "updates_per_s": round(count / (finished - started), 1),
        "p50_ms": round(statistics.median(latencies), 3),
        "p99_ms": round(latencies[min(count - 1, int(count * 0.99))], 3),
    }


async def drive(api: Any, arrivals: Arrivals, updates: int) -> list[dict[str, Any]]:
    """Push the scripted messages into the fake Bot API, as Telegram holds them for getUpdates:
    the variant's own poller fetches them raw and parses them, as in production."""
    results = []
    next_id = 1
    for phase, window in PHASES:
        sent: dict[str, float] = {}
        started = time.perf_counter()
        arrived_before = arrivals.arrived
        while len(sent) < updates:
            batch = []
            for _ in range(min(window, updates - len(sent))):
                marker = f"{phase}{next_id}"
                batch.append(message_update(next_id, 10_000 + next_id % CITIZENS,
                                            f"补充情况 #{marker}"))
                next_id += 1
            stamp = time.perf_counter()
            for update in batch:
                sent[update["message"]["text"].rsplit("#", 1)[-1]] = stamp
                api.push_update(update)
            if window == 1:
                await arrivals.wait({batch[0]["message"]["text"].rsplit("#", 1)[-1]})
            else:
                # At most BACKLOG updates waiting or in progress: the throughput phase's
                # latencies are mostly time queued behind that cap.
                while len(sent) - (arrivals.arrived - arrived_before) > BACKLOG:
                    arrivals.progress.clear()
                    await arrivals.progress.wait()
        await arrivals.wait(set(sent))
        results.append(summarise(phase, started, time.perf_counter(), sent, arrivals.at))
    return results


async def run_minqing(updates: int) -> list[dict[str, Any]]:
    from bot.clock import Clock
    from bot.local_api import LocalBotApi
    from bot.settings import Settings
    from minqing.runtime import Minqing

    clock = Clock()
    api = LocalBotApi(clock, record=False)
    arrivals = Arrivals()
    api.listeners.append(arrivals)
    with tempfile.TemporaryDirectory() as folder:
        # Each of the 500 citizens sends 40 messages in a run: far past flood control, which
        # would turn relays into one summary a minute. The bench measures the relay itself.
        settings = Settings(_env_file=None, database_path=str(Path(folder) / "bench.sqlite3"),  # type: ignore[call-arg]
                            flood_messages=1000)
        minqing = Minqing(settings, token="1:bench", request=api, clock=clock,
                          lift_pacing=True)
        await minqing.start(background=True)
        await seed(minqing)
        poller = asyncio.create_task(minqing.poll())  # the production poller, raw getUpdates
        try:
            results = await drive(api, arrivals, updates)
        finally:
            minqing._polling = False
            await poller
            await minqing.stop()
    return results


async def seed(minqing: Any) -> None:
    """Citizens, each with one accepted case owned by one of the staff."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)

    def work(tx: Any) -> None:
        for owner in range(OWNERS):
            tx.users.set_role(20_000 + owner, "staff", now)
        for index in range(CITIZENS):
            citizen = 10_000 + index
            tx.users.seen(citizen, f"群众{index}", None, now)
            tx.cases.create({"number": tx.cases.next_number(2026), "kind": "help",
                             "state": "accepted", "citizen_id": citizen, "text": "路灯",
                             "owner_id": 20_000 + index % OWNERS, "accepted_at": now}, now)

    await minqing.db.write(work)


async def run_bare(updates: int) -> list[dict[str, Any]]:
    """The bare framework path: PTB's own get_updates (it parses the answer) and a handler that
    only replies, with as many updates in progress at once as Minqing's inbox allows."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    from bot.clock import Clock
    from bot.inbox import CONCURRENCY
    from bot.local_api import LocalBotApi

    api = LocalBotApi(Clock(), record=False)
    arrivals = Arrivals()
    api.listeners.append(arrivals)
    app = ApplicationBuilder().token("1:bare").request(api).get_updates_request(api) \
        .updater(None).build()

    async def reply(update: Update, context: Any) -> None:
        assert update.message is not None
        await update.message.reply_text(f"ok #{update.message.text.rsplit('#', 1)[-1]}")

    app.add_handler(MessageHandler(filters.TEXT, reply))
    slots = asyncio.Semaphore(CONCURRENCY)
    running = True
    tasks: set[asyncio.Task] = set()

    async def handle(update: Update) -> None:
        try:
            await app.process_update(update)
        finally:
            slots.release()

    async def poll() -> None:
        offset = None
        while running:
            batch = await app.bot.get_updates(offset=offset, timeout=1)
            for update in batch:
                await slots.acquire()
                task = asyncio.create_task(handle(update))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if batch:
                offset = batch[-1].update_id + 1

    async with app:
        poller = asyncio.create_task(poll())
        try:
            results = await drive(api, arrivals, updates)
        finally:
            running = False
            await poller
    return results


def child(variant: str, updates: int) -> None:
    runner = run_minqing if variant == "minqing" else run_bare
    results = asyncio.run(runner(updates))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"variant": variant, "peak_rss_mb": round(peak_mb, 1), "phases": results}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--variant", choices=["bare", "minqing"])
    parser.add_argument("--runs", type=int, default=1,
                        help="repeat the whole comparison and print the medians")
    args = parser.parse_args()
    if args.variant:
        child(args.variant, args.updates)
        return
    runs = [compare(args.updates) for _ in range(max(1, args.runs))]
    if len(runs) > 1:
        print(f"\nmedian of {len(runs)} runs of {args.updates} updates:")
        for key in ("minqing throughput/s", "bare throughput/s", "ratio", "latency p50 ms",
                    "latency p99 ms", "bare latency p99 ms"):
            print(f"  {key:<22}{statistics.median(r[key] for r in runs):>10.3f}   "
                  f"({', '.join(f'{r[key]:g}' for r in runs)})")


def compare(updates: int) -> dict[str, float]:
    """One run of both variants, each in its own process; prints its table."""
    args = argparse.Namespace(updates=updates)
    report = {}
    for variant in ("bare", "minqing"):
        out = subprocess.run([sys.executable, "-m", "bench.relay", "--variant", variant,
                              "--updates", str(args.updates)], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        report[variant] = json.loads(out.strip().splitlines()[-1])
    print("(throughput: p50/p99 are time queued behind the backlog cap of "
          f"{BACKLOG}, not the bot's latency)")
    print(f"{'variant':<9}{'phase':<12}{'updates':>8}{'updates/s':>11}{'p50 ms':>9}"
          f"{'p99 ms':>9}{'peak RSS MB':>13}")
    for variant, data in report.items():
        for phase in data["phases"]:
            print(f"{variant:<9}{phase['phase']:<12}{phase['updates']:>8}"
                  f"{phase['updates_per_s']:>11}{phase['p50_ms']:>9}{phase['p99_ms']:>9}"
                  f"{data['peak_rss_mb']:>13}")
    bare = {p["phase"]: p for p in report["bare"]["phases"]}
    mine = {p["phase"]: p for p in report["minqing"]["phases"]}
    ratio = mine["throughput"]["updates_per_s"] / bare["throughput"]["updates_per_s"]
    print(f"throughput: minqing {mine['throughput']['updates_per_s']}/s, bare "
          f"{bare['throughput']['updates_per_s']}/s = {ratio:.2f}x (target ≥ 0.2x)")
    print(f"latency, one update at a time: minqing p50 {mine['latency']['p50_ms']} ms, p99 "
          f"{mine['latency']['p99_ms']} ms (target p99 ≤ 3 ms); bare p99 "
          f"{bare['latency']['p99_ms']} ms")
    return {"minqing throughput/s": mine["throughput"]["updates_per_s"],
            "bare throughput/s": bare["throughput"]["updates_per_s"], "ratio": round(ratio, 3),
            "latency p50 ms": mine["latency"]["p50_ms"],
            "latency p99 ms": mine["latency"]["p99_ms"],
            "bare latency p99 ms": bare["latency"]["p99_ms"]}

if __name__ == "__main__":
    main()
