"""One per-chat limiter, by the minute: how much a citizen sent in the current minute, whether
they were acknowledged or asked to slow down, and where their flood's summary begins. It is
kept with the other state (one row per chat), so it holds across restarts and workers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from bot.services.unit import Unit

WINDOW = timedelta(minutes=1)


class Minute(BaseModel):
    start: datetime
    messages: int = 0
    attachments: int = 0
    acknowledged: bool = False
    slowed: bool = False  # told to slow down
    digest_from: dict[str, int] = Field(default_factory=dict)  # case id -> first event summed up

    @property
    def ends(self) -> datetime:
        return self.start + WINDOW


def minute(unit: Unit, chat_id: int) -> Minute:
    """This minute's state for the chat (a new one when the last has passed)."""
    raw = unit.tx.kv.get(_key(chat_id))
    if raw is not None:
        state = Minute.model_validate(json.loads(raw))
        if unit.now - state.start < WINDOW:
            return state
    return Minute(start=unit.now)


def keep(unit: Unit, chat_id: int, state: Minute) -> None:
    unit.tx.kv.put(_key(chat_id), state.model_dump_json())


def once_a_minute(unit: Unit, chat_id: int) -> bool:
    """True the first time in a minute: acknowledgements go at most once a minute per chat."""
    state = minute(unit, chat_id)
    if state.acknowledged:
        return False
    state.acknowledged = True
    keep(unit, chat_id, state)
    return True


def _key(chat_id: int) -> str:
    return f"minute:{chat_id}"
