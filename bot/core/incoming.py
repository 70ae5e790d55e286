"""What a citizen or staff member sent, as a plain model (read off Telegram by
`handlers.reading`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from storage.models import Media

__all__ = ["MAX_FILE_BYTES", "Incoming", "Media"]  # Media too: handlers never import storage

MAX_FILE_BYTES = 20 * 1024 * 1024  # what a bot can download through the public Bot API


class Incoming(BaseModel):
    chat_id: int
    message_id: int
    thread_id: int | None = None
    reply_to_message_id: int | None = None
    # The first line of a bot message replied to: its case number, when its id was never
    # recorded (the copy sent again after a crash).
    reply_to_header: str | None = None
    text: str = ""
    media: list[Media] = Field(default_factory=list)
    media_group_id: str | None = None
    contact_phone: str | None = None
    unsupported: str | None = None
    too_large: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and not self.media and not self.contact_phone
