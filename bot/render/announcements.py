"""/notices in words: the recent announcements, newest first, a hearing's registration by
button (the talk slot's booking, bot.services.talks)."""

from __future__ import annotations

from bot.core.presses import press
from bot.core.said import Tell
from bot.services import announce
from bot.settings import Settings
from bot.texts import t, when


def present_notices(view: announce.Notices, lang: str, settings: Settings) -> list[Tell]:
    if not view.items:
        return [Tell(view.to, lang, "notices_empty")]
    lines = [t(lang, "notices_title")]
    buttons = []
    for a, registering in view.items:
        held = ""
        if a.event_at is not None:
            held = t(lang, "notices_when", at=when(lang, a.event_at, settings.tz),
                     place=a.place or "")
        lines.append(t(lang, "notices_line", id=a.id, kind=t(lang, f"announcement_{a.kind}"),
                       title=a.title, at=when(lang, a.decided_at or a.created_at, settings.tz),
                       when=held))
        if registering and a.slot_id:
            buttons.append([(t(lang, "notices_register", id=a.id), press("bk", a.slot_id))])
    return [Tell(view.to, lang, "raw", {"text": "\n".join(lines)[:4000]}, buttons or None)]
