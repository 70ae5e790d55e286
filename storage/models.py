"""Rows as pydantic models: what repositories return and services pass around."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Role = Literal["citizen", "staff", "leader", "liaison", "admin"]
ROLES: tuple[Role, ...] = ("citizen", "staff", "leader", "liaison", "admin")
CaseKind = Literal["help", "complaint", "petition", "suggestion", "inquiry", "dispute"]
# The kinds people raise (in /new and /register); a dispute (矛盾纠纷) comes from screening.
CASE_KINDS: tuple[CaseKind, ...] = ("help", "complaint", "petition", "suggestion", "inquiry")
CaseState = Literal["new", "accepted", "resolved", "closed", "rejected", "withdrawn"]
Channel = Literal["chat", "visit", "phone", "letter", "screening"]
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
    created_at: UtcDatetime
    updated_at: UtcDatetime
    accepted_at: UtcDatetime | None = None
    resolved_at: UtcDatetime | None = None
    closed_at: UtcDatetime | None = None
    outcome: str | None = None
    anonymous: bool = False  # the privacy notice was declined: no name, no phone
    unit_id: int | None = None  # the subordinate unit the case concerns
    # A petition's or complaint's category (2022 信访工作条例 arts. 29-31; bot.core.deadlines).
    category: str | None = None


class CaseDeadline(Row):
    """One of a case's deadlines (bot.core.deadlines), with what the sweep has said of it."""

    case_id: int
    kind: str
    starts_at: UtcDatetime
    due_at: UtcDatetime
    days: int | None = None  # None: a date was set (a dispute's target)
    counting: str = "calendar"
    extended_days: int = 0
    original_due_at: UtcDatetime | None = None
    met_at: UtcDatetime | None = None
    warned_at: UtcDatetime | None = None
    reminded_at: UtcDatetime | None = None
    overdue_at: UtcDatetime | None = None


class AssignedMatter(Row):
    """A matter assigned by a superior (上级交办), J<id> to people."""

    id: int
    source: str
    doc_number: str
    content: str
    due_at: UtcDatetime
    owner_id: int
    case_id: int | None = None
    registered_by: int
    created_at: UtcDatetime
    state: str = "open"
    result: str | None = None
    result_media: list[Media] = []
    reported_at: UtcDatetime | None = None
    warned_at: UtcDatetime | None = None
    reminded_at: UtcDatetime | None = None
    overdue_at: UtcDatetime | None = None


class Announcement(Row):
    """A public announcement (公示、听证、新闻发布会), A<id> to people."""

    id: int
    kind: Literal["notice", "hearing", "press"]
    title: str
    body: str
    media: Media | None = None
    event_at: UtcDatetime | None = None
    place: str | None = None
    seats: int | None = None  # a hearing taking registrations: how many
    slot_id: int | None = None  # and the talk slot holding them, once it is sent
    state: str
    created_by: int
    created_at: UtcDatetime
    decided_by: int | None = None
    decided_at: UtcDatetime | None = None
    queued_upto: int = 0
    queued: int = 0
    progress_row: int | None = None
    progress_text: str | None = None
    sent_at: UtcDatetime | None = None


ANNOUNCEMENT_KINDS = ("notice", "hearing", "press")


class BureauUnit(Row):
    """A subordinate unit of the bureau (下属单位; the glossary's `unit`: the class is named so
    beside the services' unit of work)."""

    id: int
    name: str
    leader_id: int | None = None
    liaison_ids: list[int] = []


class SensitivePeriodRow(Row):
    id: int
    first_day: date
    last_day: date
    declared_on: date
    reason: str
    created_by: int | None = None
    ended_by: int | None = None


class ScreeningRound(Row):
    id: int
    day: date
    cadence: Literal["semimonthly", "daily"]
    opens_at: UtcDatetime
    closes_at: UtcDatetime
    closed: bool = False


class ScreeningItem(Row):
    """An item a unit reported in a round; it is also a case (kind dispute)."""

    case_id: int
    round_id: int
    unit_id: int
    parties: str
    people: int
    demand: str
    risk_level: int  # 1 一般 · 2 较大 · 3 重大 · 4 特别重大 (named, never shown as numbers)
    guarantor_id: int | None = None
    guarantor_name: str | None = None
    guarantor_phone: str | None = None
    reported_by: int | None = None
    created_at: UtcDatetime | None = None
    measures_at: UtcDatetime | None = None  # the first measures reported (serious items)
    escalated_at: UtcDatetime | None = None  # leaders told again that they were overdue
    number: str = ""


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
    priority: int = 0
    file_ref: int | None = None


class Upload(BaseModel):
    """A file generated by the office, to be uploaded: a photo (a chart) or a document."""

    kind: Literal["photo", "document"]
    name: str
    content: bytes


class StoredFile(Row):
    id: int
    kind: Literal["photo", "document"]
    name: str
    size: int
    content: bytes | None = None
    file_id: str | None = None


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
    priority: int = 0  # lower goes first (bot.core.said: NOW, FOLLOW_UP, SCHEDULED, BROADCAST)
    broadcast_id: int | None = None  # an announcement's broadcast (its progress counts it)
    upload: Upload | None = None  # a file of the office's own, kept until Telegram has it


SlotKind = Literal["talk_day", "talk_meeting", "one_on_one", "reception_day", "hearing"]
# The kinds staff create with /slot; a hearing's seats come with its announcement.
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
