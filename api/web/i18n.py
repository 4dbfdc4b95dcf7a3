"""The console's words, in Chinese (the default) and English.

A page asks ``t(key)``; the language comes from ``?lang=`` (kept in a cookie)
and falls back to zh-CN. Names from the data (hospitals, sites, doctors) are
Chinese in both languages, with the English name beside where the data has one.
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")

WORDS: dict[str, dict[str, str]] = {
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
    "search": {"zh": "搜索医生（姓名或工号）", "en": "Search doctors (name or id)"},
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
}


def language(value: str | None) -> str:
    """A known language code (default zh)."""
    return value if value in LANGUAGES else "zh"


def translate(lang: str, key: str) -> str:
    """The word ``key`` in ``lang``."""
    return WORDS[key][lang]
