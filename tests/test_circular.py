"""The monthly circular (通报): last month's figures by unit with their change, the units below
CIRCULAR_THRESHOLD named, the frequent kinds and the office's keywords, what is overdue; once
per leader per month, on the 1st at DIGEST_TIME."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from schedules import jobs
from tests.harness import (
    CITIZEN2,
    LEADER,
    OPEN_HOURS,
    STAFF,
    Office,
    make_settings,
    moment,
)
from tests.test_citizen import new_case
from tests.test_desk import case_id


@pytest.fixture
async def office(tmp_path) -> AsyncIterator[Office]:
    clock = FakeClock(OPEN_HOURS)
    office = await Office(tmp_path / "m.sqlite3", make_settings(
        accept_days=1, circular_threshold=85, circular_keywords="停车,物业,拆迁"),
        clock).start()
    office.clock = clock
    yield office
    await office.stop()
    office.check_errors()


async def in_unit(office: Office, unit_id: int, **case) -> int:
    cid = await case_id(office, await new_case(office, **case))
    await office.press(STAFF, f"cs:{cid}:{unit_id}")
    return cid


def circulars(office: Office) -> list[str]:
    return [t for t in office.texts(LEADER) if t.startswith("【通报】")]


async def test_units_below_the_threshold_are_named_once_a_month(office: Office) -> None:
    clock = office.clock
    db = office.minqing.db
    await jobs.monthly_circular(office.minqing)  # December 1st: November was before Minqing
    await office.settle()
    assert circulars(office) == []
    museum = await db.write(lambda tx: tx.units.add("市博物馆", clock.now()))
    centre = await db.write(lambda tx: tx.units.add("文物保护中心", clock.now()))
    # 市博物馆: two cases accepted at once and handled (100%); 文物保护中心: one accepted late
    for text in ("小区停车难", "物业不作为"):
        cid = await in_unit(office, museum.id, text=text)
        await office.press(STAFF, f"cl:{cid}")
        await office.press(STAFF, f"rs:{cid}")
        await office.send(STAFF, "已解决")
    late = await in_unit(office, centre.id, user=CITIZEN2, text="停车收费")
    clock.moment = moment(3, 2)
    await office.press(STAFF, f"cl:{late}")
    clock.moment = moment(30, 23, 30)  # 2031-12-31 07:30 local: not yet
    await jobs.monthly_circular(office.minqing)
    await office.settle()
    assert circulars(office) == []
    clock.moment = moment(31, 0, 5)  # 2032-01-01 08:05 local
    office.api.clear()
    await jobs.monthly_circular(office.minqing)
    await jobs.monthly_circular(office.minqing)  # a second run sends nothing
    await office.settle()
    sent = circulars(office)
    assert len(sent) == 1
    text = sent[0]
    assert text.startswith("【通报】2031年12月群众工作情况")
    assert ("一、全室：受理 3 件（较上月 +3）；办结 2 件（较上月 +2）；及时受理率 66.7%；"
            "按期办结率 100.0%") in text
    assert ("1. 市博物馆：受理 2 件（较上月 +2）；办结 2 件（较上月 +2）；及时受理率 100.0%；"
            "按期办结率 100.0%") in text
    assert ("2. 文物保护中心：受理 1 件（较上月 +1）；办结 0 件（较上月 +0）；"
            "及时受理率 0.0%") in text
    assert "三、低于 85% 的单位：文物保护中心（及时受理率 0.0%）" in text
    assert "市博物馆（" not in text
    assert "四、反映较多的类型：求助 3；关键词：停车 2、物业 1" in text
    assert "五、逾期未办：事项 0 件，上级交办 0 件。" in text
    rows = await office.rows("SELECT leader_id, period FROM circulars")
    assert rows == [{"leader_id": LEADER, "period": "2031-12"}]


async def test_a_threshold_of_zero_names_nobody_and_overdue_matters_are_listed(
        tmp_path) -> None:
    clock = FakeClock(OPEN_HOURS)
    office = await Office(tmp_path / "z.sqlite3", make_settings(circular_threshold=0),
                          clock).start()
    try:
        matter = await office.minqing.db.write(lambda tx: tx.matters.add(
            "市信访局", "市信转〔2031〕12号", "核查", clock.now() + timedelta(days=5), STAFF,
            None, LEADER, clock.now()))
        await new_case(office)
        clock.moment = moment(31, 0, 5)
        await jobs.monthly_circular(office.minqing)
        await office.settle()
        text = circulars(office)[0]
        assert "二、没有低于 0% 的单位。" in text  # no unit: no section of units
        assert "上级交办 1 件" in text
        assert f"· M{matter.id} 市信访局 市信转〔2031〕12号，期限 2031年12月6日（周六）" in text
        assert "承办人 李四" in text
    finally:
        await office.stop()
