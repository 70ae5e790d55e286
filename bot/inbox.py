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
from bot.services import people
from bot.services.unit import Services
from storage.db import Database, InboxMark, UpdateAlreadyHandled, current_inbox
from storage.models import InboxItem
from storage.repos import Tx

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
KEEP_DONE_DAYS = 7
REMEMBER_HANDLED = 10_000  # update ids kept in memory to recognise a repeat without the table


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
        self._loaded = False
        self._stopping = False
        self.retry_pause = 0.05
        self.concurrency = 8

    async def ingest(self, updates: Iterable[dict[str, Any]]) -> int:
        """Store updates; returns once they are committed (then Telegram may be told). Those
        not seen before are handed over at once; their rows commit with the next commit."""
        rows = [(u["update_id"], u) for u in updates if u["update_id"] not in self._handled]
        if not rows:
            return 0
        now = self.clock.now()
        texts = [(update_id, json.dumps(update, ensure_ascii=False)) for update_id, update in rows]

        def store(tx: Tx) -> list[int]:
            return [update_id for update_id, text in texts if tx.inbox.add(update_id, text, now)]

        stored = self.db.write_soon(store)
        for update_id, update in rows:
            self._enqueue(InboxItem(update_id=update_id, payload=update, state="pending",
                                    attempts=0))
        self._wake.set()
        _, added = await stored
        return len(added)

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
            if item.update_id not in known:
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
            token = current_inbox.set(mark)
            try:
                await self.app.process_update(Update.de_json(item.payload, self.app.bot))
                if not mark.done and mark.error is None:
                    await self.db.write(_nothing)  # no effect: the row is done by itself
            except UpdateAlreadyHandled:
                log.info("update %s is a repeat of one handled before", item.update_id)
                mark.done = True
            except Exception as exc:  # de_json of a malformed payload, or a bug in PTB
                log.exception("update %s could not be processed", item.update_id)
                mark.error = repr(exc)[:500]
            finally:
                current_inbox.reset(token)
            if mark.done:
                self._remember(item.update_id)
                return
            await self.services.run_preamble(self._failed, item, attempt, mark)
            if mark.final:
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
        """Handled rows go after a week (update ids can repeat after a long idle period)."""
        before = self.clock.now() - timedelta(days=KEEP_DONE_DAYS)
        return await self.db.write(lambda tx: tx.inbox.prune(before), completes_update=False)


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
