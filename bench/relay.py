"""Benchmark: "a citizen's message is added to the case and relayed to its owner", through the
whole stack (real Application, inbox, SQLite file, services, outbox, in-process Bot API), against
the bare framework path (same transport, a handler that only replies), in one run.

    .venv/bin/python -m bench.relay                 # 20,000 updates per phase
    .venv/bin/python -m bench.relay --updates 2000  # quicker

Each variant runs in its own process so that peak memory (max RSS) is its own. Two phases:
`latency` sends one update at a time and waits for its relay (closed loop); `throughput` feeds
batches of 100 (one getUpdates answer) as the poller would, keeping at most 1,000 stored but not
yet relayed, so its latencies are mostly time spent waiting in that backlog.
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


async def run_minqing(updates: int) -> list[dict[str, Any]]:
    from bot.clock import Clock
    from bot.local_api import LocalBotApi
    from bot.runtime import Minqing
    from bot.settings import Settings

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
        results = []
        next_id = 1
        for phase, window in PHASES:
            sent: dict[str, float] = {}
            started = time.perf_counter()
            arrived_before = arrivals.arrived
            while len(sent) < updates:
                batch = []
                for _ in range(min(window, updates - len(sent))):
                    citizen = 10_000 + next_id % CITIZENS
                    marker = f"{phase}{next_id}"
                    batch.append(message_update(next_id, citizen, f"补充情况 #{marker}"))
                    next_id += 1
                stamp = time.perf_counter()
                for update in batch:
                    sent[update["message"]["text"].rsplit("#", 1)[-1]] = stamp
                await minqing.inbox.ingest(batch)
                if window == 1:
                    await arrivals.wait({batch[0]["message"]["text"].rsplit("#", 1)[-1]})
                else:
                    # Like the poller: store the next batch while earlier ones are processed,
                    # keeping at most BACKLOG updates stored but not yet relayed.
                    while len(sent) - (arrivals.arrived - arrived_before) > BACKLOG:
                        arrivals.progress.clear()
                        await arrivals.progress.wait()
            await arrivals.wait(set(sent))
            finished = time.perf_counter()
            results.append(summarise(phase, started, finished, sent, arrivals.at))
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
    from telegram import Update
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    from bot.clock import Clock
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
    results = []
    async with app:
        next_id = 1
        for phase, window in PHASES:
            sent: dict[str, float] = {}
            started = time.perf_counter()
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
                for update in batch:
                    await app.process_update(Update.de_json(update, app.bot))
                await arrivals.wait({u["message"]["text"].rsplit("#", 1)[-1] for u in batch})
            results.append(summarise(phase, started, time.perf_counter(), sent, arrivals.at))
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
    args = parser.parse_args()
    if args.variant:
        child(args.variant, args.updates)
        return
    report = {}
    for variant in ("bare", "minqing"):
        out = subprocess.run([sys.executable, "-m", "bench.relay", "--variant", variant,
                              "--updates", str(args.updates)], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        report[variant] = json.loads(out.strip().splitlines()[-1])
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

if __name__ == "__main__":
    main()
