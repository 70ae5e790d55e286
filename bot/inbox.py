"""The durable inbox: updates are stored before Telegram is told they arrived, processed from
the table, and marked done in the transaction of their effect."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.clock import Clock
from bot.services import people
from bot.services.unit import Services
from storage.db import Database, InboxMark, current_inbox
from storage.models import InboxItem
from storage.repos import Tx

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
KEEP_DONE_DAYS = 7


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
        self._stopping = False
        self.retry_pause = 0.05
        self.concurrency = 8

    async def ingest(self, updates: Iterable[dict[str, Any]]) -> int:
        """Store updates (one transaction); an update id seen before is ignored."""
        rows = [(u["update_id"], u) for u in updates]
        if not rows:
            return 0
        now = self.clock.now()

        def store(tx: Tx) -> list[int]:
            return [update_id for update_id, update in rows
                    if tx.inbox.add(update_id, json.dumps(update, ensure_ascii=False), now)]

        added = await self.db.write(store, completes_update=False)
        fresh = set(added)
        for update_id, update in rows:
            if update_id in fresh:
                self._enqueue(InboxItem(update_id=update_id, payload=update, state="pending",
                                        attempts=0))
        self._wake.set()
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
            mark = InboxMark(item.update_id, final=attempt >= MAX_ATTEMPTS)
            token = current_inbox.set(mark)
            try:
                await self.app.process_update(Update.de_json(item.payload, self.app.bot))
            except Exception as exc:  # de_json of a malformed payload, or a bug in PTB
                log.exception("update %s could not be processed", item.update_id)
                mark.error = repr(exc)[:500]
            finally:
                current_inbox.reset(token)
            if mark.done:
                return
            if mark.error is None:
                await self.db.write(lambda tx: tx.inbox.mark_done(item.update_id),
                                    completes_update=False)
                return
            await self.services.run_preamble(self._failed, item.update_id, attempt, mark)
            if mark.final:
                return
            await asyncio.sleep(self.retry_pause * attempt)

    @staticmethod
    def _failed(unit: Any, update_id: int, attempt: int, mark: InboxMark) -> None:
        error = mark.error or "?"
        unit.tx.inbox.record_failure(update_id, error, set_aside=mark.final)
        if mark.final:
            log.error("update %s set aside after %s attempts", update_id, attempt)
            people.update_set_aside(unit, update_id, attempt, error)

    async def prune(self) -> int:
        """Handled rows go after a week (update ids can repeat after a long idle period)."""
        before = self.clock.now() - timedelta(days=KEEP_DONE_DAYS)
        return await self.db.write(lambda tx: tx.inbox.prune(before), completes_update=False)


def _sender_of(payload: dict[str, Any]) -> int:
    """Whose update this is: their updates are processed in order (0: no one in particular)."""
    for kind in ("message", "edited_message", "callback_query", "my_chat_member"):
        body = payload.get(kind)
        if isinstance(body, dict):
            sender = body.get("from") or {}
            return int(sender.get("id", 0))
    return 0
