"""Crash test: the real `python main.py run` against the fake Bot API over HTTP on 127.0.0.1,
under a scripted load, killed with SIGKILL at random moments and started again, then checked.

    .venv/bin/python -m bench.crash                       # 500 cases, 2,000 messages, 20 kills
    .venv/bin/python -m bench.crash --citizens 20 --kills 3   # the small run CI makes

The load, in staff-group mode with forum topics and pacing lifted: each citizen raises a case
through /new (seven updates), then sends two messages; a staff member claims every case and
answers each twice. Every update is waiting at the fake Bot API from the start of its phase:
only the bot's own offsets confirm them, so a kill can lose one only if the bot's promise
breaks. Printed afterwards, each of which must be zero: cases and messages lost, effects
doubled, a message sent more often than once per kill, and integrity_check not "ok"."""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import Clock  # noqa: E402
from bot.local_api import LocalBotApi  # noqa: E402
from bot.local_http import BotApiServer  # noqa: E402

GROUP = -1007770001
STAFF = 2001
ADMIN = 9001
FIRST_CITIZEN = 100_000


class Load:
    """The scripted updates, as Telegram would deliver them."""

    def __init__(self) -> None:
        self.update_id = 1
        self.message_id = 1

    def _next(self) -> tuple[int, int]:
        self.update_id += 1
        self.message_id += 1
        return self.update_id, self.message_id

    def text(self, user: int, text: str) -> dict[str, Any]:
        update_id, message_id = self._next()
        message: dict[str, Any] = {
            "message_id": message_id, "date": int(time.time()), "text": text,
            "chat": {"id": user, "type": "private", "first_name": f"u{user}"},
            "from": {"id": user, "is_bot": False, "first_name": f"u{user}"}}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return {"update_id": update_id, "message": message}

    def press(self, user: int, data: str) -> dict[str, Any]:
        update_id, message_id = self._next()
        return {"update_id": update_id, "callback_query": {
            "id": str(update_id), "chat_instance": "crash", "data": data,
            "from": {"id": user, "is_bot": False, "first_name": f"u{user}"},
            "message": {"message_id": message_id, "date": int(time.time()), "text": "…",
                        "chat": {"id": user, "type": "private"}}}}

    def new_case(self, citizen: int) -> list[dict[str, Any]]:
        return [self.text(citizen, "/new"), self.press(citizen, "k:help"),
                self.text(citizen, f"求助 {citizen}"), self.press(citizen, "nx"),
                self.press(citizen, "pa:1"), self.press(citizen, "sk"),
                self.press(citizen, "cf:1")]


def start_bot(env: dict[str, str], log: Any) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "run"], cwd=ROOT,
                            env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)


def rows(db: Path, sql: str, *params: Any) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as c:
        return c.execute(sql, params).fetchall()


def wait_for(predicate: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(sqlite3.Error):
            if predicate():
                return True
        time.sleep(0.1)
    return False


FAULTS = (  # (status, description, retry_after): what Telegram does on a bad day
    (429, "Too Many Requests: retry after 1", 1), (502, "Bad Gateway", None),
    (500, "Internal Server Error", None), (-1, "timed out", None), (0, "connection reset", None),
)


def inject(api: LocalBotApi, rng: random.Random, counts: collections.Counter) -> None:
    status, description, retry_after = rng.choice(FAULTS)
    times = rng.randint(1, 4)
    api.fail(status, description, method="sendMessage", retry_after=retry_after, times=times)
    counts[description.split(":")[0]] += times


def run(citizens: int, kills: int, seed: int, faults: bool) -> dict[str, Any]:
    rng = random.Random(seed)
    api = LocalBotApi(Clock(), forum_chats={GROUP})
    load = Load()
    people = [FIRST_CITIZEN + i for i in range(citizens)]
    with tempfile.TemporaryDirectory() as folder, BotApiServer(api) as server:
        db = Path(folder) / "crash.sqlite3"
        env = {k: v for k, v in os.environ.items() if not k.isupper()
               or k in ("PATH", "HOME", "LANG")}
        env.update({"BOT_TOKEN": "1:crash", "TELEGRAM_API_URL": server.url,
                    "DATABASE_PATH": str(db), "ADMIN_IDS": str(ADMIN),
                    "STAFF_CHAT_ID": str(GROUP), "TELEGRAM_PACING": "false",
                    "BACKUP_DIR": "", "LOG_LEVEL": "WARNING", "STARTUP_RETRY_MINUTES": "1"})
        subprocess.run([sys.executable, str(ROOT / "main.py"), "users", "grant", str(STAFF),
                        "staff"], cwd=ROOT, env=env, check=True, capture_output=True)
        log = open(Path(folder) / "bot.log", "w")
        phases = [
            [u for c in people for u in load.new_case(c)],
            # Two messages from each citizen; the staff member claims each case, answers twice.
            [u for c in people for u in (load.text(c, f"补充一 {c}"), load.text(c, f"补充二 {c}"))]
            + [u for k in range(1, citizens + 1) for u in (
                load.press(STAFF, f"cl:{k}"), load.press(STAFF, f"rp:{k}"),
                load.text(STAFF, f"答复一 {k}"), load.press(STAFF, f"rp:{k}"),
                load.text(STAFF, f"答复二 {k}"))],
        ]
        expected_cases = citizens
        done_kills = 0
        injected: collections.Counter = collections.Counter()
        bot = start_bot(env, log)
        try:
            for number, phase in enumerate(phases):
                for update in phase:
                    api.push_update(update)
                per_phase = kills // len(phases) + (kills % len(phases) if number else 0)
                for _ in range(per_phase):
                    if faults:
                        inject(api, rng, injected)
                    time.sleep(rng.uniform(0.2, 1.2))
                    bot.send_signal(signal.SIGKILL)
                    bot.wait()
                    done_kills += 1
                    bot = start_bot(env, log)
                settled = wait_for(lambda: api.unconfirmed == 0 and (
                    rows(db, "SELECT COUNT(*) FROM inbox WHERE state = 'pending'")[0][0] == 0)
                    and rows(db, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'")[0][0]
                    == 0, 180)
                if not settled:
                    raise SystemExit(f"phase {number + 1} did not settle; see {log.name}")
        finally:
            bot.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                bot.wait(timeout=20)
            if bot.poll() is None:
                bot.kill()
            log.close()
        report = verify(api, db, expected_cases, citizens, done_kills)
        report["faults injected"] = dict(injected) or "none"
        return report


def verify(api: LocalBotApi, db: Path, expected_cases: int, citizens: int,
           kills: int) -> dict[str, Any]:
    cases = rows(db, "SELECT citizen_id, COUNT(*) FROM cases GROUP BY citizen_id")
    messages = rows(db, "SELECT case_id, kind, text, COUNT(*) FROM case_events"
                        " WHERE kind IN ('message', 'reply') GROUP BY case_id, kind, text")
    claims = rows(db, "SELECT case_id, COUNT(*) FROM case_owners GROUP BY case_id")
    sends = collections.Counter(
        (c.params.get("chat_id"), str(c.params.get("text") or c.params.get("caption") or ""))
        for c in api.calls if c.method == "sendMessage")
    expected_messages = citizens * 4  # two from each citizen, two replies to each
    relays = [n for (chat, text), n in sends.items()
              if ("补充" in text or "答复" in text) and chat is not None]
    duplicates = sum(n - 1 for n in relays if n > 1)
    integrity = rows(db, "PRAGMA integrity_check")[0][0]
    return {
        "kills": kills,
        "cases": sum(n for _, n in cases),
        "messages": sum(n for *_, n in messages),
        "cases lost": expected_cases - len(cases),
        "messages lost": expected_messages - len(messages),
        "effects doubled": sum(n - 1 for _, n in cases if n > 1)
        + sum(n - 1 for *_, n in messages if n > 1) + sum(n - 1 for _, n in claims if n > 1),
        "duplicate sends": duplicates,
        "duplicate sends per kill": round(duplicates / kills, 2) if kills else 0,
        "most sends of one message": max(relays, default=0),
        "integrity_check": integrity,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=500)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", action="store_true",
                        help="also inject 429s, 5xx, timeouts and dropped connections")
    args = parser.parse_args()
    started = time.monotonic()
    report = run(args.citizens, args.kills, args.seed, args.faults)
    for key, value in report.items():
        print(f"{key:>28}: {value}")
    print(f"{'seconds':>28}: {time.monotonic() - started:.1f}")
    bad = (report["cases lost"] or report["messages lost"] or report["effects doubled"]
           or report["integrity_check"] != "ok"
           or report["most sends of one message"] > 1 + report["kills"])
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
