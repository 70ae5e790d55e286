"""Rows as pydantic models: what repositories return and services pass around."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Role = Literal["citizen", "staff", "leader", "liaison", "admin"]
ROLES: tuple[Role, ...] = ("citizen", "staff", "leader", "liaison", "admin")
CaseKind = Literal["help", "complaint", "petition", "suggestion", "inquiry"]
CASE_KINDS: tuple[CaseKind, ...] = ("help", "complaint", "petition", "suggestion", "inquiry")
CaseState = Literal["new", "accepted", "resolved", "closed", "rejected", "withdrawn"]
Channel = Literal["chat", "visit", "phone", "letter"]
MediaType = Literal["photo", "document", "voice", "video", "audio"]


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


class Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class User(Row):
    telegram_id: int
    role: Role = "citizen"
    display_name: str = ""
    username: str | None = None
    language: str | None = None
    real_name: str | None = None
    privacy_agreed_at: UtcDatetime | None = None
    blocked_at: UtcDatetime | None = None

    @property
    def is_staff_side(self) -> bool:
        """Staff, leaders and admins work cases; citizens and liaisons do not."""
        return self.role in ("staff", "leader", "admin")


class Media(Row):
    type: MediaType
    file_id: str
    file_unique_id: str | None = None
    file_size: int | None = None
    file_name: str | None = None


class Case(Row):
    id: int
    number: str
    kind: CaseKind
    channel: Channel = "chat"
    state: CaseState
    citizen_id: int | None
    citizen_name: str = ""
    citizen_phone: str | None = None
    real_name: str | None = None
    text: str
    owner_id: int | None = None
    topic_id: int | None = None
    link_code: str | None = None
    due_at: UtcDatetime | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    accepted_at: UtcDatetime | None = None
    resolved_at: UtcDatetime | None = None
    closed_at: UtcDatetime | None = None
    outcome: str | None = None
    anonymous: bool = False  # the privacy notice was declined: no name, no phone


class CaseEvent(Row):
    id: int
    case_id: int
    at: UtcDatetime
    actor_id: int | None
    direction: Literal["in", "out", "internal", "system"]
    kind: str
    text: str = ""
    media: list[Media] = Field(default_factory=list)


class OwnerLink(Row):
    owner_id: int | None
    assigned_at: UtcDatetime
    assigned_by: int | None
    reason: str


class Dialogue(Row):
    user_id: int
    name: str
    step: str
    data: dict[str, Any] = Field(default_factory=dict)


class Invite(Row):
    token: str
    role: Role
    created_by: int
    created_at: UtcDatetime
    expires_at: UtcDatetime
    used_by: int | None = None
    used_at: UtcDatetime | None = None


class InboxItem(Row):
    update_id: int
    payload: dict[str, Any]
    state: Literal["pending", "done", "failed"]
    attempts: int
    error: str | None = None


class OutboxItem(Row):
    id: int
    chat_id: int
    method: str
    payload: dict[str, Any]
    attempts: int = 0
    case_id: int | None = None
    purpose: str | None = None
    in_case_topic: bool = False
    album_key: str | None = None
    notify_id: int | None = None


class Outgoing(BaseModel):
    """A message to queue: a Bot API method and its parameters, as Telegram takes them."""

    chat_id: int
    method: str = "sendMessage"
    payload: dict[str, Any]
    case_id: int | None = None
    purpose: str | None = None
    in_case_topic: bool = False
    album_key: str | None = None
    delay_seconds: float = 0.0
    notify_id: int | None = None  # told if it cannot be delivered


SlotKind = Literal["talk_day", "talk_meeting", "one_on_one", "reception_day"]
SLOT_KINDS: tuple[SlotKind, ...] = ("talk_day", "talk_meeting", "one_on_one", "reception_day")


class TalkSlot(Row):
    id: int
    kind: SlotKind
    starts_at: UtcDatetime
    ends_at: UtcDatetime
    place: str
    host_id: int
    capacity: int
    topic: str = ""
    state: Literal["open", "cancelled"] = "open"
    series_id: int | None = None
    series_day: str | None = None
    cancel_reason: str | None = None
    booked: int = 0  # seats taken, when read with the count


class Booking(Row):
    id: int
    slot_id: int
    citizen_id: int
    topic: str
    state: Literal["booked", "waitlisted", "cancelled", "declined"]
    attendance: str | None = None
    outcome: str | None = None
    case_id: int | None = None


class TalkSeries(Row):
    id: int
    kind: SlotKind
    rule: str
    start_time: str
    end_time: str
    place: str
    host_id: int
    capacity: int
    topic: str = ""


class Rotation(Row):
    unit: Literal["week", "day"]
    leaders: list[int]
    starts_on: str
