"""Excel workbook and iCalendar exports of the tiny instance (tests/factories.py)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.domain import Assignment
from scheduler.io.calendar import (
    AM_END,
    AM_START,
    PM_END,
    PM_START,
    PRODID,
    TZID,
    doctor_calendar,
    write_calendars,
)
from scheduler.io.excel import DAY_COLUMNS, DOCTOR_COLUMNS, UNMET_COLUMNS, write_workbook
from scheduler.kpis import compute_kpis
from tests.factories import key, tiny_instance, tiny_result, tiny_roster

SHANGHAI = ZoneInfo(TZID)


def _workbook_path(tmp_path: Path, name: str = "roster.xlsx") -> Path:
    instance = tiny_instance()
    result = tiny_result(instance)
    path = tmp_path / name
    write_workbook(path, instance, result, compute_kpis(instance, result.assignments))
    return path


def _header(ws: Worksheet) -> list[Any]:
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


# --- workbook -----------------------------------------------------------------


def test_workbook_sheets_in_order(tmp_path: Path) -> None:
    wb = load_workbook(_workbook_path(tmp_path))
    # sessions on Mon 11-30, Tue 12-01, Wed 12-02 and Fri 12-04 only
    assert wb.sheetnames == [
        "概览",
        "周一 11-30",
        "周二 12-01",
        "周三 12-02",
        "周五 12-04",
        "医生",
        "未满足",
        "覆盖率",
    ]


def test_summary_sheet(tmp_path: Path) -> None:
    ws = load_workbook(_workbook_path(tmp_path))["概览"]
    cells = {row[0]: row[1:] for row in ws.iter_rows(values_only=True) if row[0] is not None}
    assert cells["周次"][0] == "2026-W49"
    assert cells["求解状态"][0] == "可行(未证明最优)"
    assert cells["覆盖率(%)"][0] == 80.0
    assert cells["层级"][:6] == ("目标", "方向", "值", "界", "状态", "用时(秒)")
    assert cells["L1"][:5] == ("未满足需求(加权)", "最小化", 2, 2, "最优(已证明)")
    assert cells["L2"][:2] == ("连续性", "最大化")
    assert cells["L3"][0] == "公平性(各专科最大负荷之和)"
    assert cells["L4"][:3] == ("总路程(分钟)", "最小化", 118)
    assert cells["L5"][:5] == ("非偏好工作日", "最小化", 1, 0, "可行(未证明最优)")
    assert cells["全部"][:4] == (5, 4, 1, 80.0)
    assert cells["第一医共体"][:4] == (4, 3, 1, 75.0)
    assert cells["第二医共体"][:4] == (1, 1, 0, 100.0)


def test_day_sheet_rows_and_format(tmp_path: Path) -> None:
    ws = load_workbook(_workbook_path(tmp_path))["周一 11-30"]
    assert _header(ws) == list(DAY_COLUMNS)
    assert _header(ws)[2] == "半天"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows == [
        (
            "第一医共体",
            "沙坪坝区人民医院",
            "上午",
            "心内科共建科室",
            "共建科室",
            "心血管内科",
            "张伟",
            "主任医师",
            "西南医院",
            26,
        )
    ]
    assert ws["A1"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:J2"
    assert ws.column_dimensions["B"].width >= 16  # 8 CJK characters


def test_day_sheet_sorted_by_consortium_site_half_day(tmp_path: Path) -> None:
    instance = tiny_instance()
    # Wednesday: K2 site S3 PM, K1 site S2 PM, K1 site S1 AM — written out of order.
    roster = (
        Assignment("D1", "I3", key("WED_PM")),
        Assignment("D2", "I2", key("WED_PM")),
        Assignment("D1", "I1", key("WED_AM")),
    )
    result = tiny_result(instance, roster)
    path = tmp_path / "sorted.xlsx"
    write_workbook(path, instance, result, compute_kpis(instance, roster))
    rows = list(load_workbook(path)["周三 12-02"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("第一医共体", "沙坪坝区人民医院", "上午"),
        ("第一医共体", "小龙坎社区卫生服务中心", "下午"),
        ("第二医共体", "大学城工作站", "下午"),
    ]


def test_doctor_sheet(tmp_path: Path) -> None:
    ws = load_workbook(_workbook_path(tmp_path))["医生"]
    header = _header(ws)
    assert header[:6] == list(DOCTOR_COLUMNS)
    assert header[6:8] == ["周一上午 11-30", "周一下午 11-30"]
    assert len(header) == 6 + 11  # one column per open half-day
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"张伟", "李娜"}  # D3 has no sessions
    d1 = rows["张伟"]
    assert d1[:6] == ("张伟", "西南医院", "心血管内科", "主任医师", 3, 3)
    assert d1[header.index("周一上午 11-30")] == "沙坪坝区人民医院"
    assert d1[header.index("周五上午 12-04")] == "大学城工作站"
    assert d1[header.index("周一下午 11-30")] is None
    assert ws.freeze_panes == "G2"


def test_unmet_sheet(tmp_path: Path) -> None:
    ws = load_workbook(_workbook_path(tmp_path))["未满足"]
    assert _header(ws) == list(UNMET_COLUMNS)
    (only,) = ws.iter_rows(min_row=2, values_only=True)
    assert only[:5] == ("内分泌专家坐诊", "小龙坎社区卫生服务中心", "第一医共体", "内分泌科", 1)
    assert "新桥医院" in only[5]


def test_coverage_sheet(tmp_path: Path) -> None:
    ws = load_workbook(_workbook_path(tmp_path))["覆盖率"]
    assert _header(ws)[:7] == ["维度", "编号", "名称", "需求次数", "已覆盖", "未满足", "覆盖率(%)"]
    rows = {(r[0], r[1]): r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows[("医共体", "K1")][2:7] == ("第一医共体", 4, 3, 1, 75.0)
    assert rows[("专科", "ENDO")][6] == 50.0
    assert rows[("医院", "H1")][2:8] == ("西南医院", 5, 3, 1, 60.0, 1)
    assert rows[("区域", "west")][2] == "中梁山以西"
    assert {dimension for dimension, _ in rows} == {"医共体", "专科", "医院", "类型", "区域"}


def test_workbook_is_byte_identical_across_writes(tmp_path: Path) -> None:
    first = _workbook_path(tmp_path, "a.xlsx").read_bytes()
    second = _workbook_path(tmp_path, "b.xlsx").read_bytes()
    assert first == second
    # Equal bytes could be luck within one clock second; the stamps prove it is not.
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 30, 0, 0, 0)}
    wb = load_workbook(tmp_path / "a.xlsx")
    assert wb.properties.created == dt.datetime(2026, 11, 30)
    assert wb.properties.modified == dt.datetime(2026, 11, 30)


def test_workbook_of_empty_roster(tmp_path: Path) -> None:
    instance = tiny_instance()
    result = tiny_result(instance, ())
    path = tmp_path / "empty.xlsx"
    write_workbook(path, instance, result, compute_kpis(instance, ()))
    assert load_workbook(path).sheetnames == ["概览", "医生", "未满足", "覆盖率"]


# --- calendars ----------------------------------------------------------------


def _events(path: Path) -> list[Event]:
    return list(Calendar.from_ical(path.read_bytes()).events)


def test_one_calendar_per_doctor_with_sessions(tmp_path: Path) -> None:
    count = write_calendars(tmp_path, tiny_instance(), tiny_roster())
    assert count == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["D1.ics", "D2.ics"]
    assert len(_events(tmp_path / "D1.ics")) == 3
    assert len(_events(tmp_path / "D2.ics")) == 1


def test_calendar_header_and_timezone(tmp_path: Path) -> None:
    write_calendars(tmp_path, tiny_instance(), tiny_roster())
    calendar = Calendar.from_ical((tmp_path / "D1.ics").read_bytes())
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert "张伟" in str(calendar["X-WR-CALNAME"])
    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == TZID
    assert calendar.get_missing_tzids() == set()


def test_event_times_summary_and_location(tmp_path: Path) -> None:
    write_calendars(tmp_path, tiny_instance(), tiny_roster())
    events = _events(tmp_path / "D1.ics")
    monday_am, wednesday_pm, friday_am = events  # sorted by half-day
    assert monday_am.start == dt.datetime.combine(dt.date(2026, 11, 30), AM_START, SHANGHAI)
    assert monday_am.end == dt.datetime.combine(dt.date(2026, 11, 30), AM_END, SHANGHAI)
    assert wednesday_pm.start == dt.datetime.combine(dt.date(2026, 12, 2), PM_START, SHANGHAI)
    assert wednesday_pm.end == dt.datetime.combine(dt.date(2026, 12, 2), PM_END, SHANGHAI)
    start = monday_am.start
    assert isinstance(start, dt.datetime)
    assert start.utcoffset() == dt.timedelta(hours=8)  # local time, not floating
    assert start == dt.datetime(2026, 11, 30, 0, 30, tzinfo=dt.UTC)
    assert str(monday_am["SUMMARY"]) == "外派坐诊 · 沙坪坝区人民医院 · 心血管内科"
    assert str(monday_am["LOCATION"]) == "沙坪坝区人民医院"
    description = str(friday_am["DESCRIPTION"])
    assert "I3" in description
    assert "家庭医生团队支持" in description
    assert "52 分钟" in description
    stamp = friday_am.DTSTAMP
    assert stamp == dt.datetime(2026, 11, 30, tzinfo=dt.UTC)  # from the week, not the clock


def test_event_uids_unique_and_stable(tmp_path: Path) -> None:
    write_calendars(tmp_path, tiny_instance(), tiny_roster())
    uids = [str(e["UID"]) for p in sorted(tmp_path.iterdir()) for e in _events(p)]
    assert len(uids) == len(set(uids)) == 4
    assert "2026-W49-D1-2026-11-30_AM@roster.spb" in uids


def test_calendars_are_byte_identical_across_writes(tmp_path: Path) -> None:
    write_calendars(tmp_path / "a", tiny_instance(), tiny_roster())
    write_calendars(tmp_path / "b", tiny_instance(), tuple(reversed(tiny_roster())))
    for name in ("D1.ics", "D2.ics"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_doctor_calendar_bytes_match_file(tmp_path: Path) -> None:
    instance = tiny_instance()
    write_calendars(tmp_path, instance, tiny_roster())
    assert doctor_calendar(instance, "D2", tiny_roster()) == (tmp_path / "D2.ics").read_bytes()


def test_doctor_calendar_without_sessions_is_valid_and_empty() -> None:
    data = doctor_calendar(tiny_instance(), "D3", tiny_roster())
    calendar = Calendar.from_ical(data)
    assert list(calendar.walk("VEVENT")) == []
    assert "王芳" in str(calendar["X-WR-CALNAME"])


def test_doctor_calendar_unknown_doctor() -> None:
    with pytest.raises(KeyError):
        doctor_calendar(tiny_instance(), "D9", tiny_roster())
