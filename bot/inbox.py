"""The durable inbox: updates are stored before Telegram is told they arrived, processed from
the table, and marked done in the transaction of their effect."""

from __future__ import annotations

import asyncio
import json
import logging
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
    def __init__(self, app: Application, db: Database, services: Services, clock: Clock) -> None:
        self.app = app
        self.db = db
        self.services = services
        self.clock = clock
        self._wake = asyncio.Event()
        self._stopping = False
        self.retry_pause = 0.05

    async def ingest(self, updates: Iterable[dict[str, Any]]) -> int:
        """Store updates (one transaction); an update id seen before is ignored."""
        rows = [(u["update_id"], json.dumps(u, ensure_ascii=False)) for u in updates]
        if not rows:
            return 0
        now = self.clock.now()

        def store(tx: Tx) -> int:
            return sum(tx.inbox.add(update_id, payload, now) for update_id, payload in rows)

        added = await self.db.write(store, completes_update=False)
        self._wake.set()
        return added

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            await self.process_pending()
            await self._wake.wait()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def process_pending(self) -> int:
        """Process every pending update in update-id order; returns how many were handled."""
        handled = 0
        while not self._stopping:
            batch = await self.db.read(lambda tx: tx.inbox.pending(limit=100))
            if not batch:
                break
            for item in batch:
                await self.process(item)
                handled += 1
        return handled

    async def process(self, item: InboxItem) -> None:
        for attempt in range(item.attempts + 1, MAX_ATTEMPTS + 1):
            mark = InboxMark(item.update_id, attempt=attempt, final=attempt >= MAX_ATTEMPTS)
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
