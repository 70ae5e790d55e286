"""Callback data: a short prefix and ids ("cl:12"), parsed strictly. Forged or stale data is
refused; who may press what is checked by the services, never trusted from the button."""

from __future__ import annotations

import re

from pydantic import BaseModel

from bot.core.rules import ascii_number

# prefix -> the shape of its arguments: "" none, "i" one id, "ii" two ids, "w" one word.
ACTIONS: dict[str, str] = {
    "k": "w",      # case kind in /new or /register
    "nx": "",      # continue after the description
    "sk": "",      # skip the phone number
    "pa": "i",     # privacy notice: 1 agree, 0 decline
    "rn": "",      # use the real name from the profile
    "cf": "i",     # confirm (1) or cancel (0) a draft
    "rc": "w",     # registration channel
    "cl": "i",     # claim
    "rp": "i",     # reply
    "tr": "i",     # transfer: choose the new owner
    "tt": "ii",    # transfer to (case, staff member)
    "rs": "i",     # resolve
    "rj": "i",     # reject
    "vw": "i",     # staff: view a case
    "mc": "i",     # citizen: view own case
    "ai": "i",     # citizen: add information
    "ro": "i",     # citizen: disagrees with a resolved case's result (reopen)
    "rr": "i",     # citizen: was only replying to a resolved case
    "wd": "i",     # citizen: withdraw (asks to confirm)
    "wy": "i",     # citizen: withdraw, confirmed
    "pc": "i",     # citizen: pick the case for a pending message
    "bk": "i",     # book a talk slot (asks the topic)
    "wl": "i",     # join a full slot's waitlist (asks the topic)
    "bc": "i",     # cancel a booking
    "bm": "i",     # move a booking: choose the slot
    "mv": "ii",    # move (booking, to slot)
    "dc": "i",     # decline a seat given from the waitlist
    "rb": "ii",    # take the series' next slot offered after a holiday (old booking, slot)
    "sh": "i",     # a slot on a holiday: 1 create it all the same, 0 drop it
    "at": "ii",    # attendance (booking, 1 attended / 0 no-show)
    "iv": "i",     # an invite that changes a role: 1 change it, 0 keep the old one
    "menu": "w",   # main menu entries
    "lang": "w",   # language
    "noop": "",
}
_WORD = re.compile(r"^[a-z_]{1,20}$")


class Callback(BaseModel):
    action: str
    ids: tuple[int, ...] = ()
    word: str | None = None


def parse(data: str | None) -> Callback | None:
    if not data or len(data.encode()) > 64:
        return None
    action, _, rest = data.partition(":")
    shape = ACTIONS.get(action)
    if shape is None:
        return None
    args = rest.split(":") if rest else []
    if shape == "":
        return Callback(action=action) if not args else None
    if shape == "w":
        return Callback(action=action, word=args[0]) if len(args) == 1 and _WORD.match(
            args[0]) else None
    ids = [ascii_number(a) for a in args]
    if len(args) != len(shape) or any(i is None for i in ids):
        return None
    return Callback(action=action, ids=tuple(i for i in ids if i is not None))
