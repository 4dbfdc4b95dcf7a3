"""Seeded generator of the synthetic Shapingba (沙坪坝区) dataset.

``generate(out_dir)`` writes every file described in ``data/README.md``
(policy.toml and thirteen CSV files) into ``out_dir``.  The output is a pure
function of the arguments: one ``random.Random(seed)`` drives every draw, dates
come from the ``planning_week`` argument, files are written with fixed column
order, sorted rows, fixed float formatting and ``\\n`` line endings, so two runs
with the same arguments give byte-identical files.

One district has the real counts of Shapingba (6 tertiary hospitals, 48 key
specialties, 100 jointly built departments, 4 consortia, 119 family-doctor
workstations, 220 teams).  ``districts > 1`` builds a whole city: every district
is a copy shaped like Shapingba with its own hospitals, sites, teams and
doctors, placed on a 25 km grid, every id prefixed with ``Xkk-``, and each
consortium of district k also partnered with one hospital of district k + 1.

Geography (km, x east, y north, district about 22 x 20 km): 中梁山 runs
north-south at x = 9.  The east side (x 10-22) is the old core with all tertiary
hospitals; the west side (x 0-8) holds 大学城 and 陈家桥.  With the default travel
parameters a trip on one side takes about 10-35 min off-peak, a trip across the
mountain 30-60 min, and morning trips from the east hospitals to the far west
exceed the 60-minute limit.

The module-level constants in CAPITALS are the calibration knobs: demand sizes,
referral volumes, the supply ratio used to size doctor pools and the scarce
specialties.  ``generate`` logs the resulting demand and supply totals.
"""

from __future__ import annotations

import csv
import logging
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from scheduler.domain import STANDARD_LEVELS, Title
from scheduler.errors import InputError
from scheduler.io.output_dir import OutputKind, prepare_output
from scheduler.io.schema import SPECS, column_names
from scheduler.week import week_monday, week_of

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------
# Time tokens and policy
# --------------------------------------------------------------------------

WEEKDAYS: tuple[str, ...] = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
HALF_DAYS: tuple[str, ...] = tuple(f"{d}_{p}" for d in WEEKDAYS for p in ("AM", "PM"))
OPEN_HALF_DAYS: tuple[str, ...] = (
    *(f"{d}_{p}" for d in WEEKDAYS[:5] for p in ("AM", "PM")),
    "SAT_AM",
)

TRAVEL_LIMIT_MINUTES = 60
MIDDAY_GAP_MINUTES = 90
AM_PEAK_MULTIPLIER = 1.3
BASE_MINUTES = 8.0
MINUTES_PER_KM = 1.5
MOUNTAIN_CROSSING_MINUTES = 18.0
CROSSING_MULTIPLIER = 1.0
FORECAST_WINDOW_WEEKS = 8
SEASONAL_CLIP = (0.7, 1.5)
TEAM_MIN_TITLE = "attending"
TEAM_MAX_SESSIONS = 2
OBJECTIVE_ORDER: tuple[str, ...] = tuple(level.value for level in STANDARD_LEVELS)

HISTORY_WEEKS = 60
"""Weeks of referral history, ending the week before the planning week."""

MOUNTAIN_X_KM = 9.0
"""中梁山 runs north-south at this x; west side x < 9, east side x > 9."""

DISTRICT_SPACING_KM = 25.0
"""Distance between district origins on the city grid (districts > 1)."""

# --------------------------------------------------------------------------
# Calibration knobs
# --------------------------------------------------------------------------

DEPARTMENT_SESSION_WEIGHTS: Mapping[int, float] = {1: 10, 2: 45, 3: 30, 4: 15}
"""sessions_per_week of a jointly built department -> relative weight."""

DEPARTMENT_MIN_TITLE_WEIGHTS: Mapping[str, float] = {
    "associate_chief": 70,
    "chief": 15,
    "attending": 15,
}
DEPARTMENT_PRIORITY_WEIGHTS: Mapping[int, float] = {3: 30, 4: 45, 5: 25}

CLINICS_PER_SITE: tuple[int, int] = (2, 5)
"""Inclusive range of specialist clinics per grassroots site."""
CLINIC_SESSION_WEIGHTS: Mapping[int, float] = {1: 40, 2: 60}
CLINIC_MIN_TITLE_WEIGHTS: Mapping[str, float] = {"attending": 60, "associate_chief": 40}
CLINIC_PRIORITY_WEIGHTS: Mapping[int, float] = {2: 30, 3: 45, 4: 25}

TEAMS_PER_DISTRICT = 220
"""Family-doctor teams of one district (spread over its 119 workstations)."""
MAX_TEAMS_PER_WORKSTATION = 3

TEAM_SPECIALTIES_PER_TEAM: tuple[int, int] = (3, 6)
"""Inclusive range of referral specialties per family-doctor team."""

TEAM_REFERRAL_MEAN: tuple[float, float] = (1.0, 8.0)
"""Range of a team's mean weekly referrals per specialty (before the specialty factor)."""

TEAM_SIZE_SKEW = 1.3
"""A team's size is uniform(0, 1) ** this: > 1 means more small teams than big ones."""

TEAM_PRIORITY_WEIGHTS: Mapping[int, float] = {1: 30, 2: 45, 3: 25}

SUPPLY_RATIO = 0.95
"""Doctor pools are sized so that their weekly caps are this x the demand they face."""

SCARCE_SUPPLY_RATIO: Mapping[str, float] = {"NEPH": 0.55, "PEDI": 0.55, "OPHT": 0.45}
"""Specialties deliberately short of doctors: supply ratio used instead of SUPPLY_RATIO."""

WEST_SUPPLY_WEIGHT = 1.0
"""A west-side session counts this much when sizing pools (< 1: the west is under-supplied)."""

POOL_SIZE: tuple[int, int] = (3, 14)
"""Inclusive bounds on the number of doctors of one (hospital, key specialty)."""

WEEKLY_CAP_WEIGHTS: Mapping[int, float] = {1: 5, 2: 30, 3: 45, 4: 20}
TITLE_WEIGHTS: Mapping[str, float] = {"chief": 25, "associate_chief": 35, "attending": 40}
HOME_DUTY_COUNT_WEIGHTS: Mapping[int, float] = {0: 30, 1: 45, 2: 25}
NO_PREFERENCE_SHARE = 0.4
LEAVE_SHARE = 0.065
"""Share of doctors with one dated leave range."""
LEAVE_IN_PLANNING_WEEK_SHARE = 0.5
"""Share of the leave ranges that overlap the planning week."""

# --------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecialtyRow:
    """One row of specialties.csv."""

    specialty_id: str
    name: str
    name_en: str
    patients_per_session: int
    chronic_panel: str = ""
    panel_per_session: int | None = None


SPECIALTIES: tuple[SpecialtyRow, ...] = (
    SpecialtyRow("CARD", "心血管内科", "Cardiology", 7, "hypertension", 400),
    SpecialtyRow("ENDO", "内分泌科", "Endocrinology", 7, "diabetes", 250),
    SpecialtyRow(
        "RESP", "呼吸与危重症医学科", "Respiratory and Critical Care Medicine", 7, "copd", 120
    ),
    SpecialtyRow("NEUR", "神经内科", "Neurology", 6),
    SpecialtyRow("ORTH", "骨科", "Orthopaedics", 7),
    SpecialtyRow("GAST", "消化内科", "Gastroenterology", 7),
    SpecialtyRow("NEPH", "肾内科", "Nephrology", 6),
    SpecialtyRow("GERI", "老年医学科", "Geriatrics", 6),
    SpecialtyRow("ONCO", "肿瘤内科", "Medical Oncology", 6),
    SpecialtyRow("RADO", "放射治疗科", "Radiation Oncology", 6),
    SpecialtyRow("SONC", "肿瘤外科", "Surgical Oncology", 6),
    SpecialtyRow("GYON", "妇科肿瘤科", "Gynaecological Oncology", 6),
    SpecialtyRow("BRST", "乳腺肿瘤科", "Breast Oncology", 7),
    SpecialtyRow("HEMA", "血液科", "Haematology", 6),
    SpecialtyRow("THOR", "胸外科", "Thoracic Surgery", 6),
    SpecialtyRow("PAIN", "麻醉疼痛科", "Anaesthesiology and Pain Medicine", 7),
    SpecialtyRow("PEDI", "儿科", "Paediatrics", 10),
    SpecialtyRow("OBGY", "妇产科", "Obstetrics and Gynaecology", 9),
    SpecialtyRow("OPHT", "眼科", "Ophthalmology", 10),
    SpecialtyRow("OTOL", "耳鼻咽喉科", "Otorhinolaryngology", 9),
    SpecialtyRow("DERM", "皮肤科", "Dermatology", 10),
    SpecialtyRow("REHA", "康复医学科", "Rehabilitation Medicine", 7),
    SpecialtyRow("PSYC", "精神科", "Psychiatry", 6),
    SpecialtyRow("UROL", "泌尿外科", "Urology", 8),
    SpecialtyRow("NSUR", "神经外科", "Neurosurgery", 6),
    SpecialtyRow("TCMD", "中医科", "Traditional Chinese Medicine", 10),
    SpecialtyRow("GENP", "全科医学科", "General Practice", 10),
    SpecialtyRow("RHEU", "风湿免疫科", "Rheumatology and Immunology", 7),
    SpecialtyRow("INFE", "感染科", "Infectious Diseases", 7),
    SpecialtyRow("STOM", "口腔科", "Stomatology", 8),
)
SPECIALTY_BY_ID: Mapping[str, SpecialtyRow] = {s.specialty_id: s for s in SPECIALTIES}

TEAM_SPECIALTY_WEIGHTS: Mapping[str, float] = {
    "CARD": 0.9,
    "ENDO": 0.85,
    "RESP": 0.8,
    "GERI": 0.7,
    "NEUR": 0.5,
    "GAST": 0.7,
    "ORTH": 0.55,
    "NEPH": 0.35,
}
"""Specialties family-doctor teams refer to, and how likely a team refers to each."""

TEAM_SPECIALTY_FACTOR: Mapping[str, float] = {
    "CARD": 0.75,
    "ENDO": 0.8,
    "RESP": 0.75,
    "GERI": 0.85,
    "NEUR": 0.75,
    "GAST": 1.0,
    "ORTH": 0.9,
    "NEPH": 0.55,
}
"""Multiplier on a team's mean weekly referrals, per specialty."""

SEASONALITY: Mapping[str, tuple[float, int]] = {
    "CARD": (0.12, 3),
    "ENDO": (0.04, 3),
    "RESP": (0.35, 2),
    "GERI": (0.10, 3),
    "NEUR": (0.08, 4),
    "GAST": (0.08, 31),
    "ORTH": (0.06, 2),
    "NEPH": (0.04, 3),
}
"""Per specialty: (amplitude, ISO week of the yearly peak) of the seasonal wave."""

CLINIC_SPECIALTY_WEIGHTS: Mapping[str, float] = {
    "CARD": 10,
    "ENDO": 9,
    "RESP": 8,
    "GERI": 7,
    "ORTH": 6,
    "GAST": 5,
    "NEUR": 4,
    "NEPH": 2,
    "PEDI": 7,
    "TCMD": 6,
    "REHA": 6,
    "OBGY": 4,
    "DERM": 4,
    "OPHT": 3,
    "GENP": 3,
    "RHEU": 2,
}
"""Specialties offered at grassroots clinics (others get weight 0.3)."""

DEPARTMENT_SPECIALTY_WEIGHTS: Mapping[str, float] = {
    "CARD": 3,
    "ENDO": 2.5,
    "RESP": 2.5,
    "NEUR": 2.5,
    "ORTH": 2.5,
    "GAST": 2.5,
    "GERI": 2.5,
    "NEPH": 2,
}
"""Weight of a specialty when filling department slots (others get DEPARTMENT_OTHER_WEIGHT)."""
DEPARTMENT_OTHER_WEIGHT = 3.5


@dataclass(frozen=True)
class HospitalTemplate:
    """A tertiary hospital of the Shapingba template."""

    code: str
    name: str
    name_en: str
    x_km: float
    y_km: float
    max_away_share: float
    key_specialties: tuple[tuple[str, str], ...]  # (specialty_id, level)


HOSPITALS: tuple[HospitalTemplate, ...] = (
    HospitalTemplate(
        "H01",
        "西南医院",
        "Southwest Hospital",
        15.2,
        8.6,
        0.40,
        (
            ("CARD", "national"),
            ("ENDO", "national"),
            ("RESP", "municipal"),
            ("NEUR", "municipal"),
            ("GAST", "national"),
            ("NEPH", "municipal"),
            ("ORTH", "national"),
            ("GERI", "municipal"),
            ("DERM", "national"),
            ("OPHT", "national"),
        ),
    ),
    HospitalTemplate(
        "H02",
        "新桥医院",
        "Xinqiao Hospital",
        14.0,
        5.8,
        0.45,
        (
            ("CARD", "national"),
            ("RESP", "national"),
            ("NEUR", "national"),
            ("GERI", "municipal"),
            ("GAST", "municipal"),
            ("ENDO", "municipal"),
            ("ORTH", "national"),
            ("UROL", "municipal"),
            ("NSUR", "municipal"),
        ),
    ),
    HospitalTemplate(
        "H03",
        "重庆大学附属肿瘤医院",
        "Chongqing University Cancer Hospital",
        16.8,
        10.0,
        0.35,
        (
            ("ONCO", "national"),
            ("RADO", "national"),
            ("SONC", "municipal"),
            ("GYON", "municipal"),
            ("HEMA", "municipal"),
            ("THOR", "municipal"),
            ("BRST", "municipal"),
            ("PAIN", "municipal"),
        ),
    ),
    HospitalTemplate(
        "H04",
        "重庆市公共卫生医疗救治中心",
        "Chongqing Public Health Medical Center",
        12.2,
        12.4,
        0.50,
        (
            ("INFE", "national"),
            ("RESP", "municipal"),
            ("GAST", "municipal"),
            ("PEDI", "municipal"),
        ),
    ),
    HospitalTemplate(
        "H05",
        "重庆医科大学附属第二医院天星桥院区",
        "Second Affiliated Hospital of Chongqing Medical University, Tianxingqiao Campus",
        16.6,
        6.4,
        0.45,
        (
            ("CARD", "municipal"),
            ("ENDO", "national"),
            ("GERI", "municipal"),
            ("NEPH", "national"),
            ("RESP", "municipal"),
            ("GAST", "municipal"),
            ("OBGY", "municipal"),
            ("PEDI", "national"),
            ("RHEU", "municipal"),
        ),
    ),
    HospitalTemplate(
        "H06",
        "重庆市中医院磁器口院区",
        "Chongqing Hospital of Traditional Chinese Medicine, Ciqikou Campus",
        18.0,
        12.4,
        0.40,
        (
            ("TCMD", "national"),
            ("REHA", "national"),
            ("ORTH", "municipal"),
            ("ENDO", "municipal"),
            ("GERI", "municipal"),
            ("NEUR", "municipal"),
            ("GENP", "municipal"),
            ("CARD", "municipal"),
        ),
    ),
)


@dataclass(frozen=True)
class Place:
    """A street (街道) or town (镇) of the district: where grassroots sites and workstations lie."""

    name: str
    name_en: str
    x_km: float
    y_km: float
    is_town: bool
    workstation_weight: float

    @property
    def side(self) -> str:
        """East or west of 中梁山."""
        return "west" if self.x_km < MOUNTAIN_X_KM else "east"


@dataclass(frozen=True)
class DistrictHospitalTemplate:
    """A district-level hospital (a consortium lead or another member)."""

    name: str  # without the district prefix, e.g. 人民医院
    name_en: str  # without the district name, e.g. "District People's Hospital"
    x_km: float
    y_km: float


@dataclass(frozen=True)
class ConsortiumTemplate:
    """A tight medical consortium (紧密型医共体) of the Shapingba template."""

    lead: DistrictHospitalTemplate
    member: DistrictHospitalTemplate
    partners: tuple[str, ...]  # hospital codes
    departments: tuple[int, int]  # departments at (lead, member)
    workstations: int
    places: tuple[Place, ...]


CONSORTIA: tuple[ConsortiumTemplate, ...] = (
    ConsortiumTemplate(
        lead=DistrictHospitalTemplate("人民医院", "People's Hospital", 16.6, 8.9),
        member=DistrictHospitalTemplate("第二人民医院", "Second People's Hospital", 13.4, 6.9),
        partners=("H01", "H03", "H05"),
        departments=(15, 13),
        workstations=34,
        places=(
            Place("沙坪坝", "Shapingba", 16.0, 9.2, False, 1.4),
            Place("小龙坎", "Xiaolongkan", 17.0, 8.2, False, 1.4),
            Place("渝碚路", "Yubeilu", 17.6, 10.2, False, 1.2),
            Place("天星桥", "Tianxingqiao", 16.3, 6.8, False, 1.2),
            Place("土湾", "Tuwan", 18.6, 7.2, False, 1.0),
            Place("新桥", "Xinqiao", 14.2, 5.6, False, 1.1),
            Place("覃家岗", "Qinjiagang", 13.0, 7.6, False, 1.0),
            Place("联芳", "Lianfang", 15.0, 3.8, False, 0.9),
            Place("山洞", "Shandong", 11.0, 5.0, False, 0.7),
        ),
    ),
    ConsortiumTemplate(
        lead=DistrictHospitalTemplate(
            "中医院", "Hospital of Traditional Chinese Medicine", 17.4, 13.0
        ),
        member=DistrictHospitalTemplate("双碑医院", "Shuangbei Hospital", 18.6, 15.9),
        partners=("H04", "H05", "H06"),
        departments=(14, 12),
        workstations=30,
        places=(
            Place("磁器口", "Ciqikou", 18.4, 12.2, False, 1.1),
            Place("童家桥", "Tongjiaqiao", 17.2, 13.4, False, 1.2),
            Place("石井坡", "Shijingpo", 17.8, 14.8, False, 1.1),
            Place("詹家溪", "Zhanjiaxi", 19.4, 11.0, False, 1.0),
            Place("双碑", "Shuangbei", 18.8, 16.2, False, 1.0),
            Place("歌乐山", "Geleshan", 12.6, 11.8, False, 0.8),
        ),
    ),
    ConsortiumTemplate(
        lead=DistrictHospitalTemplate("陈家桥医院", "Chenjiaqiao Hospital", 5.3, 11.3),
        member=DistrictHospitalTemplate(
            "大学城人民医院", "University Town People's Hospital", 4.8, 5.2
        ),
        partners=("H01", "H02", "H03"),
        departments=(10, 10),
        workstations=28,
        places=(
            Place("虎溪", "Huxi", 4.2, 4.0, False, 1.3),
            Place("西永", "Xiyong", 6.3, 7.8, False, 1.3),
            Place("香炉山", "Xianglushan", 5.2, 2.0, False, 1.0),
            Place("曾家", "Zengjia", 2.8, 6.8, False, 0.9),
            Place("陈家桥", "Chenjiaqiao", 5.0, 11.0, False, 1.2),
            Place("丰文", "Fengwen", 1.6, 9.6, False, 0.8),
        ),
    ),
    ConsortiumTemplate(
        lead=DistrictHospitalTemplate("井口医院", "Jingkou Hospital", 16.9, 17.4),
        member=DistrictHospitalTemplate("土主医院", "Tuzhu Hospital", 5.9, 15.4),
        partners=("H02", "H05", "H06"),
        departments=(14, 12),
        workstations=27,
        places=(
            Place("井口", "Jingkou", 16.8, 17.8, False, 1.2),
            Place("中梁", "Zhongliang", 10.6, 17.2, True, 0.7),
            Place("土主", "Tuzhu", 6.2, 15.0, False, 1.0),
            Place("回龙坝", "Huilongba", 4.0, 17.2, True, 0.8),
            Place("凤凰", "Fenghuang", 2.2, 13.2, True, 0.8),
            Place("青木关", "Qingmuguan", 1.2, 18.4, True, 0.8),
        ),
    ),
)

COMMUNITIES: tuple[tuple[str, str], ...] = (
    ("正街", "Zhengjie"),
    ("新村", "Xincun"),
    ("花园", "Huayuan"),
    ("建设", "Jianshe"),
    ("和平", "Heping"),
    ("团结", "Tuanjie"),
    ("胜利", "Shengli"),
    ("光明", "Guangming"),
    ("幸福", "Xingfu"),
    ("明珠", "Mingzhu"),
    ("锦绣", "Jinxiu"),
    ("康居", "Kangju"),
    ("滨江", "Binjiang"),
    ("阳光", "Yangguang"),
    ("翠湖", "Cuihu"),
    ("林园", "Linyuan"),
    ("金沙", "Jinsha"),
    ("学府", "Xuefu"),
    ("梨树湾", "Lishuwan"),
    ("杨公桥", "Yanggongqiao"),
    ("高滩岩", "Gaotanyan"),
    ("马家岩", "Majiayan"),
    ("凤天", "Fengtian"),
    ("三角碑", "Sanjiaobei"),
    ("汉渝", "Hanyu"),
    ("五云山", "Wuyunshan"),
    ("熙街", "Xijie"),
    ("景苑", "Jingyuan"),
    ("晨光", "Chenguang"),
    ("东林", "Donglin"),
    ("西城", "Xicheng"),
    ("南苑", "Nanyuan"),
    ("枫林", "Fenglin"),
    ("梧桐", "Wutong"),
    ("桂花", "Guihua"),
    ("青凤", "Qingfeng"),
)

DISTRICTS: tuple[tuple[str, str], ...] = (
    ("沙坪坝区", "Shapingba"),
    ("渝中区", "Yuzhong"),
    ("江北区", "Jiangbei"),
    ("南岸区", "Nan'an"),
    ("九龙坡区", "Jiulongpo"),
    ("大渡口区", "Dadukou"),
    ("北碚区", "Beibei"),
    ("渝北区", "Yubei"),
    ("巴南区", "Banan"),
    ("万州区", "Wanzhou"),
    ("黔江区", "Qianjiang"),
    ("涪陵区", "Fuling"),
    ("綦江区", "Qijiang"),
    ("大足区", "Dazu"),
    ("长寿区", "Changshou"),
    ("江津区", "Jiangjin"),
    ("合川区", "Hechuan"),
    ("永川区", "Yongchuan"),
    ("南川区", "Nanchuan"),
    ("璧山区", "Bishan"),
    ("铜梁区", "Tongliang"),
    ("潼南区", "Tongnan"),
    ("荣昌区", "Rongchang"),
    ("开州区", "Kaizhou"),
    ("梁平区", "Liangping"),
    ("武隆区", "Wulong"),
    ("城口县", "Chengkou"),
    ("丰都县", "Fengdu"),
    ("垫江县", "Dianjiang"),
    ("忠县", "Zhongxian"),
    ("云阳县", "Yunyang"),
    ("奉节县", "Fengjie"),
    ("巫山县", "Wushan"),
    ("巫溪县", "Wuxi"),
    ("石柱土家族自治县", "Shizhu"),
    ("秀山土家族苗族自治县", "Xiushan"),
    ("酉阳土家族苗族自治县", "Youyang"),
    ("彭水苗族土家族自治县", "Pengshui"),
)
"""The 38 district-level divisions of Chongqing; Shapingba first."""

CROSS_DISTRICT_PARTNERS: tuple[str, ...] = ("H01", "H02", "H05", "H06")
"""Hospital of district k + 1 added to consortium j (1-based) of district k."""

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲建红晶燕飞斌宇浩凯健俊帆帅"
    "旭宁欣婷雪琳丹蕾颖倩莉瑶怡佳雯晨阳波志文斌海林峰岚蓉琴梅松杨洁琪博睿哲翔楠"
)

LEAVE_REASONS: Mapping[str, tuple[float, int, int]] = {
    "年假": (40, 3, 10),
    "学术会议": (25, 2, 4),
    "病假": (20, 2, 10),
    "进修": (15, 28, 90),
}
"""Leave reason -> (weight, shortest days, longest days)."""

HOLIDAYS: tuple[tuple[str, str, str], ...] = (
    # 2025 (国务院办公厅通知)
    ("2025-01-01", "2025-01-01", "元旦"),
    ("2025-01-28", "2025-02-04", "春节"),
    ("2025-04-04", "2025-04-06", "清明节"),
    ("2025-05-01", "2025-05-05", "劳动节"),
    ("2025-05-31", "2025-06-02", "端午节"),
    ("2025-10-01", "2025-10-05", "国庆节"),
    ("2025-10-06", "2025-10-06", "中秋节"),
    ("2025-10-07", "2025-10-08", "国庆节"),
    # 2026 (国务院办公厅通知)
    ("2026-01-01", "2026-01-03", "元旦"),
    ("2026-02-15", "2026-02-23", "春节"),
    ("2026-04-04", "2026-04-06", "清明节"),
    ("2026-05-01", "2026-05-05", "劳动节"),
    ("2026-06-19", "2026-06-21", "端午节"),
    ("2026-09-25", "2026-09-27", "中秋节"),
    ("2026-10-01", "2026-10-07", "国庆节"),
    # 2027 (not yet announced: statutory days on the lunar dates, best estimate)
    ("2027-01-01", "2027-01-03", "元旦"),
    ("2027-02-05", "2027-02-12", "春节"),
    ("2027-04-03", "2027-04-05", "清明节"),
    ("2027-05-01", "2027-05-05", "劳动节"),
    ("2027-06-09", "2027-06-09", "端午节"),
    ("2027-09-15", "2027-09-15", "中秋节"),
    ("2027-10-01", "2027-10-07", "国庆节"),
)
"""(first day, last day, name) of the public holiday periods of 2025-2027."""

# --------------------------------------------------------------------------
# Output columns (data/README.md)
# --------------------------------------------------------------------------

TITLES: tuple[str, ...] = tuple(t.code for t in sorted(Title, reverse=True))
"""Title codes, most senior first (chief, associate_chief, attending): the order
the pools are drawn and ranked in."""

COLUMNS: Mapping[str, tuple[str, ...]] = {spec.file: column_names(spec.file) for spec in SPECS}
"""Every CSV file written, with its columns in contract order."""

OUTPUT_FILES: tuple[str, ...] = ("policy.toml", *COLUMNS)
"""Every file ``generate`` writes."""

Row = tuple[str, ...]
T = TypeVar("T")

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: Mapping[T, float]) -> T:
    """One key of ``weights`` drawn with its weight (insertion order is fixed)."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _weighted_sample(rng: random.Random, weights: Mapping[str, float], k: int) -> list[str]:
    """``k`` distinct keys drawn without replacement, proportionally to their weight."""
    pool = dict(weights)
    chosen: list[str] = []
    while pool and len(chosen) < k:
        key = _weighted(rng, pool)
        chosen.append(key)
        del pool[key]
    return chosen


def _poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth for small means, rounded normal for large ones)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit = math.exp(-lam)
    k = 0
    p = rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def _clamp(x: float, low: float, high: float) -> float:
    return min(high, max(low, x))


def _fmt_km(x: float) -> str:
    return f"{x:.2f}"


def _join(tokens: Iterable[str], order: Sequence[str]) -> str:
    return ";".join(sorted(set(tokens), key=order.index))


def _week_monday(week: str) -> date:
    try:
        return week_monday(week)
    except InputError as exc:
        raise ValueError(f"planning_week {week!r} is not an ISO week: {exc.message}") from None


def _holiday_days() -> dict[date, str]:
    days: dict[date, str] = {}
    for first, last, name in HOLIDAYS:
        day = date.fromisoformat(first)
        while day <= date.fromisoformat(last):
            days[day] = name
            day += timedelta(days=1)
    return days


# --------------------------------------------------------------------------
# The dataset being built
# --------------------------------------------------------------------------


@dataclass
class Dataset:
    """Rows of every CSV file, keyed by file name, plus calibration tallies."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in COLUMNS})
    demand_departments: int = 0
    demand_clinics: int = 0
    demand_teams: int = 0
    weekly_caps: int = 0


@dataclass(frozen=True)
class _Site:
    site_id: str
    kind: str
    consortium: int  # 0-based index in CONSORTIA
    x_km: float
    y_km: float
    side: str
    name: str


class _DistrictBuilder:
    """Builds one district (a Shapingba-shaped copy) into a Dataset."""

    def __init__(
        self,
        rng: random.Random,
        data: Dataset,
        *,
        index: int,
        districts: int,
        planning_monday: date,
        holidays: Mapping[date, str],
    ) -> None:
        self.rng = rng
        self.data = data
        self.index = index
        self.districts = districts
        self.monday = planning_monday
        self.holidays = holidays
        self.prefix = self.prefix_for(index, districts)
        if index <= len(DISTRICTS):
            self.district_name, self.district_en = DISTRICTS[index - 1]
        else:
            self.district_name, self.district_en = f"第{index}区", f"District {index}"
        cols = math.ceil(math.sqrt(districts))
        self.dx = ((index - 1) % cols) * DISTRICT_SPACING_KM
        self.dy = ((index - 1) // cols) * DISTRICT_SPACING_KM
        self.sites: list[_Site] = []
        # (sessions, specialty_id, hospitals allowed, min_title, supply weight) per demand item
        self.demand_items: list[tuple[int, str, tuple[str, ...], str, float]] = []
        self.site_by_id: dict[str, _Site] = {}
        self.keys: dict[str, list[str]] = {}  # hospital_id -> its key specialties
        self.partners_of: dict[int, list[str]] = {}  # consortium -> in-district partner hospitals
        self.district_hospitals: list[list[_Site]] = []
        self.grassroots: list[_Site] = []
        self.workstations: list[_Site] = []

    # ---- ids -----------------------------------------------------------

    def hid(self, code: str) -> str:
        return self.prefix + code

    def cid(self, index: int) -> str:
        return f"{self.prefix}K{index + 1}"

    # ---- build ----------------------------------------------------------

    def build(self) -> None:
        self._hospitals()
        self._consortia_and_sites()
        self._departments()
        self._clinics()
        self._teams_and_referrals()
        self._doctors_and_leave()

    def _hospitals(self) -> None:
        rows = self.data.rows
        for h in HOSPITALS:
            if self.index == 1:
                name, name_en = h.name, h.name_en
            else:
                name = f"{h.name}（{self.district_name}院区）"
                name_en = f"{h.name_en} ({self.district_en} Branch)"
            rows["hospitals.csv"].append(
                (
                    self.hid(h.code),
                    name,
                    name_en,
                    "west" if h.x_km < MOUNTAIN_X_KM else "east",
                    _fmt_km(h.x_km + self.dx),
                    _fmt_km(h.y_km + self.dy),
                    f"{h.max_away_share:.2f}",
                )
            )
            self.keys[self.hid(h.code)] = [s for s, _ in h.key_specialties]
            for specialty_id, level in h.key_specialties:
                rows["key_specialties.csv"].append((self.hid(h.code), specialty_id, level))

    def _add_site(
        self,
        *,
        kind: str,
        consortium: int,
        name: str,
        name_en: str,
        x_km: float,
        y_km: float,
        closed: Sequence[str] = (),
    ) -> _Site:
        site = _Site(
            site_id=f"{self.prefix}S{len(self.sites) + 1:03d}",
            kind=kind,
            consortium=consortium,
            x_km=x_km,
            y_km=y_km,
            side="west" if x_km < MOUNTAIN_X_KM else "east",
            name=name,
        )
        self.sites.append(site)
        self.site_by_id[site.site_id] = site
        self.data.rows["sites.csv"].append(
            (
                site.site_id,
                name,
                name_en,
                kind,
                self.cid(consortium),
                site.side,
                _fmt_km(x_km + self.dx),
                _fmt_km(y_km + self.dy),
                _join(closed, HALF_DAYS),
            )
        )
        return site

    def _jitter(self, place: Place, radius: float) -> tuple[float, float]:
        """A point near ``place``, kept on the place's side of the mountain and in the district."""
        x = place.x_km + self.rng.uniform(-radius, radius)
        y = place.y_km + self.rng.uniform(-radius, radius)
        if place.side == "west":
            x = _clamp(x, 0.3, MOUNTAIN_X_KM - 0.8)
        else:
            x = _clamp(x, MOUNTAIN_X_KM + 1.0, 21.7)
        return round(x, 2), round(_clamp(y, 0.3, 19.7), 2)

    def _consortia_and_sites(self) -> None:
        rows = self.data.rows
        dn, de = self.district_name, self.district_en
        # District hospitals first (S001..S008), then grassroots, then workstations.
        for k, c in enumerate(CONSORTIA):
            pair = []
            for hosp in (c.lead, c.member):
                pair.append(
                    self._add_site(
                        kind="district_hospital",
                        consortium=k,
                        name=f"{dn}{hosp.name}",
                        name_en=f"{de} {hosp.name_en}",
                        x_km=hosp.x_km,
                        y_km=hosp.y_km,
                    )
                )
            self.district_hospitals.append(pair)
            rows["consortia.csv"].append(
                (
                    self.cid(k),
                    f"{dn}{c.lead.name}医共体",
                    f"{de} {c.lead.name_en} Medical Consortium",
                    pair[0].site_id,
                )
            )
            partners = [self.hid(code) for code in c.partners]
            if self.index < self.districts:
                nxt = _DistrictBuilder.prefix_for(self.index + 1, self.districts)
                partners.append(nxt + CROSS_DISTRICT_PARTNERS[k % len(CROSS_DISTRICT_PARTNERS)])
            for hospital_id in partners:
                rows["consortium_partners.csv"].append((self.cid(k), hospital_id))
            self.partners_of[k] = [self.hid(code) for code in c.partners]

        for k, c in enumerate(CONSORTIA):
            for place in c.places:
                x, y = self._jitter(place, 0.4)
                if place.is_town:
                    name, name_en = (
                        f"{dn}{place.name}镇卫生院",
                        f"{place.name_en} Township Hospital, {de}",
                    )
                else:
                    name = f"{dn}{place.name}街道社区卫生服务中心"
                    name_en = f"{place.name_en} Community Health Service Centre, {de}"
                sat_closed = ["SAT_AM"] if self.rng.random() < 0.35 else []
                self.grassroots.append(
                    self._add_site(
                        kind="grassroots",
                        consortium=k,
                        name=name,
                        name_en=name_en,
                        x_km=x,
                        y_km=y,
                        closed=sat_closed,
                    )
                )

        for k, c in enumerate(CONSORTIA):
            for place, count in zip(c.places, self._allocate(c), strict=True):
                communities = self.rng.sample(COMMUNITIES, count)
                for community, community_en in communities:
                    x, y = self._jitter(place, 1.3)
                    unit, unit_en = ("村", "Village") if place.is_town else ("社区", "Community")
                    closed: list[str] = []
                    if self.rng.random() < 0.3:
                        closed.append(self.rng.choice(("WED_PM", "THU_PM", "SAT_AM")))
                    self.workstations.append(
                        self._add_site(
                            kind="workstation",
                            consortium=k,
                            name=f"红岩家庭医生工作站·{place.name}{community}{unit}",
                            name_en=f"Hongyan Family Doctor Workstation, {community_en} {unit_en}, "
                            f"{place.name_en}, {de}",
                            x_km=x,
                            y_km=y,
                            closed=closed,
                        )
                    )

    def _allocate(self, c: ConsortiumTemplate) -> list[int]:
        """Workstations per place: at least one each, the rest by weight (largest remainder)."""
        weights = [p.workstation_weight * self.rng.uniform(0.85, 1.15) for p in c.places]
        rest = c.workstations - len(c.places)
        shares = [rest * w / sum(weights) for w in weights]
        counts = [1 + int(s) for s in shares]
        order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - int(shares[i])), i))
        for i in order[: c.workstations - sum(counts)]:
            counts[i] += 1
        return counts

    @staticmethod
    def prefix_for(index: int, districts: int) -> str:
        width = max(2, len(str(districts)))
        return f"X{index:0{width}d}-" if districts > 1 else ""

    # ---- demand ----------------------------------------------------------

    def _departments(self) -> None:
        rng = self.rng
        # slot capacity and specialties already present, per district-hospital site
        capacity: dict[str, int] = {}
        present: dict[str, set[str]] = defaultdict(set)
        site_consortium: dict[str, int] = {}
        for k, c in enumerate(CONSORTIA):
            for site, n in zip(self.district_hospitals[k], c.departments, strict=True):
                capacity[site.site_id] = n
                site_consortium[site.site_id] = k
        used: dict[tuple[str, str], int] = defaultdict(int)
        chosen: list[tuple[str, str, str]] = []  # (site_id, hospital_id, specialty_id)

        def place(site_id: str, hospital_id: str, specialty_id: str) -> None:
            capacity[site_id] -= 1
            present[site_id].add(specialty_id)
            used[(hospital_id, specialty_id)] += 1
            chosen.append((site_id, hospital_id, specialty_id))

        # 1. every key specialty gets at least one department
        all_keys = [(h, s) for h in sorted(self.keys) for s in self.keys[h]]
        rng.shuffle(all_keys)
        for hospital_id, specialty_id in all_keys:
            options = [
                site_id
                for site_id, k in site_consortium.items()
                if hospital_id in self.partners_of[k]
                and capacity[site_id] > 0
                and specialty_id not in present[site_id]
            ]
            if not options:
                raise RuntimeError(
                    f"cannot place a department for key specialty {hospital_id}/{specialty_id}"
                )
            best = max(capacity[s] for s in options)
            site_id = rng.choice([s for s in options if capacity[s] == best])
            place(site_id, hospital_id, specialty_id)
        # 2. fill the remaining slots, favouring common specialties and little-used keys
        for site_id in sorted(capacity):
            k = site_consortium[site_id]
            while capacity[site_id] > 0:
                weights: dict[tuple[str, str], float] = {}
                for hospital_id in self.partners_of[k]:
                    for specialty_id in self.keys[hospital_id]:
                        if specialty_id in present[site_id]:
                            continue
                        w = DEPARTMENT_SPECIALTY_WEIGHTS.get(specialty_id, DEPARTMENT_OTHER_WEIGHT)
                        weights[(hospital_id, specialty_id)] = w / (
                            1 + used[(hospital_id, specialty_id)]
                        )
                if not weights:
                    raise RuntimeError(
                        f"site {site_id}: not enough partner key specialties for its departments"
                    )
                hospital_id, specialty_id = _weighted(rng, weights)
                place(site_id, hospital_id, specialty_id)

        chosen.sort()
        for n, (site_id, hospital_id, specialty_id) in enumerate(chosen, start=1):
            sessions = _weighted(rng, DEPARTMENT_SESSION_WEIGHTS)
            min_title = _weighted(rng, DEPARTMENT_MIN_TITLE_WEIGHTS)
            self.data.rows["departments.csv"].append(
                (
                    f"{self.prefix}D{n:03d}",
                    site_id,
                    f"{SPECIALTY_BY_ID[specialty_id].name}共建科室",
                    hospital_id,
                    specialty_id,
                    str(sessions),
                    min_title,
                    str(_weighted(rng, DEPARTMENT_PRIORITY_WEIGHTS)),
                )
            )
            self.data.demand_departments += sessions
            weight = self._supply_weight(self.site_by_id[site_id])
            self.demand_items.append((sessions, specialty_id, (hospital_id,), min_title, weight))

    def _serving(self, consortium: int, specialty_id: str) -> tuple[str, ...]:
        return tuple(h for h in self.partners_of[consortium] if specialty_id in self.keys[h])

    @staticmethod
    def _supply_weight(site: _Site) -> float:
        """How much one session at ``site`` counts when sizing doctor pools."""
        return WEST_SUPPLY_WEIGHT if site.side == "west" else 1.0

    def _pool_loads(self) -> dict[tuple[str, str], dict[str, float]]:
        """Weighted sessions each (hospital, specialty) pool faces, by minimum title.

        Shared demand is spread evenly: demand items with fewer allowed hospitals go
        first, and each session goes to the allowed pool with the smallest load so
        far (a greedy min-max balance, like the solver would spread it).  West-side
        sessions count WEST_SUPPLY_WEIGHT.
        """
        loads: dict[tuple[str, str], dict[str, float]] = defaultdict(
            lambda: dict.fromkeys(TITLES, 0.0)
        )
        for sessions, specialty_id, serving, min_title, weight in sorted(
            self.demand_items, key=lambda i: len(i[2])
        ):
            for _ in range(sessions):
                if serving:
                    hospital_id = min(serving, key=lambda h: sum(loads[(h, specialty_id)].values()))
                    loads[(hospital_id, specialty_id)][min_title] += weight
        return loads

    def _clinics(self) -> None:
        rng = self.rng
        n = 0
        for site in self.grassroots:
            offered = {s for h in self.partners_of[site.consortium] for s in self.keys[h]}
            weights = {
                s.specialty_id: CLINIC_SPECIALTY_WEIGHTS.get(s.specialty_id, 0.3)
                for s in SPECIALTIES
            }
            weights = {s: w for s, w in weights.items() if s in offered}
            count = rng.randint(*CLINICS_PER_SITE)
            for specialty_id in sorted(
                _weighted_sample(rng, weights, count), key=list(SPECIALTY_BY_ID).index
            ):
                n += 1
                sessions = _weighted(rng, CLINIC_SESSION_WEIGHTS)
                min_title = _weighted(rng, CLINIC_MIN_TITLE_WEIGHTS)
                self.data.rows["clinics.csv"].append(
                    (
                        f"{self.prefix}C{n:03d}",
                        site.site_id,
                        specialty_id,
                        str(sessions),
                        min_title,
                        str(_weighted(rng, CLINIC_PRIORITY_WEIGHTS)),
                    )
                )
                self.data.demand_clinics += sessions
                serving = self._serving(site.consortium, specialty_id)
                weight = self._supply_weight(site)
                self.demand_items.append((sessions, specialty_id, serving, min_title, weight))

    def _teams_and_referrals(self) -> None:
        rng = self.rng
        # one team per workstation, the others spread at random, at most the maximum each
        per_site = [1] * len(self.workstations)
        extra = TEAMS_PER_DISTRICT - len(per_site)
        while extra > 0:
            i = rng.randrange(len(per_site))
            if per_site[i] < MAX_TEAMS_PER_WORKSTATION:
                per_site[i] += 1
                extra -= 1

        history = [self.monday - timedelta(weeks=w) for w in range(HISTORY_WEEKS, 0, -1)]
        weeks = [week_of(d) for d in history]
        holiday_factor = [
            1.0 - 0.12 * sum((d + timedelta(days=i)) in self.holidays for i in range(5))
            for d in history
        ]
        seasonal = {
            s: [1.0 + a * math.cos(2 * math.pi * (d.isocalendar()[1] - peak) / 52) for d in history]
            for s, (a, peak) in SEASONALITY.items()
        }
        trend = [1.0 + 0.05 * (i - HISTORY_WEEKS) / 52 for i in range(HISTORY_WEEKS)]

        referral_rows = self.data.rows["referrals.csv"]
        district_totals: dict[str, list[int]] = defaultdict(lambda: [0] * HISTORY_WEEKS)
        team_histories: list[tuple[_Site, dict[str, int], dict[str, list[int]]]] = []
        n = 0
        for site, count in zip(self.workstations, per_site, strict=True):
            community = site.name.split("·", 1)[1]
            for t in range(count):
                n += 1
                team_id = f"{self.prefix}T{n:03d}"
                scale = rng.random() ** TEAM_SIZE_SKEW
                hypertension = round(150 + 450 * _clamp(scale + rng.gauss(0, 0.12), 0, 1))
                diabetes = round(60 + 240 * _clamp(scale + rng.gauss(0, 0.15), 0, 1))
                copd = round(20 + 130 * _clamp(scale + rng.gauss(0, 0.2), 0, 1))
                self.data.rows["teams.csv"].append(
                    (
                        team_id,
                        f"红岩家庭医生团队·{community}{t + 1}队",
                        site.site_id,
                        str(hypertension),
                        str(diabetes),
                        str(copd),
                        str(_weighted(rng, TEAM_PRIORITY_WEIGHTS)),
                    )
                )
                panels = {"hypertension": hypertension, "diabetes": diabetes, "copd": copd}
                low, high = TEAM_REFERRAL_MEAN
                team_mean = low + (high - low) * _clamp(scale + rng.gauss(0, 0.15), 0, 1)
                k = rng.randint(*TEAM_SPECIALTIES_PER_TEAM)
                specialties = sorted(_weighted_sample(rng, TEAM_SPECIALTY_WEIGHTS, k))
                shocks = [math.exp(rng.gauss(0, 0.15)) for _ in history]
                history_by_specialty: dict[str, list[int]] = {}
                for specialty_id in specialties:
                    mean = team_mean * TEAM_SPECIALTY_FACTOR[specialty_id]
                    season = seasonal[specialty_id]
                    counts = [
                        _poisson(rng, mean * season[i] * holiday_factor[i] * trend[i] * shocks[i])
                        for i in range(HISTORY_WEEKS)
                    ]
                    history_by_specialty[specialty_id] = counts
                    for i, value in enumerate(counts):
                        district_totals[specialty_id][i] += value
                    for week, value in zip(weeks, counts, strict=True):
                        referral_rows.append((team_id, week, specialty_id, str(value)))
                team_histories.append((site, panels, history_by_specialty))

        factors = {s: _seasonal_factor(totals) for s, totals in district_totals.items()}
        for site, panels, history_by_specialty in team_histories:
            considered = set(history_by_specialty) | {
                s.specialty_id
                for s in SPECIALTIES
                if s.chronic_panel and panels[s.chronic_panel] > 0
            }
            for specialty_id in sorted(considered):
                sessions = _estimate_team_sessions(
                    history_by_specialty.get(specialty_id, []),
                    factors.get(specialty_id, 1.0),
                    SPECIALTY_BY_ID[specialty_id],
                    panels,
                )
                self.data.demand_teams += sessions
                serving = self._serving(site.consortium, specialty_id)
                weight = self._supply_weight(site)
                self.demand_items.append((sessions, specialty_id, serving, TEAM_MIN_TITLE, weight))

    # ---- supply ----------------------------------------------------------

    def _doctors_and_leave(self) -> None:
        rng = self.rng
        rows = self.data.rows
        mean_cap = sum(k * w for k, w in WEEKLY_CAP_WEIGHTS.items()) / sum(
            WEEKLY_CAP_WEIGHTS.values()
        )
        low, high = POOL_SIZE
        doctors: list[str] = []
        loads = self._pool_loads()
        for hospital_id in sorted(self.keys):
            code = hospital_id[len(self.prefix) :]
            for specialty_id in sorted(self.keys[hospital_id]):
                load = loads[(hospital_id, specialty_id)]
                total = sum(load.values())
                ratio = SCARCE_SUPPLY_RATIO.get(specialty_id, SUPPLY_RATIO)
                size = round(ratio * total / mean_cap * rng.uniform(0.92, 1.08))
                size = int(_clamp(size, low, high))
                titles = sorted(
                    (_weighted(rng, TITLE_WEIGHTS) for _ in range(size)), key=TITLES.index
                )
                caps = [_weighted(rng, WEEKLY_CAP_WEIGHTS) for _ in titles]
                # top up small draws so that the pool really offers ratio x its demand
                while sum(caps) < math.ceil(ratio * total) and min(caps) < max(WEEKLY_CAP_WEIGHTS):
                    caps[caps.index(min(caps))] += 1
                # promote doctors until senior-only demand has ratio x its sessions in senior caps
                for rank, needed in (
                    (0, load["chief"]),
                    (1, load["chief"] + load["associate_chief"]),
                ):
                    while (
                        sum(c for t, c in zip(titles, caps, strict=True) if TITLES.index(t) <= rank)
                        < max(1, math.ceil(ratio * needed))
                        and TITLES.index(titles[-1]) > rank
                    ):
                        junior = next(i for i, t in enumerate(titles) if TITLES.index(t) > rank)
                        titles[junior] = TITLES[rank]
                for i, (title, cap) in enumerate(zip(titles, caps, strict=True), start=1):
                    doctor_id = f"{self.prefix}{code}-{specialty_id}-{i:02d}"
                    duties = rng.sample(
                        OPEN_HALF_DAYS[:10], _weighted(rng, HOME_DUTY_COUNT_WEIGHTS)
                    )
                    if rng.random() < NO_PREFERENCE_SHARE:
                        preferred: list[str] = []
                    else:
                        preferred = rng.sample(WEEKDAYS[:5], rng.randint(2, 3))
                    rows["doctors.csv"].append(
                        (
                            doctor_id,
                            self._person_name(),
                            hospital_id,
                            specialty_id,
                            title,
                            str(cap),
                            _join(duties, HALF_DAYS),
                            _join(preferred, WEEKDAYS),
                        )
                    )
                    self.data.weekly_caps += cap
                    doctors.append(doctor_id)

        saturday = self.monday + timedelta(days=5)
        reasons = {r: w for r, (w, _, _) in LEAVE_REASONS.items()}
        for doctor_id in rng.sample(doctors, round(LEAVE_SHARE * len(doctors))):
            reason = _weighted(rng, reasons)
            _, shortest, longest = LEAVE_REASONS[reason]
            days = rng.randint(shortest, longest)
            if rng.random() < LEAVE_IN_PLANNING_WEEK_SHARE:
                first = rng.randint(-(days - 1), (saturday - self.monday).days)
            else:
                first = rng.randint(-42, 42)
            start = self.monday + timedelta(days=first)
            end = start + timedelta(days=days - 1)
            rows["leave.csv"].append((doctor_id, start.isoformat(), end.isoformat(), reason))

    def _person_name(self) -> str:
        surname = self.rng.choice(SURNAMES)
        given = "".join(
            self.rng.choice(GIVEN_CHARS) for _ in range(1 if self.rng.random() < 0.3 else 2)
        )
        return surname + given


def _seasonal_factor(totals: Sequence[int]) -> float:
    """District seasonal factor of one specialty from its weekly totals over the history.

    Mirrors ``scheduler.demand``: the mean of the three weeks centred on the same week
    last year, over the FORECAST_WINDOW_WEEKS-week trailing mean before that week,
    clipped to SEASONAL_CLIP; 1.0 when the history is too short.
    """
    w = FORECAST_WINDOW_WEEKS
    n = len(totals)
    same_week = n - 52  # index of the planning week one year earlier
    if same_week - w < 0 or same_week + 1 >= n:
        return 1.0
    base = sum(totals[same_week - w : same_week]) / w
    centre = sum(totals[same_week - 1 : same_week + 2]) / 3
    return _clamp(centre / base, *SEASONAL_CLIP) if base > 0 else 1.0


def _estimate_team_sessions(
    counts: Sequence[int], factor: float, specialty: SpecialtyRow, panels: Mapping[str, int]
) -> int:
    """Calibration estimate of one team x specialty support demand in the planning week.

    Mirrors ``scheduler.demand``: forecast = mean of the last FORECAST_WINDOW_WEEKS
    weeks x the district seasonal factor; sessions = forecast / patients_per_session
    rounded half up, at least the panel floor (panel // panel_per_session), at most
    TEAM_MAX_SESSIONS.  Only used to size the doctor pools.
    """
    w = FORECAST_WINDOW_WEEKS
    recent = sum(counts[-w:]) / w if counts else 0.0
    sessions = _round_half_up(recent * factor / specialty.patients_per_session)
    if specialty.chronic_panel and specialty.panel_per_session:
        sessions = max(sessions, panels[specialty.chronic_panel] // specialty.panel_per_session)
    return min(TEAM_MAX_SESSIONS, sessions)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _policy_toml() -> str:
    def toml_list(items: Iterable[str]) -> str:
        return "[" + ", ".join(f'"{i}"' for i in items) + "]"

    return "\n".join(
        [
            "# Rule parameters and objective order (data/README.md, policy.toml).",
            "# Written by datasets.generate (roster generate).",
            "",
            "[calendar]",
            f"open_half_days = {toml_list(OPEN_HALF_DAYS)}",
            "",
            "[travel]",
            f"limit_minutes = {TRAVEL_LIMIT_MINUTES}",
            f"midday_gap_minutes = {MIDDAY_GAP_MINUTES}",
            f"am_peak_multiplier = {AM_PEAK_MULTIPLIER:.2f}",
            f"base_minutes = {BASE_MINUTES:.1f}",
            f"minutes_per_km = {MINUTES_PER_KM:.2f}",
            f"mountain_crossing_minutes = {MOUNTAIN_CROSSING_MINUTES:.1f}",
            f"crossing_multiplier = {CROSSING_MULTIPLIER:.2f}",
            "",
            "[demand]",
            f"forecast_window_weeks = {FORECAST_WINDOW_WEEKS}",
            f"seasonal_clip = [{SEASONAL_CLIP[0]:.2f}, {SEASONAL_CLIP[1]:.2f}]",
            f'team_min_title = "{TEAM_MIN_TITLE}"',
            f"team_max_sessions = {TEAM_MAX_SESSIONS}",
            "",
            "[objective]",
            f"order = {toml_list(OBJECTIVE_ORDER)}",
            "",
        ]
    )


def _write_csv(path: Path, columns: Sequence[str], rows: Sequence[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def is_dataset(directory: Path) -> bool:
    """True if ``directory`` holds a data set this generator wrote (before data
    sets had a marker): every file it writes, each CSV with its header row."""
    directory = Path(directory)
    if not (directory / "policy.toml").is_file():
        return False
    for name, columns in COLUMNS.items():
        try:
            with (directory / name).open(encoding="utf-8", newline="") as handle:
                header = next(csv.reader(handle), None)
        except (OSError, UnicodeDecodeError, csv.Error):
            return False
        if header != list(columns):
            return False
    return True


def generate(
    out_dir: Path,
    *,
    seed: int = 2026,
    districts: int = 1,
    planning_week: str = "2026-W49",
) -> None:
    """Write the synthetic dataset of data/README.md into ``out_dir`` (created if needed).

    ``out_dir`` is replaced whole (scheduler/io/output_dir.py), and only if it
    is absent, empty, or a data set roster wrote whose files nobody changed
    since (the hashes in its marker; before markers: ``is_dataset`` and the
    same bytes as the new files) — never a folder of other files, never a
    hand-edited data set. What the generator does not write there (a README)
    is kept.

    ``seed`` drives every random draw, ``districts`` is the number of
    Shapingba-shaped districts (1 = the default dataset with unprefixed ids; up to 38
    real Chongqing district names, numbered beyond), and ``planning_week`` (ISO,
    e.g. ``2026-W49``) fixes the referral history (the 60 weeks before it) and the
    leave dates.  Same arguments, same bytes.
    """
    if districts < 1:
        raise ValueError(f"districts must be at least 1, got {districts}")
    monday = _week_monday(planning_week)
    out_dir = Path(out_dir)
    output = prepare_output(
        out_dir,
        OutputKind.DATASET,
        details={"seed": seed, "districts": districts, "planning_week": planning_week},
        recognise=is_dataset,
        owns=OUTPUT_FILES,
    )

    master = random.Random(seed)
    holidays = _holiday_days()
    data = Dataset()
    for index in range(1, districts + 1):
        rng = random.Random(master.getrandbits(64))
        _DistrictBuilder(
            rng, data, index=index, districts=districts, planning_monday=monday, holidays=holidays
        ).build()

    rows = data.rows
    rows["specialties.csv"] = [
        (
            s.specialty_id,
            s.name,
            s.name_en,
            str(s.patients_per_session),
            s.chronic_panel,
            "" if s.panel_per_session is None else str(s.panel_per_session),
        )
        for s in SPECIALTIES
    ]
    rows["holidays.csv"] = [(d.isoformat(), name) for d, name in holidays.items()]

    with output.staged() as staging:
        (staging.path / "policy.toml").write_text(_policy_toml(), encoding="utf-8", newline="\n")
        for name, columns in COLUMNS.items():
            file_rows = rows[name]
            file_rows.sort()
            _write_csv(staging.path / name, columns, file_rows)

    demand = data.demand_departments + data.demand_clinics + data.demand_teams
    logger.info(
        "generated %d district(s) into %s: %d doctors, %d teams, %d referral rows",
        districts,
        out_dir,
        len(rows["doctors.csv"]),
        len(rows["teams.csv"]),
        len(rows["referrals.csv"]),
    )
    logger.info(
        "estimated demand %d sessions (departments %d, clinics %d, team support %d); "
        "weekly caps %d (%.2f x demand)",
        demand,
        data.demand_departments,
        data.demand_clinics,
        data.demand_teams,
        data.weekly_caps,
        data.weekly_caps / demand if demand else 0.0,
    )


if __name__ == "__main__":  # pragma: no cover
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    generate(Path(__file__).resolve().parent.parent / "data")
