"""口径说明: what every number means, generated from the metric registry and the active
configuration (so it can never disagree with the figures)."""
import pandas as pd
import streamlit as st

from pages._frame import start_page
from queries.config import load_config, user_config_path
from queries.dimensions import FILTERS
from queries.metrics.case_lists import CASE_LISTS
from queries.metrics.deductions import DEDUCTIONS
from queries.metrics.formatting import fmt_target
from queries.metrics.registry import GROUPS, METRICS, caliber

RULES = {"fall": "同比下降即达标", "at_most": "不高于目标即达标", "at_least": "不低于目标即达标", None: "仅列示，不评判"}


def metric_table(group: str) -> pd.DataFrame:
    return pd.DataFrame([{"指标": m.name, "单位": m.unit, "目标": fmt_target(m), "判定": RULES[m.rule],
                          "越高越好": "是" if m.rise_is_good else "否", "口径": caliber(m)}
                         for m in METRICS if m.group == group])


def show(frame: pd.DataFrame) -> None:
    st.table(frame, hide_index=True)  # reference text: wrapped in full, not cut off in a grid


view = start_page("caliber", "口径说明")
config = load_config()
settings = config["metrics"]
source = user_config_path()
st.caption("本页由指标登记表与当前配置自动生成" + (f"（本地配置文件：{source}）" if source else "（使用默认配置）") + "。")

st.subheader("通用规则")
st.markdown(f"""
- **范围**：{'、'.join(f.label for f in FILTERS)}可多选；同一项内多选为“任一”，不同项之间为“同时满足”。
  范围同样适用于清单和研判（越级路径、预警名单、热点诉求）。除另有说明外，指标统计范围内、登记日期在统计期内的事项。
- **统计期与截至日**：统计期首尾两日均计入；结束日晚于截至日时截至到截至日。截至日默认为库中最新登记日期。
- **同比**：上年同期（2月29日按2月28日）；**环比**：紧接在统计期之前、天数相同的一段。比较期各按自己的截至日计算。
- 比较期早于库中最早登记日期时无可比数据，显示“—”；比率的分母为 0 时也显示“—”，不显示 0% 或 100%。
- **重复信访**：同一信访人（证件号码；无证件号时按姓名+乡镇+村）同一问题分类，此前
  {settings['repeat_window_days']} 天内已有登记。按全库判定，不受筛选条件影响；导出文件自带的重复标记仅供核对。
- **越级上访**：信访形式为来访、登记层级为 {'、'.join(settings['skip_levels'])}。
  **集体访**：来访且人数 ≥ {settings['collective_min']} 人。
- **办理期限**：有办理期限按办理期限；否则受理日 + {settings['default_due_after_acceptance_days']} 天；
  未受理按登记日 + {settings['default_due_after_registration_days']} 天。按期受理：登记后
  {settings['acceptance_days']} 日内受理。满意：{'、'.join(settings['satisfied'])}。
- **个人信息**：姓名、证件号码、电话在所有页面和下载中均脱敏显示。
""")

for group in GROUPS:
    st.subheader(group)
    show(metric_table(group))

st.subheader("村(社区)排名")
ranking = config["ranking"]
st.markdown(f"得分 = 100 − 各项扣分之和；**绿** ≥ {ranking['green']:g} 分，**黄** ≥ {ranking['yellow']:g} 分，其余为**红**。"
            "同分按信访总量少者在前，再按乡镇、村名称排序。一件事项可同时触发多项扣分；没有本期事项的村仍扣积案分。")
show(pd.DataFrame([{"扣分项": d.label, "每项扣分": d.rule_text(), "口径": caliber(d.counted_by)}
                   for d in DEDUCTIONS]))
population = config.get("population") or {}
st.caption(f"万人信访率 = 信访总量 ÷ 人口 × 10000，仅对配置了人口的村显示（当前 {len(population)} 个）。")

st.subheader("告警与向好")
alerts = config["alerts"]
st.markdown(f"按同比变化幅度：超过 {alerts['alert']:.0%} 为**告警**级，超过 {alerts['warn']:.0%} 为**异常**级，其余为平稳；"
            "上年同期为 0 而本期不为 0 时为告警级。总览把超过提示阈值的变化分为两表：朝不利方向变化的列为**告警**，"
            "朝有利方向变化的列为**向好**。\n\n"
            "**同比、环比的写法**：比率指标按百分点（如“下降2.5个百分点”），件数、人次等按变化率（如“下降12.5%”），"
            "上年同期为 0 时按件数（如“上升3件（上年同期为0）”）。三降中不设目标的指标：低于上年同期，或本期与上年同期均为 0，"
            "即为达标。")

st.subheader("清单")
show(pd.DataFrame([{"清单": case_list.title, "口径": case_list.note} for case_list in CASE_LISTS]))

st.subheader("重大活动保障期")
events = config.get("events", [])
if events:
    show(pd.DataFrame([{"活动": e["name"], "开始": str(e["start"]), "结束": str(e["end"])} for e in events]))
st.caption("活动期间登记：保障期内登记层级为省、京的事项件数，目标 0；另列保障期内有登记的重点人员人数。")

st.subheader("问题分类与牵头部门")
categories = config["categories"]
aliases = {}
for raw, target in categories["aliases"].items():
    aliases.setdefault(target, []).append(raw)
show(pd.DataFrame([{"问题分类": name, "牵头部门": lead, "也识别为": "、".join(aliases.get(name, []))}
                   for name, lead in categories["lead"].items()]))
