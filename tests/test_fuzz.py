"""Fuzzing through the real Application (hypothesis): generated updates from every role —
texts, commands with odd arguments, forged and stale buttons, updates of unknown kinds, foreign
chats, malformed objects. No update raises; invalid input changes nothing; valid input keeps
the office's invariants (one owner per case, seats never exceeded, the audit log append-only).

CI runs a few hundred updates; `FUZZ_UPDATES=10000 python3 dev.py test tests/test_fuzz.py -s`
runs the full proof and prints its count."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.core.presses import ACTIONS
from bot.menus import COMMANDS_BY_ROLE
from bot.services import people
from tests.harness import ADMIN, CITIZEN, CITIZEN2, LEADER, OPEN_HOURS, STAFF, Office, ymd
from tests.harness import make_settings as office_settings

UPDATES = int(os.environ.get("FUZZ_UPDATES", "400"))
PER_EXAMPLE = 8
PEOPLE = (CITIZEN, CITIZEN2, STAFF, LEADER, ADMIN, 5005)
COMMANDS = sorted({c for names in COMMANDS_BY_ROLE.values() for c in names})
ODD = st.sampled_from(["", "0", "-1", "9" * 30, "²", "٣", "S1", "B1", "S99999", "QZ-2031-000001",
                       ymd(1), "0001-01-01", "9999-12-31", "weekly:3", "monthly:40", "staff",
                       "admin", "citizen", "|", "话题", "\u0000", "\ud800", "<b>x</b>", "a" * 300])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


def command() -> st.SearchStrategy[str]:
    return st.builds(lambda name, args: " ".join([f"/{name}", *args]),
                     st.sampled_from(COMMANDS), st.lists(ODD, max_size=7))


def button() -> st.SearchStrategy[str]:
    ids = st.one_of(st.integers(0, 6).map(str), ODD)
    return st.builds(lambda prefix, args: ":".join([prefix, *args]) if args else prefix,
                     st.sampled_from(sorted(ACTIONS)), st.lists(ids, max_size=3))


ACTION = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(PEOPLE), TEXT),
    st.tuples(st.just("text"), st.sampled_from(PEOPLE), command()),
    st.tuples(st.just("press"), st.sampled_from(PEOPLE), button()),
    st.tuples(st.just("press"), st.sampled_from(PEOPLE), st.text(max_size=70)),
    st.tuples(st.just("raw"), st.sampled_from(PEOPLE), st.sampled_from(
        ["edited", "foreign", "no_type", "poll", "empty", "channel", "bot"])),
)


def raw_update(office: Office, kind: str, user: int) -> dict[str, Any]:
    message = office.message_json(user, "你好")
    if kind == "edited":
        return office.update_json(edited_message=message)
    if kind == "foreign":
        return office.update_json(message=office.message_json(user, "大家好", chat_id=-100555))
    if kind == "no_type":
        del message["chat"]["type"]
        return office.update_json(message=message)
    if kind == "poll":
        return office.update_json(message={**office.message_json(user), "poll": {"id": "p"}})
    if kind == "channel":
        return office.update_json(channel_post={**message, "chat": {"id": -100444,
                                                                    "type": "channel"}})
    if kind == "bot":
        message["from"] = {"id": 7000000009, "is_bot": True, "first_name": "另一个机器人"}
        return office.update_json(message=message)
    return office.update_json()


async def play(office: Office, actions: list[tuple[str, int, str]]) -> None:
    for kind, user, data in actions:
        if kind == "text":
            await office.send(user, data)
        elif kind == "press":
            await office.press(user, data)
        else:
            await office.feed(raw_update(office, data, user))


async def invariants(office: Office, audit_before: int) -> int:
    owners = await office.rows(
        "SELECT c.id, c.owner_id, (SELECT owner_id FROM case_owners o WHERE o.case_id = c.id"
        " ORDER BY o.id DESC LIMIT 1) AS last FROM cases c WHERE c.state IN"
        " ('accepted', 'resolved')")
    for row in owners:  # one owner per case: the row and the end of its chain agree
        assert row["owner_id"] == row["last"], row
    seats = await office.rows(
        "SELECT s.id, s.capacity, (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id"
        " AND b.state = 'booked') AS taken FROM talk_slots s")
    assert all(r["taken"] <= r["capacity"] for r in seats), seats
    audit = (await office.rows("SELECT COUNT(*) AS n FROM audit_log"))[0]["n"]
    assert audit >= audit_before  # append-only (triggers refuse updates and deletes)
    return audit


def run_fuzz(tmp_path: Path, strategy: st.SearchStrategy, check: Any) -> int:
    loop = asyncio.new_event_loop()
    office = Office(tmp_path / "fuzz.sqlite3", office_settings(), FakeClock(OPEN_HOURS))
    loop.run_until_complete(office.start())
    loop.run_until_complete(office.minqing.services.run(
        people.grant, ADMIN, 5005, "liaison"))
    office.expect_errors = False
    fed = [0]

    # Examples hold about four updates each on average: enough of them to feed UPDATES.
    @settings(max_examples=max(1, UPDATES // 4), deadline=None, database=None,
              suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(strategy, min_size=1, max_size=PER_EXAMPLE))
    def example(actions: list[tuple[str, int, str]]) -> None:
        loop.run_until_complete(check(office, actions))
        fed[0] += len(actions)

    try:
        example()
        assert office.errors == [], office.errors[:3]
    finally:
        loop.run_until_complete(office.stop())
        loop.close()
    return fed[0]


def test_generated_updates_never_crash_and_keep_the_invariants(tmp_path: Path) -> None:
    audit = [0]

    async def check(office: Office, actions: list[tuple[str, int, str]]) -> None:
        await play(office, actions)
        audit[0] = await invariants(office, audit[0])

    fed = run_fuzz(tmp_path, ACTION, check)
    print(f"\nfuzz: {fed} generated updates through the Application, 0 errors")


INVALID = st.one_of(
    st.tuples(st.just("press"), st.sampled_from(PEOPLE), st.text(max_size=70)),
    st.tuples(st.just("press"), st.sampled_from(PEOPLE),
              st.sampled_from(["cl:999", "rp:999", "mc:1", "bk:999", "tt:1:999", "at:999:1",
                               "wy:999", "pc:999", "k:help", "cf:1", "iv:1", "sh:1", "rb:1:2"])),
    st.tuples(st.just("text"), st.sampled_from(PEOPLE), st.builds(
        lambda name, arg: f"/{name} {arg}", st.sampled_from(
            ["revoke", "duty_set", "slot_cancel", "attendance", "outcome", "extend",
             "holiday", "rotation", "case", "slot_move"]),
        st.sampled_from(["²", "٣", "9" * 30, "-1", "0001-01-01", "B1", "x"]))),
    st.tuples(st.just("raw"), st.sampled_from(PEOPLE),
              st.sampled_from(["foreign", "no_type", "poll", "empty", "channel", "bot"])),
)
STATE_TABLES = ("cases", "case_events", "case_owners", "talk_slots", "bookings", "holidays",
                "duty_rotation", "duty_overrides", "invites", "audit_log")


async def snapshot(office: Office) -> dict[str, Any]:
    counts = {t: (await office.rows(f"SELECT COUNT(*) AS n FROM {t}"))[0]["n"]
              for t in STATE_TABLES}
    counts["roles"] = await office.rows("SELECT telegram_id, role FROM users ORDER BY 1")
    return counts


def test_invalid_input_changes_nothing(tmp_path: Path) -> None:
    async def check(office: Office, actions: list[tuple[str, int, str]]) -> None:
        before = await snapshot(office)
        await play(office, actions)
        assert await snapshot(office) == before

    fed = run_fuzz(tmp_path, INVALID, check)
    print(f"\nfuzz: {fed} invalid updates, nothing changed")
