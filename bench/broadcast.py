"""Benchmark: an announcement broadcast to 10,000 subscribers through the whole stack (the
production poller, the real Application, SQLite, the broadcast job's chunks, the outbox's
sender with Telegram's pacing) against the in-process Bot API with Telegram's limits switched
on (30 a second overall, 1 a second a chat: a 429 past them). It reports the achieved rate as a
fraction of the limit, the 429 count, and a citizen relay's latency while the broadcast goes,
against the same relay measured in the same run before the broadcast begins; and, as the bare
framework path, PTB's Bot.send_message in a loop paced by asyncio.sleep to the same rate.

    .venv/bin/python -m bench.broadcast [--subscribers 10000] [--relays 40]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.relay import Arrivals, message_update  # noqa: E402
from bot.services.broadcast import CHUNK  # noqa: E402

FIRST_SUBSCRIBER = 5_000_000
CITIZEN, STAFF, LEADER = 10_001, 20_001, 30_001
LIMIT = 30.0  # Telegram's messages a second overall


class Counter429:
    """Wraps the fake API's limits: counts what it refuses with 429."""

    def __init__(self, limits: Any) -> None:
        self.limits = limits
        self.refused = 0

    def check(self, method: str, params: dict, uploads: dict) -> Any:
        answer = self.limits.check(method, params, uploads)
        if answer is not None and answer[0] == 429:
            self.refused += 1
        return answer


class Holds:
    """The write transactions of the run, timed, each named by the service it ran (the
    benchmark's own instrument around storage.db.Database._run_group)."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, str]] = []
        self.on = False

    def install(self) -> None:
        from storage import db

        original = db.Database._run_group
        holds = self

        def timed(database: Any, riders: list, jobs: list) -> Any:
            began = time.perf_counter()
            try:
                return original(database, riders, jobs)
            finally:
                if holds.on:
                    names = sorted({_name(work) for work, _ in jobs} | (
                        {"sent marks"} if riders else set()))
                    holds.seen.append((time.perf_counter() - began, "+".join(names)))

        db.Database._run_group = timed  # type: ignore[method-assign]

    def collect_gc(self) -> None:
        """Time Python's full collections too: a pause lands in whichever thread runs."""
        import gc

        began: list[float] = []
        self.gc_pauses: list[float] = []

        def callback(phase: str, info: dict) -> None:
            if info.get("generation") != 2 or not self.on:
                return
            if phase == "start":
                began[:] = [time.perf_counter()]
            elif began:
                self.gc_pauses.append(time.perf_counter() - began[0])

        gc.callbacks.append(callback)

    def longest(self, count: int = 3) -> list[tuple[float, str]]:
        return sorted(self.seen, reverse=True)[:count]


def _name(work: Any) -> str:
    for cell in work.__closure__ or ():
        value = cell.cell_contents
        if callable(value) and getattr(value, "__module__", "").startswith("bot."):
            return value.__name__
    return "other"


class Deliveries:
    def __init__(self) -> None:
        self.at: list[float] = []

    def __call__(self, call: Any) -> None:
        chat = int(call.params.get("chat_id") or 0)
        if chat >= FIRST_SUBSCRIBER and call.method == "sendMessage":
            self.at.append(time.perf_counter())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def relays(api: Any, arrivals: Arrivals, count: int, every: float, first_id: int
                 ) -> list[float]:
    """A citizen's messages, one every `every` seconds, each timed to its relay."""
    latencies = []
    for i in range(count):
        marker = f"r{first_id + i}"
        started = time.perf_counter()
        api.push_update(message_update(first_id + i, CITIZEN, f"补充情况 #{marker}"))
        await arrivals.wait({marker})
        latencies.append((arrivals.at[marker] - started) * 1000)
        await asyncio.sleep(every)
    return latencies


async def run_minqing(subscribers: int, relay_count: int) -> dict[str, Any]:
    from bot.clock import Clock
    from bot.local_api import LocalBotApi
    from bot.services import announce
    from bot.services.unit import Who
    from bot.settings import Settings
    from minqing.runtime import Minqing

    clock = Clock()
    api = LocalBotApi(clock, record=False, enforce_limits=True)
    counter = Counter429(api.limits)
    api.limits = counter  # type: ignore[assignment]
    arrivals, deliveries = Arrivals(), Deliveries()
    api.listeners += [arrivals, deliveries]
    holds = Holds()
    holds.install()
    holds.collect_gc()
    with tempfile.TemporaryDirectory() as folder:
        # One citizen sends a message every 1.2 s: past flood control, which would turn the
        # relays into one summary a minute. The bench measures the relay itself.
        settings = Settings(_env_file=None,  # type: ignore[call-arg]
                            database_path=str(Path(folder) / "bench.sqlite3"),
                            flood_messages=1000)
        minqing = Minqing(settings, token="1:bench", request=api, clock=clock)
        await minqing.start(background=True)
        now = clock.now()

        def seed(tx: Any) -> None:
            tx.users.set_role(STAFF, "staff", now)
            tx.users.set_role(LEADER, "leader", now)
            tx.users.seen(CITIZEN, "张三", None, now)
            tx.cases.create({"number": tx.cases.next_number(now.year), "kind": "help",
                             "state": "accepted", "citizen_id": CITIZEN, "text": "路灯",
                             "owner_id": STAFF, "accepted_at": now}, now)
            for user_id in range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + subscribers):
                tx.users.seen(user_id, "群众", None, now)
                tx.subscriptions.add(user_id, "notice", now)

        await minqing.db.write(seed)
        holds.on = True  # from here on: the broadcast's chunks, the relays, the sent marks
        poller = asyncio.create_task(minqing.poll())
        try:
            # One relay every 1.2 s: the owner's chat takes one message a second.
            quiet = await relays(api, arrivals, relay_count // 2, 1.2, 1)
            fields = {"kind": "notice", "title": "停车收费标准调整公示", "body": "公示期七日。"}
            aid = (await minqing.db.write(
                lambda tx: tx.announcements.add(fields, LEADER, clock.now()))).id
            began = time.perf_counter()
            await minqing.services.run_as(Who(LEADER, "陈局长"), announce.confirm, aid)
            for _ in range(200):  # bounded: the broadcast's first message, within 10 s
                if deliveries.at:
                    break
                await asyncio.sleep(0.05)
            busy = await relays(api, arrivals, relay_count, 1.2, 10_000)
            for _ in range(int(subscribers * 0.6) + 600):  # bounded: 1.5 times 25 a second
                if len(deliveries.at) >= subscribers:
                    break
                await asyncio.sleep(0.1)
            ended = time.perf_counter()
            holds.on = False
        finally:
            minqing._polling = False
            await poller
            await minqing.stop()
    span = deliveries.at[-1] - deliveries.at[0]
    rate = (len(deliveries.at) - 1) / span if span > 0 else 0.0
    return {"delivered": len(deliveries.at), "seconds": ended - began, "rate": rate,
            "refused_429": counter.refused, "holds": holds.longest(),
            "chunks_ms": [d * 1000 for d, name in holds.seen if name == "queue_chunk"],
            "gc_ms": sorted(p * 1000 for p in holds.gc_pauses)[-3:],
            "quiet_p50": statistics.median(quiet), "quiet_p99": percentile(quiet, 0.99),
            "busy_p50": statistics.median(busy), "busy_p99": percentile(busy, 0.99),
            "busy_slowest": sorted(busy)[-3:]}


async def run_bare(messages: int, rate: float) -> dict[str, Any]:
    """PTB's Bot.send_message to each chat in turn, paced by sleeping 1/rate between sends."""
    from telegram import Bot

    from bot.clock import Clock
    from bot.local_api import LocalBotApi

    api = LocalBotApi(Clock(), record=False, enforce_limits=True)
    counter = Counter429(api.limits)
    api.limits = counter  # type: ignore[assignment]
    deliveries = Deliveries()
    api.listeners.append(deliveries)
    bot = Bot("1:bare", request=api)
    await bot.initialize()
    failed = 0
    try:
        for i in range(messages):
            try:
                await bot.send_message(FIRST_SUBSCRIBER + i, "停车收费标准调整公示")
            except Exception:
                failed += 1
            await asyncio.sleep(1 / rate)
    finally:
        await bot.shutdown()
    span = deliveries.at[-1] - deliveries.at[0]
    return {"delivered": len(deliveries.at), "rate": (len(deliveries.at) - 1) / span,
            "refused_429": counter.refused, "failed": failed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--relays", type=int, default=40)
    args = parser.parse_args()
    bare = asyncio.run(run_bare(min(args.subscribers, 2_000), 25.0))
    print(f"bare PTB loop, sleep-paced at 25/s: {bare['delivered']} sent, "
          f"{bare['rate']:.1f}/s ({bare['rate'] / LIMIT:.0%} of {LIMIT:.0f}/s), "
          f"429s {bare['refused_429']}")
    result = asyncio.run(run_minqing(args.subscribers, args.relays))
    print(f"Minqing broadcast: {result['delivered']:,} delivered in {result['seconds']:.0f} s, "
          f"{result['rate']:.2f}/s = {result['rate'] / LIMIT:.0%} of Telegram's {LIMIT:.0f}/s "
          f"({result['rate'] / 25:.0%} of BROADCAST_RATE 25), 429s {result['refused_429']}")
    print(f"citizen relay before the broadcast: p50 {result['quiet_p50']:.1f} ms, "
          f"p99 {result['quiet_p99']:.1f} ms; during it: p50 {result['busy_p50']:.1f} ms, "
          f"p99 {result['busy_p99']:.1f} ms (slowest "
          f"{', '.join(f'{v:.0f}' for v in result['busy_slowest'])} ms)")
    chunks = result["chunks_ms"]
    print(f"chunks of {CHUNK} subscribers: {len(chunks)}, writer held p50 "
          f"{statistics.median(chunks):.1f} ms, max {max(chunks):.1f} ms")
    print("longest write transactions of the run: " + ", ".join(
        f"{d * 1000:.1f} ms ({name})" for d, name in result["holds"]))
    print("longest full garbage collections (generation 2) of the run: "
          + ", ".join(f"{p:.1f} ms" for p in result["gc_ms"]))


if __name__ == "__main__":
    main()
