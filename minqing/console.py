"""The local console: the same application (handlers, services, SQLite, schedules) over the
in-process Bot API. You chat as a user; every message the bot sends prints numbered, as it would
appear; buttons print numbered too, and the console's clock can be moved forward."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import SteppedClock, when
from bot.local_api import Call, LocalBotApi
from bot.services import people
from bot.settings import Settings
from minqing.runtime import Minqing
from schedules.stepping import Stepper
from storage.db import private_file
from storage.models import User

SEED: dict[str, tuple[int, str]] = {
    "citizen": (1001, "张三"),
    "staff": (2001, "李四"),
    "leader": (3001, "陈局长"),
    "liaison": (4001, "王联络"),
    "admin": (5001, "管理员"),
}
DEMO_UNIT = "市博物馆"
CLOCK_KEY = "console:clock_offset"  # seconds the console's clock runs ahead of the wall clock
HELP = (
    "Type as the current user. A number presses that button of the newest message\n"
    "(=3 sends the text 3). Other console commands:\n"
    "  /as citizen|staff|leader|liaison|admin|<id>   switch who you are\n"
    "  /reply N text     reply to the bot's message #N (to answer a relayed message)\n"
    "  /photo [caption]  /doc [caption]  /voice      send an attachment\n"
    "  /album N          send an album of N photos\n"
    "  /clock            show the console's clock;  /clock +1d  /clock +2h30m\n"
    "  /clock 2026-12-16 08:00   move it forward: reminders and other schedules run on the way\n"
    "  /whoami  /quit"
)
_SPAN = re.compile(r"^\+(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?$")
_DIGITS = re.compile(r"^[0-9]{1,3}$")


class Console:
    def __init__(self, settings: Settings, database_path: str,
                 clock: SteppedClock | None = None) -> None:
        self.clock = clock or SteppedClock()
        self.api = LocalBotApi(self.clock, record=False)
        self.api.listeners.append(self._show)
        # No staff group, and no scheduled backups of a database made for trying things out.
        self.minqing = Minqing(settings.model_copy(update={"staff_chat_id": None,
                                                           "backup_dir": ""}),
                               token="1:console", request=self.api, clock=self.clock,
                               database_path=database_path, lift_pacing=True)
        self.stepper: Stepper  # made at start, once the clock is where the database left it
        self.database_path = database_path
        self._saved = itertools.count(1)
        self.user_id, self.name = SEED["citizen"]
        self.names: dict[int, str] = {uid: name for uid, name in SEED.values()}
        # The newest message's buttons in each chat: a number presses one of them.
        self.buttons: dict[int, list[tuple[str, str, int]]] = {}
        # Every message printed, by its console number: (chat, Telegram message id, text).
        self.printed: dict[int, tuple[int, int, str]] = {}
        self._printed_numbers = itertools.count(1)
        self._ids = itertools.count(int(self.clock.now().timestamp()) % 100000 * 1000)
        self._messages = itertools.count(1)

    # --- what the bot says ----------------------------------------------------------------
    def _show(self, call: Call) -> None:
        params = call.params
        if call.method == "answerCallbackQuery":  # a refusal on a button press (an alert)
            if params.get("text"):
                print(f"  ⚠ {params['text']}")
            return
        chat_id = params.get("chat_id")
        if chat_id is None or call.method in ("setMyCommands", "getChat", "deleteWebhook",
                                              "leaveChat"):
            return
        chat_id = int(chat_id)
        body = params.get("text") or params.get("caption") or ""
        if call.method != "sendMessage":
            kind = call.method.removeprefix("send").lower()
            if call.method == "sendMediaGroup":
                media = params.get("media")
                media = json.loads(media) if isinstance(media, str) else media
                kind = f"album of {len(media)}"
                body = next((m.get("caption", "") for m in media if m.get("caption")), "")
            body = f"[{kind}] {body}".strip()
            for filename, content in call.files.values():  # a file the office generated
                body += f"\n{self._save(filename, content)}"
        result = call.result[0] if isinstance(call.result, list) and call.result else call.result
        message_id = result.get("message_id", 0) if isinstance(result, dict) else 0
        number = next(self._printed_numbers)
        self.printed[number] = (chat_id, message_id, str(body))
        mine = chat_id == self.user_id
        who = "" if mine else f"→ [{self.names.get(chat_id, chat_id)}] "
        prefix = f"🤖 #{number} " if mine else f"   #{number} "
        indent = " " * len(prefix)
        for line in str(body).splitlines() or [""]:
            print(f"{prefix}{who}{line}")
            prefix, who = indent, ""
        markup = params.get("reply_markup")
        markup = json.loads(markup) if isinstance(markup, str) else markup or {}
        rows = [b for row in markup.get("inline_keyboard", []) for b in row
                if "callback_data" in b]
        self.buttons[chat_id] = [(b["text"], b["callback_data"], message_id) for b in rows]
        if rows:
            print(indent + self._labels(chat_id))

    def _save(self, filename: str, content: bytes) -> str:
        """Keep an uploaded file beside the console's database (0600: it may hold citizens'
        data) and say where."""
        folder = Path(self.database_path).resolve().parent / "console-files"
        stamp = f"{self.clock.now():%Y%m%d-%H%M%S}-{next(self._saved)}"
        path = folder / f"{stamp}-{Path(filename).name or 'file'}"
        private_file(path)
        path.write_bytes(content)
        return f"(saved: {path}, {len(content):,} bytes)"

    def _labels(self, chat_id: int) -> str:
        return "  ".join(f"[{i}] {label}"
                         for i, (label, _, _) in enumerate(self.buttons[chat_id], 1))

    # --- what you type --------------------------------------------------------------------
    def _date(self) -> int:
        return int(self.clock.now().timestamp())

    def _user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": self.name}

    def _message(self, **content: Any) -> dict[str, Any]:
        return {"message_id": next(self._messages), "date": self._date(),
                "chat": {"id": self.user_id, "type": "private", "first_name": self.name},
                "from": self._user(), **content}

    def _text(self, text: str, **extra: Any) -> dict[str, Any]:
        message = self._message(text=text, **extra)
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return {"message": message}

    def update_for(self, line: str) -> dict[str, Any] | None:
        """Turn a typed line into the update Telegram would send (None: handled here)."""
        words = line.split(maxsplit=1)
        rest = words[1] if len(words) > 1 else ""
        options = self.buttons.get(self.user_id, [])
        if _DIGITS.match(line) and 1 <= int(line) <= len(options):
            _, data, message_id = options[int(line) - 1]
            return {"callback_query": {
                "id": str(next(self._ids)), "from": self._user(), "chat_instance": "console",
                "data": data, "message": {"message_id": message_id, "date": self._date(),
                                          "chat": {"id": self.user_id, "type": "private"},
                                          "text": "…"}}}
        if line.startswith("="):  # a number (or anything) sent as text
            return self._text(line[1:])
        file_id = f"console-{next(self._ids)}"
        if words[0] == "/photo":
            photo = [{"file_id": file_id, "file_unique_id": file_id, "width": 1, "height": 1,
                      "file_size": 2048}]
            return {"message": self._message(photo=photo, **({"caption": rest} if rest else {}))}
        if words[0] == "/doc":
            doc = {"file_id": file_id, "file_unique_id": file_id, "file_name": "file.pdf",
                   "file_size": 4096}
            return {"message": self._message(document=doc, **({"caption": rest} if rest else {}))}
        if words[0] == "/voice":
            voice = {"file_id": file_id, "file_unique_id": file_id, "duration": 3}
            return {"message": self._message(voice=voice)}
        if words[0] == "/reply":
            return self._reply(rest)
        return self._text(line)

    def _reply(self, rest: str) -> dict[str, Any] | None:
        number, _, text = rest.partition(" ")
        found = self.printed.get(int(number)) if _DIGITS.match(number) else None
        if found is None or not text.strip():
            print("  (usage: /reply N text, where #N is a message printed above)")
            return None
        chat_id, message_id, body = found
        if chat_id != self.user_id:
            print(f"  (message #{number} is in {self.names.get(chat_id, chat_id)}'s chat;"
                  " /as them first)")
            return None
        replied = {"message_id": message_id, "date": self._date(),
                   "chat": {"id": chat_id, "type": "private"},
                   "from": {"id": 7000000001, "is_bot": True, "first_name": "bot"},
                   "text": body}
        return self._text(text.strip(), reply_to_message=replied)

    def album(self, count: int) -> list[dict[str, Any]]:
        group = str(next(self._ids))
        return [{"message": self._message(
            media_group_id=group,
            photo=[{"file_id": f"console-{group}-{i}", "file_unique_id": f"{group}{i}",
                    "width": 1, "height": 1}])} for i in range(max(1, min(count, 10)))]

    def switch(self, who: str) -> None:
        if who in SEED:
            self.user_id, self.name = SEED[who]
        elif re.fullmatch(r"[0-9]{1,15}", who):
            self.user_id = int(who)
            self.name = self.names.setdefault(self.user_id, f"用户{who}")
        else:
            print("  /as citizen|staff|leader|liaison|admin|<id>")
            return
        print(f"  — you are now {self.name} ({self.user_id}) —")
        if self.buttons.get(self.user_id):
            print(f"  the newest message's buttons: {self._labels(self.user_id)}")

    # --- the clock ------------------------------------------------------------------------
    def _show_clock(self) -> None:
        print(f"  🕒 {when('en', self.clock.now(), self.minqing.settings.tz)}")

    def target_of(self, spec: str) -> datetime | None:
        """`+1d`, `+2h30m`, or a local `YYYY-MM-DD HH:MM`; None (and a word why) otherwise."""
        match = _SPAN.match(spec.replace(" ", ""))
        if match and any(match.groups()):
            days, hours, minutes = (int(g or 0) for g in match.groups())
            if days > 3660:
                print("  (at most ten years at a time)")
                return None
            return self.clock.now() + timedelta(days=days, hours=hours, minutes=minutes)
        try:
            moment = datetime.strptime(spec.strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            print("  (usage: /clock +1d | +3h | +2h30m | YYYY-MM-DD HH:MM)")
            return None
        target = moment.replace(tzinfo=self.minqing.settings.tz)
        if target < self.clock.now():
            print("  (the clock only moves forward)")
            return None
        return target

    async def move_clock(self, spec: str) -> None:
        target = self.target_of(spec)
        if target is None:
            return
        stops = await self.stepper.advance(target)
        await self._keep_offset()
        self._show_clock()
        print(f"  ({stops} scheduled moments on the way)")

    async def _keep_offset(self) -> None:
        offset = str(self.clock.offset.total_seconds())
        await self.minqing.db.write(lambda tx: tx.kv.put(CLOCK_KEY, offset))

    # --- the loop -------------------------------------------------------------------------
    async def deliver(self) -> None:
        await self.minqing.sender.flush()

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
        if words[0] == "/clock":
            if len(words) == 1:
                self._show_clock()
            else:
                await self.move_clock(line.split(maxsplit=1)[1])
            return True
        if words[0] == "/album":
            count = int(words[1]) if len(words) > 1 and _DIGITS.match(words[1]) else 2
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
        await self.deliver()
        if any("media_group_id" in u.get("message", {}) for u in updates):
            await asyncio.sleep(1.6)  # the outbox waits for the album's other parts
            await self.deliver()
        await self.stepper.advance(self.clock.now())  # what fell due while you typed
        return True

    async def start(self) -> None:
        await self.minqing.start(background=False)
        offset = await self.minqing.db.read(lambda tx: tx.kv.get(CLOCK_KEY))
        if offset:
            self.clock.offset = timedelta(seconds=float(offset))
        self.stepper = Stepper(self.minqing, self.clock, self.deliver)
        await self.seed()
        await self.stepper.run_all()

    async def seed(self) -> None:
        for role, (user_id, name) in SEED.items():
            await self.minqing.services.run(people.seen, user_id, name, None)
            if role != "citizen":
                user: User | None = await self.minqing.db.read(
                    lambda tx, u=user_id: tx.users.get(u))
                if user is not None and user.role == "citizen":
                    await self.minqing.services.run(people.grant, None, user_id, role)
        await self.minqing.db.write(self._demo_unit)

    def _demo_unit(self, tx) -> None:
        """A first console run gets one subordinate unit, with the seeded liaison and leader,
        so that a screening round has someone to prompt (an office registers its own)."""
        if tx.units.exist():
            return
        now = self.clock.now()
        found = tx.units.add(DEMO_UNIT, now)
        tx.units.toggle_liaison(found.id, SEED["liaison"][0])
        tx.units.set_leader(found.id, SEED["leader"][0], now)

    async def run(self) -> None:
        await self.start()
        print(HELP)
        self._show_clock()
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
