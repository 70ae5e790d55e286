"""An in-process Bot API: answers the bot's calls the way Telegram does, without a network.

The console chats through it, tests record and script it, and the benchmark measures through it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import NetworkError
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


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)
    result: Any = None


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
    def __init__(self, clock: Clock, forum_chats: set[int] | None = None,
                 record: bool = True) -> None:
        self.clock = clock  # the dates on messages are the office's time, as Telegram's are
        self.calls: list[Call] = []
        self.record = record
        self.forum_chats = forum_chats or set()
        self.listeners: list[Callable[[Call], None]] = []
        self.failures: list[Failure] = []
        self.updates: asyncio.Queue[dict[str, Any]] | None = None
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
        failure = self._failure_for(api_method, params)
        if failure is not None:
            if failure.status == 0:
                raise NetworkError(failure.description)
            body: dict[str, Any] = {"ok": False, "error_code": failure.status,
                                    "description": failure.description}
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            if failure.migrate_to is not None:
                body["parameters"] = {"migrate_to_chat_id": failure.migrate_to}
            return failure.status, json.dumps(body).encode()
        if api_method == "getUpdates":
            result: Any = await self._get_updates(params)
        else:
            result = self._answer(api_method, params)
        call = Call(api_method, params, result=result)
        if self.record and api_method != "getUpdates":
            self.calls.append(call)
        for listener in self.listeners:
            try:
                listener(call)
            except Exception:  # a display problem must not look like a failed send
                log.exception("listener failed")
        return 200, json.dumps({"ok": True, "result": result}).encode()

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
        """Make the next matching call fail (status 0: a network error)."""
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

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.updates is None:
            return []
        batch: list[dict[str, Any]] = []
        try:
            batch.append(await asyncio.wait_for(self.updates.get(), timeout=0.05))
        except TimeoutError:
            return []
        while not self.updates.empty() and len(batch) < 100:
            batch.append(self.updates.get_nowait())
        return batch
