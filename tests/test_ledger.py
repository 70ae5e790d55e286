"""The ledger (台帐): /export in chat and `main.py export`, checked cell by cell against seeded
data by opening the workbook with openpyxl; staff see only their own rows; headers in the
asker's language; the header frozen, moments as date cells, overdue rows marked; every export
in the audit log; a sheet over the row limit split; a chat export too large refused."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from openpyxl import load_workbook

from bot import export
from bot.services import ledger
from schedules import jobs
from tests.harness import CITIZEN2, LEADER, STAFF, STAFF2, Office, moment, ymd
from tests.test_citizen import CITIZEN, new_case
from tests.test_desk import case_id


def workbook(office: Office, index: int = -1):
    upload = office.api.uploads_received[index]
    return upload, load_workbook(io.BytesIO(upload.content))


def rows_of(sheet) -> list[list[object]]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


async def seed(office: Office, clock) -> dict[str, str]:
    first = await new_case(office)  # 10:00 Monday: a help request by 张三, claimed by 李四
    await office.press(STAFF, f"cl:{await case_id(office, first)}")
    clock.moment = moment(0, 3, 17)
    second = await new_case(office, CITIZEN2, kind="complaint", text="门票价格不合理",
                            phone="13900139000")
    await office.press(STAFF2, f"cl:{await case_id(office, second)}")
    return {"first": first, "second": second}


async def test_a_leader_exports_every_case_cell_by_cell(office: Office, clock) -> None:
    numbers = await seed(office, clock)
    clock.moment = moment(40, 2)  # 40 days on: the first's 30 days have passed unmet
    await jobs.deadlines(office.minqing)
    office.api.clear()
    await office.send(LEADER, f"/export {ymd(0)} {ymd(1)}")
    upload, book = workbook(office)
    assert upload.name == f"台帐-{day_text(0)}-{day_text(1)}.xlsx"
    caption = office.api.sent(LEADER, "sendDocument")[0].params["caption"]
    assert caption == f"台帐：{ymd(0)} 至 {ymd(1)}，事项 2 件。"
    assert book.sheetnames == ["事项台帐", "恳谈与预约", "排查轮次", "上级交办", "公示公告",
                               "考核指标"]
    cases = book["事项台帐"]
    rows = rows_of(cases)
    assert rows[0][:11] == ["编号", "渠道", "类型", "信访事项类别", "收到时间", "姓名", "电话",
                            "内容摘要", "涉及单位", "承办人（首问及移交）", "状态"]
    assert cases.freeze_panes == "A2"
    first, second = rows[1], rows[2]
    assert first[0] == numbers["first"] and second[0] == numbers["second"]
    assert first[1:4] == ["线上", "求助", None]
    assert first[4] == datetime(2031, 12, 1, 10, 0)  # a date cell, local time, to the minute
    assert cases["E2"].number_format == "yyyy-mm-dd hh:mm"
    assert first[5:11] == ["张三", "13800138000", "路灯坏了", None, "李四", "办理中"]
    assert second[5:11] == ["王五", "13900139000", "门票价格不合理", None, "赵六", "办理中"]
    header = rows[0]
    handle_due = header.index("办结期限")
    assert first[handle_due] == datetime(2031, 12, 31, 23, 59)
    assert first[header.index("按期办结")] == "否"  # past due, unmet
    assert first[header.index("受理时间")] == datetime(2031, 12, 1, 10, 0)
    assert first[header.index("按期受理")] == "是"
    # the overdue row is marked (filled red); the other is not
    assert cases["A2"].fill.fgColor.rgb.endswith("F4CCCC")
    assert cases["A3"].fill.patternType is None  # a complaint's limit is longer
    assert second[header.index("按期办结")] is None  # still to be met
    audit = await office.rows("SELECT actor_id, action, detail FROM audit_log"
                              " WHERE action = 'export'")
    assert audit == [{"actor_id": LEADER, "action": "export",
                      "detail": f"{ymd(0)}..{ymd(1)} chat all 2 cases"}]


def day_text(offset: int) -> str:
    return (date(2031, 12, 1) + timedelta(days=offset)).strftime("%Y%m%d")


async def test_staff_export_only_the_cases_they_own_or_owned(office: Office, clock) -> None:
    numbers = await seed(office, clock)
    await office.send(STAFF, "/export")
    assert office.buttons(STAFF) == {"本月": "ex:month", "上月": "ex:last"}
    office.api.clear()
    await office.press(STAFF2, "ex:month")
    _, book = workbook(office)
    rows = rows_of(book["事项台帐"])
    assert [r[0] for r in rows[1:]] == [numbers["second"]]
    assert "排查轮次" in book.sheetnames
    audit = await office.rows("SELECT detail FROM audit_log WHERE action = 'export'")
    assert audit == [{"detail": f"{ymd(0)}..{ymd(30)} chat owner {STAFF2} 1 cases"}]


async def test_citizens_are_refused_and_nothing_is_recorded(office: Office, clock) -> None:
    await seed(office, clock)
    office.api.clear()
    await office.send(CITIZEN, "/export month")
    assert office.api.uploads_received == []
    assert "工作人员" in office.last_text(CITIZEN)
    await office.press(CITIZEN, "ex:last")
    await office.send(LEADER, "/export 2031-12-09 2031-12-01")
    assert office.last_text(LEADER) == "开始日期不能晚于结束日期，请重新发送。"
    await office.send(LEADER, "/export yesterday")
    assert "时段有误" in office.last_text(LEADER)
    assert await office.rows("SELECT * FROM audit_log WHERE action = 'export'") == []


async def test_english_headers_for_an_english_asker(office: Office, clock) -> None:
    await seed(office, clock)
    await office.send(LEADER, "/lang")
    await office.press(LEADER, "lang:en")
    office.api.clear()
    await office.send(LEADER, "/export month")
    upload, book = workbook(office)
    assert upload.name == f"ledger-{day_text(0)}-{day_text(30)}.xlsx"
    assert book.sheetnames[0] == "Cases"
    assert rows_of(book["Cases"])[1][1:3] == ["online chat", "Request for help"]


async def test_the_command_line_writes_xlsx_and_csv_and_splits_long_sheets(
        office: Office, clock, tmp_path) -> None:
    numbers = await seed(office, clock)
    services = office.minqing.services
    out = tmp_path / "ledger.xlsx"
    written = await export.from_command_line(services, date(2031, 12, 1), date(2031, 12, 31),
                                             "xlsx", out, "en")
    assert written.cases == 2
    book = load_workbook(out)
    assert rows_of(book["Cases"])[0][0] == "Number"
    wanted = await services.read(lambda unit: ledger.scope(
        unit, None, date(2031, 12, 1), date(2031, 12, 31)))
    split = tmp_path / "split.xlsx"
    await export.write(services, wanted, split, sheets=[ledger.CASES], max_rows=2)
    parts = load_workbook(split)
    assert parts.sheetnames == ["事项台帐", "事项台帐(2)"]
    assert [r[0] for r in rows_of(parts["事项台帐(2)"])] == ["编号", numbers["second"]]
    await export.from_command_line(services, date(2031, 12, 1), date(2031, 12, 31), "csv",
                                   tmp_path / "ledger.csv")
    with (tmp_path / "ledger.csv").open(encoding="utf-8-sig") as f:
        table = list(csv.reader(f))
    assert table[0][0] == "编号" and table[0][-1] == "逾期"
    assert table[1][4] == "2031-12-01 10:00"
    assert (tmp_path / "ledger-talks.csv").exists()
    audit = await office.rows("SELECT actor_id, detail FROM audit_log WHERE action = 'export'")
    assert audit == [
        {"actor_id": 0, "detail": "2031-12-01..2031-12-31 command line xlsx all 2 cases"},
        {"actor_id": 0, "detail": "2031-12-01..2031-12-31 command line csv all 2 cases"}]


async def test_a_chat_export_over_the_limit_is_refused(office: Office, clock,
                                                       monkeypatch) -> None:
    await seed(office, clock)
    monkeypatch.setattr(ledger, "CHAT_MAX_CASES", 1)
    office.api.clear()
    await office.send(LEADER, "/export month")
    assert office.api.uploads_received == []
    assert "按月分段导出" in office.last_text(LEADER)
    assert "python main.py export" in office.last_text(LEADER)


async def test_main_py_export_writes_the_file_and_says_where(office: Office, clock, tmp_path,
                                                             monkeypatch, capsys) -> None:
    await seed(office, clock)
    await office.stop()
    import asyncio

    import main

    monkeypatch.setenv("DATABASE_PATH", str(office.db_path))
    out = tmp_path / "year.xlsx"
    code = await asyncio.to_thread(main.main, ["export", "--from", "2031-01-01", "--to",
                                               "2031-12-31", "--out", str(out)])
    assert code == 0
    assert "事项台帐" in load_workbook(out).sheetnames
    said = capsys.readouterr().out
    assert "(cases 2, talks 0, rounds 0, matters 0, announcements 0, stats 1 rows)" in said
    assert await asyncio.to_thread(main.main, ["export", "--from", "2031-12-31", "--to",
                                               "2031-01-01", "--out", str(out)]) == 2
    await office.start(seed=False)


async def test_the_further_sheets_cell_by_cell(office: Office, clock) -> None:
    from tests.test_screening_rounds import serious_item, setup
    from tests.test_talks import book, slot

    ids = await setup(office)
    item = await serious_item(office, ids)
    talk = await slot(office, ymd(0), "13:00-14:00")
    await book(office, CITIZEN, talk, "停车难")
    clock.moment = moment(0, 5, 30)  # the talk has begun: 张三 came
    booking = (await office.rows("SELECT id FROM bookings"))[0]["id"]
    await office.press(STAFF, f"at:{booking}:1")
    matter = await office.minqing.db.write(lambda tx: tx.matters.add(
        "市信访局", "市信转〔2031〕12号", "核查停车收费", clock.now() + timedelta(days=9),
        STAFF, None, LEADER, clock.now()))
    office.api.clear()
    await office.send(LEADER, "/export month")
    _, book_ = workbook(office)
    talks = rows_of(book_["恳谈与预约"])
    assert talks[0] == ["场次", "类型", "开始", "结束", "地点", "主持", "名额", "场次状态",
                        "预约人", "预约状态", "出席", "恳谈结果"]
    assert talks[1] == [f"S{talk}", "民情恳谈日", datetime(2031, 12, 1, 13, 0),
                        datetime(2031, 12, 1, 14, 0), "三楼会议室", "陈局长", 10, "正常", "张三",
                        "已预约", "到场", None]
    rounds = rows_of(book_["排查轮次"])
    # an item reported, the unit's report not marked complete: no answer moment yet
    assert rounds[1][:11] == [ymd(0), "半月", "市博物馆", "已上报", None,
                              item["number"], "商户与馆方", 30, "恢复通道", "重大", "李四"]
    matters = rows_of(book_["上级交办"])
    assert matters[1][:9] == [f"M{matter.id}", "市信访局", "市信转〔2031〕12号", "核查停车收费",
                              datetime(2031, 12, 1, 13, 30), datetime(2031, 12, 10, 13, 30),
                              "李四", None, "办理中"]
    cases = rows_of(book_["事项台帐"])
    header = cases[0]
    dispute = next(r for r in cases if r[0] == item["number"])
    assert dispute[header.index("排查轮次")] == ymd(0)
    assert dispute[header.index("稳控责任人")] == "李四"
    assert dispute[header.index("渠道")] == "排查发现"
