"""The local console: the same application (handlers, services, SQLite) over the in-process Bot
API. You chat as a user; the bot's answers print as they would appear; buttons are numbered."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from typing import Any

from bot.clock import Clock
from bot.local_api import Call, LocalBotApi
from bot.runtime import Minqing
from bot.services import people
from bot.settings import Settings
from storage.models import User

SEED: dict[str, tuple[int, str]] = {
    "citizen": (1001, "张三"),
    "staff": (2001, "李四"),
    "leader": (3001, "陈局长"),
    "liaison": (4001, "王联络"),
    "admin": (5001, "管理员"),
}
HELP = (
    "Type as the current user. A number presses that button. Other console commands:\n"
    "  /as citizen|staff|leader|liaison|admin|<id>   switch who you are\n"
    "  /photo [caption]  /doc [caption]  /voice      send an attachment\n"
    "  /album N          send an album of N photos\n"
    "  /whoami  /quit"
)


class Console:
    def __init__(self, settings: Settings, database_path: str) -> None:
        self.clock = Clock()
        self.api = LocalBotApi(self.clock, record=False)
        self.api.listeners.append(self._show)
        # The console has no staff group: cards go to the staff members' private chats.
        self.minqing = Minqing(settings.model_copy(update={"staff_chat_id": None}),
                               token="1:console", request=self.api,
                               clock=self.clock, database_path=database_path, lift_pacing=True)
        self.user_id, self.name = SEED["citizen"]
        self.names: dict[int, str] = {uid: name for uid, name in SEED.values()}
        self.buttons: dict[int, list[tuple[str, str, int]]] = {}
        self._ids = itertools.count(int(self.clock.now().timestamp()) % 100000 * 1000)
        self._messages = itertools.count(1)

    async def seed(self) -> None:
        for role, (user_id, name) in SEED.items():
            await self.minqing.services.run_preamble(people.seen, user_id, name, None)
            if role != "citizen":
                user: User | None = await self.minqing.db.read(
                    lambda tx, u=user_id: tx.users.get(u))
                if user is not None and user.role == "citizen":
                    await self.minqing.services.run_preamble(people.grant, None, user_id, role)

    def _show(self, call: Call) -> None:
        params = call.params
        chat_id = params.get("chat_id")
        if chat_id is None or call.method in ("setMyCommands", "getChat", "deleteWebhook"):
            return
        if call.method == "answerCallbackQuery":
            if params.get("text"):
                print(f"  ⚠ {params['text']}")
            return
        chat_id = int(chat_id)
        mine = chat_id == self.user_id
        who = "" if mine else f"→ [{self.names.get(chat_id, chat_id)}] "
        body = params.get("text") or params.get("caption") or ""
        if call.method != "sendMessage":
            kind = call.method.removeprefix("send").lower()
            if call.method == "sendMediaGroup":
                media = params.get("media")
                media = json.loads(media) if isinstance(media, str) else media
                kind = f"album of {len(media)}"
                body = next((m.get("caption", "") for m in media if m.get("caption")), "")
            body = f"[{kind}] {body}".strip()
        prefix = "🤖 " if mine else "   "
        for line in str(body).splitlines() or [""]:
            print(f"{prefix}{who}{line}")
            prefix = "   "
        markup = params.get("reply_markup")
        if markup:
            markup = json.loads(markup) if isinstance(markup, str) else markup
            rows = [b for row in markup.get("inline_keyboard", []) for b in row
                    if "callback_data" in b]
            message_id = call.result.get("message_id", 1) if isinstance(call.result, dict) else 1
            self.buttons[chat_id] = [(b["text"], b["callback_data"], message_id) for b in rows]
            if mine:
                print("   " + "  ".join(f"[{i}] {b['text']}" for i, b in enumerate(rows, 1)))

    def _date(self) -> int:
        return int(self.clock.now().timestamp())

    def _user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": self.name}

    def _message(self, **content: Any) -> dict[str, Any]:
        return {"message_id": next(self._messages), "date": self._date(),
                "chat": {"id": self.user_id, "type": "private", "first_name": self.name},
                "from": self._user(), **content}

    def update_for(self, line: str) -> dict[str, Any] | None:
        """Turn a typed line into the update Telegram would send (None: handled here)."""
        words = line.split(maxsplit=1)
        rest = words[1] if len(words) > 1 else ""
        if line.isdigit():
            options = self.buttons.get(self.user_id, [])
            index = int(line) - 1
            if not 0 <= index < len(options):
                print("  (no such button)")
                return None
            _, data, message_id = options[index]
            return {"callback_query": {
                "id": str(next(self._ids)), "from": self._user(), "chat_instance": "console",
                "data": data, "message": {"message_id": message_id, "date": self._date(),
                                          "chat": {"id": self.user_id, "type": "private"},
                                          "text": "…"}}}
        file_id = f"console-{next(self._ids)}"
        if words and words[0] == "/photo":
            photo = [{"file_id": file_id, "file_unique_id": file_id, "width": 1, "height": 1,
                      "file_size": 2048}]
            return {"message": self._message(photo=photo, **({"caption": rest} if rest else {}))}
        if words and words[0] == "/doc":
            doc = {"file_id": file_id, "file_unique_id": file_id, "file_name": "file.pdf",
                   "file_size": 4096}
            return {"message": self._message(document=doc, **({"caption": rest} if rest else {}))}
        if words and words[0] == "/voice":
            voice = {"file_id": file_id, "file_unique_id": file_id, "duration": 3}
            return {"message": self._message(voice=voice)}
        message = self._message(text=line)
        if line.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(line.split()[0])}]
        return {"message": message}

    def album(self, count: int) -> list[dict[str, Any]]:
        group = str(next(self._ids))
        return [{"message": self._message(
            media_group_id=group,
            photo=[{"file_id": f"console-{group}-{i}", "file_unique_id": f"{group}{i}",
                    "width": 1, "height": 1}])} for i in range(max(1, min(count, 10)))]

    def switch(self, who: str) -> None:
        if who in SEED:
            self.user_id, self.name = SEED[who]
        elif who.lstrip("-").isdigit():
            self.user_id = int(who)
            self.name = self.names.setdefault(self.user_id, f"用户{who}")
        else:
            print("  /as citizen|staff|leader|liaison|admin|<id>")
            return
        print(f"  — you are now {self.name} ({self.user_id}) —")

    async def handle(self, line: str) -> bool:
        line = line.rstrip("\n")
        if not line.strip():
            return True
        words = line.split()
        if words[0] == "/quit":
            return False
        if words[0] == "/as":
            self.switch(words[1] if len(words) > 1 else "")
            return True
        if words[0] == "/whoami":
            print(f"  {self.name} ({self.user_id})")
            return True
        if words[0] == "/album":
            count = int(words[1]) if len(words) > 1 and words[1].isdigit() else 2
            updates = self.album(count)
        else:
            update = self.update_for(line)
            if update is None:
                return True
            updates = [update]
        for update in updates:
            update["update_id"] = next(self._ids)
        await self.minqing.inbox.ingest(updates)
        await self.minqing.inbox.process_pending()
        await self.minqing.sender.flush()
        if any("media_group_id" in u.get("message", {}) for u in updates):
            await asyncio.sleep(1.6)  # the outbox waits for the album's other parts
            await self.minqing.sender.flush()
        return True

    async def run(self) -> None:
        await self.minqing.start(background=False)
        await self.seed()
        await self.minqing.sender.flush()
        print(HELP)
        self.switch("citizen")
        await self.handle("/start")
        try:
            while True:
                line = await asyncio.to_thread(_read_line, f"{self.name}> ")
                if line is None or not await self.handle(line):
                    break
        finally:
            await self.minqing.stop()


def _read_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


def run_console(settings: Settings, database_path: str) -> None:
    if sys.platform != "win32":
        try:
            import readline  # noqa: F401  (line editing for input())
        except ImportError:
            pass
    asyncio.run(Console(settings, database_path).run())
