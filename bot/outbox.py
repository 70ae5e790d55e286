"""The sender: delivers the outbox with retries, backoff and Telegram's pacing.

Delivery is at least once. A row is marked sent right after Telegram accepts it (in the next
commit, at most a few milliseconds later), so a duplicate can only come from a crash inside that
window.
"""

from __future__ import annotations

import asyncio
import contextvars
import heapq
import logging
import time
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    InputFile,
    InputMedia,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.core.said import BROADCAST, PRIORITIES
from bot.faults import signature
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
    stamp: float  # the pacing's clock when last looked at
    tokens: float = 0.0
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
    """Telegram's limits (Bots FAQ): about 30 messages a second overall, 1 a second sustained
    per private chat, 20 a minute per group. A 429 slows only the chat it came from.

    The overall bucket refills at OVERALL and holds one token, so no second ever carries more
    than OVERALL + 1 (Telegram counts in a sliding second: a full bucket would double it). A
    broadcast takes from a bucket of its own besides (BROADCAST_RATE, 25 a second by default),
    which leaves the rest of each second to replies and relays. `monotonic` is the pacing's
    clock: time.monotonic, or a test's."""

    OVERALL = 28.0

    def __init__(
        self, overall: float = OVERALL, private: float = 1.0, group_per_minute: float = 20.0,
        broadcast: float = 25.0, monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.monotonic = monotonic
        start = monotonic()
        self.overall = Bucket(overall, 1, start)
        self.broadcast = Bucket(min(broadcast, overall), 1, start)
        self._private = private
        self._group = group_per_minute / 60.0
        self.chats: dict[int, Bucket] = {}

    def _chat(self, chat_id: int) -> Bucket:
        bucket = self.chats.get(chat_id)
        if bucket is None:
            now = self.monotonic()
            bucket = (Bucket(self._private, 1, now) if chat_id > 0
                      else Bucket(self._group, 5, now))
            self.chats[chat_id] = bucket
        return bucket

    def wait_time(self, chat_id: int, priority: int = 0) -> float:
        now = self.monotonic()
        wait = max(self.overall.wait_time(now), self._chat(chat_id).wait_time(now))
        if priority >= BROADCAST:
            wait = max(wait, self.broadcast.wait_time(now))
        return wait

    def take(self, chat_id: int, priority: int = 0) -> None:
        self.overall.take()
        self._chat(chat_id).take()
        if priority >= BROADCAST:
            self.broadcast.take()

    def overall_blocked(self, priority: int = 0) -> bool:
        """Nobody (at this priority) may send before the bucket refills."""
        now = self.monotonic()
        if priority >= BROADCAST and self.broadcast.wait_time(now) > 0:
            return True
        return self.overall.wait_time(now) > 0

    def overall_wait(self) -> float:
        return self.overall.wait_time(self.monotonic())

    def slow_down(self, chat_id: int, seconds: float) -> None:
        self._chat(chat_id).blocked_until = self.monotonic() + seconds


class OutboxSender:
    """Rows committed by the services are handed over in memory and sent at once; a sweep of
    the table picks up the rest (retries that came due, rows left by a previous process)."""

    SWEEP_EVERY = 5.0

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
        # Each chat's rows, a heap by (priority, id): in one staff chat a new case goes before
        # a flooding citizen's follow-ups; otherwise a chat's rows keep their order.
        self._queues: dict[int, list[tuple[int, int, OutboxItem]]] = {}
        # The chats waiting, by the priority of their first row (insertion-ordered): a broadcast
        # to 10,000 chats never stands in front of a citizen's relay.
        self._waiting: list[dict[int, None]] = [{} for _ in range(PRIORITIES)]
        self._level: dict[int, int] = {}
        # A generated file being uploaded: other rows of the same file wait for its file_id.
        self._uploading: dict[int, tuple[int, asyncio.Event]] = {}  # file -> (row, done)
        self._file_ids: dict[int, str] = {}  # uploaded files' ids, before their mark commits
        self._known: set[int] = set()
        self._sweeps: list[set[int]] = []  # rows settled while each sweep in progress reads
        # Ids finished while a sweep may have been reading them: never taken up again.
        self._finished: OrderedDict[int, None] = OrderedDict()
        self._in_flight: dict[int, asyncio.Task] = {}
        self._topics: dict[int, int] = {}
        self._next_sweep = 0.0
        self._stopping = False
        # Nothing is sent before the sender runs (or is flushed): not before start-up has
        # shown the token good, for one.
        self._delivering = False
        # Told when a row ends undelivered ("blocked" or "failed"), and when a group's id moved;
        # the runtime answers both through the services.
        self.on_undelivered: Callable[[OutboxItem, str], Awaitable[None]] | None = None
        self.on_moved: Callable[[int, int], Awaitable[None]] | None = None
        db.on_outbox(self.offer)

    def offer(self, items: list[OutboxItem]) -> None:
        """Rows just committed and due now: their deliveries start at once."""
        for item in items:
            self._enqueue(item)
        if self._delivering and not self._stopping:
            self._dispatch()
        self._wake.set()

    def _enqueue(self, item: OutboxItem) -> None:
        if item.id in self._known or item.id in self._finished:
            return
        self._known.add(item.id)
        level = min(max(item.priority, 0), PRIORITIES - 1)
        heapq.heappush(self._queues.setdefault(item.chat_id, []), (level, item.id, item))
        self._file_chat(item.chat_id)

    def _file_chat(self, chat_id: int) -> None:
        """Keep the chat among those waiting at its first row's priority."""
        old = self._level.pop(chat_id, None)
        if old is not None:
            self._waiting[old].pop(chat_id, None)
        queue = self._queues.get(chat_id)
        if not queue:
            self._queues.pop(chat_id, None)
            return
        level = queue[0][0]
        self._level[chat_id] = level
        self._waiting[level][chat_id] = None

    def _drop_chat(self, chat_id: int) -> None:
        """Forget a chat's queued rows (the table decides what becomes of them)."""
        for _, item_id, _item in self._queues.pop(chat_id, []):
            self._known.discard(item_id)
        self._file_chat(chat_id)

    async def run(self) -> None:
        """Deliver until stopped: woken by commits and completions, sweeping now and then."""
        self._delivering = True
        while not self._stopping:
            self._wake.clear()
            if time.monotonic() >= self._next_sweep:
                await self._sweep()
            wait = self._dispatch()
            timeout = max(0.0, min(wait, self._next_sweep - time.monotonic()))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            except TimeoutError:
                pass

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._in_flight:
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)

    async def flush(self, rounds: int = 200) -> None:
        """Deliver everything due now by the clock, and wait for it (tests, the console)."""
        self._delivering = True
        for _ in range(rounds):
            await self._sweep()
            self._dispatch()
            if self._in_flight:
                await asyncio.gather(*self._in_flight.values(), return_exceptions=True)
                continue
            if not self._queues:
                await self.db.settle()
                return

    async def _sweep(self) -> None:
        now = self.clock.now()
        # The read runs beside the writer: a row that finishes or is put off while it reads
        # may still look due in its snapshot, and must not be taken up again.
        settled: set[int] = set()
        self._sweeps.append(settled)
        try:
            items, next_at = await self.db.read(
                lambda tx: (tx.outbox.due(now, limit=500), tx.outbox.next_due_at(now))
            )
        finally:
            self._sweeps.remove(settled)
        for item in items:
            if item.id not in settled:
                self._enqueue(item)
        wait = self.SWEEP_EVERY
        if next_at is not None:
            wait = min(wait, (next_at - now).total_seconds())
        self._next_sweep = time.monotonic() + max(wait, 0.0)

    def _dispatch(self) -> float:
        """Start the first queued row of each idle chat, the chats whose first row has the
        highest priority first; returns how long pacing asks to wait."""
        wait = self.SWEEP_EVERY
        for level, waiting in enumerate(self._waiting):
            starting: list[int] = []
            for chat_id in waiting:
                if len(self._in_flight) + len(starting) >= self.max_in_flight:
                    break  # a completion wakes the loop
                if chat_id in self._in_flight:
                    continue
                if self.pacing is not None:
                    pause = self.pacing.wait_time(chat_id, level)
                    if pause > 0:
                        wait = min(wait, pause)
                        if self.pacing.overall_blocked(level):
                            break  # nobody may send now: the rest need not be looked at
                        continue
                    self.pacing.take(chat_id, level)
                starting.append(chat_id)
            for chat_id in starting:
                _, _, item = heapq.heappop(self._queues[chat_id])
                self._file_chat(chat_id)
                # A fresh context: the delivery belongs to no inbox update.
                task = asyncio.create_task(self._deliver(item), context=contextvars.Context())
                self._in_flight[chat_id] = task
                task.add_done_callback(lambda t, i=item: self._done(i, t))
            if len(self._in_flight) >= self.max_in_flight:
                break  # a completion wakes the loop
            if self.pacing is not None and self.pacing.overall_blocked():
                # Nobody may send before the overall bucket refills: look again then.
                wait = min(wait, self.pacing.overall_wait())
                break
        return wait

    def _done(self, item: OutboxItem, task: asyncio.Task) -> None:
        self._in_flight.pop(item.chat_id, None)
        self._known.discard(item.id)
        for settled in self._sweeps:
            settled.add(item.id)
        if not task.cancelled() and task.exception() is None and task.result():
            self._finished[item.id] = None
            while len(self._finished) > 10_000:
                self._finished.popitem(last=False)
        self._wake.set()

    async def _deliver(self, item: OutboxItem) -> bool:
        """Send one row; True when it is finished (sent, refused or given up)."""
        try:
            return await self._send(item)
        finally:
            upload = self._uploading.get(item.file_ref or 0)
            if upload is not None and upload[0] == item.id:  # this row was uploading it
                del self._uploading[item.file_ref or 0]
                upload[1].set()

    async def _send(self, item: OutboxItem) -> bool:
        try:
            method, params = await self._prepare(item)
            if method is None:
                return False
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PTBUserWarning)
                result = await self.bot.do_api_request(method, api_kwargs=params)
        except RetryAfter as exc:
            seconds = _seconds(exc.retry_after)
            if self.pacing is not None:
                self.pacing.slow_down(item.chat_id, seconds)
            await self._later(item, f"RetryAfter {seconds}", seconds)
            return False
        except ChatMigrated as exc:
            # A group became a supergroup: its rows (this one too) now go to the new id.
            log.warning("outbox %s: chat %s moved to %s", item.id, item.chat_id,
                        exc.new_chat_id)
            self._drop_chat(item.chat_id)
            if self.on_moved is not None:
                await self.on_moved(item.chat_id, exc.new_chat_id)
            self._next_sweep = time.monotonic()
            return False
        except Forbidden as exc:
            reason = str(exc)
            log.warning("outbox %s: chat %s refuses messages: %s", item.id, item.chat_id, reason)
            await self.db.write(lambda tx: self._blocked(tx, item, reason))
            await self._undelivered(item, "blocked")
            return True
        except BadRequest as exc:
            reason = str(exc)
            log.error("outbox %s (%s to %s) rejected: %s", item.id, item.method, item.chat_id,
                      reason)
            await self.db.write(lambda tx: tx.outbox.give_up(item.id, "failed", reason))
            await self._undelivered(item, "failed")
            return True
        except (NetworkError, TelegramError) as exc:
            reason = repr(exc)
            if item.attempts + 1 >= GIVE_UP_AFTER:
                log.error("outbox %s: giving up after %s attempts: %s", item.id,
                          item.attempts + 1, reason)
                await self.db.write(lambda tx: tx.outbox.give_up(item.id, "failed", reason))
                await self._undelivered(item, "failed")
                return True
            backoff = min(MAX_BACKOFF_SECONDS, 2.0 ** item.attempts)
            log.warning("outbox %s: %s; retry in %.0fs", item.id, reason, backoff)
            await self._later(item, reason, backoff)
            return False
        except Exception as exc:
            error = signature(exc)
            log.error("outbox %s: unexpected failure: %s", item.id, error)
            await self.db.write(lambda tx: tx.outbox.give_up(item.id, "failed", error[:300]))
            return True
        self._record_sent(item, result)
        return True

    async def _undelivered(self, item: OutboxItem, state: str) -> None:
        if self.on_undelivered is None:
            return
        if item.chat_id < 0:
            self._drop_chat(item.chat_id)  # the group's other rows are decided there
        try:
            await self.on_undelivered(item, state)
        except Exception as exc:  # telling someone must never stop the sender
            log.error("outbox %s: the undelivered notice failed: %s", item.id, signature(exc))

    def _record_sent(self, item: OutboxItem, result: Any) -> None:
        """Mark the row sent now that Telegram accepted it. The mark joins the next commit (or
        commits alone after the database's `rider_linger`, 5 ms), so the duplicate window is the
        send's round trip plus at most that linger; the chat's next row need not wait for it."""
        if item.purpose == "topic" and item.case_id is not None and isinstance(result, dict):
            topic = result.get("message_thread_id")
            if topic:  # the case's next rows go to its topic without reading it back
                self._topics[item.case_id] = topic
        if item.file_ref is not None:
            file_id = _file_id(result)
            if file_id:  # the rows waiting for this file send it by its id from now on
                self._file_ids[item.file_ref] = file_id
        marked = self.db.write_soon(lambda tx: self._sent(tx, item, result))
        marked.add_done_callback(lambda done: _log_unmarked(item, done))

    async def _later(self, item: OutboxItem, error: str, seconds: float) -> None:
        at = self.clock.now() + timedelta(seconds=seconds)
        await self.db.write(lambda tx: tx.outbox.retry_later(item.id, error, at))
        # It leaves memory now; the sweep takes it up again when it is due.
        self._next_sweep = min(self._next_sweep, time.monotonic() + seconds)

    async def _prepare(self, item: OutboxItem) -> tuple[str | None, dict[str, Any]]:
        params: dict[str, Any] = {"chat_id": item.chat_id, **item.payload}
        method = item.method
        if item.file_ref is not None:
            kind = "photo" if method == "sendPhoto" else "document"
            params[kind] = await self._file(item)
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

    async def _file(self, item: OutboxItem) -> str | InputFile:
        """A generated file: its Telegram id once uploaded, else its bytes (a retry uploads
        them again). While another row uploads the same file, this one waits for its id, so
        the file goes up once however many people it is sent to."""
        ref = item.file_ref
        assert ref is not None
        for _ in range(3):  # bounded: an upload that failed lets the next row try
            if ref in self._file_ids:
                return self._file_ids[ref]
            upload = self._uploading.get(ref)
            if upload is None:
                break
            await upload[1].wait()
        # This row takes the upload on before it reads (the others wait for it from now on);
        # `_deliver` lets them go when it ends, however it ends.
        self._uploading[ref] = (item.id, asyncio.Event())
        stored = await self.db.read(lambda tx: tx.outbox.file(ref))
        if stored is not None and stored.file_id:
            self._file_ids[ref] = stored.file_id
            return stored.file_id
        if stored is None or stored.content is None:
            raise BadRequest("the file's bytes are no longer kept")
        return InputFile(stored.content, filename=stored.name)

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
            return -1 if tx.outbox.topic_pending(case_id) else None

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
        tx.outbox.mark_sent(item.id, first_id, now)
        if item.file_ref is not None and item.file_ref in self._file_ids:
            tx.outbox.file_uploaded(item.file_ref, self._file_ids[item.file_ref])

    def _blocked(self, tx: Tx, item: OutboxItem, error: str) -> None:
        tx.outbox.give_up(item.id, "blocked", error)
        if item.chat_id > 0:
            tx.users.mark_blocked(item.chat_id, self.clock.now())


def _log_unmarked(item: OutboxItem, done: asyncio.Future) -> None:
    if not done.cancelled() and done.exception() is not None:
        # Sent but still pending in the table: the next start sends it again (at least once).
        log.error("outbox %s was sent but could not be marked: %s", item.id,
                  signature(done.exception()))


def _input_media(part: dict[str, Any]) -> InputMedia:
    """PTB's ExtBot fills in defaults on album parts, so they go as its InputMedia objects."""
    kind = _INPUT_MEDIA[part["type"]]
    return kind(media=part["media"], caption=part.get("caption"))


def _file_id(result: Any) -> str | None:
    """Telegram's id for the file a sendPhoto or sendDocument carried (a photo's largest
    size)."""
    if not isinstance(result, dict):
        return None
    if isinstance(result.get("photo"), list) and result["photo"]:
        return result["photo"][-1].get("file_id")
    if isinstance(result.get("document"), dict):
        return result["document"].get("file_id")
    return None


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


