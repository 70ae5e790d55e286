"""No single update, chat or fault stops the office (issue 8): updates that cannot be parsed
or stored, bad arguments, failures reported once and without anyone's words."""

from __future__ import annotations

import asyncio
import logging

import pytest

from storage import repos
from tests.harness import ADMIN, CITIZEN, CITIZEN2, Office


async def poll_until_confirmed(office: Office, last_id: int) -> list[object]:
    """Run the real polling loop until it confirms `last_id` (bounded), then stop it."""
    offsets: list[object] = []
    office.api.listeners.append(lambda call: offsets.append(call.params.get("offset"))
                                if call.method == "getUpdates" else None)
    poller = asyncio.create_task(office.minqing.poll())
    for _ in range(300):
        if last_id + 1 in offsets:
            break
        await asyncio.sleep(0.01)
    office.minqing._polling = False
    await asyncio.wait_for(poller, timeout=2)
    await office.settle()
    return offsets


async def test_an_update_this_library_cannot_parse_is_set_aside_and_confirmed(
        office: Office, caplog) -> None:
    caplog.set_level(logging.INFO)
    office.expect_errors = True
    office.api.updates = asyncio.Queue()
    first = office.update_json(message=office.message_json(CITIZEN, "/start"))
    no_type = office.update_json(message=office.message_json(CITIZEN2, "无类型的聊天"))
    del no_type["message"]["chat"]["type"]
    poll = office.update_json(message={**office.message_json(CITIZEN2, None), "poll": {
        "id": "p1", "question": "新版投票", "options": [], "total_voter_count": 0,
        "is_closed": False, "is_anonymous": True, "type": "regular",
        "allows_multiple_answers": False}})  # lacks fields this library requires
    last = office.update_json(message=office.message_json(CITIZEN2, "/start"))
    for update in (first, no_type, poll, last):
        office.api.updates.put_nowait(update)
    offsets = await poll_until_confirmed(office, last["update_id"])
    assert last["update_id"] + 1 in offsets  # the batch was confirmed, bad ones with it
    assert "群众工作服务室" in office.last_text(CITIZEN)
    assert "群众工作服务室" in office.last_text(CITIZEN2)
    rows = await office.rows("SELECT update_id, state, error FROM inbox WHERE state = 'failed'"
                             " ORDER BY update_id")
    assert [r["update_id"] for r in rows] == [no_type["update_id"], poll["update_id"]]
    assert all(r["error"].startswith("unparseable message: ") for r in rows)
    alerts = [t for t in office.texts(ADMIN) if "无法处理" in t]
    assert len(alerts) == 1  # one distinct failure, told once
    await office.send(ADMIN, "/failed")
    assert str(no_type["update_id"]) in office.last_text(ADMIN)
    assert "无类型的聊天" not in caplog.text and "新版投票" not in caplog.text


async def test_an_update_sqlite_cannot_hold_is_sanitised_and_served(office: Office) -> None:
    office.api.updates = asyncio.Queue()
    lone = office.update_json(message=office.message_json(CITIZEN, "路灯\ud800坏了"))
    after = office.update_json(message=office.message_json(CITIZEN2, "/start"))
    office.api.updates.put_nowait(lone)
    office.api.updates.put_nowait(after)
    await poll_until_confirmed(office, after["update_id"])
    stored = await office.rows("SELECT payload, state FROM inbox WHERE update_id = ?",
                               lone["update_id"])
    assert stored[0]["state"] == "done" and "路灯\ufffd坏了" in stored[0]["payload"]
    assert "没有正在办理" in office.last_text(CITIZEN)
    assert "群众工作服务室" in office.last_text(CITIZEN2)


async def test_an_update_that_cannot_be_stored_is_set_aside_alone(office: Office,
                                                                  monkeypatch) -> None:
    office.expect_errors = True
    bad = office.update_json(message=office.message_json(CITIZEN, "/start"))
    good = office.update_json(message=office.message_json(CITIZEN2, "/start"))
    real = repos.Inbox.add

    def add(self, update_id, payload, now):
        if update_id == bad["update_id"]:
            raise OSError("disk says no")
        return real(self, update_id, payload, now)

    monkeypatch.setattr(repos.Inbox, "add", add)
    assert await asyncio.wait_for(office.minqing.inbox.ingest([bad, good]), timeout=5) == 1
    await office.settle()
    assert "群众工作服务室" in office.last_text(CITIZEN2)
    row = await office.rows("SELECT state, error FROM inbox WHERE update_id = ?",
                            bad["update_id"])
    assert row == [{"state": "failed", "error": "could not be stored: OSError"}]
    # The worker is alive: the next update is served as usual.
    await office.send(CITIZEN2, "/help")
    assert "/new" in office.last_text(CITIZEN2)


async def test_failures_are_logged_and_stored_without_anyone_s_words(office: Office,
                                                                     monkeypatch,
                                                                     caplog) -> None:
    from bot.services import routing

    caplog.set_level(logging.INFO)
    office.expect_errors = True

    def explode(unit, user, message) -> None:
        raise ValueError(f"cannot handle {message.text}")

    monkeypatch.setattr(routing, "private_message", explode)
    await office.send(CITIZEN, "我家电话 13800138000")
    row = (await office.rows("SELECT error FROM inbox WHERE state = 'failed'"))[0]
    assert "13800138000" not in row["error"] and row["error"].startswith("ValueError at ")
    assert "13800138000" not in caplog.text and "张三" not in caplog.text
    assert all("13800138000" not in t for t in office.texts(ADMIN))


@pytest.fixture(autouse=True)
def _quiet_retries(office: Office) -> None:
    office.minqing.inbox.retry_pause = 0
