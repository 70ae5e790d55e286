"""Messages as Bot API payloads: text split to Telegram's limits, media, keyboards.

No parse mode is ever set, so a citizen's text can never inject formatting.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.rules import RuleError, split_text
from bot.core.said import ALBUM_WAIT, DOCUMENT_LIMIT, PHOTO_LIMIT, Keyboard, SendFile
from bot.texts import Term, t, words
from storage.models import Media, Outgoing, Upload

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_SEND_ONE = {
    "photo": "sendPhoto",
    "document": "sendDocument",
    "voice": "sendVoice",
    "video": "sendVideo",
    "audio": "sendAudio",
}
# sendMediaGroup only mixes photos with videos; documents and audio go in albums of their own.
_ALBUM_FAMILY = {"photo": "visual", "video": "visual", "document": "document", "audio": "audio"}



def keyboard(rows: Keyboard, lang: str | None = None) -> dict:
    return {
        "inline_keyboard": [
            [{"text": _label(lang, label), "callback_data": press.data()} for label, press in row]
            for row in rows
        ]
    }


def _label(lang: str | None, label: str | Term) -> str:
    return words(lang, label)


def url_keyboard(label: str, url: str) -> dict:
    return {"inline_keyboard": [[{"text": label, "url": url}]]}


def text(
    chat_id: int,
    body: str,
    buttons: Keyboard | None = None,
    lang: str | None = None,
    **options: object,
) -> list[Outgoing]:
    """A text message, split when longer than Telegram allows; buttons go on the last piece."""
    pieces = split_text(body or "…", TEXT_LIMIT)
    out: list[Outgoing] = []
    for index, piece in enumerate(pieces):
        payload: dict = {"text": piece}
        if buttons and index == len(pieces) - 1:
            payload["reply_markup"] = keyboard(buttons, lang)
        out.append(Outgoing(chat_id=chat_id, payload=payload, **options))  # type: ignore[arg-type]
    return out


def media(
    chat_id: int, items: Sequence[Media], caption: str = "", **options: object
) -> list[Outgoing]:
    """Attachments by file_id, albums kept together; a caption too long for Telegram is sent
    as text first."""
    out: list[Outgoing] = []
    if len(caption) > CAPTION_LIMIT:
        out += text(chat_id, caption, **options)
        caption = ""
    groups: list[list[Media]] = []
    for item in items:
        family = _ALBUM_FAMILY.get(item.type)
        last = groups[-1] if groups else None
        if (
            family
            and last
            and _ALBUM_FAMILY.get(last[0].type) == family
            and len(last) < 10
        ):
            last.append(item)
        else:
            groups.append([item])
    for group in groups:
        if len(group) == 1:
            one = group[0]
            payload: dict = {one.type: one.file_id}
            if caption:
                payload["caption"] = caption
            method = _SEND_ONE[one.type]
            out.append(Outgoing(chat_id=chat_id, method=method, payload=payload,
                                **options))  # type: ignore[arg-type]
        else:
            parts = [{"type": m.type, "media": m.file_id} for m in group]
            if caption:
                parts[0]["caption"] = caption
            payload = {"media": parts}
            out.append(Outgoing(chat_id=chat_id, method="sendMediaGroup", payload=payload,
                                **options))  # type: ignore[arg-type]
        caption = ""
    if caption:
        out += text(chat_id, caption, **options)
    return out


def album_part(
    chat_id: int, item: Media, caption: str, album_key: str, **options: object
) -> Outgoing:
    """One part of an album that arrives as separate updates; the outbox gathers the parts
    under `album_key` and sends them together after a short wait."""
    part: dict = {"type": item.type, "media": item.file_id}
    if caption:
        part["caption"] = caption[:CAPTION_LIMIT]
    return Outgoing(
        chat_id=chat_id,
        method="sendMediaGroup",
        payload={"media": [part]},
        album_key=album_key,
        delay_seconds=ALBUM_WAIT,
        **options,  # type: ignore[arg-type]
    )


def file(said: SendFile) -> Outgoing:
    """A file of the office's own (a chart as a photo, a ledger as a document), uploaded by the
    outbox from the bytes it keeps. Telegram's limits are checked here, before anything is
    queued: a file too large is refused in words."""
    limit = PHOTO_LIMIT if said.as_photo else DOCUMENT_LIMIT
    if len(said.content) > limit:
        raise RuleError("err_file_too_large", name=said.filename,
                        size=f"{len(said.content) / 1024 / 1024:.1f}", limit=limit // 1024 // 1024)
    kind = "photo" if said.as_photo else "document"
    payload: dict = {}
    if said.caption_key:
        payload["caption"] = t(said.lang, said.caption_key, **said.params)[:CAPTION_LIMIT]
    delivery = said.delivery
    return Outgoing(chat_id=said.to, method="sendPhoto" if said.as_photo else "sendDocument",
                    payload=payload, case_id=delivery.case_id, purpose=delivery.purpose,
                    notify_id=delivery.notify_id, priority=delivery.priority,
                    upload=Upload(kind=kind, name=said.filename, content=said.content))
