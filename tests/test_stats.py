"""Assessment (考核): each /stats figure against values computed by hand from seeded data, per
member of staff, per unit and for the office; staff see their own row only; the chart; the
period words; and the same figures as the ledger's sheet."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date

import pytest
from openpyxl import load_workbook

from bot.clock import FakeClock
from bot.services import stats
from tests.harness import (
    CITIZEN2,
    LEADER,
    OPEN_HOURS,
    STAFF,
    STAFF2,
    Office,
    make_settings,
    moment,
    ymd,
)
from tests.test_citizen import CITIZEN, new_case
from tests.test_desk import case_id
from tests.test_talks import book, slot

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def office(tmp_path) -> AsyncIterator[Office]:
    """A day to decide acceptance, so that a late acceptance shows within the month."""
    clock = FakeClock(OPEN_HOURS)
    office = await Office(tmp_path / "m.sqlite3", make_settings(accept_days=1), clock).start()
    office.clock = clock
    yield office
    await office.stop()
    office.check_errors()


async def seed(office: Office) -> dict[str, int]:
    clock = office.clock
    # A: 张三's help request, claimed at once by 李四, answered 2 hours later, resolved 48 h on
    a = await case_id(office, await new_case(office))
    await office.press(STAFF, f"cl:{a}")
    talk = await slot(office, ymd(0), "13:00-14:00")  # today, hosted by 陈局长
    await book(office, CITIZEN, talk)
    clock.moment = moment(0, 3)  # 11:00: B, 王五's complaint, claimed by 赵六 at once
    b = await case_id(office, await new_case(office, CITIZEN2, kind="complaint", text="票价"))
    await office.press(STAFF2, f"cl:{b}")
    clock.moment = moment(0, 4)  # 12:00: 李四 answers A; D arrives (王五's help request)
    await office.press(STAFF, f"rp:{a}")
    await office.send(STAFF, "正在联系维修")
    d = await case_id(office, await new_case(office, CITIZEN2, text="井盖松动"))
    clock.moment = moment(0, 5, 30)  # 13:30: the talk has begun; 张三 came
    booking = (await office.rows("SELECT id FROM bookings"))[0]["id"]
    await office.press(STAFF, f"at:{booking}:1")
    clock.moment = moment(2, 2)  # Wednesday 10:00: A resolved, 48 hours after it came
    await office.press(STAFF, f"rs:{a}")
    await office.send(STAFF, "已修复")
    clock.moment = moment(3, 2)  # Thursday: D claimed late (its day ran out on Tuesday);
    await office.press(STAFF, f"cl:{d}")
    c = await case_id(office, await new_case(office, text="路灯又坏了"))  # C: A again
    clock.moment = moment(5, 2)  # Saturday: C's day to be accepted has passed
    return {"a": a, "b": b, "c": c, "d": d}


async def test_each_figure_against_the_hand_computed_values(office: Office) -> None:
    await seed(office)
    found = await office.minqing.services.read(
        lambda unit: stats.figures(unit, stats.period([], date(2031, 12, 6))))
    office_row = found.office
    assert office_row.received == 4 and office_row.handled == 1
    # accepted in time: A and B; late: D; past its day unmet: C
    assert (office_row.accepted_in_time, office_row.accept_decided) == (2, 4)
    assert (office_row.handled_in_time, office_row.handle_decided) == (1, 1)
    assert office_row.response_median == 2.0  # only A was answered: 2 hours after it came
    assert office_row.resolve_median == 48.0
    assert office_row.repeats == 1  # C: 张三, a help request, no unit, within 90 days of A
    assert (office_row.items, office_row.talks, office_row.attended, office_row.marked) == (
        0, 1, 1, 1)
    li = found.staff[STAFF]
    assert (li.received, li.handled, li.accepted_in_time, li.accept_decided) == (2, 1, 1, 2)
    zhao = found.staff[STAFF2]
    assert (zhao.received, zhao.handled, zhao.accept_rate, zhao.handle_rate) == (1, 0, 1.0, None)
    assert found.staff[LEADER].talks == 1  # the talk's host
    assert found.units == {}


async def test_stats_in_chat_for_a_leader_and_for_staff(office: Office) -> None:
    await seed(office)
    office.api.clear()
    await office.send(LEADER, "/stats")
    text = next(t for t in office.texts(LEADER) if t.startswith("【考核指标】"))
    assert text.startswith("【考核指标】2031年12月"
                           "（2031年12月1日（周一）至2031年12月6日（周六））")
    assert ("全室：受理 4 件，办结 1 件；及时受理率 50.0%（2/4）；按期办结率 100.0%（1/1）；"
            "首次答复用时中位数 2 小时；办结用时中位数 2 天；重复信访 1 件；排查化解率 无；"
            "恳谈 1 场，出席率 100.0%（1/1）") in text
    assert "1. 李四：受理 2 件，办结 1 件；及时受理率 50.0%（1/2）" in text
    assert "赵六：受理 1 件，办结 0 件；及时受理率 100.0%（1/1）；按期办结率 无" in text
    photo = office.api.sent(LEADER, "sendPhoto")[-1]
    assert photo.params["caption"] == "考核指标图：2031年12月"
    assert office.api.uploads_received[-1].content.startswith(PNG)
    office.api.clear()
    await office.send(STAFF2, "/stats")
    mine = next(t for t in office.texts(STAFF2) if t.startswith("【考核指标】"))
    assert "赵六：受理 1 件" in mine and "李四" not in mine and "全室" not in mine


async def test_periods_and_refusals(office: Office) -> None:
    today = date(2031, 12, 6)
    assert stats.period(["quarter"], today) == stats.Period(
        "quarter", date(2031, 10, 1), today, "2031-Q4")
    assert stats.period(["year", "last"], today) == stats.Period(
        "year", date(2030, 1, 1), date(2030, 12, 31), "2030")
    assert stats.period(["月", "上期"], today).label == "2031-11"
    await office.send(LEADER, "/stats someday")
    assert "时段有误" in office.last_text(LEADER)
    await office.send(CITIZEN, "/stats")
    assert "工作人员" in office.last_text(CITIZEN)


async def test_the_ledger_has_the_same_figures_as_a_sheet(office: Office) -> None:
    await seed(office)
    office.api.clear()
    await office.send(LEADER, "/export month")
    book_ = load_workbook(io.BytesIO(office.api.uploads_received[-1].content))
    rows = [list(r) for r in book_["考核指标"].iter_rows(values_only=True)]
    assert rows[0][:6] == ["对象", "名称", "受理件数", "办结件数", "及时受理率", "按期办结率"]
    assert rows[1][:12] == ["全室", "全室", 4, 1, 0.5, 1.0, 2.0, 48.0, 1, None, 1, 1.0]
    assert book_["考核指标"]["E2"].number_format == "0.0%"
    assert [r[1] for r in rows[2:]] == ["李四", "赵六", "陈局长"]


async def test_the_annual_report_is_a_workbook_with_its_summary(office: Office) -> None:
    ids = await seed(office)
    clock = office.clock
    museum = await office.minqing.db.write(lambda tx: tx.units.add("市博物馆", clock.now()))
    await office.press(STAFF2, f"cs:{ids['b']}:{museum.id}")  # B, a complaint, concerns it
    await office.press(STAFF, f"tr:{ids['d']}")
    await office.press(STAFF, f"tt:{ids['d']}:{STAFF2}")
    await office.send(STAFF, "赵六熟悉该小区")
    await office.minqing.db.write(lambda tx: tx.matters.add(
        "市信访局", "市信转〔2031〕12号", "核查", clock.now(), STAFF, None, LEADER, clock.now()))
    office.api.clear()
    await office.send(STAFF, "/report year")
    assert "只有局领导和管理员" in office.last_text(STAFF)
    await office.send(LEADER, "/report")
    assert "/report 年" in office.last_text(LEADER)
    await office.send(LEADER, "/report year")
    text = next(t for t in office.texts(LEADER) if t.startswith("【年度报告】"))
    assert text.startswith("【年度报告】2031年度信访工作情况（2031年1月1日（周三）至")
    assert "一、受理 4 件，办结 1 件；及时受理率 50.0%（2/4）；按期办结率 100.0%（1/1）" in text
    assert "二、按类型：求助 3、投诉 1" in text
    assert "三、投诉较多的单位：市博物馆 1" in text
    assert "四、内部转交 1 次。" in text
    assert "五、上级交办 1 件，已报告结果 0 件。" in text
    upload = office.api.uploads_received[-1]
    assert upload.name == "年度报告-2031.xlsx"
    book_ = load_workbook(io.BytesIO(upload.content))
    assert book_.sheetnames == ["按类型", "按单位", "投诉较多的单位", "内部转交", "上级交办"]
    kinds = [list(r) for r in book_["按类型"].iter_rows(values_only=True)]
    assert kinds[1][:3] == ["求助", 3, 1] and kinds[-1][:3] == ["合计", 4, 1]
    transfer = [list(r) for r in book_["内部转交"].iter_rows(values_only=True)][1]
    assert transfer[3:] == ["李四", "赵六", "赵六熟悉该小区"]
    audit = await office.rows("SELECT actor_id, detail FROM audit_log WHERE action = 'export'")
    assert audit == [{"actor_id": LEADER,
                      "detail": "2031-01-01..2031-12-06 annual report all 4 cases"}]


async def test_screening_items_settled_is_the_share_resolved(office: Office) -> None:
    from tests.test_screening_rounds import serious_item, setup

    ids = await setup(office)
    await serious_item(office, ids, level=1)
    await serious_item(office, ids, level=2)  # a second item of the same round and unit
    items = await office.rows("SELECT id FROM cases WHERE kind = 'dispute' ORDER BY id")
    assert len(items) == 2
    await office.press(STAFF, f"rs:{items[0]['id']}")  # its guarantor, 李四, settles one
    await office.send(STAFF, "双方已达成协议")
    office.clock.moment = moment(0, 3)  # an hour on
    found = await office.minqing.services.read(
        lambda unit: stats.figures(unit, stats.period([], date(2031, 12, 1))))
    assert (found.office.items, found.office.items_resolved) == (2, 1)
    assert found.office.settle_rate == 0.5
    assert found.units[ids["museum"]].settle_rate == 0.5
    assert found.staff[STAFF].items == 2
    await office.send(LEADER, "/stats")
    text = next(t for t in office.texts(LEADER) if t.startswith("【考核指标】"))
    assert "排查化解率 50.0%（1/2）" in text
