"""The text catalogue cannot drift from the code: every key the code names exists in both
languages with the same placeholders, every state, role, kind, channel and event has its text,
and a missing key never reaches a person as a raw key."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from bot.menus import COMMANDS_BY_ROLE
from bot.texts import CATALOG, t
from storage.models import ROLES, SLOT_KINDS, CaseKind, CaseState, Channel

ROOT = Path(__file__).resolve().parent.parent
# A literal key as the code passes it: say/text/t/answer/RuleError/Term/Tell(…, "key", …).
_USES = re.compile(r"""(?:say|say_to|text|\bt|answer|RuleError|Term|Tell)\((?:[^()"']*?,\s*)?"""
                   r"""["']([a-z][a-z0-9_]+)["']""")
_FIELD = re.compile(r"\{(\w+)(?:@[^}]*)?\}")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for folder in ("bot", "handlers", "schedules", "minqing"):
        for path in (ROOT / folder).rglob("*.py"):
            keys |= set(_USES.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_key_the_code_names_exists() -> None:
    keys = used_keys()
    assert len(keys) > 150  # the scan sees the code's keys at all
    missing = sorted(k for k in keys if k not in CATALOG and not k.endswith("_"))  # prefixes
    assert not missing, missing


def test_both_languages_have_the_same_placeholders() -> None:
    for key, (zh, en) in CATALOG.items():
        assert set(_FIELD.findall(zh)) == set(_FIELD.findall(en)), key
        assert zh.strip() and en.strip(), key


def test_every_state_role_kind_channel_event_and_command_has_its_text() -> None:
    families = {
        "state": get_args(CaseState), "role": ROLES, "kind": get_args(CaseKind),
        "channel": get_args(Channel), "slot": SLOT_KINDS,
        "event": ("created", "message", "reply", "note", "claim", "transfer", "resolved",
                  "rejected", "withdrawn", "reopened", "closed", "linked", "extended",
                  "unassigned", "undelivered"),
        "booking": ("booked", "waitlisted"), "attendance": ("attended", "no_show"),
        "chain": ("claim", "reject", "returned", "revoked", "assign", "transfer"),
        "why": ("removed", "blocked", "failed"), "skip": ("holiday", "host_busy"),
        "due": ("accept", "handle", "classify"),
            "category": ("suggestion", "accusation", "route", "claim"), "turn": ("week", "day"),
        "cmd": {c for names in COMMANDS_BY_ROLE.values() for c in names},
    }
    missing = [f"{family}_{name}" for family, names in families.items() for name in names
               if f"{family}_{name}" not in CATALOG]
    assert not missing, missing
    for path in (ROOT / "bot").rglob("*.py"):  # every event kind the code records
        for kind in re.findall(r'kind="([a-z_]+)"', path.read_text(encoding="utf-8")):
            if kind not in SLOT_KINDS:
                assert f"event_{kind}" in CATALOG, (path.name, kind)


def test_a_missing_key_never_reaches_a_person() -> None:
    for lang in ("zh", "en"):
        text = t(lang, "no_such_key_anywhere")
        assert "no_such_key" not in text and text == t(lang, "err_generic")


def test_every_journey_s_buttons_round_trip() -> None:
    """Each definition builds data its own journey parses back, and only that journey; the old
    data on cards already in staff chats (`cl:12`) still parses; wrong shapes are refused."""
    from bot.core.presses import JOURNEYS, parse, press

    samples = {"": (), "i": (12,), "ii": (12, 3001), "w": ("zh",)}
    for journey in JOURNEYS:
        for action, shape in journey.actions.items():
            made = press(action, *samples[shape])
            data = made.data()
            assert parse(data) == made == journey.parse(data)
            assert [j.name for j in JOURNEYS if re.match(j.pattern, data)] == [journey.name]
    assert parse("cl:12") == press("cl", 12)
    for wrong in (("cl",), ("cl", "x"), ("tt", 1), ("k", 1), ("cl", -1), ("cl", True)):
        with pytest.raises(ValueError):
            press(*wrong)
    for forged in ("cl:١٢", "cl:12:1", "cl:", "zz:1", "k:Help", "x" * 65):
        assert parse(forged) is None
