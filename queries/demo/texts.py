"""The demo's 信访事由: varied sentences in a petitioner's words, with the places, amounts, dates
and parties a clerk writes down, and two issues planted in the last months of the demo so that
研判·诉求 shows something true on first start:

- 城东街道: owners of 锦绣华庭 (a new estate) without their 不动产证 two years after 交房,
  from August 2026 on, more each month (among the 城乡建设类 cases);
- 柳河镇: a road contractor's crews not paid (拖欠工程款) for the 柳河大道改造工程, from July 2026
  on (among the 劳动保障类 cases).

Each case's text is drawn from its own `random.Random` (seeded by the case's position), so the
texts never disturb the simulation's random stream and every build writes the same words.
"""
from __future__ import annotations

import random
from datetime import date

# (category, topic index of demo.CATEGORIES) -> sentence templates. Slots: {place} (village
# and 村民小组), {village}, {township}, {amount} (万元), {money} (元), {month}, {years}, {party},
# {project}, {estate}.
TEMPLATES = {
    ("城乡建设类", 0): (
        "反映{place}{years}年前被征收的{mu}亩土地，征地补偿款至今只到位一部分，尚欠{amount}万元，要求按标准足额补偿",
        "{place}村民反映{project}征地时补偿标准偏低，与相邻村组不一致，要求重新核定征地补偿",
        "反映{township}征收{place}土地后，青苗补偿款{money}元被村组截留，要求发放到户",
    ),
    ("城乡建设类", 1): (
        "反映{village}拆迁安置房原定{month}交付，至今未交房，过渡费也已停发，要求尽快安置",
        "{village}被拆迁户反映拆迁安置协议约定的安置房面积不足，要求按协议补足",
    ),
    ("城乡建设类", 2): (
        "反映{place}有人未经审批占用耕地建房约{area}平方米，要求依法查处",
        "举报{party}在{place}违法占地堆放建筑材料，破坏耕地，要求恢复原状",
    ),
    ("城乡建设类", 3): (
        "与邻组因山林土地权属发生争议，{years}年未解决，要求调处确权",
        "反映{place}与{village}其他村民小组山林权属不清，林地被他人砍伐，要求确权",
    ),
    ("城乡建设类", 4): (
        "反映{village}安置房屋顶漏水、墙体开裂，多次找{party}维修无果，要求维修",
        "反映安置小区房屋质量差，入住{years}年外墙脱落，存在安全隐患，要求鉴定并维修",
    ),
    ("农业农村类", 0): (
        "{month}申请宅基地建房审批，材料齐全，至今未办理，要求尽快审批",
        "反映{place}宅基地被邻居占用，建房审批因此搁置，要求调处",
    ),
    ("农业农村类", 1): (
        "反映{place}土地流转给{party}后，流转租金{money}元未按时支付，要求支付",
        "{place}村民反映土地流转合同到期后承包方不退地，要求收回承包地",
    ),
    ("农业农村类", 2): (
        "反映{village}集体资产出租收益{amount}万元去向不明，财务不公开，要求公开账目",
        "反映{village}村干部处置集体资产未经村民代表大会讨论，要求审计",
    ),
    ("农业农村类", 3): (
        "反映{place}饮水工程停水{days}天，群众生活用水困难，要求尽快修复",
        "反映{place}自来水水质浑浊，饮水工程管网老化，要求改造",
    ),
    ("劳动保障类", 0): (
        "反映在{project}务工被拖欠工资{money}元，{party}拒不支付，要求支付",
        "{count}名农民工反映{party}拖欠农民工工资共{amount}万元，要求尽快支付",
        "反映在县城工地务工被拖欠工资，包工头失联，要求帮助追讨",
    ),
    ("劳动保障类", 1): (
        "对退休待遇核定有异议，认为工龄少算{years}年，要求重新核定",
        "反映退休后养老金计发基数偏低，要求重新核定退休待遇",
    ),
    ("劳动保障类", 2): (
        "反映原单位未缴纳{years}年养老保险，要求补缴养老保险",
        "要求补缴{month}以前中断的养老保险，社保补缴无法办理",
    ),
    ("劳动保障类", 3): (
        "反映在{party}务工{years}年未签订劳动合同，被辞退后无补偿，要求支付经济补偿",
        "反映务工单位未签订劳动合同，也未缴纳社会保险",
    ),
    ("涉法涉诉类", 0): (
        "胜诉判决生效{years}年，对方尚欠{amount}万元至今未执行到位，要求强制执行",
        "反映法院执行不到位，被执行人转移财产，要求追究",
    ),
    ("涉法涉诉类", 1): (
        "对民事判决不服，认为判决不公，要求再审",
        "对土地纠纷案件判决有异议，认为事实认定错误，要求重新审理",
    ),
    ("涉法涉诉类", 2): (
        "{month}报案被骗{money}元，公安机关至今未立案，要求立案侦查",
        "报案后公安机关未立案，要求说明理由",
    ),
    ("涉法涉诉类", 3): (
        "反映邻里纠纷打架事件查处不力，要求依法处理",
        "反映{place}有人多次寻衅滋事，派出所处理不力，要求依法查处",
    ),
    ("民生保障类", 0): (
        "反映{village}换届选举程序不规范，有拉票行为，要求重新选举",
        "反映{village}村民小组长选举未公示，要求依法规范",
    ),
    ("民生保障类", 1): (
        "家庭困难，{party}患重病，要求纳入低保",
        "反映{village}低保评定不公平，有人优亲厚友，要求重新评定",
        "低保被取消，家庭无收入来源，要求恢复低保",
    ),
    ("军人事务类", 0): (
        "退役军人反映优待抚恤金未按时发放，要求落实退役军人优待抚恤",
        "参战退役军人要求落实参战补贴，补发{years}年差额",
    ),
    ("军人事务类", 1): (
        "退役军人要求解决退役后就业安置",
        "自主就业退役军人反映一次性经济补助未发放，要求落实",
    ),
    ("军人事务类", 2): (
        "伤残军人要求重新评定伤残等级",
        "反映因公致残未评定伤残等级，要求评残",
    ),
    ("其他", 0): (
        "反映{village}通组公路破损严重，雨天无法通行，要求维修",
        "反映{place}道路硬化工程未完工，要求尽快完工",
    ),
    ("其他", 1): (
        "反映{village}手机信号差，要求增设基站",
        "反映{village}宽带网络未覆盖，要求接通",
    ),
}
PARTIES = ("建筑公司", "劳务公司", "施工方", "包工头", "开发商", "合作社", "种植大户", "物业公司", "家人")
PROJECTS = ("县城安置小区项目", "工业园厂房项目", "县城工地", "高速连接线项目", "学校扩建工程", "高标准农田项目")
MONTHS_CN = ("1月", "3月", "5月", "6月", "8月", "10月", "去年底", "今年初")

ESTATE = "锦绣华庭"
ROAD_PROJECT = "柳河大道改造工程"
# Share of a month's eligible cases carrying a planted issue: (township, category, {(year, month): share}).
PLANTED = {
    "estate": ("城东街道", "城乡建设类", {(2026, 8): 0.2, (2026, 9): 0.4, (2026, 10): 0.6, (2026, 11): 0.8}),
    "road": ("柳河镇", "劳动保障类", {(2026, 7): 0.3, (2026, 8): 0.5, (2026, 9): 0.6, (2026, 10): 0.8,
                                  (2026, 11): 0.9}),
}
PLANTED_TEMPLATES = {
    "estate": (
        "{estate}业主反映交房已满两年，开发商至今未办理不动产证，要求尽快办证",
        "{estate}{count}户业主联名反映交房后无法办证，开发商欠缴土地出让金，要求政府督促办理不动产证",
        "反映{estate}小区交房后不动产证迟迟办不下来，孩子入学受影响，要求尽快办证",
    ),
    "road": (
        "{place}村民在{road}务工，施工方拖欠工程款{amount}万元，工资无着落，要求支付",
        "{count}名工人反映{road}施工队被拖欠工程款，总包单位拒不结算，要求督促支付",
        "反映{road}完工后拖欠工程款{amount}万元，分包老板带人讨薪，要求协调解决",
    ),
}


def _planted(rng: random.Random, township: str, category: str, day: date) -> str | None:
    for name, (where, what, shares) in PLANTED.items():
        if township == where and category == what and rng.random() < shares.get((day.year, day.month), 0):
            return name
    return None


def summary(seed: int, category: str, topic: int, township: str, village: str, place: str,
            day: date) -> str:
    """The 信访事由 of one case (same arguments, same sentence)."""
    rng = random.Random(seed)
    planted = _planted(rng, township, category, day)
    template = rng.choice(PLANTED_TEMPLATES[planted] if planted else TEMPLATES[(category, topic)])
    return template.format(
        place=place, village=village, township=township, estate=ESTATE, road=ROAD_PROJECT,
        amount=rng.choice((1.2, 3.5, 4.8, 6, 8.6, 12, 15, 23, 36)), money=rng.randrange(20, 400) * 100,
        month=rng.choice(MONTHS_CN), years=rng.randint(2, 8), mu=rng.randint(1, 12),
        area=rng.randrange(60, 400, 10), days=rng.randint(3, 15), count=rng.randint(5, 40),
        party=rng.choice(PARTIES), project=rng.choice(PROJECTS))


# The system export's 处理意见: how the office answered, by outcome. Slot: {unit}.
ANSWERS = {
    "已化解": (
        "经{unit}调查核实，信访人反映情况基本属实，已协调相关方落实到位，信访人表示认可，已息诉罢访。",
        "{unit}依据相关政策作出处理意见，相关款项已于办结前兑付到位，信访人签字认可。",
        "经{unit}组织双方调解，达成调解协议并已履行完毕，信访事项已化解。",
        "{unit}现场核查后责令责任方限期整改，整改已完成，已书面答复信访人。",
    ),
    "稳控": (
        "{unit}已依法依规作出书面答复，信访人诉求部分缺乏政策依据，已做好解释疏导，由包案领导落实稳控。",
        "诉求涉及历史遗留问题，{unit}已答复信访人并建立稳控台账，定期走访。",
    ),
    "未化解": (
        "{unit}已书面答复，信访人对处理意见不认可，已告知可在三十日内申请复查。",
        "经{unit}核查，诉求无政策依据，已答复信访人，信访人仍坚持原诉求。",
    ),
    "不予受理": (
        "该事项已进入诉讼程序，不属于信访受理范围，已告知信访人依法通过诉讼途径解决。",
        "该事项已依法处理终结，决定不予受理，已书面告知信访人。",
    ),
}


def answer(case_id: str, handling: str, resolution: str | None, unit: str | None) -> str | None:
    """The 处理意见 of a closed case (same case, same words; drawn from the case id so the
    simulation's random stream is left alone); None when there is nothing to say."""
    outcome = "不予受理" if handling == "不予受理" else resolution
    if outcome not in ANSWERS:
        return None
    return random.Random(case_id).choice(ANSWERS[outcome]).format(unit=unit or "责任单位")
