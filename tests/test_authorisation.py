"""The authorisation matrix: every command and every button, tried by every role and with
forged data. The expected outcomes are written out by hand below, not derived from the code:
a command or a button missing from the table fails the test, and so does any outcome (an
allow above all, or a crash) that the table does not expect. The matrix is printed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from telegram.ext import CommandHandler

from bot.core.presses import ACTIONS
from bot.services import people
from tests.harness import ADMIN, CITIZEN, LEADER, STAFF, Office, make_settings, moment, ymd
from tests.test_citizen import new_case

ROLES = ("citizen", "liaison", "staff", "leader", "admin")
CITIZEN2, LIAISON, STAFF2 = 1002, 5005, 2002
ACTOR = {"citizen": CITIZEN2, "liaison": LIAISON, "staff": STAFF2, "leader": LEADER,
         "admin": ADMIN}
# A: allowed · D: refused for the role · S: stale, forged or not the asker's own (not found)
# · R: refused for the thing's state (already claimed, not begun). One letter per role, in the
# order of ROLES.
COMMANDS = {
    "start": "AAAAA", "help": "AAAAA", "lang": "AAAAA", "cancel": "AAAAA",
    "new": "AAAAA", "mycases": "AAAAA", "link": "AAAAA",
    "talks": "AAAAA", "mybookings": "AAAAA", "duty": "AAAAA",
    # /extend belongs to the case's owner (or a leader or admin): 赵六 (staff) does not own it
    "cases": "DDAAA", "case": "DDAAA", "register": "DDAAA", "extend": "DDDAA",
    "screening": "DDAAA", "matter": "DDAAA", "matters": "DDAAA",
    "digest": "DDAAA", "export": "DDAAA", "stats": "DDAAA",
    "report": "DDDAA", "announce": "DDAAA",
    "notices": "AAAAA", "subscribe": "AAAAA", "unsubscribe": "AAAAA",
    "slot": "DDADA", "series": "DDADA", "slot_move": "DDADA", "slot_cancel": "DDADA",
    "attendance": "DDADA", "outcome": "DDADA",
    "invite": "DDDDA", "users": "DDDDA", "revoke": "DDDDA", "failed": "DDDDA",
    "units": "DDDDA", "sensitive": "DDDDA",
    "holiday": "DDDDA", "workday": "DDDDA", "holidays": "DDDDA", "rotation": "DDDDA",
    "duty_set": "DDDDA", "duty_swap": "DDDDA",
}
BUTTONS = {
    # dialogue buttons, pressed with no dialogue in progress
    "k": "SSSSS", "nx": "SSSSS", "sk": "SSSSS", "pa": "SSSSS", "rn": "SSSSS", "cf": "SSSSS",
    "iv": "SSSSS", "sh": "SSSSS", "pc": "SSSSS",
    "rc": "DDSSS",  # registration is the staff's: refused for the role before anything else
    # the desk, on a new case and on one that 李四 (staff) owns
    "cl": "DDAAA", "rp": "DDDAA", "tr": "DDDAA", "tt": "DDDAA", "rs": "DDDAA",
    "rj": "DDDAA", "vw": "DDAAA",
    # the unit a case concerns: any of the staff side may name it
    "cu": "DDAAA", "cs": "DDAAA",
    # 批示 is the leaders' (and admins')
    "ins": "DDDAA",
    # a petition's category is its owner's (李四), or a leader's or admin's
    "cg": "DDDAA",
    # matters: the registering dialogue's buttons without it; a result is its owner's (李四)
    "mo": "SSSSS", "mn": "SSSSS", "mr": "DDDAA",
    # screening answers: no round is open here, and the dialogue buttons have no dialogue
    "sz": "SSSSS", "si": "SSSSS", "sd": "SSSSS", "sr": "SSSSS", "st": "SSSSS",
    "sg": "SSSSS",
    "mp": "SSSSS",  # the first measures of a case that is no serious screening item
    # the subordinate units are the admins'
    "un": "DDDDA", "uv": "DDDDA", "ur": "DDDDA", "ul": "DDDDA", "lt": "DDDDA", "ug": "DDDDA",
    "lg": "DDDDA",
    # a citizen's own case, pressed by anyone else
    "mc": "SSSSS", "ai": "SSSSS", "wd": "SSSSS", "wy": "SSSSS", "ro": "SSSSS", "rr": "SSSSS",
    # talks: anyone may book; a booking is its citizen's own; attendance is the organisers'
    "bk": "AAAAA", "wl": "AAAAA", "bc": "SSSSS", "bm": "SSSSS", "mv": "SSSSS",
    "dc": "SSSSS", "rb": "SSSSS", "at": "DDADA",
    # the ledger: the staff side (staff their own rows)
    "ex": "DDAAA",
    # announcements: writing is the staff side's (no dialogue, no such draft here), deciding
    # the leaders' and admins'; anyone subscribes and leaves
    "ak": "DDSSS", "as": "DDSSS", "ac": "DDSSS", "ad": "DDDSS", "sb": "AAAAA", "ub": "AAAAA",
    "menu": "AAAAA", "lang": "AAAAA", "noop": "AAAAA",
}
FORGED = ["cl:abc", "zz:1", "cl:1:2", "cl:" + "9" * 70, "mv:1", "k:", "k:BAD WORD",
          "tt:1:²", ""]
DENIED = re.compile(r"只有.*可以(这样做|安排)")  # the refusals for who is asking
STALE = {"这个按钮已失效，请重新操作。", "没有找到该事项。", "没有找到该预约。",
         "没有找到该场次，或已取消。"}
STATE = ("当前为", "已由", "开始后才能登记", "停止预约")


async def seeded(tmp_path, clock) -> tuple[Office, dict[str, str]]:
    office = await Office(tmp_path / "m.sqlite3", make_settings(), clock).start()
    await office.minqing.services.run(people.grant, ADMIN, LIAISON, "liaison")
    begun = await slot_id(office, ymd(0), "13:00-14:00")  # today, soon
    owned = await new_case(office)
    new = await new_case(office, text="另一件事")
    petition = await new_case(office, kind="petition", text="信访事项")
    ids = {n: (await office.rows("SELECT id FROM cases WHERE number = ?", n))[0]["id"]
           for n in (owned, new, petition)}
    await office.press(STAFF, f"cl:{ids[owned]}")
    await office.press(STAFF, f"cl:{ids[petition]}")
    await office.press(CITIZEN, f"bk:{begun}")
    await office.send(CITIZEN, "参加")
    booking = (await office.rows("SELECT id FROM bookings"))[0]["id"]
    clock.moment = moment(0, 5, 30)  # 13:30: the first talk has begun
    later = await slot_id(office, ymd(2), "09:00-11:30")
    spare = await slot_id(office, ymd(3), "09:00-11:30")  # for /slot_move and /slot_cancel
    unit = await office.minqing.db.write(lambda tx: tx.units.add("文物保护中心", clock.now()))
    matter = await office.minqing.db.write(lambda tx: tx.matters.add(
        "市信访局", "1号", "核查", clock.now() + timedelta(days=9), STAFF, None, LEADER,
        clock.now()))
    office.api.clear()
    return office, {
        "unit": str(unit.id), "matter": str(matter.id),
        "owned": str(ids[owned]), "new": str(ids[new]), "petition": str(ids[petition]),
        "number": owned, "later": str(later),
        "begun": str(begun), "booking": str(booking), "spare": str(spare),
    }


async def slot_id(office: Office, day: str, span: str) -> int:
    await office.send(STAFF, f"/slot talk_day {day} {span} 10 {LEADER} 三楼会议室")
    return (await office.rows("SELECT id FROM talk_slots ORDER BY id DESC LIMIT 1"))[0]["id"]


def command_line(name: str, ids: dict[str, str]) -> str:
    args = {
        "case": ids["number"], "extend": f"{ids['number']} 需要时间", "link": "QZ-2031-999999 X",
        "lang": "zh", "slot": f"talk_day {ymd(5)} 09:00-10:00 5 {LEADER} 室",
        "series": f"talk_day weekly:5 09:00-10:00 5 {LEADER} 室",
        "slot_cancel": f"S{ids['spare']} 测试",
        "slot_move": f"S{ids['spare']} {ymd(6)} 09:00-10:00",
        "attendance": f"S{ids['begun']}", "outcome": f"B{ids['booking']} 已谈",
        "invite": "staff", "revoke": str(STAFF), "holiday": f"{ymd(40)} 假",
        "workday": f"{ymd(41)} 调休", "rotation": f"day {LEADER} {ymd(1)}",
        "duty_set": f"{ymd(3)} {LEADER} 出差", "duty_swap": f"{ymd(3)} {ymd(4)} 交换",
        "sensitive": f"add {ymd(10)} {ymd(12)} 测试", "export": "month",
        "report": "year",
    }.get(name, "")
    return f"/{name} {args}".strip()


def button_data(prefix: str, ids: dict[str, str]) -> str:
    owned, new, booking = ids["owned"], ids["new"], ids["booking"]
    return {
        "k": "k:help", "nx": "nx", "sk": "sk", "pa": "pa:1", "rn": "rn", "cf": "cf:1",
        "rc": "rc:visit", "iv": "iv:1", "sh": "sh:1", "pc": f"pc:{owned}",
        "cl": f"cl:{new}", "rp": f"rp:{owned}", "tr": f"tr:{owned}", "tt": f"tt:{owned}:{STAFF2}",
        "rs": f"rs:{owned}", "rj": f"rj:{owned}", "vw": f"vw:{owned}",
        "cu": f"cu:{owned}", "cs": f"cs:{owned}:{ids['unit']}", "ins": f"ins:{owned}",
        "cg": f"cg:{ids['petition']}:3", "st": "st",
        "mo": f"mo:{STAFF}", "mn": "mn", "mr": f"mr:{ids['matter']}",
        "sz": f"sz:1:{ids['unit']}", "si": f"si:1:{ids['unit']}", "sd": f"sd:1:{ids['unit']}",
        "sr": "sr:3", "sg": f"sg:{STAFF}", "mp": f"mp:{owned}",
        "un": "un", "uv": f"uv:{ids['unit']}", "ur": f"ur:{ids['unit']}",
        "ul": f"ul:{ids['unit']}", "lt": f"lt:{ids['unit']}:{LIAISON}",
        "ug": f"ug:{ids['unit']}", "lg": f"lg:{ids['unit']}:{LEADER}",
        "mc": f"mc:{owned}", "ai": f"ai:{owned}", "wd": f"wd:{owned}", "wy": f"wy:{owned}",
        "ro": f"ro:{owned}", "rr": f"rr:{owned}",
        "bk": f"bk:{ids['later']}", "wl": f"wl:{ids['later']}", "bc": f"bc:{booking}",
        "bm": f"bm:{booking}", "mv": f"mv:{booking}:{ids['later']}", "dc": f"dc:{booking}",
        "rb": f"rb:{booking}:{ids['later']}", "at": f"at:{booking}:1",
        "ex": "ex:month", "ak": "ak:notice", "as": "as", "ac": "ac:999", "ad": "ad:999:1",
        "sb": "sb:notice", "ub": "ub:notice",
        "menu": "menu:new", "lang": "lang:zh", "noop": "noop",
    }[prefix]


def outcome(answer: str | None) -> str:
    if answer is None:
        return "A"
    if DENIED.search(answer):
        return "D"
    if answer in STALE:
        return "S"
    if any(mark in answer for mark in STATE):
        return "R"
    return "A"


async def try_everything(office: Office, ids: dict[str, str], actor: int,
                         found: dict[str, list[str]], role: str) -> None:
    async def fresh() -> None:  # each try on its own: no dialogue left by the one before
        await office.minqing.db.write(lambda tx: tx.dialogues.clear(actor))

    for name in COMMANDS:
        await fresh()
        office.api.clear()
        await office.send(actor, command_line(name, ids))
        texts = office.texts(actor)
        found[f"/{name}"].append(outcome(texts[-1] if texts else None))
    for prefix in BUTTONS:
        await fresh()
        before = len(office.alerts())
        await office.press(actor, button_data(prefix, ids))
        alerts = office.alerts()
        found[f"{prefix}:"].append(outcome(alerts[-1] if len(alerts) > before else None))
    for data in FORGED:
        before = len(office.alerts())
        await office.press(actor, data)
        assert len(office.alerts()) > before and office.alerts()[-1] in STALE, (role, data)
    office.check_errors()  # no crash anywhere


def registered_commands(office: Office) -> set[str]:
    names: set[str] = set()
    for handlers in office.minqing.app.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                names |= set(handler.commands)
    return names


async def test_every_command_and_button_by_every_role(tmp_path, clock, capsys) -> None:
    probe, _ = await seeded(tmp_path / "probe", clock)
    try:
        registered = registered_commands(probe)
    finally:
        await probe.stop()
    assert registered == set(COMMANDS), "a command is missing from the table"
    assert set(ACTIONS) == set(BUTTONS), "a button is missing from the table"
    found: dict[str, list[str]] = {f"/{n}": [] for n in COMMANDS}
    found.update({f"{p}:": [] for p in BUTTONS})
    for role in ROLES:
        office, ids = await seeded(tmp_path / role, clock.__class__(moment(0, 2)))
        try:
            await try_everything(office, ids, ACTOR[role], found, role)
        finally:
            await office.stop()
    with capsys.disabled():
        print("\n" + " " * 12 + " ".join(f"{r[:7]:>7}" for r in ROLES))
        for name, row in found.items():
            print(f"{name:>12}" + " ".join(f"{c:>7}" for c in row))
        print(f"{len(found)} commands and buttons x {len(ROLES)} roles "
              f"= {len(found) * len(ROLES)} cells, and {len(FORGED)} forged presses per role")
    expected = {**{f"/{n}": v for n, v in COMMANDS.items()},
                **{f"{p}:": v for p, v in BUTTONS.items()}}
    wrong = {name: ("".join(row), expected[name]) for name, row in found.items()
             if "".join(row) != expected[name]}
    assert not wrong, f"found (got, expected): {wrong}"


@pytest.fixture
def clock():
    from bot.clock import FakeClock

    return FakeClock(moment(0, 2))
