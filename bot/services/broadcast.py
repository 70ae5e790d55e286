"""An announcement's broadcast: its subscribers are queued in chunks (CHUNK a transaction,
about 6 ms of the writer: 100 take 13 ms, 200 take 25 ms), each message at the broadcast
priority so that the sender takes replies and relays first; the cursor moves with each chunk, so
a restart goes on where it stopped and nobody is queued twice. The sender's progress message is
edited as the counts change (sent, blocked, failed, left; counted off the writer) and says the
final count at the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.presses import press
from bot.core.said import BROADCAST, SCHEDULED, Delivery, Edit, Tell
from bot.services.unit import Unit
from bot.texts import Moment, Term
from storage.models import Announcement

CHUNK = 50
PURPOSE = "broadcast"


@dataclass(frozen=True)
class Sending:
    id: int
    done_queueing: bool


def sending(unit: Unit) -> list[Sending]:
    """The broadcasts under way (read connection): each with whether all are queued."""
    found = []
    for a in unit.tx.announcements.sending():
        left = unit.tx.subscriptions.after(a.kind, a.queued_upto, 1)
        found.append(Sending(a.id, not left))
    return found


def message_params(unit: Unit, a: Announcement) -> dict[str, object]:
    when = ""
    if a.event_at is not None:
        when = Term("ann_when", (("at", Moment(a.event_at, unit.settings.tz)),
                                 ("place", a.place or "")))
    return {"id": a.id, "kind": Term(f"announcement_{a.kind}"), "title": a.title,
            "body": a.body, "when": when, "office": unit.settings.office_name}


def queue_chunk(unit: Unit, announcement_id: int) -> int:
    """Queue the next CHUNK subscribers; 0 when everybody is queued (or it is no longer
    being sent)."""
    a = unit.tx.announcements.get(announcement_id)
    if a is None or a.state != "sending":
        return 0
    batch = unit.tx.subscriptions.after(a.kind, a.queued_upto, CHUNK)
    if not batch:
        return 0
    params = message_params(unit, a)
    buttons = ([[(Term("btn_ann_register"), press("bk", a.slot_id))]] if a.slot_id else None)
    media = (a.media,) if a.media else ()
    delivery = Delivery(priority=BROADCAST, broadcast_id=a.id, purpose=PURPOSE)
    follow = Delivery(priority=BROADCAST)
    for user_id, language in batch:
        lang = language or unit.settings.default_language
        unit.tell(Tell(user_id, lang, "ann_message", params, buttons, delivery=delivery))
        if media:  # the attachment follows the text (a text carries the registration button)
            unit.tell(Tell(user_id, lang, "ann_attachment", {"id": a.id}, media=media,
                           delivery=follow))
    unit.tx.announcements.advance(a.id, batch[-1][0], len(batch))
    return len(batch)


@dataclass(frozen=True)
class Tally:
    """A broadcast's counts, read off the writer."""

    sent: int
    blocked: int
    failed: int
    left: int
    finished: bool


def tally(unit: Unit, announcement_id: int, done_queueing: bool) -> Tally | None:
    """Its rows by state, and the subscribers still to be queued (read connection)."""
    a = unit.tx.announcements.get(announcement_id)
    if a is None or a.state != "sending":
        return None
    counts = unit.tx.announcements.counts(a.id)
    waiting = counts.get("pending", 0)
    left = waiting + (_not_queued(unit, a) if not done_queueing else 0)
    return Tally(counts.get("sent", 0), counts.get("blocked", 0), counts.get("failed", 0),
                 left, done_queueing and waiting == 0)


def progress(unit: Unit, announcement_id: int, counted: Tally) -> bool:
    """Edit the sender's progress message when its counts changed; at the end, the final
    count. True once the broadcast is over."""
    a = unit.tx.announcements.get(announcement_id)
    if a is None or a.state != "sending":
        return False
    finished = counted.finished
    params = {"id": a.id, "sent": counted.sent, "blocked": counted.blocked,
              "failed": counted.failed, "left": counted.left}
    key = "ann_done" if finished else "ann_progress"
    text = f"{key}:{counted.sent}:{counted.blocked}:{counted.failed}:{counted.left}"
    if finished:
        unit.tx.announcements.finish(a.id, unit.now)
    if text == a.progress_text:
        return finished
    creator = unit.tx.users.get(a.created_by)
    lang = unit.lang(creator)
    message_id = unit.tx.announcements.progress_message(a)
    if message_id is not None:
        unit.tell(Edit(a.created_by, message_id, lang, key, params))
    elif finished:  # the progress message never arrived: the final count goes on its own
        unit.tell(Tell(a.created_by, lang, key, params, delivery=Delivery(priority=SCHEDULED)))
    else:
        return False  # edited once the progress message has its id
    unit.tx.announcements.progress(a.id, None, text)
    return finished


def _not_queued(unit: Unit, a: Announcement) -> int:
    return unit.tx.subscriptions.count_after(a.kind, a.queued_upto)


def moments(unit: Unit, after: datetime, until: datetime) -> list[datetime]:
    """While a broadcast is under way, every second (the console's clock steps through its
    chunks and counts); none otherwise."""
    if not unit.tx.announcements.sending():
        return []
    step = after + timedelta(seconds=1)
    return [step] if step <= until else []
