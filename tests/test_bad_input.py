"""Bad input gets a clear answer in the user's language, changes nothing, never crashes."""

from __future__ import annotations

from tests.harness import CITIZEN, STAFF, Office
from tests.test_citizen import new_case


async def test_long_text_is_split_never_rejected(office: Office) -> None:
    await new_case(office)
    office.api.clear()
    long_text = "很长的描述。" * 1500  # 9,000 characters
    await office.send(CITIZEN, long_text)
    pieces = office.api.sent(STAFF, "sendMessage")
    assert len(pieces) == 3 and all(len(p.params["text"]) <= 4096 for p in pieces)
    assert "".join(p.params["text"] for p in pieces).count("很长的描述") == 1500


async def test_long_caption_goes_as_text_first(office: Office) -> None:
    await new_case(office)
    office.api.clear()
    await office.photo(CITIZEN, "P2", caption="说明" * 600)
    calls = office.api.sent(STAFF)
    assert calls[0].method == "sendMessage" and calls[1].method == "sendPhoto"
    assert "caption" not in calls[1].params


async def test_unsupported_media_is_refused(office: Office) -> None:
    await new_case(office)
    office.api.clear()
    sticker = {"file_id": "S", "file_unique_id": "uS", "width": 1, "height": 1,
               "is_animated": False, "is_video": False, "type": "regular"}
    await office.send(CITIZEN, None, sticker=sticker)
    assert "暂不支持" in office.last_text(CITIZEN) and "sticker" in office.last_text(CITIZEN)
    await office.send(CITIZEN, None, location={"latitude": 36.6, "longitude": 117.0})
    assert "location" in office.last_text(CITIZEN)
    assert office.texts(STAFF) == []


async def test_file_over_the_limit_is_refused(office: Office) -> None:
    await new_case(office)
    office.api.clear()
    await office.document(CITIZEN, "BIG", size=30 * 1024 * 1024)
    assert "20 兆" in office.last_text(CITIZEN)
    assert office.texts(STAFF) == []
    assert await office.rows("SELECT * FROM case_events WHERE media LIKE '%BIG%'") == []


async def test_unknown_command(office: Office) -> None:
    await office.send(CITIZEN, "/frobnicate")
    assert "无法识别该命令" in office.last_text(CITIZEN)
    await office.send(CITIZEN, "/lang en")
    await office.send(CITIZEN, "/frobnicate")
    assert office.last_text(CITIZEN) == (
        "I don't know that command. Send /help to see what you can do.")


async def test_forged_and_stale_buttons_change_nothing(office: Office) -> None:
    number = await new_case(office)
    before = await office.rows("SELECT * FROM cases")
    for data in ("cl:abc", "zz:1", "cl:1:2", "k:../../etc", "cl:" + "9" * 40, "", "cl:999"):
        await office.press(STAFF, data)
    alerts = office.alerts()
    assert alerts.count("这个按钮已失效，请重新操作。") == 6
    assert alerts[-1] == "没有找到该事项。"
    await office.press(CITIZEN, "nx")  # the /new dialogue is long over
    assert office.alerts()[-1] == "这个按钮已失效，请重新操作。"
    assert await office.rows("SELECT * FROM cases") == before
    assert number


async def test_citizens_text_is_never_sent_with_a_parse_mode(office: Office) -> None:
    await new_case(office, text="<b>粗体</b> *markdown* [链接](http://x)")
    for call in office.api.calls:
        assert "parse_mode" not in call.params
    card = next(t for t in office.texts(STAFF) if "粗体" in t)
    assert "<b>粗体</b> *markdown*" in card


async def test_english_refusals_for_english_users(office: Office) -> None:
    await office.send(CITIZEN, "/lang en")
    await office.send(CITIZEN, None, dice={"emoji": "🎲", "value": 3})
    assert office.last_text(CITIZEN).startswith("This kind of message (dice)")
    await office.press(CITIZEN, "cl:1")
    assert office.alerts()[-1] == "Only the office's staff can do that."


async def test_a_crash_in_a_handler_is_logged_and_the_user_told(
    office: Office, monkeypatch
) -> None:
    from storage.repos import Cases

    office.expect_errors = True

    def broken(self, citizen_id, only_open=False, limit=50) -> None:
        raise ValueError("bug")

    monkeypatch.setattr(Cases, "of_citizen", broken)
    await office.send(CITIZEN, "/mycases")
    assert office.last_text(CITIZEN) == "抱歉，处理您的消息时出错了。我们已记录，请稍后再试。"
    assert len(office.errors) == 3  # tried three times, then set aside
    monkeypatch.undo()
    office.errors.clear()
    office.expect_errors = False
    await office.send(CITIZEN, "/mycases")
    assert office.last_text(CITIZEN) == "您还没有提交过事项。"
