"""The running bot: application, database, services, inbox, outbox sender and schedules,
started and stopped by one pair of functions (our own, since Minqing polls by itself)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.app import build_application
from bot.clock import Clock
from bot.inbox import InboxProcessor
from bot.menus import commands
from bot.outbox import OutboxSender, Pacing
from bot.services import desk, people
from bot.services.unit import Services
from bot.settings import Settings
from schedules import jobs
from storage.db import Database

log = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
POLL_TIMEOUT = 30  # seconds a getUpdates call waits for something to arrive


class Minqing:
    def __init__(
        self,
        settings: Settings,
        *,
        token: str | None = None,
        request: BaseRequest | None = None,
        updates_request: BaseRequest | None = None,
        clock: Clock | None = None,
        lift_pacing: bool = False,
        database_path: str | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.db = Database(database_path or settings.database_path, self.clock)
        self.services = Services(self.db, self.clock, settings)
        self.app: Application = build_application(
            settings, token or settings.token or "0:local", request, updates_request
        )
        self.app.bot_data["minqing"] = self
        # Telegram's limits are kept unless lifted (tests, benchmarks, the local console).
        pacing = None if lift_pacing else Pacing()
        self.sender = OutboxSender(self.db, self.app.bot, self.clock, pacing)
        self.inbox = InboxProcessor(self.app, self.db, self.services, self.clock)
        self._tasks: list[asyncio.Task] = []
        self._polling = False

    async def start(self, *, background: bool = True) -> None:
        """Open the database, initialise the bot, do the start-up work, and (with `background`)
        start the sender, the inbox worker and the schedules."""
        try:
            await self.db.open()
            await self.app.initialize()  # getMe: a rejected token fails here
            await self.services.run_preamble(people.bootstrap_admins, self.settings.admin_ids)
            await self._detect_staff_chat()
            await self._set_default_commands()
            if background:
                await self.app.start()  # the job queue
                jobs.schedule(self)
                self._tasks.append(asyncio.create_task(self.sender.run(), name="outbox"))
                self._tasks.append(asyncio.create_task(self.inbox.run(), name="inbox"))
        except BaseException:
            # A failed start closes what it opened: the database thread would otherwise keep
            # the process alive after the error is reported.
            await self.stop()
            raise

    async def stop(self) -> None:
        self._polling = False
        await self.inbox.stop()
        await self.sender.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        await self.db.close()

    async def poll(self) -> None:
        """Fetch updates, store them, and only then confirm them to Telegram (with the next
        offset), so a crash can never lose one. The answer is taken raw and each update parsed
        on its own: `Bot.get_updates` would raise for a whole batch (and log it, other people's
        words included) when one update is of a shape this library does not know."""
        self._polling = True
        await self.app.bot.delete_webhook(drop_pending_updates=False)
        offset: int | None = None
        backoff = 1.0
        while self._polling:
            try:
                batch = await self._raw_updates(offset)
            except (InvalidToken, Conflict):
                raise
            except TelegramError as exc:
                log.warning("getUpdates failed: %s; retrying in %.0fs", type(exc).__name__,
                            backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            backoff = 1.0
            ids = [u["update_id"] for u in batch
                   if isinstance(u, dict) and type(u.get("update_id")) is int]
            if not ids:
                continue
            try:
                await self.inbox.ingest(batch)
            except Exception as exc:
                # Not stored, so not confirmed: the same offset fetches them again.
                log.error("could not store %d updates (%s); fetching them again", len(ids),
                          type(exc).__name__)
                await asyncio.sleep(1.0)
                continue
            offset = max(ids) + 1

    async def _raw_updates(self, offset: int | None) -> list[Any]:
        params: dict[str, Any] = {"timeout": POLL_TIMEOUT, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        with warnings.catch_warnings():  # PTB suggests its own get_updates: see poll()
            warnings.simplefilter("ignore", PTBUserWarning)
            result = await self.app.bot.do_api_request(
                "getUpdates", params, read_timeout=POLL_TIMEOUT + 10)
        return result if isinstance(result, list) else []

    async def _detect_staff_chat(self) -> None:
        chat_id = self.settings.staff_chat_id
        if chat_id is None:
            return
        try:
            # Raw: only is_forum matters, and ChatFullInfo's required fields change often.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PTBUserWarning)
                chat = await self.app.bot.do_api_request("getChat", {"chat_id": chat_id})
            forum = bool(isinstance(chat, dict) and chat.get("is_forum"))
        except TelegramError as exc:
            log.warning("staff chat %s is not reachable (%s); cards go there as messages",
                        chat_id, exc)
            forum = False
        await self.db.write(lambda tx: tx.kv.put(desk.FORUM_KEY, "1" if forum else "0"),
                            completes_update=False)
        log.info("staff chat %s: %s", chat_id, "forum topics" if forum else "plain group")

    async def _set_default_commands(self) -> None:
        """Everyone's menu (citizen); role menus are set per chat when a role is granted.
        Cosmetic: a failure is logged, never fatal."""
        try:
            for language, code in (("zh", None), ("en", "en")):
                menu = [(c["command"], c["description"]) for c in commands("citizen", language)]
                await self.app.bot.set_my_commands(menu, language_code=code)
        except TelegramError as exc:
            log.warning("could not set the command menu: %s", exc)
