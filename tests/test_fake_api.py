"""The one fake Bot API, in process and over HTTP: what Minqing uses answered as Telegram
answers it, unknown methods refused, Telegram's limits when switched on, faults on demand."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, EndPointNotFound, NetworkError, RetryAfter, TimedOut

from bot.clock import FakeClock
from bot.local_api import LocalBotApi
from bot.local_http import BotApiServer
from tests.harness import OPEN_HOURS


def fake(**options) -> LocalBotApi:
    return LocalBotApi(FakeClock(OPEN_HOURS), **options)


async def in_process(api: LocalBotApi) -> Bot:
    bot = Bot("1:test", request=api, get_updates_request=api)
    await bot.initialize()
    return bot


async def test_an_unknown_method_is_refused_never_answered_true() -> None:
    bot = await in_process(fake())
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendInvoiceToTheMoon", {"chat_id": 1})


async def test_get_updates_confirms_by_offset() -> None:
    api = fake()
    for update_id in (10, 11, 12):
        api.push_update({"update_id": update_id, "message": {
            "message_id": update_id, "date": 0, "chat": {"id": 5, "type": "private"},
            "text": "x"}})
    bot = await in_process(api)
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [10, 11, 12]
    assert [u.update_id for u in await bot.get_updates(offset=12, timeout=0)] == [12]
    assert api.unconfirmed == 1
    assert await bot.get_updates(offset=13, timeout=0) == ()
    assert api.unconfirmed == 0


async def test_telegram_s_limits_when_switched_on() -> None:
    api = fake(enforce_limits=True)
    bot = await in_process(api)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(5, "长" * 4097)
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(5, "FILEID", caption="x" * 1025)
    await bot.send_message(5, "one")
    with pytest.raises(RetryAfter):  # one a second in a private chat
        await bot.send_message(5, "two")
    for index in range(20):
        await bot.send_message(-100, f"group {index}")
    with pytest.raises(RetryAfter):  # twenty a minute in a group
        await bot.send_message(-100, "twenty-one")


async def test_faults_on_demand() -> None:
    api = fake()
    bot = await in_process(api)
    api.fail(-1, "timed out", method="sendMessage")
    with pytest.raises(TimedOut):
        await bot.send_message(5, "x")
    api.fail(0, "connection dropped", method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(5, "x")
    api.fail(502, "Bad Gateway", method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(5, "x")
    api.fail(429, "Too Many Requests: retry after 7", method="sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(5, "x")
    assert caught.value.retry_after in (7, __import__("datetime").timedelta(seconds=7))
    assert (await bot.send_message(5, "fine")).text == "fine"


async def test_the_same_api_over_http_on_loopback() -> None:
    api = fake(enforce_limits=True)
    with BotApiServer(api) as server:
        assert server.url.startswith("http://127.0.0.1:")
        bot = Bot("1:test", base_url=f"{server.url}/bot")
        await bot.initialize()
        try:
            assert (await bot.get_me()).username == "minqing_bot"
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("认领", callback_data="cl:1")]])
            sent = await bot.send_message(5, "你好", reply_markup=keyboard)
            assert sent.text == "你好"
            call = api.sent(5)[-1]
            assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "cl:1"
            photo = await bot.send_document(6, document=b"%PDF-1.4 small", filename="a.pdf")
            assert photo.document is not None
            with pytest.raises(NetworkError):  # a photo over 10 MB is refused
                await bot.send_photo(7, photo=b"\xff" * (10 * 1024 * 1024 + 1))
            api.push_update({"update_id": 1, "message": {
                "message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "x"}})
            assert [u.update_id for u in await bot.get_updates(timeout=1)] == [1]
            with pytest.raises(EndPointNotFound):
                await bot.do_api_request("noSuchMethod")
        finally:
            await bot.shutdown()


def test_the_http_face_binds_to_loopback_only() -> None:
    with pytest.raises(ValueError):
        BotApiServer(fake(), host="0.0.0.0")
