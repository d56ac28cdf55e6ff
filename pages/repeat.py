"""重复信访: the ratio over time, where repeats come from, who petitions again and again (masked),
and where the export's own 重复 flag disagrees with the rule."""
import streamlit as st

from pages._frame import require_data, start_page
from pages._privacy import csv_download
from pages._widgets import metric_grid, show_table
from queries.metrics.case_lists import BY_ID as LISTS_BY_ID
from queries.metrics.registry import BY_ID
from queries.outputs import charts

RATIO = BY_ID["repeat_ratio"]
CHAIN_COLUMNS = ["registered_on", "case_id", "township", "village", "category", "channel", "level",
                 "persons", "petitioner_name", "summary", "resolution", "closed_on", "is_repeat",
                 "repeat_flag"]
REPEATER_COLUMNS = ["petitioner_name", "petitioner_key", "township", "village", "cases", "repeats",
                    "categories", "last_registered_on", "key_person"]


def repeater_label(row) -> str:
    place = f"{row.township or ''}{row.village or ''}"
    return f"{row.petitioner_name or '（无名）'} · {place} · {row.cases}件（重复{row.repeats}件）"


view = start_page("repeat", "重复信访")
size = "present" if view.present else "screen"
require_data(view)

metric_grid(view, ["repeat_ratio", "cases"], columns=4)
trend = view.trend(["repeat_ratio"], 24)
st.plotly_chart(charts.trend_figure(trend, RATIO, RATIO.target, size=size, title="重复信访占比（按月）"),
                width="stretch", config={"displayModeBar": False})

by_category, by_village = st.columns(2)
with by_category:
    frame = view.breakdown("category", ["repeat_ratio", "cases"])
    st.plotly_chart(charts.bar_figure(frame, "category", RATIO, RATIO.target, size=size,
                                      title="按问题分类"), width="stretch", config={"displayModeBar": False})
with by_village:
    frame = view.breakdown("village", ["repeat_ratio", "cases"])
    st.plotly_chart(charts.bar_figure(frame, "village", RATIO, RATIO.target, size=size, top=15,
                                      title="按村(社区)（前15）"), width="stretch", config={"displayModeBar": False})
st.caption("红色条：高于目标。占比按期间内登记件数计算，件数少的村占比波动大，请结合件数看。")

st.subheader("重复信访人（已脱敏）")
repeaters = view.top_repeaters(20)
if not len(repeaters):
    st.caption("本期没有重复信访人。")
else:
    show_table(repeaters, view, REPEATER_COLUMNS,
                  labels={"cases": "本期件数", "repeats": "其中重复(件)", "categories": "问题分类",
                          "last_registered_on": "最近登记"})
    tokens = list(repeaters["petitioner_token"])
    labels = {row.petitioner_token: repeater_label(row) for row in repeaters.itertuples()}
    # The token is a hash of the person's key: kept out of the URL, in the session only.
    token = st.selectbox("查看信访链条", tokens, format_func=labels.get, key="repeat_token")
    chain = view.chain(token)
    st.caption("该信访人在所选乡镇/村范围内的全部登记（不限期间、不限分类），按登记先后排列；"
               "“重复信访(规则)”按口径判定。")
    show_table(chain, view, CHAIN_COLUMNS)

st.subheader("重复标记不一致")
DISAGREEMENTS = LISTS_BY_ID["repeat_disagreements"]
disagreements = view.case_list(DISAGREEMENTS.id)
st.caption(DISAGREEMENTS.note)
show_table(disagreements, view, list(DISAGREEMENTS.columns))
if not view.present:
    csv_download(disagreements[[c for c in DISAGREEMENTS.columns if c in disagreements]],
                 "下载不一致清单（CSV，已脱敏）", f"{DISAGREEMENTS.title}.csv", key="dl_disagree", view=view)
