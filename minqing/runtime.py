"""The running bot: application, database, services, inbox, outbox sender and schedules,
started and stopped by one pair of functions (our own, since Minqing polls by itself)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import sqlite3
import time
import warnings
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.ext import Application, filters
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.context import SERVICES
from bot.core.calendar import parse_hhmm
from bot.faults import signature
from bot.inbox import InboxProcessor
from bot.menus import commands
from bot.outbox import OutboxSender, Pacing
from bot.render import Renderer
from bot.services import delivery, desk, people, staff_chat
from bot.services.unit import Services
from bot.settings import Settings
from bot.texts import t
from minqing.app import build_application
from schedules import jobs
from storage import maintenance
from storage.db import Database
from storage.maintenance import HEARTBEAT_KEY, DatabaseLock
from storage.models import OutboxItem

log = logging.getLogger(__name__)
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
POLL_TIMEOUT = 30  # seconds a getUpdates call waits for something to arrive
HEARTBEAT_EVERY = 30.0  # seconds between heartbeat writes
BACKUP_KEY = "backup:last_day"


class StartupFailed(Exception):
    """Start-up gave up: one line saying why, for the operator (exit code 1)."""


async def start_when_reachable(settings: Settings, stop: asyncio.Event) -> Minqing | None:
    """Start the bot, trying again while the Bot API cannot be reached (with backoff, logged
    once a minute) for up to STARTUP_RETRY_MINUTES; None when asked to stop meanwhile. A
    database that is locked, cannot be written or is full ends it at once."""
    deadline = time.monotonic() + settings.startup_retry_minutes * 60
    backoff, logged = 1.0, -math.inf
    while True:
        minqing = Minqing(settings)
        try:
            await minqing.start()
            return minqing
        except (InvalidToken, Conflict):
            raise
        except NetworkError as exc:  # refused, reset, timed out: it may come up
            if time.monotonic() >= deadline:
                raise StartupFailed(
                    f"Cannot reach the Bot API at {settings.telegram_api_url} "
                    f"({type(exc).__name__}); gave up after "
                    f"{settings.startup_retry_minutes:g} minutes") from None
            if time.monotonic() - logged >= 60:
                logged = time.monotonic()
                log.warning("the Bot API cannot be reached (%s); trying again",
                            type(exc).__name__)
        except (sqlite3.Error, OSError) as exc:
            raise StartupFailed(
                f"Cannot use the database {settings.database_path}: {exc}") from None
        try:
            await asyncio.wait_for(stop.wait(), timeout=backoff)
            return None
        except TimeoutError:
            backoff = min(backoff * 2, 30.0)


class WorkerStopped(StartupFailed):
    """A background worker ended: the process exits 1 for its supervisor to restart it."""


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
        self.services = Services(self.db, self.clock, settings, Renderer(settings))
        self.app: Application = build_application(
            settings, token or settings.token or "0:local", request, updates_request
        )
        self.app.bot_data[SERVICES] = self.services
        self.services.on_staff_chat_moved = self.staff_chat_moved
        # Telegram's limits are kept unless lifted (tests, benchmarks, the local console).
        pacing = (None if lift_pacing or not settings.telegram_pacing
                  else Pacing(broadcast=settings.broadcast_rate))
        self.sender = OutboxSender(self.db, self.app.bot, self.clock, pacing)
        self.sender.on_undelivered = self._undelivered
        self.sender.on_moved = self.staff_chat_moved
        self.inbox = InboxProcessor(self.app, self.db, self.services, self.clock)
        self._tasks: list[asyncio.Task] = []
        self._polling = False
        self.lock = DatabaseLock(self.db.path)
        self._heartbeat_at = -math.inf

    async def start(self, *, background: bool = True) -> None:
        """Open the database, initialise the bot, do the start-up work, and (with `background`)
        start the sender, the inbox worker and the schedules."""
        try:
            if not self.lock.acquire():
                raise StartupFailed(f"Another Minqing is running on {self.db.path}; stop it "
                                    "first (the lock is held on its .lock file)")
            await self.db.open()
            # A write first: a database that is locked, read-only or full fails here, at once.
            await self.services.run(people.bootstrap_admins, self.settings.admin_ids)
            await self.app.initialize()  # getMe: a rejected token fails here
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
        """Close everything in reverse order of opening; a step that fails is logged and the
        others still run (the database is closed and the lock released whatever happened)."""
        self._polling = False

        async def workers() -> None:
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            self._tasks.clear()

        async def application() -> None:
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()

        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("inbox", self.inbox.stop), ("outbox", self.sender.stop), ("workers", workers),
            ("application", application), ("database", self.db.close),
        ]
        for name, step in steps:
            try:
                await step()
            except Exception as exc:
                log.error("stopping the %s failed: %s", name, signature(exc))
        self.lock.release()

    async def supervise(self) -> None:
        """Return never while the background workers run; if one ends (it should not), say
        which and why: the process then exits non-zero so that its supervisor starts it
        again, and the inbox makes that safe."""
        if not self._tasks:
            await asyncio.Event().wait()
        done, _ = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
        task = next(iter(done))
        error = task.exception() if not task.cancelled() else None
        why = signature(error) if error else "it returned"
        log.critical("the %s worker stopped: %s", task.get_name(), why)
        raise WorkerStopped(f"The {task.get_name()} worker stopped ({why}); exiting so that "
                            "the supervisor starts Minqing again")

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
            self._heartbeat()
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

    def _heartbeat(self) -> None:
        """`health` reads when the last poll succeeded; written at most every 30 s, riding
        in the next commit."""
        if time.monotonic() - self._heartbeat_at < HEARTBEAT_EVERY:
            return
        self._heartbeat_at = time.monotonic()
        moment = self.clock.now().isoformat()
        self.db.write_soon(lambda tx: tx.kv.put(HEARTBEAT_KEY, moment))

    async def backup_if_due(self) -> Path | None:
        """The daily backup at BACKUP_TIME into BACKUP_DIR, keeping the last BACKUP_KEEP."""
        settings = self.settings
        if not settings.backup_dir:
            return None
        here = self.clock.now().astimezone(settings.tz)
        due = datetime.combine(here.date(), parse_hhmm(settings.backup_time), settings.tz)
        last = await self.db.read(lambda tx: tx.kv.get(BACKUP_KEY))
        if here < due or last == here.date().isoformat():
            return None
        target = await asyncio.to_thread(maintenance.daily_backup, self.db.path,
                                         Path(settings.backup_dir), here, settings.backup_keep)
        await self.db.write(lambda tx: tx.kv.put(BACKUP_KEY, here.date().isoformat()))
        log.info("backup written: %s", target.name)
        return target

    async def _raw_updates(self, offset: int | None) -> list[Any]:
        params: dict[str, Any] = {"timeout": POLL_TIMEOUT, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        with warnings.catch_warnings():  # PTB suggests its own get_updates: see poll()
            warnings.simplefilter("ignore", PTBUserWarning)
            result = await self.app.bot.do_api_request(
                "getUpdates", params, read_timeout=POLL_TIMEOUT + 10)
        return result if isinstance(result, list) else []

    async def _undelivered(self, item: OutboxItem, state: str) -> None:
        await self.services.run(delivery.undelivered, item, state)

    async def staff_chat_moved(self, old: int, new: int) -> None:
        """The staff group became a supergroup: use the new id from now on (and at restart)."""
        if old != self.settings.staff_chat_id:
            return
        await self.services.run(staff_chat.moved, old, new)
        self._use_staff_chat(new)

    def _use_staff_chat(self, chat_id: int) -> None:
        old = self.settings.staff_chat_id
        self.settings = self.settings.model_copy(update={"staff_chat_id": chat_id})
        self.services.settings = self.settings
        self.services.renderer = Renderer(self.settings)
        for handler in self.app.handlers.get(0, []):
            chat_filter = getattr(handler, "filters", None)
            for part in _filter_parts(chat_filter):
                if isinstance(part, filters.Chat) and old in part.chat_ids:
                    part.remove_chat_ids(old)
                    part.add_chat_ids(chat_id)

    async def _detect_staff_chat(self) -> None:
        chat_id = self.settings.staff_chat_id
        if chat_id is None:
            return
        moved = await self.services.read(staff_chat.moved_to, chat_id)
        if moved is not None and moved != chat_id:
            log.warning("staff chat %s became %s; using the new id (set STAFF_CHAT_ID=%s)",
                        chat_id, moved, moved)
            self._use_staff_chat(moved)
            chat_id = moved
        forum = await self.check_staff_chat()
        if forum is None:
            return
        await self.db.write(lambda tx: tx.kv.put(desk.FORUM_KEY, "1" if forum else "0"))
        log.info("staff chat %s: %s", chat_id, "forum topics" if forum else "plain group")

    async def check_staff_chat(self) -> bool | None:
        """Ask Telegram about the staff group: lost or back, upgraded, forum or not (None when
        it cannot be told now)."""
        chat_id = self.settings.staff_chat_id
        if chat_id is None:
            return None
        try:
            # Raw: only is_forum matters, and ChatFullInfo's required fields change often.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PTBUserWarning)
                chat = await self.app.bot.do_api_request("getChat", {"chat_id": chat_id})
        except ChatMigrated as exc:
            await self.staff_chat_moved(chat_id, exc.new_chat_id)
            return await self.check_staff_chat()
        except (Forbidden, BadRequest) as exc:
            log.warning("staff chat %s refuses the bot (%s); cards go to private chats",
                        chat_id, type(exc).__name__)
            await self.services.run(staff_chat.lost, chat_id,
                                             t(self.settings.default_language, "why_removed"))
            return False
        except TelegramError as exc:
            log.warning("staff chat %s is not reachable now (%s)", chat_id, type(exc).__name__)
            return None
        await self.services.run(staff_chat.back, chat_id)
        return bool(isinstance(chat, dict) and chat.get("is_forum"))

    async def _set_default_commands(self) -> None:
        """Everyone's menu (citizen); role menus are set per chat when a role is granted.
        Cosmetic: a failure is logged, never fatal."""
        try:
            for language, code in (("zh", None), ("en", "en")):
                menu = [(c["command"], c["description"]) for c in commands("citizen", language)]
                await self.app.bot.set_my_commands(menu, language_code=code)
        except TelegramError as exc:
            log.warning("could not set the command menu: %s", exc)


def _filter_parts(chat_filter: object) -> list[object]:
    """The filters inside a combined filter (`a & ~b`), so one of them can be changed."""
    parts: list[object] = []
    stack = [chat_filter]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        parts.append(item)
        for name in ("base_filter", "and_filter", "or_filter", "xor_filter", "f"):
            inner = getattr(item, name, None)
            if isinstance(inner, filters.BaseFilter):
                stack.append(inner)
    return parts
