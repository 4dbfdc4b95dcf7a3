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


def language(value: str | None) -> str:
    """A known language code (default zh)."""
    return value if value in LANGUAGES else "zh"


def translate(lang: str, key: str) -> str:
    """The word ``key`` in ``lang``."""
    return WORDS[key][lang]
