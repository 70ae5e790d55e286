"""A Telegram message read into the plain `Incoming` model the services take."""

from __future__ import annotations

from telegram import Message

from bot.core.incoming import MAX_FILE_BYTES, Incoming, Media

_UNSUPPORTED = (
    "sticker", "animation", "video_note", "location", "venue", "poll", "dice", "game",
    "invoice", "story",
)


def read_message(message: Message) -> Incoming:
    media: list[Media] = []
    too_large = False
    if message.photo:
        best = message.photo[-1]
        media.append(
            Media(type="photo", file_id=best.file_id, file_unique_id=best.file_unique_id,
                  file_size=best.file_size)
        )
    for kind in ("document", "voice", "video", "audio"):
        item = getattr(message, kind)
        if item is not None:
            media.append(
                Media(type=kind, file_id=item.file_id, file_unique_id=item.file_unique_id,
                      file_size=item.file_size, file_name=getattr(item, "file_name", None))
            )
    for item in media:
        if item.file_size and item.file_size > MAX_FILE_BYTES:
            too_large = True
    unsupported = None
    if not media and not message.text and not message.contact:
        unsupported = next((k for k in _UNSUPPORTED if getattr(message, k, None)), "other")
    reply = message.reply_to_message
    header = None
    if reply is not None and reply.from_user is not None and reply.from_user.is_bot:
        header = (reply.text or reply.caption or "").split("\n", 1)[0][:200] or None
    return Incoming(
        chat_id=message.chat_id,
        message_id=message.message_id,
        thread_id=message.message_thread_id if message.is_topic_message else None,
        reply_to_message_id=reply.message_id if reply and not _is_topic_root(message) else None,
        reply_to_header=header,
        text=message.text or message.caption or "",
        media=media,
        media_group_id=message.media_group_id,
        contact_phone=message.contact.phone_number if message.contact else None,
        unsupported=unsupported,
        too_large=too_large,
    )


def _is_topic_root(message: Message) -> bool:
    """In a forum, a message is a 'reply' to its topic's first message; that is no real reply."""
    reply = message.reply_to_message
    return bool(
        message.is_topic_message and reply is not None and reply.forum_topic_created is not None
    )
