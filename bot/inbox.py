"""The durable inbox: updates are stored before Telegram is told they arrived, and marked done
in the transaction of their effect.

Handling starts as soon as an update arrives; its stored row commits first in the next commit,
which is usually that of its own effect (one commit, not two). Telegram is told only once the
row is committed. A repeat (an update delivered again after a crash) is recognised in memory,
or at the latest by its done row, which rolls the repeat's effect back."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict, deque
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.clock import Clock
from bot.context import MARKS
from bot.faults import sanitise, signature, update_kind
from bot.services import people
from bot.services.unit import Services
from storage.db import Database, InboxMark, UpdateAlreadyHandled
from storage.models import InboxItem
from storage.repos import Tx

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
KEEP_DONE_DAYS = 7
CONCURRENCY = 8  # different people's updates in progress at once
REMEMBER_HANDLED = 10_000  # update ids kept in memory to recognise a repeat without the table
PRUNE_CHUNK = 1000  # handled rows deleted in one transaction


class InboxProcessor:
    """Updates are processed one at a time, in order. Those just stored are handed over in
    memory; the table is read at start (rows left by a previous process) and when asked."""

    def __init__(self, app: Application, db: Database, services: Services, clock: Clock) -> None:
        self.app = app
        self.db = db
        self.services = services
        self.clock = clock
        self._wake = asyncio.Event()
        self._queue: deque[InboxItem] = deque()
        self._queued: set[int] = set()
        # Updates whose rows are done or set aside (a repeat of one is not handled again).
        self._handled: OrderedDict[int, None] = OrderedDict()
        # Each update is parsed once, when it arrives; the handlers get that object.
        self._parsed: dict[int, Update] = {}
        # The handlers' context takes each update's mark from here (bot.context.MinqingContext).
        self._marks: dict[int, InboxMark] = app.bot_data.setdefault(MARKS, {})
        self._loaded = False
        self._stopping = False
        self.retry_pause = 0.05
        self.concurrency = CONCURRENCY

    async def ingest(self, updates: Iterable[Any]) -> int:
        """Store updates, each on its own; returns once they are committed (then Telegram may
        be told). Those not seen before are handed over at once; their rows commit with the next
        commit. One that cannot be parsed, or stored, is set aside and reported, and never holds
        up the others."""
        now = self.clock.now()
        stored: list[tuple[int, asyncio.Future]] = []
        refused: list[tuple[int, dict[str, Any], str]] = []
        for raw in updates:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if type(update_id) is not int:
                log.warning("an update without an id was dropped (%s)", type(raw).__name__)
                continue
            if update_id in self._handled or update_id in self._queued:
                continue
            text = json.dumps(raw, ensure_ascii=False)
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate: SQLite's UTF-8 cannot hold it
                raw = sanitise(raw)
                text = json.dumps(raw, ensure_ascii=False)
            try:
                parsed = Update.de_json(raw, self.app.bot)
            except Exception as exc:  # a newer or older Bot API, or a malformed object
                refused.append((update_id, raw, f"unparseable {update_kind(raw)}: "
                                                f"{type(exc).__name__}"))
                continue
            self._parsed[update_id] = parsed
            stored.append((update_id, self.db.write_soon(
                lambda tx, i=update_id, t=text: tx.inbox.add(i, t, now))))
            self._enqueue(InboxItem(update_id=update_id, payload=raw, state="pending",
                                    attempts=0))
        if stored:
            self._wake.set()
        added = 0
        for update_id, future in stored:
            try:
                _, is_new = await future
                added += bool(is_new)
            except Exception as exc:
                log.error("update %s could not be stored (%s); it is set aside", update_id,
                          type(exc).__name__)
                refused.append((update_id, {"update_id": update_id},
                                f"could not be stored: {type(exc).__name__}"))
        for update_id, payload, error in refused:
            await self._set_aside_at_the_door(update_id, payload, error)
        return added

    async def _set_aside_at_the_door(self, update_id: int, payload: dict[str, Any],
                                     error: str) -> None:
        """Record an update that never reached the handlers, confirm it, tell admins once."""
        self._queued.discard(update_id)
        self._parsed.pop(update_id, None)
        log.error("update %s set aside: %s", update_id, error)
        try:
            await self.services.run(_refused, update_id, payload, error)
        except Exception as exc:
            # Even the bookkeeping failed (the payload itself is the problem): keep the id.
            log.error("update %s: its set-aside row failed too (%s)", update_id,
                      type(exc).__name__)
            await self.services.run(_refused, update_id, {"update_id": update_id},
                                             error)
        self._remember(update_id)

    def _enqueue(self, item: InboxItem) -> None:
        if item.update_id not in self._queued:
            self._queued.add(item.update_id)
            self._queue.append(item)

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        await self._load()
        while not self._stopping:
            self._wake.clear()
            await self._drain()
            if not self._queue:
                await self._wake.wait()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def process_pending(self) -> int:
        """Process every pending update, those left in the table included."""
        await self._load()
        return await self._drain()

    async def _load(self) -> None:
        if not self._loaded:  # a repeat of what the last process handled is known at once
            self._loaded = True
            for update_id in await self.db.read(lambda tx: tx.inbox.recently_handled()):
                self._handled[update_id] = None
        stored = await self.db.read(lambda tx: tx.inbox.pending(limit=10_000))
        known = self._queued
        for item in stored:
            # Read beside the writer: one handled while this read ran may still look pending.
            if item.update_id not in known and item.update_id not in self._handled:
                self._enqueue(item)
        if stored:
            ordered = sorted(self._queue, key=lambda i: i.update_id)
            self._queue.clear()
            self._queue.extend(ordered)

    async def _drain(self) -> int:
        """Process what is queued: one person's updates strictly in order, different people's
        side by side (up to `concurrency`), so the event loop works while SQLite does."""
        handled = 0
        if len(self._queue) == 1:  # the quiet path: no task to start
            item = self._queue.popleft()
            try:
                await self.process(item)
            finally:
                self._queued.discard(item.update_id)
            return 1
        slots = asyncio.Semaphore(self.concurrency)
        chains: dict[int, asyncio.Task] = {}
        while self._queue and not self._stopping:
            item = self._queue.popleft()
            await slots.acquire()
            key = _sender_of(item.payload)
            task = asyncio.create_task(self._after(chains.get(key), item, slots))
            chains[key] = task
            handled += 1
        if chains:
            await asyncio.gather(*chains.values())
        return handled

    async def _after(
        self, previous: asyncio.Task | None, item: InboxItem, slots: asyncio.Semaphore
    ) -> None:
        try:
            if previous is not None:
                await asyncio.shield(previous)
            await self.process(item)
        finally:
            self._queued.discard(item.update_id)
            slots.release()

    async def process(self, item: InboxItem) -> None:
        for attempt in range(item.attempts + 1, MAX_ATTEMPTS + 1):
            mark = InboxMark(item.update_id, item.payload, final=attempt >= MAX_ATTEMPTS)
            self._marks[item.update_id] = mark
            try:
                update = self._parsed.get(item.update_id) or Update.de_json(item.payload,
                                                                            self.app.bot)
                await self.app.process_update(update)
                if not mark.done and mark.error is None:
                    # No effect: the row is done by itself.
                    await self.db.write(_nothing, completes=mark)
            except UpdateAlreadyHandled:
                log.info("update %s is a repeat of one handled before", item.update_id)
                mark.done = True
            except Exception as exc:  # de_json of a stored payload, or a bug in PTB
                mark.error = signature(exc)
                log.error("update %s could not be processed: %s", item.update_id, mark.error)
                log.debug("update %s", item.update_id, exc_info=exc)
            finally:
                del self._marks[item.update_id]
            if mark.done:
                self._parsed.pop(item.update_id, None)
                self._remember(item.update_id)
                return
            try:
                await self.services.run(self._failed, item, attempt, mark)
            except Exception as exc:  # the bookkeeping must never stop the worker
                log.error("update %s: its failure could not be recorded (%s)", item.update_id,
                          type(exc).__name__)
            if mark.final:
                self._parsed.pop(item.update_id, None)
                self._remember(item.update_id)
                return
            await asyncio.sleep(self.retry_pause * attempt)

    def _remember(self, update_id: int) -> None:
        self._handled[update_id] = None
        while len(self._handled) > REMEMBER_HANDLED:
            self._handled.popitem(last=False)

    def _failed(self, unit: Any, item: InboxItem, attempt: int, mark: InboxMark) -> None:
        error = mark.error or "?"
        unit.tx.inbox.record_failure(item.update_id, item.payload, error, mark.final,
                                     unit.now)
        if mark.final:
            log.error("update %s set aside after %s attempts", item.update_id, attempt)
            people.update_set_aside(unit, item.update_id, attempt, error)

    async def prune(self) -> int:
        """Handled rows go after a week (update ids can repeat after a long idle period), a
        chunk per transaction so that the writer is never held for long."""
        before = self.clock.now() - timedelta(days=KEEP_DONE_DAYS)
        removed = 0
        for _ in range(10_000):  # bounded: 10,000,000 rows
            chunk = await self.db.write(lambda tx: tx.inbox.prune(before, PRUNE_CHUNK))
            removed += chunk
            if chunk < PRUNE_CHUNK:
                break
        return removed


def _refused(unit: Any, update_id: int, payload: dict[str, Any], error: str) -> None:
    unit.tx.inbox.record_failure(update_id, payload, error, True, unit.now)
    people.update_set_aside(unit, update_id, 0, error)


def _nothing(tx: Tx) -> None:
    """A write with no statements of its own: it carries the inbox row's done mark."""


def _sender_of(payload: dict[str, Any]) -> int:
    """Whose update this is: their updates are processed in order (0: no one in particular)."""
    for kind in ("message", "edited_message", "callback_query", "my_chat_member"):
        body = payload.get(kind)
        if isinstance(body, dict):
            sender = body.get("from") or {}
            return int(sender.get("id", 0))
    return 0
