"""Typed callback data: each journey defines its buttons once, and the same definition builds
and parses them ("cl:12": a prefix and its arguments). Forged or stale data parses to None; who
may press what is checked by the services, never trusted from the button.

The format is the one cards already sitting in staff chats carry, so old buttons still work."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.rules import ascii_number

_WORD = re.compile(r"^[a-z_]{1,20}$")
DATA_LIMIT = 64  # bytes Telegram allows in callback data


@dataclass(frozen=True)
class Press:
    """A pressed (or to be pressed) button: its action, and its ids or word."""

    action: str
    ids: tuple[int, ...] = ()
    word: str | None = None

    def data(self) -> str:
        args = [str(i) for i in self.ids] + ([self.word] if self.word is not None else [])
        return ":".join([self.action, *args])


@dataclass(frozen=True)
class Journey:
    """The buttons of one journey: prefix -> the shape of its arguments ("" none, "i" one id,
    "ii" two ids, "w" one word)."""

    name: str
    actions: dict[str, str]

    @property
    def pattern(self) -> str:
        """The regular expression that routes this journey's presses to its handler."""
        prefixes = "|".join(sorted(self.actions, key=len, reverse=True))
        return rf"^(?:{prefixes})(?::|$)"

    def press(self, action: str, *args: int | str) -> Press:
        """Build a button's data; a wrong shape is a bug, caught where the button is made."""
        shape = self.actions[action]
        if shape == "w":
            if len(args) != 1 or not isinstance(args[0], str) or not _WORD.match(args[0]):
                raise ValueError(f"{action} takes one word")
            made = Press(action, word=args[0])
        else:
            if len(args) != len(shape) or not all(
                    isinstance(a, int) and not isinstance(a, bool) and a >= 0 for a in args):
                raise ValueError(f"{action} takes {len(shape)} ids")
            made = Press(action, tuple(int(a) for a in args))
        if len(made.data().encode()) > DATA_LIMIT:
            raise ValueError(f"{action}: callback data over {DATA_LIMIT} bytes")
        return made

    def parse(self, data: str | None) -> Press | None:
        """Strictly: the prefix, the right number of ASCII digits (no other digits) or a word."""
        if not data or len(data.encode()) > DATA_LIMIT:
            return None
        action, _, rest = data.partition(":")
        shape = self.actions.get(action)
        if shape is None:
            return None
        args = rest.split(":") if rest else []
        if shape == "":
            return Press(action) if not args else None
        if shape == "w":
            if len(args) == 1 and _WORD.match(args[0]):
                return Press(action, word=args[0])
            return None
        ids = [ascii_number(a) for a in args]
        if len(args) != len(shape) or any(i is None for i in ids):
            return None
        return Press(action, tuple(i for i in ids if i is not None))


INTAKE = Journey("intake", {  # the /new and /register dialogues
    "k": "w",      # case kind
    "nx": "",      # continue after the description
    "sk": "",      # skip the phone number
    "pa": "i",     # privacy notice: 1 agree, 0 decline
    "rn": "",      # use the real name from the profile
    "cf": "i",     # confirm (1) or cancel (0) a draft
    "rc": "w",     # registration channel
})
DESK = Journey("desk", {  # staff on a case
    "cl": "i",     # claim
    "rp": "i",     # reply
    "tr": "i",     # transfer: choose the new owner
    "tt": "ii",    # transfer to (case, staff member)
    "rs": "i",     # resolve
    "rj": "i",     # reject
    "vw": "i",     # view a case
    "cu": "i",     # the unit a case concerns: choose
    "cs": "ii",    # the unit a case concerns: set (case, unit; 0 none)
    "ins": "i",    # a leader's instruction (批示) on a case: asks the text
    "cg": "ii",    # a petition's or complaint's category (case, index in CATEGORIES)
})
MY_CASES = Journey("my_cases", {  # a citizen on their own cases
    "mc": "i",     # view own case
    "ai": "i",     # add information
    "ro": "i",     # disagrees with a resolved case's result (reopen)
    "rr": "i",     # was only replying to a resolved case
    "wd": "i",     # withdraw (asks to confirm)
    "wy": "i",     # withdraw, confirmed
    "pc": "i",     # pick the case for a pending message
})
TALKS = Journey("talks", {
    "bk": "i",     # book a talk slot (asks the topic)
    "wl": "i",     # join a full slot's waitlist (asks the topic)
    "bc": "i",     # cancel a booking
    "bm": "i",     # move a booking: choose the slot
    "mv": "ii",    # move (booking, to slot)
    "dc": "i",     # decline a seat given from the waitlist
    "rb": "ii",    # take the series' next slot offered after a holiday (old booking, slot)
    "sh": "i",     # a slot on a holiday: 1 create it all the same, 0 drop it
    "at": "ii",    # attendance (booking, 1 attended / 0 no-show)
})
PEOPLE = Journey("people", {
    "iv": "i",     # an invite that changes a role: 1 change it, 0 keep the old one
    "lang": "w",   # language
})
UNITS = Journey("units", {  # admins on the bureau's subordinate units
    "un": "",      # add a unit (asks its name)
    "uv": "i",     # a unit's card
    "ur": "i",     # rename (asks the new name)
    "ul": "i",     # its liaisons: choose
    "lt": "ii",    # add or remove a liaison (unit, user)
    "ug": "i",     # its leader: choose
    "lg": "ii",    # set the leader (unit, user)
})
SCREENING = Journey("screening", {  # a liaison answering a screening round
    "sz": "ii",    # a zero report (round, unit)
    "si": "ii",    # report an item (round, unit)
    "sd": "ii",    # the unit's report is complete (round, unit)
    "sr": "i",     # the item's risk level, 1-4
    "st": "",      # the item's target date: the office's limit (otherwise typed)
    "sg": "i",     # the item's guarantor (a user; 0: type a name and phone)
    "mp": "i",     # a serious item's first measures (asks the text)
})
MATTERS = Journey("matters", {  # matters assigned by superiors
    "mo": "i",     # its owner (a user), while registering
    "mn": "",      # no case linked, while registering
    "mr": "i",     # report its result (asks the text)
})
LEDGER = Journey("ledger", {  # the ledger, assessment and reports
    "ex": "w",     # export a period: month (this one) or last
})
ANNOUNCE = Journey("announce", {  # public announcements (公示、听证、新闻发布会)
    "ak": "w",     # its kind, while creating: notice, hearing or press
    "as": "",      # skip an optional step (attachment, date and place, registration)
    "ac": "i",     # send it (or put it to a leader, when approval is required)
    "ad": "ii",    # a leader's decision (announcement, 1 approve / 0 reject)
    "sb": "w",     # subscribe to a kind
    "ub": "w",     # unsubscribe from a kind, or all
})
FRONT = Journey("front", {
    "menu": "w",   # main menu entries
    "noop": "",    # a button that only closes the question (cancel)
})
JOURNEYS: tuple[Journey, ...] = (INTAKE, DESK, MY_CASES, TALKS, PEOPLE, UNITS, SCREENING,
                                  MATTERS, LEDGER, ANNOUNCE, FRONT)
ACTIONS: dict[str, str] = {a: shape for j in JOURNEYS for a, shape in j.actions.items()}
_JOURNEY_OF = {action: journey for journey in JOURNEYS for action in journey.actions}


def press(action: str, *args: int | str) -> Press:
    """A button's data, built by its journey's definition."""
    return _JOURNEY_OF[action].press(action, *args)


def parse(data: str | None) -> Press | None:
    """Any journey's data (the console and tests; handlers parse with their own journey)."""
    action = (data or "").partition(":")[0]
    journey = _JOURNEY_OF.get(action)
    return journey.parse(data) if journey is not None else None
