"""A whole office on a temporary database and the in-process Bot API: updates go in through the
inbox and the real Application, and what the bot sends is read off the fake transport."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from telegram import Update

from bot.clock import FakeClock, when_day
from bot.context import MinqingContext
from bot.core.presses import JOURNEYS, parse
from bot.local_api import LocalBotApi
from bot.services import people
from bot.settings import Settings
from minqing.runtime import Minqing
from storage.db import UpdateAlreadyHandled

CITIZEN, CITIZEN2, STAFF, STAFF2, LEADER, ADMIN = 1001, 1002, 2001, 2002, 3001, 4001
NAMES = {CITIZEN: "张三", CITIZEN2: "王五", STAFF: "李四", STAFF2: "赵六", LEADER: "陈局长",
         ADMIN: "管理员"}
# The tests' clock starts on Monday 2031-12-01 at 10:00 in Asia/Shanghai (the office is open),
# far from today on purpose: a moment taken from the wall clock instead of the injected one
# shows at once. Tests write their days relative to it.
START_DAY = date(2031, 12, 1)
YEAR = START_DAY.year
OPEN_HOURS = datetime.combine(START_DAY, time(2, 0), UTC)


def day(offset: int) -> date:
    """The day `offset` days after the first day of the tests' clock (0: Monday)."""
    return START_DAY + timedelta(days=offset)


# A case's handling deadline, as a column of a query on `cases`.
HANDLE_DUE = ("(SELECT due_at FROM case_deadlines WHERE case_id = cases.id AND kind = 'handle')"
              " AS due_at")


def ymd(offset: int) -> str:
    """That day as commands take it: 2031-12-03."""
    return day(offset).isoformat()


def zh_day(offset: int) -> str:
    """That day as the office writes it in Chinese: 2031年12月3日（周三）."""
    return when_day("zh", day(offset))


def moment(offset: int, hour: int, minute: int = 0) -> datetime:
    """A moment in UTC on that day (Shanghai is 8 hours ahead)."""
    return datetime.combine(day(offset), time(hour, minute), UTC)


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"admin_ids": [ADMIN], "office_name": "群众工作服务室",
                              "office_phone": "0531-12345678"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class Office:
    def __init__(self, db_path: Path, settings: Settings, clock: FakeClock,
                 api: LocalBotApi | None = None) -> None:
        self.db_path = db_path
        self.settings = settings
        self.clock = clock
        self.api = api or LocalBotApi(clock, forum_chats={settings.staff_chat_id}
                                      if settings.staff_chat_id else set())
        self.errors: list[BaseException] = []
        # Every button the bot sent in this test (the check at the end: each one round-trips).
        self.sent_buttons: set[str] = set()
        self.api.listeners.append(self._note_buttons)
        self.expect_errors = False
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(5000)
        self.minqing = self._build()

    def _build(self) -> Minqing:
        minqing = Minqing(self.settings, token="1:test", request=self.api, clock=self.clock,
                          database_path=str(self.db_path), lift_pacing=True)
        minqing.inbox.retry_pause = 0
        # No worker handles updates as they arrive here: a stored row need not wait for an
        # effect to share its commit.
        minqing.db.rider_linger = 0

        async def record_error(update: object, context: MinqingContext) -> None:
            if not isinstance(context.error, UpdateAlreadyHandled):  # a repeat, not a failure
                self.errors.append(context.error)  # type: ignore[arg-type]

        minqing.app.add_error_handler(record_error)
        return minqing

    async def start(self, seed: bool = True) -> Office:
        await self.minqing.start(background=False)
        if seed:
            for user_id in (STAFF, STAFF2):
                await self.minqing.services.run(people.grant, ADMIN, user_id, "staff")
            await self.minqing.services.run(people.grant, ADMIN, LEADER, "leader")
            for user_id, name in NAMES.items():
                await self.minqing.services.run(people.seen, user_id, name, None)
            await self.minqing.sender.flush()
            self.api.clear()
        return self

    async def stop(self) -> None:
        await self.minqing.stop()

    async def restart(self, deliver: bool = True) -> None:
        """A new Application on the same database file, as after a crash or a deploy."""
        if self.minqing.db._conn is not None:
            await self.minqing.stop()
        self.minqing = self._build()
        await self.minqing.start(background=False)
        if deliver:
            await self.settle()

    def _note_buttons(self, call: Any) -> None:
        markup = call.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in (markup or {}).get("inline_keyboard", []):
            self.sent_buttons.update(b["callback_data"] for b in row if "callback_data" in b)

    def check_buttons(self) -> None:
        """Each button's data parses, by its own journey's definition and pattern, back into
        the very same data (typed callback data: bot.core.presses)."""
        for data in self.sent_buttons:
            press = parse(data)
            assert press is not None and press.data() == data, data
            journeys = [j for j in JOURNEYS if re.match(j.pattern, data)]
            assert len(journeys) == 1 and journeys[0].parse(data) == press, data

    def check_errors(self) -> None:
        self.check_buttons()
        if self.errors and not self.expect_errors:
            raise AssertionError(f"handler raised: {self.errors!r}")

    # --- feeding updates ------------------------------------------------------------------
    def user_json(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": NAMES.get(user_id, f"u{user_id}"),
                "language_code": "zh-hans"}

    def message_json(self, user_id: int, text: str | None = None, *, chat_id: int | None = None,
                     **extra: Any) -> dict[str, Any]:
        chat_id = chat_id if chat_id is not None else user_id
        chat = ({"id": chat_id, "type": "private", "first_name": NAMES.get(user_id, "u")}
                if chat_id > 0 else {"id": chat_id, "type": "supergroup", "title": "staff",
                                     "is_forum": chat_id in self.api.forum_chats})
        message: dict[str, Any] = {"message_id": next(self._ids) + 100000,
                                   "date": int(self.clock.now().timestamp()),
                                   "chat": chat, "from": self.user_json(user_id)}
        if text is not None:
            if extra.pop("caption", False):
                message["caption"] = text
            else:
                message["text"] = text
                if text.startswith("/"):
                    command = text.split()[0]
                    message["entities"] = [{"type": "bot_command", "offset": 0,
                                            "length": len(command)}]
        message.update(extra)
        return message

    def update_json(self, **content: Any) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), **content}

    async def feed(self, *updates: dict[str, Any]) -> None:
        await self.minqing.inbox.ingest(updates)
        await self.settle()

    async def settle(self) -> None:
        await self.minqing.inbox.process_pending()
        await self.minqing.sender.flush()
        self.check_errors()

    async def send(self, user_id: int, text: str | None = None, **extra: Any) -> dict[str, Any]:
        update = self.update_json(message=self.message_json(user_id, text, **extra))
        await self.feed(update)
        return update

    async def photo(self, user_id: int, file_id: str, caption: str | None = None,
                    **extra: Any) -> dict[str, Any]:
        photo = [{"file_id": file_id, "file_unique_id": "u" + file_id, "width": 90,
                  "height": 90, "file_size": 1000}]
        if caption is not None:
            return await self.send(user_id, caption, caption=True, photo=photo, **extra)
        return await self.send(user_id, None, photo=photo, **extra)

    async def document(self, user_id: int, file_id: str, size: int = 1000,
                       **extra: Any) -> dict[str, Any]:
        doc = {"file_id": file_id, "file_unique_id": "u" + file_id, "file_name": "a.pdf",
               "file_size": size}
        return await self.send(user_id, None, document=doc, **extra)

    async def press(self, user_id: int, data: str, chat_id: int | None = None,
                    message_id: int = 1) -> dict[str, Any]:
        chat_id = chat_id if chat_id is not None else user_id
        message = self.message_json(STAFF if chat_id < 0 else user_id, "…", chat_id=chat_id)
        message["from"] = {"id": 7000000001, "is_bot": True, "first_name": "bot"}
        message["message_id"] = message_id
        update = self.update_json(callback_query={
            "id": str(next(self._ids)), "from": self.user_json(user_id),
            "chat_instance": "ci", "data": data, "message": message})
        await self.feed(update)
        return update

    # --- reading what the bot said --------------------------------------------------------
    def texts(self, chat_id: int) -> list[str]:
        return self.api.texts(chat_id)

    def last_text(self, chat_id: int) -> str:
        texts = self.texts(chat_id)
        assert texts, f"nothing was sent to {chat_id}"
        return texts[-1]

    def buttons(self, chat_id: int) -> dict[str, str]:
        """The buttons of the last message with buttons sent to the chat: label -> data."""
        for call in reversed(self.api.sent(chat_id)):
            markup = call.params.get("reply_markup")
            if markup:
                if isinstance(markup, str):
                    import json

                    markup = json.loads(markup)
                return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"]
                        for b in row if "callback_data" in b}
        return {}

    def alerts(self) -> list[str]:
        return [str(c.params.get("text", "")) for c in self.api.calls
                if c.method == "answerCallbackQuery" and c.params.get("text")]

    async def time_a_reply(self, chat_id: int, text: str, bound: int = 300) -> float:
        """Queue a reply to `chat_id` while the sender runs; the seconds until the transport
        holds it (the sender must be running; at most `bound` hundredths of a second)."""
        import time as wall

        from storage.models import Outgoing

        began = wall.monotonic()
        await self.minqing.db.write(lambda tx: tx.outbox.add(
            Outgoing(chat_id=chat_id, payload={"text": text}), self.clock.now()))
        for _ in range(bound):
            if self.api.sent(chat_id):
                break
            await asyncio.sleep(0.01)
        return wall.monotonic() - began

    async def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        return await self.minqing.db.read(
            lambda tx: [dict(r) for r in tx.conn.execute(sql, params).fetchall()])


def callback_update(update: dict[str, Any], office: Office) -> Update:
    return Update.de_json(update, office.minqing.app.bot)
