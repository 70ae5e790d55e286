"""The console, through its own driver: what a trainee types and what they see printed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import SteppedClock
from minqing.console import Console
from tests.harness import OPEN_HOURS, YEAR, make_settings


def far_clock() -> SteppedClock:
    """The console's clock runs on the wall clock; set it to the tests' own days."""
    return SteppedClock(offset=OPEN_HOURS - datetime.now(UTC))


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    console = Console(make_settings(), str(tmp_path / "console.sqlite3"), far_clock())
    await console.start()
    yield console
    await console.minqing.stop()


async def type_lines(console: Console, capsys: pytest.CaptureFixture[str], *lines: str) -> str:
    capsys.readouterr()
    for line in lines:
        assert await console.handle(line)
    return capsys.readouterr().out


NEW_CASE = ("/as citizen", "/new", "1", "楼下施工噪音", "1", "1", "13800138000", "1")


async def test_button_refusals_are_printed(console: Console, capsys) -> None:
    await type_lines(console, capsys, *NEW_CASE)
    out = await type_lines(console, capsys, "/as staff", "/cases", "1", "1")
    assert "已由 李四 认领" in out
    out = await type_lines(console, capsys, "/cases", "1", "1")  # the case's card again: 认领
    assert f"⚠ 事项 QZ-{YEAR}-000001 已由 李四 认领。" in out
    out = await type_lines(console, capsys, "/cases", "1", "3")  # 转交, with nobody to take it
    assert "⚠ 没有可转交的工作人员。" in out


async def test_a_refused_booking_is_printed(console: Console, capsys) -> None:
    day = console.clock.now().astimezone(console.minqing.settings.tz) + timedelta(days=1)
    await type_lines(console, capsys, "/as staff",
                     f"/slot talk_day {day:%Y-%m-%d} 09:00-11:30 10 3001 三楼会议室")
    await type_lines(console, capsys, "/as citizen", "/talks")
    # The list was shown while the slot was open; by the press, booking has closed.
    await type_lines(console, capsys, f"/clock {day:%Y-%m-%d} 08:00")
    out = await type_lines(console, capsys, "1")
    assert "⚠ 开始前 2 小时停止预约。" in out


async def test_a_number_presses_a_button_only_of_the_newest_message(console: Console,
                                                                     capsys) -> None:
    out = await type_lines(console, capsys, "/as citizen", "/new", "1", "楼下施工噪音", "1",
                           "1")
    assert "请留下联系电话" in out
    # The phone number is text, not a press of button 13800138000.
    out = await type_lines(console, capsys, "13800138000")
    assert "电话：13800138000" in out
    # Not one of the newest message's buttons (提交, 取消): sent as text, which the
    # confirmation step answers by asking again.
    out = await type_lines(console, capsys, "9")
    assert "请确认" in out and "已受理登记" not in out
    out = await type_lines(console, capsys, "=1")  # a small number sent as text
    assert "请确认" in out and "已受理登记" not in out
    out = await type_lines(console, capsys, "1")  # 提交
    assert "已受理登记" in out


async def test_reply_answers_a_relayed_message(console: Console, capsys) -> None:
    await type_lines(console, capsys, *NEW_CASE, "/as staff", "/cases", "1", "1")
    out = await type_lines(console, capsys, "/as citizen", "还有一个问题")
    relayed = next(line for line in out.splitlines() if "→ [李四] 💬" in line)
    number = relayed.split("#", 1)[1].split()[0]
    out = await type_lines(console, capsys, f"/reply {number} 明天上午去现场查看")
    assert "(message #" in out  # it is in 李四's chat, not the citizen's
    out = await type_lines(console, capsys, "/as staff", f"/reply {number} 明天上午去现场查看")
    to_citizen = out[out.index("→ [张三]"):]
    assert "明天上午去现场查看" in to_citizen.splitlines()[1]
    assert f"已发送给 QZ-{YEAR}-000001 的群众" in out


async def test_the_clock_steps_through_each_reminder_in_order(console: Console, capsys,
                                                              tmp_path: Path) -> None:
    day = (console.clock.now().astimezone(console.minqing.settings.tz) + timedelta(days=2))
    await type_lines(console, capsys, "/as staff",
                     f"/slot talk_day {day:%Y-%m-%d} 09:00-11:30 10 3001 三楼会议室")
    await type_lines(console, capsys, "/as citizen", "/talks", "1", "噪音问题")
    out = await type_lines(console, capsys, f"/clock {day:%Y-%m-%d} 08:30")
    reminders = [index for index, line in enumerate(out.splitlines()) if "🤖" in line
                 and "提醒：您预约的恳谈" in line]
    host_list = next(i for i, line in enumerate(out.splitlines()) if "明日恳谈" in line)
    # The 24-hour reminder, the host list the evening before, then the 1-hour reminder: each
    # at its moment, none superseded as after downtime.
    assert len(reminders) == 2 and reminders[0] < host_list < reminders[1], out
    states = await console.minqing.db.read(lambda tx: [tuple(r) for r in tx.conn.execute(
        "SELECT key, state FROM reminders WHERE key LIKE 'booking:%' ORDER BY key")])
    assert [state for _, state in states] == ["sent", "sent"]
    moved = console.clock.now()
    await console.minqing.stop()
    # The next run starts where this one left the clock, never before its own rows.
    again = Console(make_settings(), str(tmp_path / "console.sqlite3"))
    await again.start()
    try:
        assert again.clock.now() >= moved
    finally:
        await again.minqing.stop()
    console.minqing = again.minqing  # the fixture stops this one (stopping twice is harmless)


async def test_the_clock_refuses_to_go_back_or_to_odd_spans(console: Console, capsys) -> None:
    before = console.clock.now()
    out = await type_lines(console, capsys, "/clock 2000-01-01 09:00", "/clock +x",
                           "/clock +99999d")
    assert "only moves forward" in out and "usage" in out and "at most" in out
    assert console.clock.now() - before < timedelta(minutes=1)


async def test_a_generated_file_is_saved_and_its_path_printed(console: Console, capsys,
                                                              tmp_path: Path) -> None:
    from bot.core.said import SendFile

    def chart(unit) -> None:
        unit.tell(SendFile(console.user_id, "zh", "report.png", b"\x89PNG a chart",
                           as_photo=True, caption_key="raw", params={"text": "早报图表"}))

    capsys.readouterr()
    await console.minqing.services.run(chart)
    await console.minqing.sender.flush()
    out = capsys.readouterr().out
    assert "[photo] 早报图表" in out
    saved = [line for line in out.splitlines() if "saved:" in line]
    assert len(saved) == 1
    path = Path(saved[0].split("saved: ", 1)[1].rsplit(",", 1)[0])
    assert path.parent == tmp_path / "console-files" and path.name.endswith("report.png")
    content, mode = await asyncio.to_thread(lambda: (path.read_bytes(), path.stat().st_mode))
    assert content == b"\x89PNG a chart" and mode & 0o777 == 0o600


async def test_a_trainee_watches_a_round_a_reminder_an_escalation_and_the_report(
        tmp_path: Path, capsys) -> None:
    """The README's walk-through: the console seeds 市博物馆 with its liaison and leader; the
    round of the 1st reaches the liaison, a silent unit is reminded, a serious item escalates,
    and the morning report arrives with its chart saved to a file."""
    console = Console(make_settings(admin_ids=[5001]), str(tmp_path / "c.sqlite3"), far_clock())
    capsys.readouterr()
    await console.start()
    try:
        out = capsys.readouterr().out
        assert "[王联络] 📋 矛盾纠纷排查" in out  # the round of Monday the 1st, opened at start
        out = await type_lines(console, capsys, "/clock +25h")
        assert "[王联络] ⏰ 市博物馆尚未报告本轮排查情况" in out
        assert "[陈局长] 【排查日报】" in out and "未报告 1 个单位：市博物馆" in out
        assert "(saved: " in out and "chart.png" in out
        out = await type_lines(console, capsys, "/as liaison", "2", "商户聚集", "馆方与商户",
                               "30", "恢复通道", "3", "1", "1")
        assert "[陈局长] 🔴 市博物馆上报重大矛盾纠纷" in out
        out = await type_lines(console, capsys, "/clock +3h")
        assert "[陈局长] 🔴 市博物馆上报的重大事项" in out and "仍未报告首次处置措施" in out
    finally:
        await console.minqing.stop()


async def test_the_ledger_and_an_announcement_on_the_console(console: Console, capsys,
                                                              tmp_path: Path) -> None:
    from openpyxl import load_workbook

    await type_lines(console, capsys, *NEW_CASE)
    out = await type_lines(console, capsys, "/as staff", "/export month")
    saved = [line for line in out.splitlines() if "saved:" in line]
    assert len(saved) == 1 and "台帐-" in saved[0]
    path = Path(saved[0].split("saved: ", 1)[1].split(", ")[0])
    book = await asyncio.to_thread(load_workbook, path)
    assert book.sheetnames[0] == "事项台帐"
    await type_lines(console, capsys, "/as citizen", "/subscribe", "1")
    out = await type_lines(console, capsys, "/as leader", "/announce", "1", "文物保护公示",
                           "公示期七日，欢迎监督。", "1", "1")
    assert "发送中" in out or "发送完毕" in out
    out = await type_lines(console, capsys, "/as citizen", "/notices")
    assert "【公示】文物保护公示" in out or "A1【公示】文物保护公示" in out
