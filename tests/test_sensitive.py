"""Sensitive periods (issue 10 §2): admins declare, list and end them; the cadence reads them."""

from __future__ import annotations

from datetime import timedelta

from bot.core.screening import round_days
from bot.services import screening
from tests.harness import ADMIN, Office, day, ymd, zh_day


async def test_admins_declare_list_and_end_sensitive_periods(office: Office, clock) -> None:
    await office.send(ADMIN, "/sensitive")
    assert office.last_text(ADMIN) == "目前没有敏感时期。"
    await office.send(ADMIN, f"/sensitive add {ymd(0)} {ymd(4)} 全国两会")
    # Declared today: the daily rounds begin tomorrow.
    assert office.last_text(ADMIN) == (
        f"已设敏感时期 P1（全国两会）：{zh_day(1)}至{zh_day(4)}，每日排查、每日报告，节假日照常。")
    await office.send(ADMIN, f"/sensitive add {ymd(20)} {ymd(22)} 重要节点")
    clock.advance(days=1)
    await office.send(ADMIN, "/sensitive")
    listing = office.last_text(ADMIN)
    assert f"P1 {zh_day(0)} 至 {zh_day(4)} · 全国两会（进行中）" in listing
    assert f"P2 {zh_day(20)} 至 {zh_day(22)} · 重要节点" in listing
    assert "重要节点（进行中）" not in listing
    found = await office.minqing.services.read(screening.periods, day(0))
    daily = [r.day for r in round_days(day(0), day(30), {}, found) if r.cadence == "daily"]
    assert daily == [day(n) for n in (1, 2, 3, 4, 20, 21, 22)]
    # Ended today: today's round is its last.
    await office.send(ADMIN, "/sensitive end P1")
    assert office.last_text(ADMIN) == f"敏感时期 P1（全国两会）已结束，{zh_day(1)}为最后一日。"
    found = await office.minqing.services.read(screening.periods, day(1))
    daily = [r.day for r in round_days(day(0), day(30), {}, found) if r.cadence == "daily"]
    assert daily == [day(1), day(20), day(21), day(22)]
    # One that has not begun, ended, covers no day at all.
    await office.send(ADMIN, "/sensitive end P2")
    found = await office.minqing.services.read(screening.periods, day(1))
    assert [r for r in round_days(day(2), day(30), {}, found) if r.cadence == "daily"] == []
    actions = await office.rows("SELECT action FROM audit_log WHERE action LIKE 'sensitive%'")
    assert [a["action"] for a in actions] == ["sensitive_add", "sensitive_add",
                                              "sensitive_end", "sensitive_end"]


async def test_bad_sensitive_periods_are_refused_and_change_nothing(office: Office,
                                                                    clock) -> None:
    refusals = {
        f"/sensitive add {ymd(5)} {ymd(3)} 原因": "早于开始日",
        f"/sensitive add {ymd(-5)} {ymd(0)} 原因": "已过，无需设置",
        f"/sensitive add {ymd(1)} {ymd(3)} " + "长" * 101: "不超过 100 个字",
        "/sensitive add 明天 后天 原因": "",
        "/sensitive end P9": "没有找到该敏感时期",
        "/sensitive end P١": "没有找到该敏感时期",
        "/sensitive remove": "/sensitive add",
    }
    for line, words in refusals.items():
        await office.send(ADMIN, line)
        assert words in office.last_text(ADMIN), (line, office.last_text(ADMIN))
    assert await office.rows("SELECT COUNT(*) AS n FROM sensitive_periods") == [{"n": 0}]
    await office.send(ADMIN, f"/sensitive add {ymd(1)} {ymd(2)} 原因")
    clock.moment += timedelta(days=5)
    await office.send(ADMIN, "/sensitive end P1")
    assert "已于" in office.last_text(ADMIN) and "结束" in office.last_text(ADMIN)
