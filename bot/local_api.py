"""An in-process Bot API: answers the bot's calls the way Telegram does, without a network.

The console chats through it, tests record and script it, and the benchmark measures through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.clock import Clock

log = logging.getLogger(__name__)
BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "民情 Minqing",
    "username": "minqing_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": True,
    "supports_inline_queries": False,
}
_SENDS = {
    "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendVideo", "sendAudio",
    "copyMessage",
}
# Every method Minqing calls; anything else is refused, as Telegram refuses an unknown one.
_METHODS = {
    *_SENDS, "getMe", "getUpdates", "sendMediaGroup", "editMessageText",
    "editMessageReplyMarkup", "answerCallbackQuery", "createForumTopic", "setMyCommands",
    "deleteWebhook", "getChat", "leaveChat", "banChatMember", "unbanChatMember",
}
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024
PHOTO_BYTES, FILE_BYTES = 10 * 1024 * 1024, 50 * 1024 * 1024


class Limits:
    """Telegram's limits, when a test switches them on: about 30 messages a second overall,
    one a second in a private chat, 20 a minute in a group (each answered with 429 and
    `retry_after`), the length of a text and a caption, and the size of an upload."""

    def __init__(self) -> None:
        self._overall: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}

    def check(self, method: str, params: dict[str, Any], uploads: dict[str, int]
              ) -> tuple[int, dict[str, Any]] | None:
        if len(str(params.get("text") or "")) > TEXT_LIMIT:
            return _bad("Bad Request: message is too long")
        if len(str(params.get("caption") or "")) > CAPTION_LIMIT:
            return _bad("Bad Request: message caption is too long")
        for name, size in uploads.items():
            if size > (PHOTO_BYTES if name == "photo" else FILE_BYTES):
                return 413, {"ok": False, "error_code": 413,
                             "description": "Request Entity Too Large"}
        if method not in _SENDS and method != "sendMediaGroup":
            return None
        now = time.monotonic()
        chat_id = int(params.get("chat_id") or 0)
        window, most = (60.0, 20) if chat_id < 0 else (1.0, 1)
        for stamps, span, allowed in ((self._overall, 1.0, 30),
                                      (self._chats.setdefault(chat_id, deque()), window, most)):
            while stamps and now - stamps[0] >= span:
                stamps.popleft()
            if len(stamps) >= allowed:
                retry = max(1, math.ceil(span - (now - stamps[0])))
                return 429, {"ok": False, "error_code": 429,
                             "description": f"Too Many Requests: retry after {retry}",
                             "parameters": {"retry_after": retry}}
        self._overall.append(now)
        self._chats[chat_id].append(now)
        return None


def _bad(description: str) -> tuple[int, dict[str, Any]]:
    return 400, {"ok": False, "error_code": 400, "description": description}


def _upload_files(request_data: RequestData | None) -> dict[str, tuple[str, bytes]]:
    """The files a call uploads: field -> (file name, bytes)."""
    if request_data is None or not request_data.contains_files:
        return {}
    files = {}
    for name, value in (request_data.multipart_data or {}).items():
        filename, content = (value[0], value[1]) if isinstance(value, tuple) else (name, value)
        files[name] = (str(filename), bytes(content) if isinstance(content, bytes | bytearray)
                       else b"")
    return files


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)
    result: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # uploads: (name, bytes)


@dataclass
class Uploaded:
    """A file uploaded to the fake Telegram, and the file_id it was given."""

    method: str
    chat_id: int
    name: str
    content: bytes
    file_id: str


@dataclass
class Failure:
    method: str | None
    chat_id: int | None
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1
    migrate_to: int | None = None  # a group upgraded to a supergroup with this id


class LocalBotApi(BaseRequest):
    """The one fake Bot API: the console and the tests use it in process (as PTB's
    `BaseRequest`), and `serve_http` puts it behind an HTTP server on 127.0.0.1 for tests that
    run Minqing as a process. It answers what Minqing uses, refuses any other method as
    Telegram does, can enforce Telegram's limits (`enforce_limits`), and fails calls on a
    schedule (`fail`)."""

    def __init__(self, clock: Clock, forum_chats: set[int] | None = None,
                 record: bool = True, enforce_limits: bool = False) -> None:
        self.clock = clock  # the dates on messages are the office's time, as Telegram's are
        self.calls: list[Call] = []
        self.record = record
        self.forum_chats = forum_chats or set()
        self.listeners: list[Callable[[Call], None]] = []
        self.failures: list[Failure] = []
        self.uploads_received: list[Uploaded] = []
        self.enforce_limits = enforce_limits
        self.limits = Limits()
        # Updates waiting for getUpdates: confirmed (and dropped) by a later call's offset.
        self._waiting: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._lock = threading.Lock()  # the HTTP server answers from its own threads
        self.long_poll_cap = 0.05  # seconds an in-process getUpdates waits (tests stay fast)
        self._message_id = 1000
        self._topic_id = 500

    # --- BaseRequest ----------------------------------------------------------------------
    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = None,
        write_timeout: float | None = None,
        connect_timeout: float | None = None,
        pool_timeout: float | None = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        files = _upload_files(request_data)
        uploads = {name: len(content) for name, (_, content) in files.items()}
        if api_method == "getUpdates":
            failure = self._failure_for(api_method, params)
            if failure is None:
                batch = await self._long_poll(params)
                return 200, json.dumps({"ok": True, "result": batch}).encode()
            status, body = self._failed(failure)
        else:
            status, body = self.answer(api_method, params, uploads, files)
        return status, json.dumps(body).encode()

    # --- the answer engine (shared by both faces) -----------------------------------------
    def answer(self, method: str, params: dict[str, Any],
               uploads: dict[str, int] | None = None,
               files: dict[str, tuple[str, bytes]] | None = None,
               ) -> tuple[int, dict[str, Any]]:
        """Telegram's answer to one call other than getUpdates: (HTTP status, JSON body).
        An uploaded file is kept (`uploads_received`) and given a file_id, as Telegram does."""
        with self._lock:
            failure = self._failure_for(method, params)
            if failure is not None:
                return self._failed(failure)
            if method not in _METHODS:
                return 404, {"ok": False, "error_code": 404,
                             "description": "Not Found: method not found"}
            if self.enforce_limits:
                refused = self.limits.check(method, params, uploads or {})
                if refused is not None:
                    return refused
            for name, (filename, content) in (files or {}).items():
                digest = hashlib.sha256(content).hexdigest()[:8]
                file_id = f"up{len(self.uploads_received) + 1}-{digest}"
                self.uploads_received.append(Uploaded(
                    method, int(params.get("chat_id") or 0), filename, content, file_id))
                params = {**params, name: file_id}
            result = self._answer(method, params)
            call = Call(method, params, result=result, files=dict(files or {}))
            if self.record:
                self.calls.append(call)
        for listener in self.listeners:
            try:
                listener(call)
            except Exception:  # a display problem must not look like a failed send
                log.exception("listener failed")
        return 200, {"ok": True, "result": result}

    def _failed(self, failure: Failure) -> tuple[int, dict[str, Any]]:
        if failure.status == 0:
            raise NetworkError(failure.description)  # a dropped connection
        if failure.status == -1:
            raise TimedOut(failure.description)
        body: dict[str, Any] = {"ok": False, "error_code": failure.status,
                                "description": failure.description}
        if failure.retry_after is not None:
            body["parameters"] = {"retry_after": failure.retry_after}
        if failure.migrate_to is not None:
            body["parameters"] = {"migrate_to_chat_id": failure.migrate_to}
        return failure.status, body

    # --- getUpdates -----------------------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> None:
        """An update arrives at Telegram: the next getUpdates hands it out (raw, so an update
        of any shape, even one no library can parse, can be sent)."""
        with self._lock:
            self._waiting.append(update)
        loop = _running_loop()
        if loop is not None:
            self._arrived.set()

    def take_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """What getUpdates returns now: updates at or after the offset (those before it are
        confirmed, and forgotten), at most `limit`."""
        offset = params.get("offset")
        limit = int(params.get("limit") or 100)
        with self._lock:
            if offset is not None:
                self._waiting = [u for u in self._waiting
                                 if not isinstance(u.get("update_id"), int)
                                 or u["update_id"] >= int(offset)]
            batch = self._waiting[: max(1, min(limit, 100))]
        if self.listeners:
            call = Call("getUpdates", params, result=batch)
            for listener in self.listeners:
                with contextlib.suppress(Exception):
                    listener(call)
        return batch

    @property
    def unconfirmed(self) -> int:
        with self._lock:
            return len(self._waiting)

    async def _long_poll(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        batch = self.take_updates(params)
        if batch:
            return batch
        wait = min(float(params.get("timeout") or 0), self.long_poll_cap)
        self._arrived.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._arrived.wait(), timeout=wait)
        return self.take_updates(params)

    # --- scripting ------------------------------------------------------------------------
    def fail(
        self,
        status: int,
        description: str,
        *,
        method: str | None = None,
        chat_id: int | None = None,
        retry_after: int | None = None,
        times: int = 1,
        migrate_to: int | None = None,
    ) -> None:
        """Make the next matching calls fail: an HTTP status (429 with `retry_after`, 403,
        5xx …), 0 for a dropped connection, -1 for a timeout."""
        self.failures.append(Failure(method, chat_id, status, description, retry_after, times,
                                     migrate_to))

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        return [
            c for c in self.calls
            if (method is None or c.method == method)
            and (chat_id is None or c.params.get("chat_id") == chat_id)
            and (method is not None or c.method in _SENDS or c.method == "sendMediaGroup")
        ]

    def texts(self, chat_id: int) -> list[str]:
        out = []
        for call in self.sent(chat_id):
            out.append(str(call.params.get("text") or call.params.get("caption") or ""))
        return out

    def clear(self) -> None:
        self.calls.clear()

    def _failure_for(self, method: str, params: dict[str, Any]) -> Failure | None:
        for failure in self.failures:
            if failure.method not in (None, method):
                continue
            if failure.chat_id is not None and params.get("chat_id") != failure.chat_id:
                continue
            failure.times -= 1
            if failure.times <= 0:
                self.failures.remove(failure)
            return failure
        return None

    # --- answers --------------------------------------------------------------------------
    def _next_id(self) -> int:
        self._message_id += 1
        return self._message_id

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        chat = ({"id": chat_id, "type": "private", "first_name": "user"} if chat_id > 0
                else {"id": chat_id, "type": "supergroup", "title": "staff",
                      "is_forum": chat_id in self.forum_chats})
        message = {"message_id": self._next_id(), "date": int(self.clock.now().timestamp()),
                   "chat": chat, "from": BOT_USER, **content}
        if params.get("message_thread_id"):
            message["message_thread_id"] = params["message_thread_id"]
            message["is_topic_message"] = True
        return message

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._message(params, text=params.get("text", ""))
        if method in ("sendPhoto", "sendDocument", "sendVoice", "sendVideo", "sendAudio"):
            kind = method[4:].lower()
            file_id = str(params.get(kind))
            file = {"file_id": file_id, "file_unique_id": "u" + file_id}
            if kind == "photo":
                file.update(width=1, height=1)
                content: dict[str, Any] = {"photo": [file]}
            elif kind in ("voice", "audio"):
                content = {kind: {**file, "duration": 1}}
            elif kind == "video":
                content = {kind: {**file, "duration": 1, "width": 1, "height": 1}}
            else:
                content = {kind: file}
            if params.get("caption"):
                content["caption"] = params["caption"]
            return self._message(params, **content)
        if method == "sendMediaGroup":
            media = params.get("media") or []
            if isinstance(media, str):
                media = json.loads(media)
            group = str(self._message_id)
            return [self._message(params, media_group_id=group,
                                  **({"caption": m["caption"]} if m.get("caption") else {}))
                    for m in media]
        if method == "copyMessage":
            return {"message_id": self._next_id()}
        if method == "createForumTopic":
            self._topic_id += 1
            return {"message_thread_id": self._topic_id, "name": params.get("name", ""),
                    "icon_color": 7322096}
        if method == "getChat":
            chat_id = int(params["chat_id"])
            return {"id": chat_id, "type": "supergroup" if chat_id < 0 else "private",
                    "title": "staff", "is_forum": chat_id in self.forum_chats,
                    "accent_color_id": 0, "max_reaction_count": 11,
                    "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                            "unique_gifts": False,
                                            "premium_subscription": False}}
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return self._message(params, text=params.get("text", ""))
        return True
