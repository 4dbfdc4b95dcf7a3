"""Every word the product shows people: the one place to find and translate a label.

People read zh-CN (the default) and, in places, English. Each section below holds
the names, column headers and text templates of one thing people see; the module
that shows them imports them from here, and no other module of the engine or its
doors holds a Chinese string (``tests/test_labels.py`` says so).

* a name with both languages is a :class:`ZhEn`; a Chinese-only name is a plain
  ``str``, and a set of names is a ``dict`` keyed by the code it names (a level,
  status, kind, reason or weekday code, as the data and JSON spell it);
* a text with blanks is a ``str.format`` template whose fields say what fills them
  (``"{hospitals}没有{specialty}外派专家"``); a family of them is a frozen dataclass,
  so a typo in a field name is a type error, not a missing label.

This module imports nothing from the project: the domain, the exports, the
reports and the console all read it, so it sits below every one of them. Names
that come from the data (hospitals, sites, doctors, specialties) are not labels
and stay in the data.

Sections: calendar words · the domain · solve statuses · unmet reasons · the
workbook · the calendar feed · repair notifications · scenarios and their reports
· the console · the data workbook · planning inputs in the console.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ZhEn:
    """A label in Chinese and in English."""

    zh: str
    en: str


# --------------------------------------------------------------------------- calendar words

WEEKDAY_ZH: dict[str, str] = {
    "MON": "周一",
    "TUE": "周二",
    "WED": "周三",
    "THU": "周四",
    "FRI": "周五",
    "SAT": "周六",
    "SUN": "周日",
}
"""Weekday names, by weekday token (``MON`` .. ``SUN``)."""

PERIOD_ZH: dict[str, str] = {"AM": "上午", "PM": "下午"}
"""Half-day names, by period (``AM``, ``PM``)."""

HALF_DAY_ZH = "{month}月{day}日 {weekday} {period}"
"""A half-day for planners (``HalfDay.zh``), e.g. ``11月30日 周一 上午``."""


# --------------------------------------------------------------------------- the domain

TITLE_ZH: dict[str, str] = {
    "attending": "主治医师",
    "associate_chief": "副主任医师",
    "chief": "主任医师",
}
"""Professional titles, by title code (``Title.code``)."""

DEMAND_KIND_ZH: dict[str, str] = {
    "department": "共建科室",
    "clinic": "基层坐诊",
    "team_support": "家庭医生团队支持",
}
"""Demand kinds, by kind code (``DemandKind``)."""

LEVEL_NAMES: dict[str, ZhEn] = {
    "unmet": ZhEn("未满足需求(加权)", "priority-weighted unmet sessions"),
    "continuity": ZhEn("连续性", "sessions continuing last week's doctor–item pairs"),
    "unfairness": ZhEn(
        "公平性(各专科最大负荷之和)", "sum over specialty pools of the largest weekly load"
    ),
    "travel": ZhEn("总路程(分钟)", "total one-way travel minutes"),
    "non_preferred": ZhEn("非偏好工作日", "sessions on non-preferred weekdays"),
    "changes": ZhEn("改动的排班(修复)", "assignments changed from the published roster (repair)"),
}
"""Objective levels, by level code: Chinese for the workbook, reports and console,
English for ``report.json`` (``domain.LEVEL_FACTS`` reads them from here)."""

SIDE_ZH: dict[str, str] = {"east": "中梁山以东", "west": "中梁山以西"}
"""The two sides of 中梁山, by side code (an unknown side keeps its code)."""

CLINIC_ITEM_NAME = "{site} {specialty}坐诊"
"""The name of a grassroots clinic's demand item."""

TEAM_ITEM_NAME = "{team} {specialty}支持"
"""The name of a family-doctor team's support demand item."""


# --------------------------------------------------------------------------- solve statuses

SOLVE_STATUS_ZH: dict[str, str] = {
    "optimal": "最优(已证明)",
    "feasible": "可行(未证明最优)",
    "infeasible": "无可行解",
    "timed_out": "超时未得解",
}
"""Solve statuses, by status code (``SolveStatus``)."""

SENSE_ZH: dict[str, str] = {"min": "最小化", "max": "最大化"}
"""An objective level's direction."""


# --------------------------------------------------------------------------- unmet reasons

REASON_NAMES_ZH: dict[str, str] = {
    "no_partner_hospital": "合作医院无此专科",
    "no_specialist": "无外派专家",
    "title": "职称不足",
    "no_outreach_capacity": "外派上限为0",
    "travel_limit": "车程超限",
    "no_free_half_day": "无空闲半天",
    "too_few_half_days": "开放半天不足",
    "weekly_cap": "周上限已满",
    "busy_elsewhere": "已排其他需求",
    "home_staffing": "本院留守限制",
    "midday_travel": "午间转场",
}
"""Short names of the unmet reason codes of :mod:`scheduler.reasons` (scenario reports)."""


@dataclass(frozen=True)
class ReasonTexts:
    """The sentence of each unmet reason (``unmet.csv``), filled by :mod:`scheduler.reasons`."""

    no_hospital: str = "{consortium}的合作三甲医院均无{specialty}重点专科"
    no_specialist: str = "{hospitals}没有{specialty}外派专家"
    title: str = "{hospitals}的{specialty}专家中无{title}及以上职称者"
    no_capacity: str = "{hospitals}符合职称的{specialty}专家本周外派上限均为0"
    travel: str = "{hospitals}的{specialty}专家到{site}均超过{limit}分钟（最近{nearest}分钟）"
    not_free: str = (
        "{hospitals}的{specialty}专家在{limit}分钟车程内的开放半天均无空闲"
        "（{doctors}人均有院内值班、休假或站点关闭）"
    )
    few_half_days: str = (
        "只有{open}个开放半天有合格{specialty}专家可到，需求{sessions}次（每半天至多1次）"
    )
    all_used: str = "可用半天已全部用于本需求（{open}个）"
    at_cap: str = "{at_cap}/{candidates}名合格{specialty}专家已达每周外派上限"
    busy: str = "{count}个可用半天已安排其他需求"
    home_staffing: str = "{count}个可用半天受{hospitals}院内留守人数限制"
    midday: str = "{count}个可用半天与上午/下午站点间路程超出午间间隔"
    separator: str = "；"  # between the blocks of one reason
    hospitals_separator: str = "、"  # between the hospitals' names


REASON_TEXTS = ReasonTexts()


# --------------------------------------------------------------------------- the workbook

WORKBOOK_TITLE = "外派坐诊排班 {week}"
"""The planner's workbook's document title (``roster.xlsx``)."""

SUMMARY_SHEET = "概览"
DOCTOR_SHEET = "医生"
UNMET_SHEET = "未满足"
COVERAGE_SHEET = "覆盖率"

DAY_SHEET = "{weekday} {month:02d}-{day:02d}"
"""A day's sheet, e.g. ``周一 11-30``."""

HALF_DAY_HEADER = "{weekday}{period} {month:02d}-{day:02d}"
"""A half-day's column on the doctor sheet, e.g. ``周一上午 11-30``."""

PLACE_SEPARATOR = "／"
"""Between the sites of one doctor's half-day on the doctor sheet."""

DAY_COLUMNS: tuple[str, ...] = (
    "医共体",
    "站点",
    "半天",
    "需求项",
    "类型",
    "专科",
    "医生",
    "职称",
    "医院",
    "路程(分钟)",
)
DOCTOR_COLUMNS: tuple[str, ...] = ("医生", "医院", "专科", "职称", "本周次数", "上限")
UNMET_COLUMNS: tuple[str, ...] = ("需求项", "站点", "医共体", "专科", "缺少次数", "原因")
COVERAGE_COLUMNS: tuple[str, ...] = (
    "维度",
    "编号",
    "名称",
    "需求次数",
    "已覆盖",
    "未满足",
    "覆盖率(%)",
    "他院覆盖",
)
COVERAGE_GROUPS: tuple[tuple[str, str], ...] = (
    ("by_consortium", "医共体"),
    ("by_specialty", "专科"),
    ("by_hospital", "医院"),
    ("by_kind", "类型"),
    ("by_side", "区域"),
)
"""KPI coverage groups shown on the 覆盖率 sheets, with their Chinese dimension name."""


@dataclass(frozen=True)
class SummarySheet:
    """The words of the workbook's 概览 sheet: facts, the level table, coverage."""

    week: str = "周次"
    dates: str = "日期"
    date_range: str = "{first} 至 {last}"
    status: str = "求解状态"
    seconds: str = "求解时间(秒)"
    assignments: str = "排班次数"
    required: str = "需求次数"
    unmet: str = "未满足次数"
    percent: str = "覆盖率(%)"
    travel: str = "总路程(分钟)"
    continuity: str = "连续性次数"
    doctors_used: str = "出诊医生数"
    utilisation: str = "医生利用率(%)"
    level_columns: tuple[str, ...] = ("层级", "目标", "方向", "值", "界", "状态", "用时(秒)")
    coverage_columns: tuple[str, ...] = ("医共体", "需求次数", "已覆盖", "未满足", "覆盖率(%)")
    all: str = "全部"


SUMMARY = SummarySheet()

COVERAGE_COMMENTS: dict[str, str] = {
    "E1": "医院维度：本院医生完成的次数；其余维度：所有医生完成的次数。",
    "H1": "仅医院维度：该院可服务的需求中由其他医院医生完成的次数。",
}
"""Comments on the 覆盖率 sheet's header cells."""


# --------------------------------------------------------------------------- the calendar feed


@dataclass(frozen=True)
class CalendarTexts:
    """The words of a doctor's ``.ics`` feed: event summary and description lines."""

    summary_prefix: str = "外派坐诊"
    item: str = "需求项：{name}（{id}）"
    kind: str = "类型：{kind}"
    specialty: str = "专科：{specialty}"
    consortium: str = "医共体：{consortium}"
    travel: str = "路程：{minutes} 分钟（{hospital} → {site}，单程）"
    half_day: str = "半天：{half_day}"


CALENDAR = CalendarTexts()


# --------------------------------------------------------------------------- repair notifications

CHANGE_KIND_ZH: dict[str, str] = {
    "dropped": "取消",
    "reassigned": "换人",
    "moved": "改派",
    "added": "新增",
}
"""Kinds of change between two rosters, by kind code (``scheduler.repair.diff.KINDS``)."""


@dataclass(frozen=True)
class NotificationTexts:
    """What a repair tells each affected doctor and site, one line per change."""

    nobody: str = "（无人）"
    who: str = "{name}（{hospital}，{id}）"
    doctor_dropped: str = "{at}：{place} 的出诊取消。"
    site_dropped: str = "{at}：{place} 取消（原由 {who} 出诊）。"
    doctor_added: str = "{at}：新增出诊 {place}。"
    site_added: str = "{at}：{place} 新增，由 {who} 出诊。"
    doctor_released: str = "{at}：{place} 改由他人出诊，您无需前往。"
    doctor_taking_over: str = "{at}：新增出诊 {place}（接替原安排）。"
    site_reassigned: str = "{at}：{place} 出诊医生由 {before} 改为 {after}。"
    doctor_moved: str = "{at}：由 {before} 改派至 {place}。"
    site_moved_away: str = "{at}：{before} 取消（{who} 改派他处）。"


NOTIFICATIONS = NotificationTexts()


@dataclass(frozen=True)
class RepairPage:
    """The words of a repair's ``notifications.md``."""

    title: str = "# {week} 排班修复：第 {before} 版 → 第 {after} 版"
    changes: str = "改动："
    change_separator: str = "，"
    doctors: str = "## 医生"
    sites: str = "## 站点"
    heading: str = "### {name}（{id}）"


REPAIR_PAGE = RepairPage()


# --------------------------------------------------------------------------- scenarios

SCENARIO_LEAVE_REASON = "情景"
"""The reason written on leave a scenario adds."""

NEW_DOCTOR_NAME = "新增{specialty}医生{serial}"
"""The name of a doctor a scenario adds."""

CROSSING_NOTE = "trips across 中梁山 ×{factor:g}"
"""A scenario's note on scaling the trips that cross 中梁山."""


# --------------------------------------------------------------------------- scenario reports

KPI_LABELS: dict[str, ZhEn] = {
    "status": ZhEn("求解状态", "status"),
    "required_sessions": ZhEn("需求次数", "required sessions"),
    "covered_sessions": ZhEn("已覆盖次数", "covered sessions"),
    "unmet_sessions": ZhEn("未满足次数", "unmet sessions"),
    "coverage_percent": ZhEn("覆盖率(%)", "coverage %"),
    "weighted_unmet": ZhEn("未满足(加权)", "weighted unmet"),
    "doctors": ZhEn("医生数", "doctors"),
    "load_p50": ZhEn("周负荷中位数", "weekly load p50"),
    "load_p90": ZhEn("周负荷P90", "weekly load p90"),
    "load_max": ZhEn("周负荷最大值", "weekly load max"),
    "utilisation_percent": ZhEn("医生利用率(%)", "utilisation %"),
    "travel_hours": ZhEn("总路程(小时)", "travel hours"),
    "continuity_sessions": ZhEn("连续性次数", "continuity sessions"),
    "solve_seconds": ZhEn("求解时间(秒)", "solve seconds"),
    "parts": ZhEn("分块数", "parts"),
    "parts_reused": ZhEn("复用分块数", "parts reused"),
}
"""A scenario's KPIs, by field of its ``KpiRow`` (tables, sweep columns, charts)."""

SENSITIVITY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "排名"),
    ("hospital_name", "医院"),
    ("specialty_name", "专科"),
    ("template_doctor", "参照医生"),
    ("title", "职称"),
    ("weekly_cap", "周上限"),
    ("extra_sessions", "多覆盖次数"),
    ("weighted_unmet_reduction", "加权未满足减少"),
    ("unmet_before", "该专科基线未满足"),
    ("solve_seconds", "求解时间(秒)"),
)
"""Columns of the sensitivity ranking: key, Chinese."""


@dataclass(frozen=True)
class ChartTexts:
    """Titles and axis labels of the report charts (English where no CJK font draws them)."""

    no_data: ZhEn = ZhEn("无数据", "no data")
    all: ZhEn = ZhEn("全部", "all")
    coverage_title: ZhEn = ZhEn("各医共体覆盖率", "Coverage by consortium")
    baseline_unmet: ZhEn = ZhEn("基线：未满足次数", "baseline: unmet sessions")
    change: ZhEn = ZhEn("：较基线", ": change")
    load_axis: ZhEn = ZhEn("本周出诊次数", "sessions in the week")
    load_title: ZhEn = ZhEn("医生周负荷分布", "Doctors by weekly load")
    sweep_title: ZhEn = ZhEn("情景对比（虚线：基线）", "Scenario sweep (dashed: baseline)")
    extra_axis: ZhEn = ZhEn("多覆盖次数", "extra sessions covered")
    sensitivity_title: ZhEn = ZhEn("增加一名专家的效果", "One more specialist: sessions gained")


CHARTS = ChartTexts()


@dataclass(frozen=True)
class ScenarioReportTexts:
    """The words of a scenario's ``report.html`` / ``report.xlsx`` (besides KPI labels)."""

    level_note: str = "{status} · 界 {bound}"
    coverage_groups: tuple[tuple[str, str], ...] = (
        ("consortium", "医共体"),
        ("specialty", "专科"),
        ("hospital", "医院"),
    )
    workbook_title: str = "情景对比 {name} {week}"
    kpi: str = "指标"
    versus_baseline: str = "{name} 较基线"
    reason_prefix: str = "未满足原因："
    coverage_columns: tuple[str, ...] = (
        "维度",
        "编号",
        "名称",
        "情景",
        "需求次数",
        "已覆盖",
        "未满足",
        "覆盖率(%)",
        "较基线(百分点)",
    )
    diff_columns: tuple[str, ...] = (
        "情景",
        "需求项",
        "名称",
        "站点",
        "医共体",
        "专科",
        "基线缺少",
        "情景缺少",
        "变化",
        "原因",
    )
    notes_columns: tuple[str, ...] = ("情景", "说明", "变更")
    summary_sheet: str = "概览"
    coverage_sheet: str = "覆盖率"
    diff_sheet: str = "未满足变化"
    notes_sheet: str = "变更说明"


SCENARIO_REPORT = ScenarioReportTexts()


@dataclass(frozen=True)
class SweepReportTexts:
    """The words of a sweep's workbook (its columns are :data:`KPI_LABELS`)."""

    first_columns: tuple[str, ...] = ("编号", "情景集", "情景", "求解状态")
    last_columns: tuple[str, ...] = ("覆盖率较基线(百分点)", "加权未满足较基线")
    sheet: str = "汇总"


SWEEP_REPORT = SweepReportTexts()


@dataclass(frozen=True)
class SensitivityReportTexts:
    """The words of the "one more specialist where" report besides its columns."""

    week: ZhEn = ZhEn("周次", "week")
    baseline_unmet: ZhEn = ZhEn("基线未满足次数", "baseline unmet sessions")
    baseline_weighted: ZhEn = ZhEn("基线未满足(加权)", "baseline weighted unmet")
    pairs: ZhEn = ZhEn("尝试组合数", "pairs tried")
    pairs_solved: ZhEn = ZhEn("已求解组合数", "pairs solved")
    seconds: ZhEn = ZhEn("用时(秒)", "seconds")
    workbook_title: str = "增加一名专家 {week}"
    ranking_sheet: str = "排名"
    facts_sheet: str = "概况"
    facts_columns: tuple[str, ...] = ("项目", "值")


SENSITIVITY_REPORT = SensitivityReportTexts()


# --------------------------------------------------------------------------- the console

CONSOLE_LANGUAGES = ("zh", "en")

CONSOLE_WORDS: dict[str, dict[str, str]] = {
    "title": {"zh": "专家外派排班", "en": "Specialist outreach roster"},
    "skip": {"zh": "跳到正文", "en": "Skip to content"},
    "nav_week": {"zh": "周排班", "en": "Week"},
    "nav_doctors": {"zh": "医生", "en": "Doctors"},
    "nav_unmet": {"zh": "未满足需求", "en": "Unmet demand"},
    "signin": {"zh": "登录", "en": "Sign in"},
    "signout": {"zh": "退出", "en": "Sign out"},
    "api_key": {"zh": "API 密钥", "en": "API key"},
    "api_key_help": {
        "zh": "由管理员用 roster keys create 创建；只保存在本浏览器的会话中。",
        "en": "Created by an administrator with roster keys create; kept only in this session.",
    },
    "bad_key": {"zh": "密钥无效或已停用。", "en": "The key is not valid or was revoked."},
    "signed_in_as": {"zh": "当前用户", "en": "Signed in as"},
    "role_viewer": {"zh": "查看者", "en": "viewer"},
    "role_planner": {"zh": "排班员", "en": "planner"},
    "role_admin": {"zh": "管理员", "en": "admin"},
    "role_hospital": {"zh": "医院秘书", "en": "hospital secretary"},
    "week": {"zh": "周次", "en": "Week"},
    "version": {"zh": "版本", "en": "version"},
    "published_at": {"zh": "发布于", "en": "published"},
    "no_published": {"zh": "该周尚无已发布的排班。", "en": "No roster is published for this week."},
    "consortium": {"zh": "医联体", "en": "Consortium"},
    "hospital": {"zh": "医院", "en": "Hospital"},
    "specialty": {"zh": "专科", "en": "Specialty"},
    "any": {"zh": "全部", "en": "All"},
    "apply": {"zh": "筛选", "en": "Filter"},
    "by": {"zh": "按", "en": "Rows"},
    "by_site": {"zh": "站点", "en": "Sites"},
    "by_doctor": {"zh": "医生", "en": "Doctors"},
    "site": {"zh": "站点", "en": "Site"},
    "doctor": {"zh": "医生", "en": "Doctor"},
    "sessions": {"zh": "出诊", "en": "sessions"},
    "coverage": {"zh": "覆盖率", "en": "Coverage"},
    "export": {"zh": "导出 Excel", "en": "Export to Excel"},
    "search": {
        "zh": "搜索医生（姓名、拼音首字母或工号）",
        "en": "Search doctors (name, pinyin initials or id)",
    },
    "find": {"zh": "查找", "en": "Find"},
    "no_match": {"zh": "没有匹配的医生。", "en": "No doctor matches."},
    "calendar": {"zh": "日历订阅", "en": "Calendar feed"},
    "calendar_help": {
        "zh": "排班员可为该医生生成订阅链接，添加到手机日历。",
        "en": "A planner can make this doctor's feed link, to add to a phone calendar.",
    },
    "make_feed": {"zh": "生成订阅链接", "en": "Make the feed link"},
    "feed_ready": {
        "zh": "订阅链接（只显示一次，旧链接已失效）：",
        "en": "Feed link (shown once; any earlier link stops working):",
    },
    "no_sessions": {"zh": "本周无外派出诊。", "en": "No outreach sessions this week."},
    "when": {"zh": "时间", "en": "When"},
    "where": {"zh": "地点", "en": "Where"},
    "what": {"zh": "内容", "en": "What"},
    "travel": {"zh": "单程(分钟)", "en": "One way (min)"},
    "missing": {"zh": "缺口", "en": "Missing"},
    "reason": {"zh": "原因", "en": "Reason"},
    "total_missing": {"zh": "未满足出诊合计", "en": "Unmet sessions in all"},
    "heatmap": {"zh": "专科 × 医联体 未满足出诊", "en": "Unmet sessions, specialty × consortium"},
    "language": {"zh": "English", "en": "中文"},
    "nav_solve": {"zh": "求解与发布", "en": "Solve"},
    "nav_scenarios": {"zh": "情景分析", "en": "Scenarios"},
    "example": {"zh": "示例情景", "en": "Example scenario"},
    "upload": {"zh": "或上传情景文件（YAML）", "en": "Or upload a scenario file (YAML)"},
    "run_scenario": {"zh": "运行情景", "en": "Run the scenario"},
    "recent_scenarios": {"zh": "最近的情景", "en": "Recent scenarios"},
    "variant": {"zh": "方案", "en": "Variant"},
    "kpi": {"zh": "指标", "en": "KPI"},
    "report_html": {"zh": "完整报告（HTML）", "en": "Full report (HTML)"},
    "report_xlsx": {"zh": "Excel 工作簿", "en": "Excel workbook"},
    "chart_coverage_by_consortium": {"zh": "各医联体覆盖率", "en": "Coverage by consortium"},
    "chart_unmet_heatmap": {"zh": "未满足热力图", "en": "Unmet heatmap"},
    "chart_load_distribution": {"zh": "负荷分布", "en": "Load distribution"},
    "variants_done": {"zh": "个方案已求解", "en": "variants solved"},
    "kpi_coverage": {"zh": "覆盖率 %", "en": "coverage %"},
    "kpi_l1": {"zh": "L1 加权未满足", "en": "L1 weighted unmet"},
    "kpi_load_p90": {"zh": "负荷 p90", "en": "load p90"},
    "kpi_load_max": {"zh": "最大负荷", "en": "load max"},
    "kpi_parts_reused": {"zh": "复用的部分", "en": "parts reused"},
    "start_solve": {"zh": "开始求解", "en": "Start a solve"},
    "week_help": {"zh": "ISO 周，如 2026-W49", "en": "ISO week, e.g. 2026-W49"},
    "planner_only": {
        "zh": "只有排班员可以求解和发布。",
        "en": "Only a planner may solve and publish.",
    },
    "recent_runs": {"zh": "最近的求解", "en": "Recent solves"},
    "job_limit": {
        "zh": "未完成的任务太多：本密钥或本周已有最多允许数量的排队或运行中的任务。"
        "请等一个任务完成（或取消一个）后再试。",
        "en": "Too many unfinished jobs: this key or this week already has the most queued or "
        "running jobs allowed. Wait for one to finish (or cancel one), then try again.",
    },
    "no_workers": {
        "zh": "现在没有运行中的求解进程（roster worker）：任务会排队，直到有求解进程启动。",
        "en": "No job worker (roster worker) is running: jobs wait in the queue until one starts.",
    },
    "status": {"zh": "状态", "en": "Status"},
    "created": {"zh": "创建于", "en": "Created"},
    "progress": {"zh": "进度", "en": "Progress"},
    "parts": {"zh": "部分", "en": "parts"},
    "level": {"zh": "目标层级", "en": "Level"},
    "value": {"zh": "目标值", "en": "Value"},
    "bound": {"zh": "界", "en": "Bound"},
    "publish": {"zh": "发布", "en": "Publish"},
    "no_job": {"zh": "没有这个求解任务。", "en": "No such solve."},
    "unmet_sessions": {"zh": "未满足出诊", "en": "Unmet sessions"},
    "load": {"zh": "负荷", "en": "Load"},
    "travel_hours": {"zh": "总路程(小时)", "en": "Travel hours"},
    "status_queued": {"zh": "排队中", "en": "queued"},
    "status_running": {"zh": "求解中", "en": "running"},
    "status_succeeded": {"zh": "已完成", "en": "succeeded"},
    "status_failed": {"zh": "失败", "en": "failed"},
    "status_cancelled": {"zh": "已取消", "en": "cancelled"},
    # Error pages (api/web/errors.py): a title and a line of help for each kind.
    "error_unavailable": {"zh": "数据库暂不可用", "en": "The database is unavailable"},
    "error_unavailable_help": {
        "zh": "数据库暂不可用，请稍后再试。",
        "en": "The database cannot be reached just now; please try again shortly.",
    },
    "error_too_many": {"zh": "请求过于频繁", "en": "Too many attempts"},
    "error_too_many_help": {
        "zh": "来自此地址的请求过于频繁。",
        "en": "Too many requests came from this address.",
    },
    "error_too_large": {"zh": "提交的内容太大", "en": "What was sent is too large"},
    "error_too_large_help": {
        "zh": "提交的内容超过了服务器允许的大小。",
        "en": "What was sent is larger than the server accepts.",
    },
    "error_bad_request": {"zh": "请求有误", "en": "The request is not valid"},
    "error_bad_request_help": {
        "zh": "请检查输入后再试。",
        "en": "Please check what was entered and try again.",
    },
    "error_not_found": {"zh": "找不到该页面", "en": "Not found"},
    "error_not_found_help": {
        "zh": "该页面或数据不存在。",
        "en": "This page or item does not exist.",
    },
    "error_forbidden": {"zh": "没有权限", "en": "Not allowed"},
    "error_forbidden_help": {
        "zh": "当前密钥的角色不能进行此操作。",
        "en": "The key you signed in with may not do this.",
    },
    "error_internal": {"zh": "服务器出错了", "en": "Something went wrong on the server"},
    "error_internal_help": {
        "zh": "错误已记录，请稍后再试；如果一直出现，请联系管理员。",
        "en": "The error has been logged; please try again later, and tell an administrator "
        "if it keeps happening.",
    },
    "retry_before": {"zh": "请在", "en": "Try again in"},
    "retry_unit": {"zh": "秒后再试。", "en": "seconds."},
    "back_to_week": {"zh": "返回周排班", "en": "Back to the week"},
}
"""The console's words, by key, in each of :data:`CONSOLE_LANGUAGES` (``api.web.i18n``)."""

WEEK_EXPORT_SHEET = "排班"
"""The sheet of the console's week export."""

WEEK_EXPORT_ROWS: dict[str, str] = {"site": "站点", "doctor": "医生"}
"""The first column of the console's week export, by what its rows are."""


# --------------------------------------------------------------------------- data workbook
# The data set as an Excel workbook (roster data template, GET /data/template.xlsx):
# a sheet per file, Chinese headers; uploaded back, headers map to columns.

DATA_SHEETS: dict[str, str] = {
    "hospitals.csv": "医院",
    "specialties.csv": "专科",
    "key_specialties.csv": "重点专科",
    "sites.csv": "站点",
    "consortia.csv": "医共体",
    "consortium_partners.csv": "医共体合作医院",
    "departments.csv": "共建科室",
    "clinics.csv": "基层坐诊",
    "teams.csv": "家庭医生团队",
    "referrals.csv": "转诊记录",
    "doctors.csv": "医生",
    "leave.csv": "请假",
    "holidays.csv": "节假日",
}

DATA_COLUMNS_ZH: dict[str, str] = {
    "hospital_id": "医院编号",
    "specialty_id": "专科编号",
    "site_id": "站点编号",
    "consortium_id": "医共体编号",
    "department_id": "共建科室编号",
    "clinic_id": "坐诊编号",
    "team_id": "团队编号",
    "doctor_id": "医生工号",
    "lead_site_id": "牵头医院站点编号",
    "name": "名称",
    "name_en": "英文名称",
    "side": "中梁山东西侧",
    "x_km": "横坐标(公里)",
    "y_km": "纵坐标(公里)",
    "max_away_share": "同时外派上限比例",
    "patients_per_session": "每次接诊人数",
    "chronic_panel": "慢病管理类别",
    "panel_per_session": "每次管理慢病人数",
    "reason": "原因",
    "level": "级别",
    "kind": "类型",
    "closed_half_days": "停诊半天",
    "sessions_per_week": "每周次数",
    "min_title": "最低职称",
    "priority": "优先级",
    "hypertension_panel": "高血压管理人数",
    "diabetes_panel": "糖尿病管理人数",
    "copd_panel": "慢阻肺管理人数",
    "week": "周次",
    "referrals": "转诊人数",
    "title": "职称",
    "weekly_cap": "每周上限",
    "home_duty_half_days": "院内固定班次",
    "preferred_weekdays": "偏好工作日",
    "start_date": "开始日期",
    "end_date": "结束日期",
    "date": "日期",
}
"""The Chinese header of each data column (a column name appears in several files
with one meaning)."""


@dataclass(frozen=True)
class DataWorkbookTexts:
    """The instructions sheet and the words of a workbook's errors."""

    instructions_sheet: str = "填写说明"
    lists_sheet: str = "选项"
    title: str = "外派排班基础数据 · 数据版本 {version}"
    lines: tuple[str, ...] = (
        "每个工作表对应一类基础数据，第一行是表头，请勿修改表头和工作表名称。",
        "每行一条记录；新增记录请在表格末尾添加，删除记录请整行删除。",
        "编号只能使用英文字母、数字、下划线、点和连字符，例如 H01-CARD-03。",
        "带下拉箭头的单元格请从列表中选择（医院、专科、站点、职称等）。",
        "多个半天或工作日用英文分号分隔，例如 FRI_AM;FRI_PM 或 MON;TUE。",
        "日期格式为 YYYY-MM-DD，例如 2026-12-01。",
        "上传后系统先按与数据目录相同的规则检查，并列出新增、修改、删除的记录；确认后才生成新的数据版本。",
        "转诊记录来自转诊系统，不在本工作簿中；上传时保持不变。",
    )
    unknown_sheet: str = "unknown sheet {sheet!r} (one of {sheets})"
    unknown_header: str = "unknown column header {header!r}"
    missing_header: str = "column {column} ({header}) is missing"
    sheet: str = "sheet {sheet}"
    where: str = "sheet {sheet} row {row}, column {header}"


DATA_WORKBOOK = DataWorkbookTexts()


# ---------------------------------------------------------------- planning inputs in the console
# The console's pages over the data set's versions (api/web/pages/data.py, sites.py,
# demand.py and the doctor page's edit forms): the history, and planners' edits.

CONSOLE_DATA_WORDS: dict[str, dict[str, str]] = {
    "nav_sites": {"zh": "站点", "en": "Sites"},
    "nav_demand": {"zh": "需求", "en": "Demand"},
    "nav_data": {"zh": "数据版本", "en": "Data versions"},
    "data_version": {"zh": "数据版本", "en": "Data version"},
    "data_versions_help": {
        "zh": "排班数据的每次修改都生成一个新的数据版本，旧版本保持不变；"
        "求解使用提交时最新的版本。",
        "en": "Every change of the planning data makes a new data version; older versions "
        "never change. A solve uses the version that was newest when it was started.",
    },
    "time_shanghai": {"zh": "时间（北京时间）", "en": "Time (Asia/Shanghai)"},
    "created_by": {"zh": "操作人", "en": "By"},
    "source": {"zh": "来源", "en": "Source"},
    "note": {"zh": "说明", "en": "Note"},
    "changes_count": {"zh": "改动数", "en": "Changes"},
    "source_import": {"zh": "导入", "en": "import"},
    "source_edit": {"zh": "在线修改", "en": "edit"},
    "source_excel": {"zh": "Excel 工作簿", "en": "Excel workbook"},
    "source_request": {"zh": "审批通过的申请", "en": "approved request"},
    "change_list": {"zh": "改动清单", "en": "Changes"},
    "file": {"zh": "文件", "en": "File"},
    "row": {"zh": "行", "en": "Row"},
    "change": {"zh": "改动", "en": "Change"},
    "column": {"zh": "列", "en": "Column"},
    "old_new": {"zh": "原值 → 新值", "en": "Old → new"},
    "empty": {"zh": "（空）", "en": "(empty)"},
    "change_added": {"zh": "新增", "en": "added"},
    "change_removed": {"zh": "删除", "en": "removed"},
    "change_changed": {"zh": "修改", "en": "changed"},
    "no_row_changes": {
        "zh": "此版本没有逐行改动（第一个版本是整套数据的导入）。",
        "en": "No row changes (the first version is the whole data set, imported).",
    },
    "no_data_version": {"zh": "没有这个数据版本。", "en": "No such data version."},
    "all_data_versions": {"zh": "全部数据版本", "en": "All data versions"},
    "solved_on": {"zh": "求解所用数据", "en": "Solved on"},
    "data_directory": {"zh": "数据目录", "en": "a data directory"},
    # The edit forms: each carries the version it was made on and a note (why).
    "shown_version": {"zh": "本页显示的是", "en": "This page shows"},
    "next_solve": {
        "zh": "修改从下一次求解起生效，已发布的排班不会改变。",
        "en": "Changes take effect from the next solve; published rosters stay as they are.",
    },
    "saved_as": {"zh": "已保存，新的数据版本为", "en": "Saved as data version"},
    "unchanged": {
        "zh": "没有改动：提交的内容与当前数据相同，未生成新的数据版本。",
        "en": "Nothing changed: what was sent equals the current data; no new version was made.",
    },
    "conflict": {
        "zh": "修改没有保存：表单是按数据版本 {base} 填写的，但现在最新的是数据版本 {newest}"
        "（可能有人刚刚修改了数据，或同一表单提交了两次）。请重新加载页面，核对最新数据后再修改。",
        "en": "Not saved: the form was filled in on data version {base}, but the newest is "
        "now data version {newest} (someone changed the data just now, or the form was sent "
        "twice). Reload the page, check the newest data, then make the change again.",
    },
    "reload": {"zh": "重新加载", "en": "Reload"},
    "not_saved": {
        "zh": "修改没有保存，请更正标出的内容：",
        "en": "Not saved; correct what is marked:",
    },
    "note_label": {"zh": "修改原因（必填）", "en": "Why (required)"},
    "note_required": {"zh": "请填写修改原因。", "en": "Say why: the note is required."},
    "save": {"zh": "保存", "en": "Save"},
    "edit": {"zh": "修改", "en": "Change"},
    "data_planner_only": {
        "zh": "只有排班员可以修改排班数据。",
        "en": "Only a planner may change the planning data.",
    },
    "planning_data": {"zh": "排班数据", "en": "Planning data"},
    "not_in_data": {
        "zh": "当前数据版本中没有这名医生。",
        "en": "The current data version has no such doctor.",
    },
    "weekly_cap": {"zh": "每周外派上限（次）", "en": "Weekly cap (sessions)"},
    "preferred_weekdays": {"zh": "偏好工作日", "en": "Preferred weekdays"},
    "no_preference": {"zh": "无偏好", "en": "no preference"},
    "cap_and_preferences": {"zh": "上限与偏好", "en": "Cap and preferences"},
    "leave": {"zh": "请假", "en": "Leave"},
    "start_date": {"zh": "开始日期", "en": "Start date"},
    "end_date": {"zh": "结束日期", "en": "End date"},
    "leave_reason": {"zh": "请假原因", "en": "Reason"},
    "add_leave": {"zh": "添加请假", "en": "Add leave"},
    "remove_leave": {"zh": "删除此请假", "en": "Remove this leave"},
    "no_leave": {"zh": "没有请假记录。", "en": "No leave recorded."},
    "kind": {"zh": "类型", "en": "Kind"},
    "kind_district_hospital": {"zh": "区级医院", "en": "district hospital"},
    "kind_grassroots": {"zh": "基层医疗机构", "en": "grassroots"},
    "kind_workstation": {"zh": "家庭医生工作站", "en": "workstation"},
    "closed_half_days": {"zh": "停诊半天", "en": "Closed half-days"},
    "none": {"zh": "无", "en": "none"},
    "closed_help": {
        "zh": "勾选该站点停诊的半天（只列出排班规则开放的半天）。",
        "en": "Tick the half-days the site is closed (the half-days the policy opens).",
    },
    "clinics": {"zh": "基层坐诊", "en": "Grassroots clinics"},
    "departments": {"zh": "共建科室", "en": "Joint departments"},
    "item": {"zh": "需求项", "en": "Demand item"},
    "sessions_per_week": {"zh": "每周次数", "en": "Sessions per week"},
    "min_title": {"zh": "最低职称", "en": "Minimum title"},
    "priority": {"zh": "优先级", "en": "Priority"},
    "priority_help": {
        "zh": "1–5，越大越重要（每缺一次出诊的权重）",
        "en": "1–5, higher is more important (the weight of one unmet session)",
    },
    "filter_by": {"zh": "筛选", "en": "Filter"},
}
"""The console's words for the data set's pages and edit forms (merged into
:data:`CONSOLE_WORDS` below, so a page reads them like every other word)."""

CONSOLE_WORDS.update(CONSOLE_DATA_WORDS)


# ------------------------------------------------ requests, repairs and imports in the console
# The console's leave requests (api/web/pages/requests.py: a secretary asks, a planner
# decides, then previews and publishes the repair of a published week) and the data
# workbook's import page (api/web/pages/imports.py).

CONSOLE_REQUEST_WORDS: dict[str, dict[str, str]] = {
    "nav_requests": {"zh": "请假申请", "en": "Leave requests"},
    "nav_import": {"zh": "导入导出", "en": "Import / export"},
    "requests_help": {
        "zh": "医院秘书为本院医生提交请假申请；排班员批准后，请假写入新的数据版本。",
        "en": "A hospital secretary asks for leave for the hospital's doctors; once a planner "
        "approves, the leave is a new data version.",
    },
    "submit_request": {"zh": "提交请假申请", "en": "Ask for leave"},
    "pending_requests": {"zh": "待审批", "en": "Waiting for a decision"},
    "decided_requests": {"zh": "已处理", "en": "Decided"},
    "no_requests": {"zh": "没有申请。", "en": "No requests."},
    "request_status_pending": {"zh": "待审批", "en": "pending"},
    "request_status_approved": {"zh": "已批准", "en": "approved"},
    "request_status_rejected": {"zh": "已驳回", "en": "rejected"},
    "submitted_by": {"zh": "申请人", "en": "Asked by"},
    "decided_by": {"zh": "处理人", "en": "Decided by"},
    "decision_note": {"zh": "审批意见", "en": "Decision note"},
    "published_weeks": {"zh": "涉及已发布的周", "en": "Published weeks"},
    "approve": {"zh": "批准", "en": "Approve"},
    "reject": {"zh": "驳回", "en": "Reject"},
    "approve_note": {"zh": "审批意见（可选）", "en": "Note (optional)"},
    "reject_note": {"zh": "驳回原因（必填）", "en": "Why rejected (required)"},
    "reject_note_required": {"zh": "请填写驳回原因。", "en": "Say why: the note is required."},
    "request_sent": {"zh": "申请已提交，等待排班员审批。", "en": "Sent; a planner will decide."},
    "request_rejected": {"zh": "申请已驳回。", "en": "The request was rejected."},
    "request_approved": {
        "zh": "已批准，请假已写入数据版本",
        "en": "Approved; the leave is in data version",
    },
    "request_not_sent": {
        "zh": "申请没有提交，请更正标出的内容：",
        "en": "Not sent; correct what is marked:",
    },
    "request_decided": {
        "zh": "没有处理：该申请已被处理，或数据刚刚有了新的版本。请重新加载页面。",
        "en": "Not done: the request was decided already, or the data just moved on. "
        "Reload the page.",
    },
    "repair_needed": {
        "zh": "该请假落在已发布的周内，已发布的排班不会自动改变：",
        "en": "The leave falls in a published week; the published roster does not change "
        "by itself:",
    },
    "preview_repair": {"zh": "预览修复", "en": "Preview the repair of"},
    "repair_preview": {"zh": "修复预览", "en": "Repair preview"},
    "repair_preview_help": {
        "zh": "以下是医生缺勤后修复排班的改动，尚未发布。"
        "发布后生成该周的新版本，并通知相关医生和站点。",
        "en": "The changes of the repair for the doctor's absence, not yet published. "
        "Publishing makes the week's next version and tells the doctors and sites concerned.",
    },
    "repairs_version": {"zh": "修复的发布版本", "en": "Repairs published version"},
    "new_version": {"zh": "发布后的版本", "en": "Version once published"},
    "absence": {"zh": "缺勤", "en": "Absence"},
    "half_day": {"zh": "半天", "en": "Half-day"},
    "previous_doctor": {"zh": "原医生", "en": "Previous doctor"},
    "repair_kind_dropped": {"zh": "取消", "en": "dropped"},
    "repair_kind_added": {"zh": "新增", "en": "added"},
    "repair_kind_reassigned": {"zh": "换人", "en": "reassigned"},
    "repair_kind_moved": {"zh": "调动", "en": "moved"},
    "no_repair_changes": {
        "zh": "修复不改变任何出诊。",
        "en": "The repair changes no session.",
    },
    "repair_conflict": {
        "zh": "没有发布：预览之后该周已发布了新的版本（{newest}），预览的是版本 {base}。"
        "请重新预览后再发布。",
        "en": "Not published: the week has a newer published version ({newest}) than the "
        "previewed one ({base}). Preview again, then publish.",
    },
    "repair_published": {"zh": "修复已发布为版本", "en": "The repair is published as version"},
    "preview_again": {"zh": "重新预览", "en": "Preview again"},
    "template_workbook": {"zh": "下载数据模板（Excel）", "en": "Download the data workbook"},
    "template_help": {
        "zh": "模板包含最新数据版本的全部数据；修改后上传，"
        "系统先列出改动，确认后才生成新的数据版本。",
        "en": "The workbook holds the newest data version; change it and upload it: the "
        "changes are listed first, and a new data version is made only once confirmed.",
    },
    "workbook_file": {"zh": "填好的数据模板（.xlsx）", "en": "Filled data workbook (.xlsx)"},
    "upload_workbook": {"zh": "上传并检查", "en": "Upload and check"},
    "import_note": {"zh": "说明（可选）", "en": "Note (optional)"},
    "import_preview": {"zh": "导入预览", "en": "Import preview"},
    "import_base": {"zh": "对比的数据版本", "en": "Compared with data version"},
    "apply_import": {"zh": "确认导入", "en": "Apply the import"},
    "import_applied": {"zh": "已导入为数据版本", "en": "Applied as data version"},
    "import_refused": {"zh": "没有导入：", "en": "Not imported:"},
    "import_planner_only": {
        "zh": "只有排班员可以上传数据模板。",
        "en": "Only a planner may upload the data workbook.",
    },
}
"""The console's words for leave requests, repairs and the data workbook (merged into
:data:`CONSOLE_WORDS`)."""

CONSOLE_WORDS.update(CONSOLE_REQUEST_WORDS)


# --------------------------------------------------------------------------- console: policy
# The rule parameters of policy.toml, as the policy page names them.

CONSOLE_POLICY_WORDS: dict[str, dict[str, str]] = {
    "nav_policy": {"zh": "规则参数", "en": "Policy"},
    "policy_help": {
        "zh": "排班规则的参数；修改从下一次求解起生效。",
        "en": "The rules' parameters; a change applies from the next solve.",
    },
    "travel.limit_minutes": {"zh": "单程上限（分钟）", "en": "One-way trip limit (minutes)"},
    "travel.midday_gap_minutes": {
        "zh": "上下午换点路程上限（分钟）",
        "en": "Morning-to-afternoon move limit (minutes)",
    },
    "travel.am_peak_multiplier": {"zh": "早高峰系数", "en": "Morning peak multiplier"},
    "travel.base_minutes": {"zh": "每趟固定时间（分钟）", "en": "Fixed minutes per trip"},
    "travel.minutes_per_km": {"zh": "每公里分钟数", "en": "Minutes per km"},
    "travel.mountain_crossing_minutes": {
        "zh": "翻越中梁山附加时间（分钟）",
        "en": "Extra minutes across 中梁山",
    },
    "travel.crossing_multiplier": {"zh": "穿越中梁山系数", "en": "Crossing multiplier"},
    "demand.forecast_window_weeks": {"zh": "转诊预测周数", "en": "Forecast window (weeks)"},
    "demand.team_max_sessions": {
        "zh": "每团队每专科每周支持上限",
        "en": "Support sessions per team and specialty (max)",
    },
    "demand.team_min_title": {"zh": "团队支持最低职称", "en": "Minimum title for team support"},
    "calendar.open_half_days": {"zh": "开放外派的半天", "en": "Half-days open for outreach"},
}

CONSOLE_WORDS.update(CONSOLE_POLICY_WORDS)
