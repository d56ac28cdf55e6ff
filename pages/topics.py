"""研判·诉求: what people petition about (热点诉求), what is new (新出现的问题), who petitions
(诉求群体) and how the same question was answered before (相似来访), from the 信访事由 text."""
import pandas as pd
import streamlit as st

from pages import _research as tp
from pages._data import View
from pages._frame import require_data, start_page
from pages._state import page_choice
from pages._widgets import show_table
from queries.escaping import markdown_text as md_escape
from queries.metrics.formatting import DASH
from queries.outputs.topic_charts import group_trend_figure, terms_figure

SCREENS = ("热点诉求", "新出现的问题", "诉求群体")
CASE_COLUMNS = ["case_id", "registered_on", "township", "village", "category", "petitioner_name",
                "summary", "resolution", "closed_on"]
CHART = {"displayModeBar": False}


def term_table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({
        "诉求词": [r["term"] for r in rows],
        "本期(件)": [r["cases"] for r in rows],
        "占比": [f"{r['share']:.1%}" if r["share"] is not None else "—" for r in rows],
        "环比期(件)": [DASH if r["prev_cases"] is None else r["prev_cases"] for r in rows],
        "同比期(件)": [DASH if r["yoy_cases"] is None else r["yoy_cases"] for r in rows],
        "G²": [DASH if r["g2"] is None else f"{r['g2']:.1f}" for r in rows],
        "新出现": ["是" if r["emerging"] else "" for r in rows],
    })


def group_table(groups: list[dict]) -> pd.DataFrame:
    return pd.DataFrame({
        "诉求群体": [g["group"] for g in groups],
        "本期(件)": [g["cases"] for g in groups],
        "环比期(件)": [DASH if g["prev_cases"] is None else g["prev_cases"] for g in groups],
        "同比期(件)": [DASH if g["yoy_cases"] is None else g["yoy_cases"] for g in groups],
    })


def hot_terms(view: View, result: dict, size: str) -> None:
    if not result["terms"]:
        st.caption("本期范围内没有可统计的信访事由。")
        return
    chart, table = st.columns([3, 2]) if not view.present else (st.container(), None)
    with chart:
        st.plotly_chart(terms_figure(result["terms"], size=size, title="本期前15个诉求词（红色：新出现）",
                                     top=12 if view.present else 15), width="stretch", config=CHART)
    if table is not None:
        with table:
            st.dataframe(term_table(result["terms"]), hide_index=True, height=420)
    st.caption(f"件数：本期登记、信访事由含该词的事项数；占比除以本期信访总量；环比期为 {result['prev_from']} 至 "
               f"{result['prev_to']}，同比期为上年同期。地名、单位名与停用词不计。")


def drill(view: View, result: dict) -> pd.DataFrame:
    """From a term to its cases (masked)."""
    terms = [r["term"] for r in result["terms"]]
    term = page_choice("term", terms, terms[0] if terms else None, "查看诉求词对应的事项")
    if term is None:
        return pd.DataFrame()
    cases = tp.term_cases(view, term)
    show_table(cases, view, CASE_COLUMNS, height=300)
    return cases


def emerging(view: View, result: dict) -> None:
    rows = result["emerging"]
    if not rows:
        st.success("本期没有显著新出现的诉求。")
    else:
        show_table(term_table(rows), view)
    st.caption(f"与环比期（{result['prev_from']} 至 {result['prev_to']}，等长的上一期）相比占比显著上升：对数似然比"
               f" G² ≥ {tp.terms.topics_config()['emerging_g2']}，且本期不少于 {tp.terms.topics_config()['min_cases']} 件"
               "（口径见 README“研判”）。")
    if view.present:
        return
    towns = tp.emerging_by_township(view)
    st.markdown("**各乡镇(街道)新出现的问题**")
    if not len(towns):
        st.caption("（无）")
    else:
        shown = towns.assign(g2=towns["g2"].map("{:.1f}".format)).rename(columns={
            "township": "乡镇(街道)", "term": "诉求词", "cases": "本期(件)", "prev_cases": "环比期(件)", "g2": "G²"})
        show_table(shown[["乡镇(街道)", "诉求词", "本期(件)", "环比期(件)", "G²"]], view)


def groups(view: View, result: dict, size: str) -> None:
    left, right = st.columns([2, 3]) if not view.present else (st.container(), st.container())
    with left:
        show_table(group_table(result["groups"]), view)
        st.caption("事由含该群体任一关键词的事项（配置 topics.groups）；侧栏“诉求群体”可按群体筛选全部页面。")
    with right:
        trend = tp.group_trend(view, 12)
        st.plotly_chart(group_trend_figure(trend, size=size, title="各群体按月件数（近12个月）"),
                        width="stretch", config=CHART)
    if view.present:
        return
    names = [g["group"] for g in result["groups"]]
    group = page_choice("grp", names, names[0] if names else None, "查看群体的事项")
    if group:
        show_table(tp.group_cases(view, group), view, CASE_COLUMNS, height=300)


def similar_cases(view: View, cases: pd.DataFrame) -> None:
    st.caption("输入一件信访事项的编号，列出此前最相似的来访及其化解情况与办理方式，便于同一问题同样答复。"
               "相似度为 1 表示诉求用词相同；相似度高而结果相反的标“结果相反”。")
    default = str(cases["case_id"].iloc[0]) if len(cases) else ""
    case_id = st.text_input("信访件编号", value=default, key="similar_case").strip()
    if not case_id:
        return
    result = tp.similar(view, case_id)
    if result is None:
        st.warning(f"找不到信访件编号 {md_escape(case_id)}（或不在您的辖区内）。")
        return
    case = result["case"]
    st.markdown(f"**{md_escape(case['case_id'])}**（{case['registered_on']}）：{md_escape(case['summary'] or '')}"
                f" · {md_escape(case['resolution'] or '未办结')} · {md_escape(case['note'])}")
    rows = result["similar"]
    if not rows:
        st.caption("没有更早的相似来访。")
        return
    frame = pd.DataFrame({
        "相似度": [r["score"] for r in rows], "信访件编号": [r["case_id"] for r in rows],
        "登记日期": [r["registered_on"] for r in rows],
        "属地": [f"{r['township'] or ''}{r['village'] or ''}" for r in rows],
        "信访事由": [r["summary"] for r in rows], "化解情况": [r["resolution"] or DASH for r in rows],
        "办理": [r["note"] for r in rows], "提示": ["结果相反" if r["contradicts"] else "" for r in rows],
    })
    st.dataframe(frame, hide_index=True, column_config={
        "相似度": st.column_config.ProgressColumn("相似度", min_value=0.0, max_value=1.0, format="%.2f")})


view = start_page("topics", "研判·诉求")
require_data(view)
tp.ensure_terms(view)
size = "present" if view.present else "screen"
result = tp.topics(view)
if view.present:
    screen = page_choice("s", list(SCREENS), SCREENS[0], "画面", widget=st.segmented_control,
                            required=True, label_visibility="collapsed", width="stretch")
    if screen == "热点诉求":
        hot_terms(view, result, size)
    elif screen == "新出现的问题":
        emerging(view, result)
    else:
        groups(view, result, size)
else:
    st.subheader("热点诉求")
    hot_terms(view, result, size)
    cases = drill(view, result)
    st.subheader("新出现的问题")
    emerging(view, result)
    st.subheader("诉求群体")
    groups(view, result, size)
    st.subheader("相似来访")
    similar_cases(view, cases)
