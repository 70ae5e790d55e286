"""The leaders' morning report: its figures against seeded data, once only across a double run
and a restart, catch-up after downtime, the zero report, the daily report of a sensitive
period, Monday's weekly summary, /digest, and the chart drawn with the CJK font."""

from __future__ import annotations

import warnings
from datetime import date, timedelta

from fontTools.ttLib import TTFont

from bot.render import chart
from bot.services import digest, people
from schedules import jobs
from tests.harness import ADMIN, LEADER, STAFF, Office, moment, ymd, zh_day
from tests.test_citizen import CITIZEN, new_case
from tests.test_desk import case_id

LEADER2 = 3002
PNG = b"\x89PNG\r\n\x1a\n"


async def run(office: Office) -> None:
    await jobs.morning_report(office.minqing)
    await office.settle()


def reports(office: Office, leader: int = LEADER) -> list[str]:
    return [t for t in office.texts(leader) if t.startswith(("【排查日报】", "【日报告】"))]


async def test_the_report_counts_what_is_seeded_and_goes_once(office: Office, clock) -> None:
    await office.minqing.services.run(people.grant, ADMIN, LEADER2, "leader")
    first = await new_case(office)  # a help request, claimed: due in 30 days
    await office.press(STAFF, f"cl:{await case_id(office, first)}")
    await new_case(office, kind="complaint", text="门票价格不合理")  # unclaimed
    await office.send(ADMIN, "/units")  # no unit yet: nothing to flag
    clock.moment = moment(1, 0, 5)  # Tuesday 08:05 local
    office.api.clear()
    await run(office)
    await run(office)  # a double run
    await office.restart()
    await run(office)  # and a restart: still one each
    for leader in (LEADER, LEADER2):
        assert len(reports(office, leader)) == 1, leader
        assert len(office.api.sent(leader, "sendPhoto")) == 1
    text = reports(office)[0]
    assert f"统计时段：{zh_day(0)}08:00 至 {zh_day(1)}08:00" in text
    assert "一、新增事项 2 件" in text and "求助 1" in text and "投诉 1" in text
    assert "按渠道：线上 2" in text
    assert "二、在办事项 2 件" in text
    assert "零报告" not in text
    rows = await office.rows("SELECT leader_id, kind, period FROM morning_reports"
                             " WHERE kind = 'daily' ORDER BY leader_id")
    assert rows == [{"leader_id": LEADER, "kind": "daily", "period": ymd(1)},
                    {"leader_id": LEADER2, "kind": "daily", "period": ymd(1)}]
    photo = office.api.sent(LEADER, "sendPhoto")[0]
    assert "近30天" in photo.params.get("caption", "")


async def test_overdue_cases_are_listed_in_red_with_their_buttons(office: Office, clock) -> None:
    number = await new_case(office)
    cid = await case_id(office, number)
    await office.press(STAFF, f"cl:{cid}")
    clock.moment = moment(31, 0, 5)  # past its 30 days; the 31st day is a Thursday? any day
    await jobs.deadlines(office.minqing)
    office.api.clear()
    await run(office)
    text = next(t for t in office.texts(LEADER) if t.startswith("【"))
    assert "🔴 逾期 1 件" in text and f"{number} · 办结期限 {zh_day(30)}23:59 · 李四" in text
    assert office.buttons(LEADER) == {f"🔴 {number}": f"vw:{cid}"}


async def test_a_quiet_day_is_a_zero_report(office: Office, clock) -> None:
    clock.moment = moment(1, 0, 5)
    await run(office)
    text = reports(office)[0]
    assert "本期零报告" in text


async def test_after_downtime_one_report_covers_the_missed_span(office: Office, clock) -> None:
    clock.moment = moment(1, 0, 5)
    await run(office)
    await office.stop()
    clock.moment = moment(4, 3, 0)  # Friday 11:00: Wednesday's, Thursday's, Friday's missed
    await office.start(seed=False)
    office.api.clear()
    await run(office)
    missed = reports(office)
    assert len(missed) == 1
    assert f"统计时段：{zh_day(1)}08:00 至 {zh_day(4)}08:00" in missed[0]
    assert (await office.rows("SELECT COUNT(*) AS n FROM morning_reports WHERE kind = 'daily'"
                              " AND leader_id = ?", LEADER))[0]["n"] == 2


async def test_weekends_have_none_and_a_sensitive_period_has_one_every_day(
        office: Office, clock) -> None:
    clock.moment = moment(5, 0, 5)  # Saturday: Friday's report is owed (caught up), once
    await run(office)
    clock.moment = moment(6, 0, 5)  # Sunday: nothing more
    office.api.clear()
    await run(office)
    assert reports(office) == []
    await office.send(ADMIN, f"/sensitive add {ymd(6)} {ymd(14)} 全国两会")
    clock.moment = moment(13, 0, 5)  # the next Sunday, in the period
    office.api.clear()
    await run(office)
    assert any(t.startswith("【日报告】") for t in office.texts(LEADER))


async def test_the_weekly_summary_compares_with_the_week_before(office: Office, clock) -> None:
    await new_case(office)  # Monday of the first week
    clock.moment = moment(2, 2, 0)
    await new_case(office, kind="complaint", text="投诉一")
    clock.moment = moment(7, 0, 5)  # the next Monday 08:05
    office.api.clear()
    await run(office)
    await run(office)
    weekly = [t for t in office.texts(LEADER) if t.startswith("【周报】")]
    assert len(weekly) == 1
    assert "新增事项 2 件，上周 0 件，增减 +2。" in weekly[0]
    assert "求助 1（+1）" in weekly[0] and "投诉 1（+1）" in weekly[0]


async def test_digest_on_demand_for_staff_and_leaders_only(office: Office, clock) -> None:
    await new_case(office)
    office.api.clear()
    await office.send(STAFF, "/digest")
    assert office.texts(STAFF)[0].startswith("【情况报告】")
    assert office.api.sent(STAFF, "sendPhoto")
    await office.send(CITIZEN, "/digest")
    assert office.last_text(CITIZEN) == "只有工作人员可以这样做。"
    assert office.api.sent(CITIZEN, "sendPhoto") == []


def test_the_chart_is_a_png_drawn_with_the_cjk_font_and_no_missing_glyph() -> None:
    font = TTFont(chart.FONT)
    cmap = font.getBestCmap()
    missing = [c for c in chart.characters() if ord(c) not in cmap]
    assert missing == [], missing
    days = tuple(date(2031, 12, 1) + timedelta(days=i) for i in range(30))
    quiet = digest.Series(days, (0,) * 30, (0,) * 30, (0,) * 30)
    busy = digest.Series(days, (1,) * 30, (2,) * 30, (0,) * 30)
    for lang, series in (("zh", busy), ("en", busy), ("zh", quiet)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            png = chart.draw(series, lang)
        assert png.startswith(PNG) and len(png) > 5000
        assert not [w for w in caught if "Glyph" in str(w.message)], caught
