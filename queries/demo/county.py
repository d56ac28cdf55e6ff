"""The bundled demo's county (东安县) and three years of its petitions, simulated.

`simulate` draws 2024-01-01 to 2026-11-20: about 6,000 cases in three townships and eighteen
villages, each case with the file it will arrive in (demo/exports.py writes those files and
demo/database.py imports them through the real import path).

The story the dashboard should tell: totals, repeat petitions and skip-level visits fall year
on year (三降); land and rural matters dominate; a few villages do markedly worse than the rest.
Everything is drawn from `random.Random` with a fixed seed, so every build gives the same cases.
Names, ID numbers and phone numbers are synthetic (demo/people.py).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from . import texts as demo_texts
from .people import id_number, person_name, phone_number

SEED = 20261120
START = date(2024, 1, 1)             # the first day with cases
AS_OF = date(2026, 11, 20)           # the import day, and the last day with cases
LEDGER_COMPILED = date(2026, 1, 31)  # the ledger shows each case as it stood that day
SYSTEM_FROM = date(2025, 12, 26)     # the system export starts here, overlapping the ledger
YEAR_TOTALS = {2024: 2400, 2025: 2000, 2026: 1500}
RECURRING_PEOPLE = 620
# Relative monthly volume: quiet around the Spring Festival, wage arrears before year end.
SEASON = (0.9, 0.7, 1.15, 1.1, 1.05, 1.0, 0.95, 0.95, 1.0, 0.9, 1.05, 1.2)

LEDGER_FILE = "东安县信访事项登记台账_2024-2025.xlsx"
SYSTEM_FILE = "信访信息系统导出_2025-2026.csv"
STREET_FILE = "城东街道信访登记补充_2026.csv"
DEMO_FILES = (LEDGER_FILE, SYSTEM_FILE, STREET_FILE)

COUNTY = "东安县"
COUNTY_PATH = "湖南省永州市东安县"
# township -> [(village, volume weight, trouble)]: trouble scales repeats, skip-level visits,
# collective visits and stuck cases, so the ranking shows 红, 黄 and 绿 villages.
VILLAGES = {
    "青石镇": [("上庄村", 1.4, 3.0), ("下庄村", 1.0, 1.0), ("石桥村", 0.8, 0.5),
            ("青龙村", 1.0, 1.2), ("白沙村", 0.7, 0.3), ("新塘村", 0.9, 1.6)],
    "柳河镇": [("东风村", 1.2, 2.0), ("柳河村", 1.1, 0.9), ("杨家村", 0.8, 0.4),
            ("枫树村", 0.6, 0.3), ("龙井村", 0.9, 0.8), ("河口村", 1.3, 2.6)],
    "城东街道": [("东门社区", 1.2, 0.7), ("南关社区", 1.0, 0.6), ("文化路社区", 0.9, 0.4),
             ("建设社区", 1.1, 1.1), ("城南村", 1.3, 2.6), ("桥头村", 0.8, 0.5)],
}
TRADITIONAL = {  # how some clerks type these names
    "柳河镇": "柳河鎮", "城东街道": "城東街道", "东风村": "東風村", "杨家村": "楊家村",
    "龙井村": "龍井村", "青龙村": "青龍村", "石桥村": "石橋村", "桥头村": "橋頭村",
    "东门社区": "東門社區", "南关社区": "南關社區", "建设社区": "建設社區",
}
TOWNSHIP_UNITS = {"青石镇": "青石镇人民政府", "柳河镇": "柳河镇人民政府", "城东街道": "城东街道办事处"}
LEADERS = {  # 包案领导, four per township
    "青石镇": ("周志强", "刘卫东", "陈海燕", "邓建华"),
    "柳河镇": ("李国平", "唐春生", "蒋丽娟", "曾德明"),
    "城东街道": ("王少华", "黄晓梅", "彭新民", "谢文斌"),
}

# class -> (share of cases, county departments, topics); a topic is
# (ledger 内容分类, system 问题类别 with national first level, 主要诉求 template), where
# {place} is the village with its 村民小组 (e.g. 上庄村3组).
CATEGORIES = {
    "城乡建设类": (0.31, ("县自然资源局", "县住房和城乡建设局"), (
        ("城乡建设_土地征收_补偿安置", "自然资源_土地征收_征地补偿",
         "反映{place}土地被征收后补偿款未足额到位，要求按标准补偿"),
        ("城乡建设_拆迁安置_安置房交付", "住房_房屋征收与补偿_安置房",
         "反映{village}拆迁安置房逾期未交付，要求尽快安置"),
        ("城乡建设_耕地保护_违法占地", "自然资源_耕地保护_违法占地",
         "反映{place}有人占用耕地建房，要求依法查处"),
        ("城乡建设_土地权属_确权争议", "自然资源_土地权属_确权争议",
         "与邻组因山林土地权属发生争议，要求调处确权"),
        ("城乡建设_房屋质量_安置房质量", "住房_房屋质量_质量问题",
         "反映安置房屋顶漏水、墙体开裂，要求维修"),
    )),
    "农业农村类": (0.27, ("县农业农村局",), (
        ("农业农村_宅基地_建房审批", "农村农业_宅基地_审批管理",
         "申请宅基地建房审批，至今未办理"),
        ("农业农村_土地承包_流转纠纷", "农村农业_土地承包经营_流转纠纷",
         "反映{place}土地流转租金未按时支付"),
        ("农业农村_村集体资产_财务公开", "农村农业_村务管理_财务公开",
         "反映{village}集体资产出租收益不公开，要求公开账目"),
        ("农业农村_农村社会事业_饮水工程", "农村农业_农村基础设施_饮水安全",
         "反映{place}饮水工程停水多日，要求尽快修复"),
    )),
    "劳动保障类": (0.12, ("县人力资源和社会保障局",), (
        ("劳动保障_工资_拖欠农民工工资", "劳动和社会保障_劳动保障_拖欠农民工工资",
         "反映在县城工地务工被拖欠工资，要求支付"),
        ("劳动保障_退休待遇_待遇核定", "劳动和社会保障_退休政策及待遇_待遇核定",
         "对退休待遇核定有异议，要求重新核定"),
        ("劳动保障_养老保险_补缴", "劳动和社会保障_社会保险_养老保险",
         "要求补缴养老保险"),
        ("劳动保障_劳动合同_未签合同", "劳动和社会保障_劳动关系_劳动合同",
         "反映务工单位未签订劳动合同"),
    )),
    "涉法涉诉类": (0.10, ("县人民法院", "县公安局", "县司法局"), (
        ("涉法涉诉_执行_执行不到位", "政法_法院_执行不到位", "胜诉判决至今未执行到位，要求强制执行"),
        ("涉法涉诉_判决不公_民事判决", "政法_法院_审判监督", "对民事判决不服，认为判决不公"),
        ("涉法涉诉_不立案_报案未立案", "政法_公安_立案监督", "报案后公安机关未立案"),
        ("涉法涉诉_查处不力_治安案件", "政法_公安_治安管理", "反映邻里纠纷打架事件查处不力"),
    )),
    "民生保障类": (0.09, ("县民政局",), (
        ("民生保障_基层选举_换届选举", "民政与应急_基层政权_村居选举",
         "反映{village}换届选举程序不规范"),
        ("民生保障_困难帮扶_低保救助", "民政与应急_社会救助_最低生活保障",
         "家庭困难，要求纳入低保"),
    )),
    "军人事务类": (0.04, ("县退役军人事务局",), (
        ("军人事务_优待抚恤_优抚金", "军队事务_优抚_优抚待遇", "要求落实退役军人优待抚恤"),
        ("军人事务_退役安置_就业安置", "军队事务_退役安置_就业安置", "要求解决退役后就业安置"),
        ("军人事务_伤残抚恤_等级评定", "军队事务_伤残抚恤_评残", "要求重新评定伤残等级"),
    )),
    # National first levels outside the seven classes land in 其他 (with an import warning).
    "其他": (0.07, ("县交通运输局", "县信访局"), (
        ("其他_政策咨询", "交通运输_农村公路_道路维修", "反映{village}通组公路破损，要求维修"),
        ("其他_其他", "科技与信息产业_通信网络_信号覆盖", "反映{village}手机信号差"),
    )),
}
TRADITIONAL_CATEGORIES = {
    "城乡建设_土地征收_补偿安置": "城鄉建設_土地徵收_補償安置",
    "农业农村_宅基地_建房审批": "農業農村_宅基地_建房審批",
    "劳动保障_工资_拖欠农民工工资": "勞動保障_工資_拖欠農民工工資",
}
YEAR_TREND = {2024: 1.0, 2025: 0.6, 2026: 0.4}  # how much more often trouble happened before


@dataclass
class Person:
    name: str | None
    idno: str | None
    phone: str | None
    township: str
    village: str
    trouble: float
    key: bool = False        # 重点人员
    recurring: bool = False  # keeps coming back


@dataclass
class Case:
    registered_on: date
    person: Person
    category: str
    topic: int
    channel: str = ""
    level: str = ""
    persons: int = 1
    purpose: str = ""
    summary: str = ""
    handling: str = ""
    unit: str | None = None
    leader: str | None = None
    accepted_on: date | None = None
    due_on: date | None = None
    closed_on: date | None = None
    resolution: str | None = None
    satisfaction: str | None = None
    repeat_flag: bool = False
    chain_continues: bool = False  # the same person comes back about the same matter
    case_id: str = ""
    source: str = ""

    @property
    def township(self) -> str:
        return self.person.township

    @property
    def village(self) -> str:
        return self.person.village


def _pick(rng: random.Random, weighted: dict):
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _places() -> list[tuple[str, str, float, float]]:
    return [(t, v, w, trouble) for t, villages in VILLAGES.items() for v, w, trouble in villages]


def _new_person(rng: random.Random, place: tuple) -> Person:
    township, village, _, trouble = place
    kind = rng.random()
    name = None if kind < 0.015 else person_name(rng)     # anonymous letters
    idno = id_number(rng) if kind >= 0.095 else None       # some give only a name
    phone = phone_number(rng) if name and rng.random() < 0.9 else None
    return Person(name, idno, phone, township, village, trouble)


def _category(rng: random.Random, village: str) -> str:
    weights = {name: share for name, (share, _, _) in CATEGORIES.items()}
    if village.endswith("社区"):  # urban communities: fewer rural matters, more wages
        weights["农业农村类"] *= 0.3
        weights["劳动保障类"] *= 1.8
    return _pick(rng, weights)


def _day_in(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return first, min(last, AS_OF)


def _recurring(rng: random.Random, places: list) -> list[Case]:
    """About 600 people who come back about the same matter, fewer each year."""
    cases = []
    weights = [w * trouble for _, _, w, trouble in places]
    for _ in range(RECURRING_PEOPLE):
        person = _new_person(rng, rng.choices(places, weights)[0])
        person.recurring = True
        category = _category(rng, person.village)
        topic = rng.randrange(len(CATEGORIES[category][2]))
        # Most are the county's old disputes, already coming back early in 2024.
        year = _pick(rng, {2024: 0.68, 2025: 0.24, 2026: 0.08})
        day = _day_in(rng, date(year, 1, 1), date(2024, 8, 31) if year == 2024 else min(date(year, 12, 31), AS_OF))
        visits = _pick(rng, {2: 0.74, 3: 0.15, 4: 0.06, 5: 0.02, 6: 0.015, 8: 0.01, 10: 0.005})
        person.key = visits >= 6  # the most persistent become 重点人员
        chain = []
        while len(chain) < visits and day <= AS_OF:
            chain.append(Case(day, person, category, topic))
            if rng.random() < 0.08:  # now about something else
                category = _category(rng, person.village)
                topic = rng.randrange(len(CATEGORIES[category][2]))
            day += timedelta(days=rng.randint(15, 150) if rng.random() < 0.85 else rng.randint(150, 420))
        for case in chain[:-1]:
            case.chain_continues = True
        cases += chain
    return cases


def _collective_visits(rng: random.Random, places: list) -> list[Case]:
    """The big group visits of the early years (五不 violations the county has since avoided)."""
    by_village = {place[:2]: place for place in places}
    planted = [(date(2024, 4, 16), ("青石镇", "上庄村"), "城乡建设类", 0, "省", 23),
               (date(2024, 9, 9), ("柳河镇", "河口村"), "劳动保障类", 0, "市", 56),
               (date(2025, 6, 18), ("城东街道", "城南村"), "城乡建设类", 1, "市", 21)]
    cases = []
    for day, place, category, topic, level, persons in planted:
        case = Case(day, _new_person(rng, by_village[place]), category, topic, channel="来访",
                    level=level, persons=persons)
        case.person.key = True
        cases.append(case)
    return cases


def _one_offs(rng: random.Random, places: list, taken: list[Case]) -> list[Case]:
    """First-time petitions filling each month up to the year's total."""
    per_month: dict[tuple[int, int], int] = {}
    for case in taken:
        key = (case.registered_on.year, case.registered_on.month)
        per_month[key] = per_month.get(key, 0) + 1
    cases = []
    weights = [w for _, _, w, _ in places]
    for year, total in YEAR_TOTALS.items():
        months = [(m, *_month_bounds(year, m)) for m in range(1, 13) if date(year, m, 1) <= AS_OF]
        shares = [SEASON[m - 1] * ((last - first).days + 1) for m, first, last in months]
        for (month, first, last), share in zip(months, shares):
            target = round(total * share / sum(shares))
            for _ in range(max(0, target - per_month.get((year, month), 0))):
                person = _new_person(rng, rng.choices(places, weights)[0])
                person.key = rng.random() < 0.008  # known to the office from before 2024
                category = _category(rng, person.village)
                cases.append(Case(_day_in(rng, first, last), person, category,
                                  rng.randrange(len(CATEGORIES[category][2]))))
    return cases


# Where letters, online petitions and calls are lodged (not visits, so never skip-level).
REMOTE_LEVELS = {"来信": {"镇": 0.15, "县": 0.65, "市": 0.12, "省": 0.07, "京": 0.01},
                 "网上信访": {"县": 0.6, "市": 0.25, "省": 0.13, "京": 0.02},
                 "电话": {"镇": 0.3, "县": 0.7},
                 "其他": {"县": 1.0}}


def _channel_and_level(rng: random.Random, case: Case) -> None:
    recurring = case.person.recurring
    if not case.channel:
        weights = ({"来访": 0.55, "来信": 0.2, "网上信访": 0.22, "电话": 0.03} if recurring else
                   {"来访": 0.3, "来信": 0.25, "网上信访": 0.33, "电话": 0.09, "其他": 0.03})
        case.channel = _pick(rng, weights)
    if case.level:
        return
    if case.channel == "来访":
        boost = (3.0 if case.person.key else 1.5 if recurring else 1.0) * case.person.trouble
        boost *= YEAR_TREND[case.registered_on.year]
        case.level = _pick(rng, {"村": 0.06, "镇": 0.36, "县": 0.58, "市": 0.03 * boost,
                                 "省": 0.006 * boost, "京": 0.0015 * boost})
        collective = 0.035 * case.person.trouble * YEAR_TREND[case.registered_on.year]
        if rng.random() < collective:
            case.persons = rng.randint(5, 12)
        elif rng.random() < 0.3:
            case.persons = rng.randint(2, 4)
    else:
        case.level = _pick(rng, REMOTE_LEVELS[case.channel])
        if case.channel == "来信" and rng.random() < 0.05:  # 联名信
            case.persons = rng.randint(2, 4)


def _handling(rng: random.Random, case: Case, index: int) -> None:
    _, departments, topics = CATEGORIES[case.category]
    group = f"{index % 9 + 1}组" if case.village.endswith("村") else ""  # villages have 村民小组
    case.summary = demo_texts.summary(SEED * 1_000_003 + index, case.category, case.topic, case.township,
                                      case.village, case.village + group, case.registered_on)
    case.purpose = _pick(rng, {"求决": 0.7, "申诉": 0.1, "意见建议": 0.1, "揭发控告": 0.07, "其他": 0.03})
    case.handling = _pick(rng, {"直接受理": 0.45, "转送": 0.3, "交办": 0.2, "不予受理": 0.05})
    if rng.random() < 0.03:
        case.unit = None
    elif case.handling == "直接受理" or case.level in ("村", "镇"):
        case.unit = TOWNSHIP_UNITS[case.township]
    else:
        case.unit = rng.choice(departments)
    leaders = LEADERS[case.township]
    important = case.person.key or case.level in ("市", "省", "京") or case.persons >= 5
    case.leader = None if rng.random() < 0.04 else leaders[0] if important else rng.choice(leaders)


def _progress(rng: random.Random, case: Case) -> None:
    """Acceptance, due date, closure, resolution and satisfaction as of AS_OF."""
    late = rng.random()
    delay = rng.randint(0, 5) if late < 0.9 else rng.randint(6, 15) if late < 0.97 else rng.randint(16, 30)
    accepted = case.registered_on + timedelta(days=delay)
    if accepted > AS_OF:
        return
    case.accepted_on, case.due_on = accepted, accepted + timedelta(days=60)
    stuck = rng.random() < 0.003 * case.person.trouble ** 2  # never closed: the backlog
    if case.handling == "不予受理":
        closed = accepted
    else:
        closed = accepted + timedelta(days=rng.randint(5, 55) if rng.random() < 0.92 else rng.randint(56, 110))
    if case.registered_on < SYSTEM_FROM and closed > LEDGER_COMPILED:
        closed = max(accepted, LEDGER_COMPILED - timedelta(days=rng.randint(0, 10)))  # the ledger is complete
    if stuck or closed > AS_OF:
        case.resolution = _pick(rng, {None: 0.4, "稳控": 0.5, "未化解": 0.1})
        return
    case.closed_on = closed
    if case.chain_continues:
        case.resolution = _pick(rng, {"已化解": 0.1, "稳控": 0.55, "未化解": 0.35})
    else:
        settled = {2024: 0.86, 2025: 0.89, 2026: 0.92}[case.registered_on.year]  # work improves
        case.resolution = _pick(rng, {"已化解": settled, "稳控": 0.95 - settled, "未化解": 0.03, None: 0.02})
    if case.resolution == "已化解":
        case.satisfaction = _pick(rng, {"满意": 0.65, "基本满意": 0.27, "不满意": 0.02, "未评价": 0.04, None: 0.02})
    else:
        case.satisfaction = _pick(rng, {"满意": 0.1, "基本满意": 0.35, "不满意": 0.4, "未评价": 0.15})


def simulate(seed: int = SEED) -> list[Case]:
    """Every case of the demo county, final state as of AS_OF, ordered and numbered."""
    rng = random.Random(seed)
    places = _places()
    recurring = _recurring(rng, places)
    planted = _collective_visits(rng, places)
    cases = recurring + planted + _one_offs(rng, places, recurring + planted)
    cases.sort(key=lambda c: c.registered_on)  # stable: equal days keep generation order
    last_seen: dict[int, date] = {}
    for index, case in enumerate(cases):
        _channel_and_level(rng, case)
        _handling(rng, case, index)
        _progress(rng, case)
        previous = last_seen.get(id(case.person))
        case.repeat_flag = previous is not None and (case.registered_on - previous).days <= 365
        last_seen[id(case.person)] = case.registered_on
    _number(rng, cases)
    return cases


def _number(rng: random.Random, cases: list[Case]) -> None:
    """Street-office cases get the street's numbers, the others the system's 信访件编号."""
    daily: dict[date, int] = {}
    street = 0
    for case in cases:
        if (case.registered_on.year == 2026 and case.township == "城东街道" and case.level in ("村", "镇")
                and rng.random() < 0.6):
            street += 1
            case.source, case.case_id = STREET_FILE, f"CDJD2026-{street:04d}"
        else:
            daily[case.registered_on] = daily.get(case.registered_on, 0) + 1
            case.source = LEDGER_FILE if case.registered_on < date(2026, 1, 1) else SYSTEM_FILE
            case.case_id = f"XF431122{case.registered_on:%Y%m%d}{daily[case.registered_on]:03d}"
