"""The sender: delivers the outbox with retries, backoff and Telegram's pacing.

Delivery is at least once. A row is marked sent right after Telegram accepts it (one hop), so a
duplicate can only come from a crash inside that window.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    InputMedia,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from storage.db import Database
from storage.models import OutboxItem
from storage.repos import Tx

log = logging.getLogger(__name__)
# The outbox stores Bot API calls as Telegram spells them and sends them as such.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)

MAX_BACKOFF_SECONDS = 300.0
GIVE_UP_AFTER = 25  # transient failures: about two hours of retries at the capped backoff
_INPUT_MEDIA: dict[str, type[InputMedia]] = {
    "photo": InputMediaPhoto, "video": InputMediaVideo, "document": InputMediaDocument,
    "audio": InputMediaAudio,
}
_SINGLE = {"photo": "sendPhoto", "video": "sendVideo", "document": "sendDocument",
           "audio": "sendAudio"}


@dataclass
class Bucket:
    rate: float  # tokens per second
    burst: float
    tokens: float = 0.0
    stamp: float = field(default_factory=time.monotonic)
    blocked_until: float = 0.0

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def wait_time(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if now < self.blocked_until:
            return self.blocked_until - now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class Pacing:
    """30 messages/s overall; 1/s sustained per private chat; 20/min per group (Bots FAQ).
    A 429 slows only the chat it came from."""

    def __init__(
        self, overall: float = 30.0, private: float = 1.0, group_per_minute: float = 20.0
    ) -> None:
        self.overall = Bucket(overall, overall)
        self._private = private
        self._group = group_per_minute / 60.0
        self.chats: dict[int, Bucket] = {}

    def _chat(self, chat_id: int) -> Bucket:
        bucket = self.chats.get(chat_id)
        if bucket is None:
            bucket = Bucket(self._private, 3) if chat_id > 0 else Bucket(self._group, 5)
            self.chats[chat_id] = bucket
        return bucket

    def wait_time(self, chat_id: int) -> float:
        now = time.monotonic()
        return max(self.overall.wait_time(now), self._chat(chat_id).wait_time(now))

    def take(self, chat_id: int) -> None:
        self.overall.take()
        self._chat(chat_id).take()

    def slow_down(self, chat_id: int, seconds: float) -> None:
        self._chat(chat_id).blocked_until = time.monotonic() + seconds


class OutboxSender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        pacing: Pacing | None = None,
        max_in_flight: int = 16,
    ) -> None:
        self.db = db
        self.bot = bot
        self.clock = clock
        self.pacing = pacing
        self.max_in_flight = max_in_flight
        self._wake = asyncio.Event()
        self._in_flight: dict[int, asyncio.Task] = {}
        self._topics: dict[int, int] = {}
        self._stopping = False
        db.on_outbox(self.wake)

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Deliver until stopped; sleeps until woken by a commit or until the next due row."""
        while not self._stopping:
            self._wake.clear()
            delay = await self.deliver_due()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except TimeoutError:
                pass

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._in_flight:
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)

    async def flush(self, rounds: int = 200) -> None:
        """Deliver everything due now, and wait for it (tests, the console, shutdown)."""
        for _ in range(rounds):
            await self.deliver_due()
            if self._in_flight:
                await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
                continue
            due = await self.db.read(lambda tx: tx.outbox.due(self.clock.now(), limit=1))
            if not due:
                return

    async def deliver_due(self) -> float:
        """Start a delivery for the oldest due row of each idle chat; returns how long to sleep."""
        now = self.clock.now()
        items, next_at = await self.db.read(
            lambda tx: (tx.outbox.due(now, limit=500), tx.outbox.next_due_at())
        )
        sleep = 5.0
        if next_at is not None and next_at > now:
            sleep = min(sleep, (next_at - now).total_seconds())
        started: set[int] = set()
        for item in items:
            if item.chat_id in started or item.chat_id in self._in_flight:
                continue
            started.add(item.chat_id)
            if len(self._in_flight) >= self.max_in_flight:
                sleep = 0.0
                break
            if self.pacing is not None:
                wait = self.pacing.wait_time(item.chat_id)
                if wait > 0:
                    sleep = min(sleep, wait)
                    continue
                self.pacing.take(item.chat_id)
            task = asyncio.create_task(self._deliver(item))
            self._in_flight[item.chat_id] = task
            task.add_done_callback(lambda _t, chat=item.chat_id: self._done(chat))
        return max(sleep, 0.0)

    def _done(self, chat_id: int) -> None:
        self._in_flight.pop(chat_id, None)
        self._wake.set()

    async def _deliver(self, item: OutboxItem) -> None:
        try:
            method, params = await self._prepare(item)
            if method is None:
                return
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PTBUserWarning)
                result = await self.bot.do_api_request(method, api_kwargs=params)
        except RetryAfter as exc:
            seconds = _seconds(exc.retry_after)
            if self.pacing is not None:
                self.pacing.slow_down(item.chat_id, seconds)
            await self._later(item, f"RetryAfter {seconds}", seconds)
            return
        except Forbidden as exc:
            reason = str(exc)
            log.warning("outbox %s: chat %s refuses messages: %s", item.id, item.chat_id, reason)
            await self.db.write(lambda tx: self._blocked(tx, item, reason))
            return
        except BadRequest as exc:
            reason = str(exc)
            log.error("outbox %s (%s to %s) rejected: %s", item.id, item.method, item.chat_id,
                      reason)
            await self.db.write(lambda tx: tx.outbox.give_up(item.id, "failed", reason))
            return
        except (NetworkError, TelegramError) as exc:
            reason = repr(exc)
            if item.attempts + 1 >= GIVE_UP_AFTER:
                log.error("outbox %s: giving up after %s attempts: %s", item.id,
                          item.attempts + 1, reason)
                await self.db.write(lambda tx: tx.outbox.give_up(item.id, "failed", reason))
                return
            backoff = min(MAX_BACKOFF_SECONDS, 2.0 ** item.attempts)
            log.warning("outbox %s: %s; retry in %.0fs", item.id, reason, backoff)
            await self._later(item, reason, backoff)
            return
        except Exception:
            log.exception("outbox %s: unexpected failure", item.id)
            await self.db.write(lambda tx: tx.outbox.give_up(item.id, "failed", "unexpected"))
            return
        await self.db.write(lambda tx: self._sent(tx, item, result))

    async def _later(self, item: OutboxItem, error: str, seconds: float) -> None:
        at = self.clock.now() + timedelta(seconds=seconds)
        await self.db.write(lambda tx: tx.outbox.retry_later(item.id, error, at))

    async def _prepare(self, item: OutboxItem) -> tuple[str | None, dict[str, Any]]:
        params: dict[str, Any] = {"chat_id": item.chat_id, **item.payload}
        method = item.method
        if method == "sendMediaGroup":
            parts = [{k: v for k, v in p.items() if not k.startswith("_")}
                     for p in params["media"]]
            if len(parts) == 1:
                # An "album" of one (the other parts never came) is a plain send.
                part = parts[0]
                method = _SINGLE.get(part["type"], "sendDocument")
                params = {"chat_id": item.chat_id, part["type"]: part["media"]}
                if part.get("caption"):
                    params["caption"] = part["caption"]
            else:
                params["media"] = [_input_media(p) for p in parts]
        if item.in_case_topic and item.case_id is not None:
            topic = await self._topic(item)
            if topic == -1:
                await self._later(item, "waiting for the case's topic", 1.0)
                return None, {}
            if topic:
                params["message_thread_id"] = topic
        return method, params

    async def _topic(self, item: OutboxItem) -> int | None:
        """The case's forum topic; -1 while its creation is still queued; None if it failed."""
        case_id = item.case_id
        assert case_id is not None
        if case_id in self._topics:
            return self._topics[case_id]

        def look(tx: Tx) -> int | None:
            case = tx.cases.get(case_id)
            if case is not None and case.topic_id:
                return case.topic_id
            pending = tx.conn.execute(
                "SELECT 1 FROM outbox WHERE case_id = ? AND purpose = 'topic'"
                " AND state = 'pending'", (case_id,)
            ).fetchone()
            return -1 if pending else None

        topic = await self.db.read(look)
        if topic and topic > 0:
            self._topics[case_id] = topic
        return topic

    def _sent(self, tx: Tx, item: OutboxItem, result: Any) -> None:
        now = self.clock.now()
        messages = result if isinstance(result, list) else [result]
        first_id = None
        for message in messages:
            if isinstance(message, dict) and "message_id" in message:
                first_id = first_id or message["message_id"]
                if item.purpose in ("card", "link") and item.case_id is not None:
                    tx.cases.link_message(item.chat_id, message["message_id"], item.case_id)
        if item.purpose == "topic" and item.case_id is not None and isinstance(result, dict):
            topic = result.get("message_thread_id")
            if topic:
                tx.cases.update(item.case_id, now, topic_id=topic)
                self._topics[item.case_id] = topic
        tx.outbox.mark_sent(item.id, first_id, now)

    def _blocked(self, tx: Tx, item: OutboxItem, error: str) -> None:
        tx.outbox.give_up(item.id, "blocked", error)
        if item.chat_id > 0:
            tx.users.mark_blocked(item.chat_id, self.clock.now())


def _input_media(part: dict[str, Any]) -> InputMedia:
    """PTB's ExtBot fills in defaults on album parts, so they go as its InputMedia objects."""
    kind = _INPUT_MEDIA[part["type"]]
    return kind(media=part["media"], caption=part.get("caption"))


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


