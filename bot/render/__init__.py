"""The one rendering layer: what services say (`bot.core.said`) and what views return become
Bot API calls here, per recipient and language. Only this package builds payloads: method
names, `reply_markup`, callback strings. The same view data can later become a report section,
a ledger sheet or a web page."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from bot.core.said import (
    Delivery,
    Edit,
    Membership,
    OpenTopic,
    Said,
    SendFile,
    SetCommands,
    Tell,
)
from bot.menus import commands
from bot.render import messages, views
from bot.settings import Settings
from bot.texts import t, words
from storage.models import Outgoing
from storage.repos import Tx

_DELIVERY_FIELDS = tuple(f.name for f in fields(Delivery))


class Renderer:
    """Renders in the caller's transaction, so what a service says is queued with its effect."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def deliver(self, tx: Tx, said: Said, now: datetime) -> None:
        for message in self.render(said):
            tx.outbox.add(message, now)

    def present(self, view: object, lang: str) -> list[Said]:
        return views.present(view, lang, self.settings)

    def render(self, said: Said) -> list[Outgoing]:
        if isinstance(said, Tell):
            return _tell(said)
        if isinstance(said, OpenTopic):
            return [Outgoing(chat_id=said.chat_id, method="createForumTopic",
                             payload={"name": said.name[:128]}, case_id=said.case_id,
                             purpose="topic")]
        if isinstance(said, SetCommands):
            return [Outgoing(chat_id=said.chat_id, method="setMyCommands", payload={
                "commands": commands(said.role, said.lang),
                "scope": {"type": "chat", "chat_id": said.chat_id}})]
        if isinstance(said, Membership):
            return [
                Outgoing(chat_id=said.chat_id, method="banChatMember",
                         payload={"user_id": said.user_id}, purpose=said.purpose),
                Outgoing(chat_id=said.chat_id, method="unbanChatMember",
                         payload={"user_id": said.user_id, "only_if_banned": True},
                         purpose=said.purpose),
            ]
        if isinstance(said, SendFile):
            return [messages.file(said)]
        if isinstance(said, Edit):
            return [Outgoing(chat_id=said.chat_id, method="editMessageText", payload={
                "message_id": said.message_id,
                "text": t(said.lang, said.key, **said.params)[:messages.TEXT_LIMIT]})]
        raise TypeError(f"nothing renders {type(said).__name__}")


def _tell(said: Tell) -> list[Outgoing]:
    if said.key == "raw":  # words composed already (a relay, a card): only its parameters
        body = words(said.lang, said.params.get("text", ""))
    else:
        body = t(said.lang, said.key, **said.params)
    delivery = said.delivery
    # Only what differs from Outgoing's defaults (no topic, no delay, priority NOW).
    options: dict[str, Any] = {}
    for name in _DELIVERY_FIELDS:
        value = getattr(delivery, name)
        if value is not None and value is not False and value != 0:
            options[name] = value
    chat = said.to
    if said.album_part and said.media:
        key = said.delivery.album_key or ""
        options.pop("album_key", None)
        options.pop("delay_seconds", None)
        part = messages.album_part(chat, said.media[0], body, key, **options)
        # Later parts of the album keep only their own caption, never the header again.
        part.payload["media"][0]["_first_only"] = said.caption_first_only
        return [part]
    if said.media:
        return messages.media(chat, said.media, body, **options)
    return messages.text(chat, body, said.buttons, said.lang, **options)
