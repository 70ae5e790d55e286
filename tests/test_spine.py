"""The spine: the durable inbox and outbox, restarts, failures, pacing and the polling loop."""

from __future__ import annotations

import asyncio
import json
import sqlite3

from bot.outbox import Pacing
from bot.services import routing
from tests.harness import ADMIN, CITIZEN, STAFF, Office
from tests.test_citizen import new_case


async def test_an_update_delivered_twice_has_its_effect_once(office: Office) -> None:
    await new_case(office)
    office.api.clear()
    update = office.update_json(message=office.message_json(CITIZEN, "只说一次"))
    await office.feed(update)
    await office.feed(update)
    events = await office.rows("SELECT * FROM case_events WHERE text = '只说一次'")
    assert len(events) == 1
    assert sum("只说一次" in t for t in office.texts(STAFF)) == 1


async def test_a_repeat_after_a_restart_is_not_handled_again(office: Office) -> None:
    await new_case(office)
    update = office.update_json(message=office.message_json(CITIZEN, "重启前说过"))
    await office.feed(update)
    await office.restart()
    office.api.clear()
    await office.feed(update)  # Telegram sends it again: it was not confirmed before the crash
    assert office.api.calls == []
    events = await office.rows("SELECT * FROM case_events WHERE text = '重启前说过'")
    assert len(events) == 1


async def test_a_repeat_unknown_in_memory_is_rolled_back_by_its_done_row(office: Office) -> None:
    await new_case(office)
    update = office.update_json(message=office.message_json(CITIZEN, "只算一次"))
    await office.feed(update)
    office.minqing.inbox._handled.clear()  # as if memory had lost it
    office.api.clear()
    await office.feed(update)
    events = await office.rows("SELECT * FROM case_events WHERE text = '只算一次'")
    assert len(events) == 1
    assert office.api.texts(STAFF) == [] and office.api.texts(CITIZEN) == []


async def test_a_stored_update_commits_with_its_effect(tmp_path, clock) -> None:
    """With the worker running, the row rides in the commit of the update's effect: ingest
    returns although the row's own commit would wait far longer than the test allows."""
    from tests.harness import make_settings

    office = Office(tmp_path / "ride.sqlite3", make_settings(), clock)
    office.minqing.db.rider_linger = 60.0
    await office.minqing.start(background=True)
    try:
        update = office.update_json(message=office.message_json(CITIZEN, "/start"))
        assert await asyncio.wait_for(office.minqing.inbox.ingest([update]), timeout=5) == 1
        row = await office.rows("SELECT state FROM inbox WHERE update_id = ?",
                                update["update_id"])
        assert row == [{"state": "done"}]
    finally:
        await office.minqing.stop()


async def test_an_effect_whose_stored_row_is_missing_records_it(office: Office) -> None:
    """If storing the update failed, its effect still commits and writes the row itself."""
    payload = {"update_id": 77, "message": {"text": "x"}}
    now = office.clock.now()

    def complete(tx):
        first = tx.inbox.complete(77, payload, now)
        again = tx.inbox.complete(77, payload, now)
        tx.inbox.record_failure(78, payload, "boom", False, now)
        return first, again

    assert await office.minqing.db.write(complete) == (True, False)
    rows = await office.rows("SELECT update_id, state, attempts FROM inbox"
                             " WHERE update_id IN (77, 78) ORDER BY update_id")
    assert rows == [{"update_id": 77, "state": "done", "attempts": 0},
                    {"update_id": 78, "state": "pending", "attempts": 1}]


async def test_delivered_rows_are_marked_sent_with_telegrams_message_id(office: Office) -> None:
    await office.send(CITIZEN, "/start")
    rows = await office.rows("SELECT state, result_message_id, sent_at FROM outbox"
                             " WHERE method = 'sendMessage'")
    assert rows and all(r["state"] == "sent" and r["result_message_id"] and r["sent_at"]
                        for r in rows)


async def test_a_send_whose_mark_was_not_committed_is_sent_again_after_restart(
    office: Office, monkeypatch
) -> None:
    """At least once: a crash between Telegram's acceptance and the sent mark repeats the send
    (the one duplicate the outbox allows)."""
    from bot.outbox import OutboxSender

    def lost(self, tx, item, result) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(OutboxSender, "_sent", lost)
    await office.send(CITIZEN, "/start")
    assert len(office.texts(CITIZEN)) == 1
    monkeypatch.undo()
    await office.restart()
    assert len(office.texts(CITIZEN)) == 2  # the same greeting once more
    assert await office.rows("SELECT * FROM outbox WHERE state != 'sent'") == []


async def test_inbox_row_is_done_in_the_transaction_of_its_effect(office: Office) -> None:
    await new_case(office)
    update = office.update_json(message=office.message_json(CITIZEN, "补充"))
    await office.feed(update)
    row = (await office.rows("SELECT state, done_at FROM inbox WHERE update_id = ?",
                             update["update_id"]))[0]
    assert row["state"] == "done" and row["done_at"]


async def test_restart_finishes_the_inbox_and_delivers_the_outbox(office: Office) -> None:
    await new_case(office)
    office.api.clear()
    # The citizen's message is stored, but the process dies before handling it.
    pending = office.update_json(message=office.message_json(CITIZEN, "断电前的消息"))
    await office.minqing.inbox.ingest([pending])
    await office.minqing.stop()
    # And a message was queued that the dead process never sent.
    with sqlite3.connect(office.db_path) as conn:
        conn.execute(
            "INSERT INTO outbox (chat_id, method, payload, next_at, created_at)"
            " VALUES (?, 'sendMessage', ?, '2000-01-01', '2000-01-01')",
            (CITIZEN, json.dumps({"text": "未发出的通知"})),
        )
    await office.restart(deliver=False)
    assert office.texts(CITIZEN) == [] and office.texts(STAFF) == []
    await office.settle()  # what the new process does first
    assert "未发出的通知" in office.texts(CITIZEN)
    assert any("断电前的消息" in t for t in office.texts(STAFF))
    assert await office.rows("SELECT * FROM inbox WHERE state != 'done'") == []


async def test_a_failing_update_is_set_aside_and_does_not_block_others(
    office: Office, monkeypatch
) -> None:
    office.expect_errors = True
    calls = []
    real = routing.private_message

    def explode(unit, user, message) -> None:
        calls.append(message.text)
        if message.text == "炸弹":
            raise RuntimeError("boom")
        real(unit, user, message)

    monkeypatch.setattr(routing, "private_message", explode)
    bad = office.update_json(message=office.message_json(CITIZEN, "炸弹"))
    good = office.update_json(message=office.message_json(CITIZEN, "你好"))
    await office.feed(bad, good)
    row = (await office.rows("SELECT state, attempts, error FROM inbox WHERE update_id = ?",
                             bad["update_id"]))[0]
    assert row["state"] == "failed" and row["attempts"] == 3
    # The error names the failure and where, never its message (which could quote a citizen).
    assert row["error"].startswith("RuntimeError at tests/test_spine.py:")
    assert "explode" in row["error"] and "boom" not in row["error"]
    assert calls.count("炸弹") == 3
    assert "没有正在办理" in office.last_text(CITIZEN)  # the next update was handled
    assert sum("出错了" in t for t in office.texts(CITIZEN)) == 1  # told once, not thrice
    assert any(str(bad["update_id"]) in t for t in office.texts(ADMIN))
    await office.send(ADMIN, "/failed")
    assert "RuntimeError" in office.last_text(ADMIN) and "炸弹" not in office.last_text(ADMIN)


async def test_handled_updates_are_pruned_after_seven_days(office: Office, clock) -> None:
    await office.send(CITIZEN, "/start")
    clock.advance(days=6)
    assert await office.minqing.inbox.prune() == 0
    clock.advance(days=2)
    assert await office.minqing.inbox.prune() == 1


async def test_retry_after_is_honoured(office: Office, clock) -> None:
    office.api.fail(429, "Too Many Requests: retry after 5", method="sendMessage",
                    chat_id=CITIZEN, retry_after=5)
    await office.send(CITIZEN, "/start")
    assert office.texts(CITIZEN) == []
    row = (await office.rows("SELECT state, attempts, error FROM outbox WHERE chat_id = ?",
                             CITIZEN))[0]
    assert row["state"] == "pending" and "RetryAfter 5" in row["error"]
    clock.advance(seconds=6)
    await office.settle()
    assert "群众工作服务室" in office.last_text(CITIZEN)


async def test_blocked_user_is_recorded_not_retried(office: Office, clock) -> None:
    office.api.fail(403, "Forbidden: bot was blocked by the user", chat_id=CITIZEN, times=5)
    await office.send(CITIZEN, "/start")
    row = (await office.rows("SELECT state FROM outbox WHERE chat_id = ?", CITIZEN))[0]
    assert row["state"] == "blocked"
    user = (await office.rows("SELECT blocked_at FROM users WHERE telegram_id = ?", CITIZEN))[0]
    assert user["blocked_at"]
    clock.advance(hours=1)
    await office.settle()
    assert office.texts(CITIZEN) == []


async def test_network_errors_are_retried_with_backoff(office: Office, clock) -> None:
    office.api.fail(0, "connection reset", chat_id=CITIZEN, times=2)
    await office.send(CITIZEN, "/start")
    assert office.texts(CITIZEN) == []
    clock.advance(seconds=1.5)
    await office.settle()
    assert office.texts(CITIZEN) == []  # second failure: now waiting 2 s
    clock.advance(seconds=2.5)
    await office.settle()
    assert len(office.texts(CITIZEN)) == 1


async def test_a_rejected_message_is_marked_failed(office: Office) -> None:
    office.api.fail(400, "Bad Request: chat not found", chat_id=CITIZEN)
    await office.send(CITIZEN, "/start")
    row = (await office.rows("SELECT state, error FROM outbox WHERE chat_id = ?", CITIZEN))[0]
    assert row["state"] == "failed" and "chat not found" in row["error"].lower()


def test_pacing_limits_each_chat_without_stalling_others() -> None:
    now = [100.0]  # the pacing's clock, injected
    pacing = Pacing(monotonic=lambda: now[0])
    assert pacing.wait_time(1) == 0
    pacing.take(1)
    assert 0 < pacing.wait_time(2) <= 1 / 28  # overall: one token, 28 a second
    now[0] += 0.05
    assert 0.9 < pacing.wait_time(1) <= 1.0  # then one a second in a private chat
    assert pacing.wait_time(2) == 0  # another chat is not held up
    for _ in range(5):
        pacing.take(-100)
    now[0] += 1.0
    assert pacing.wait_time(-100) > 1.5  # a group: 20 a minute after a burst of five
    pacing.slow_down(3, 30)
    assert pacing.wait_time(3) > 29 and pacing.wait_time(4) == 0


async def test_polling_stores_updates_before_confirming_them(office: Office) -> None:
    api = office.api
    offsets: list[object] = []
    api.listeners.append(lambda call: offsets.append(call.params.get("offset"))
                         if call.method == "getUpdates" else None)
    update = office.update_json(message=office.message_json(CITIZEN, "/start"))
    api.push_update(update)
    poller = asyncio.create_task(office.minqing.poll())
    for _ in range(100):
        if update["update_id"] + 1 in offsets:
            break
        await asyncio.sleep(0.01)
    office.minqing._polling = False
    await asyncio.wait_for(poller, timeout=2)
    # When the confirming call (offset = id + 1) went out, the update was already stored.
    assert update["update_id"] + 1 in offsets
    stored = await office.rows("SELECT state FROM inbox WHERE update_id = ?",
                               update["update_id"])
    assert stored == [{"state": "pending"}]
    await office.settle()
    assert "群众工作服务室" in office.last_text(CITIZEN)


async def test_background_workers_process_and_deliver(tmp_path, clock) -> None:
    from tests.harness import make_settings

    office = Office(tmp_path / "bg.sqlite3", make_settings(), clock)
    await office.minqing.start(background=True)
    try:
        await office.minqing.inbox.ingest(
            [office.update_json(message=office.message_json(CITIZEN, "/start"))])
        for _ in range(200):
            if office.texts(CITIZEN):
                break
            await asyncio.sleep(0.01)
        assert "群众工作服务室" in office.last_text(CITIZEN)
    finally:
        await office.minqing.stop()
