"""研判·人员: 越级路径 (who climbed the ladder of levels, and from where) and the 预警名单 (an
explainable score per person, now and before a 重大活动保障期). Personal data masked unless an
administrator unmasks this view (audited); a cadre's lists hold only their jurisdiction."""
import pandas as pd
import streamlit as st

from pages._data import View, connection, query_cache
from pages._frame import require_data, start_page
from pages._state import page_choice
from pages._widgets import show_table
from queries.config import load_config
from queries.outputs import people_charts
from queries.periods import Period, Scope
from queries.research import paths, watch

ESCALATED_COLUMNS = ["person", "township", "village", "escalations", "chain_text", "last_registered_on"]
WATCH_COLUMNS = ["person", "score", "reasons_text", "township", "village", "last_case", "last_registered_on",
                 "last_level"]
LABELS = {"person": "信访人（键）", "escalations": "本期越级步数", "chain_text": "层级链条",
          "last_registered_on": "最近登记", "score": "预警分", "reasons_text": "计分理由",
          "last_case": "最近一件", "last_level": "最近层级", "steps": "越级步数", "persons": "人数"}
CHAIN_COLUMNS = ["registered_on", "case_id", "township", "village", "category", "channel", "level",
                 "petitioner_name", "summary", "resolution", "closed_on"]
NOW = "now"


@query_cache
def _path_view(version: tuple, scope: Scope, period: Period, masked: bool) -> paths.PathView:
    return paths.path_view(connection(version), scope, period, masked)


@query_cache
def _days(version: tuple, scope: Scope, period: Period) -> pd.DataFrame:
    return paths.days_to_high_level(connection(version), scope, period)


@query_cache
def _watch(version: tuple, scope: Scope, window: watch.Window, masked: bool) -> pd.DataFrame:
    return watch.watch_frame(connection(version), scope, window, masked=masked)


def chain_text(chain: list) -> str:
    return " → ".join(f"{day[5:]} {level}" if i else f"{day} {level}" for i, (day, level) in enumerate(chain))


def escalation_section(view: View, size: str) -> None:
    st.subheader("越级路径")
    drawn = _path_view(view.version, view.scope, view.period, not view.unmasked)
    steps, flows, escalated = paths.escalation_steps(drawn.changes), drawn.flows, drawn.escalated
    days = _days(view.version, view.scope, view.period)
    window = load_config()["metrics"]["repeat_window_days"]
    a, b, c = st.columns(3)
    a.metric("越级人员（人）", len(escalated), help="本期有越级步骤的信访人")
    b.metric("越级步骤（次）", len(steps), help=f"本次层级高于本人上一件，且相隔不超过 {window} 天")
    c.metric("首次到市及以上（人）", len(days), help="本期第一次有市、省、京层级登记的信访人")
    left, right = st.columns([3, 2])
    with left:
        if len(flows):
            st.plotly_chart(people_charts.sankey_figure(flows, size=size, title="层级流向（人）"), width="stretch",
                            config={"displayModeBar": False})
        else:
            st.caption("本期没有层级变化。")
    with right:
        if len(days):
            st.plotly_chart(people_charts.days_figure(days, size=size, title="从首件到首次市/省/京（人）"),
                            width="stretch", config={"displayModeBar": False})
    st.caption(f"流向：信访人本期的一件与其上一件（{window} 天内）层级不同；左为上一件层级，右为本件层级，"
               "红色为升级。层级不明的事项不计。")
    by_village, by_category = st.columns(2)
    with by_village:
        st.markdown("**越级来源：村(社区)**")
        show_table(paths.escalation_sources(steps, "village").head(10), view, labels=LABELS)
    with by_category:
        st.markdown("**越级来源：问题分类**")
        show_table(paths.escalation_sources(steps, "category").head(10), view, labels=LABELS)
    st.markdown("**本期越级人员及其层级链条**" + ("" if view.unmasked else "（已脱敏）"))
    shown = escalated.assign(chain_text=escalated["chain"].map(chain_text))
    show_table(shown, view, ESCALATED_COLUMNS, labels=LABELS, height=320)


def watch_section(view: View) -> None:
    st.subheader("预警名单")
    events = {event["name"]: event for event in watch.events()}
    choice = page_choice("watch", [NOW, *events], NOW, "名单",
                            format_func=lambda k: "当前" if k == NOW else f"活动前需稳控人员：{k}")
    if choice == NOW:
        window = watch.current_window(view.as_of)
    else:
        window = watch.event_window(choice)
        event = events[choice]
        st.caption(f"保障期 {event['start']} 至 {event['end']}：按 {window.as_of}（保障期前一日）的情况计分，"
                   f"越级、逐级上行、反弹只计 {window.period.start} 起的 {window.days} 天。")
    frame = _watch(view.version, view.scope, window, not view.unmasked)
    settings = watch.settings()
    total = int(frame["listed"].iloc[0]) if len(frame) else 0
    st.caption(f"截至 {window.as_of}，预警分 ≥ {settings['min_score']} 的 {total} 人"
               + (f"（列出前 {len(frame)} 人）" if total > len(frame) else "")
               + ("；个人信息已脱敏。" if not view.unmasked else "。"))
    show_table(frame, view, WATCH_COLUMNS, labels=LABELS)
    with st.expander("计分规则（配置 [watch]）", expanded=False):
        rules = watch.rules()
        st.markdown("\n".join(f"- **{text}**：{rules[rule].get('points', 0)} 分"
                              + (f"/次，最多 {rules[rule]['max_points']} 分" if "max_points" in rules[rule] else "")
                              + (f"（{rules[rule].get('days')} 天内 ≥ {rules[rule].get('min_cases')} 件）"
                                 if rule == "repeat_recent" else "")
                              for rule, text in watch.RULES.items()))
        st.caption(f"“近一年”为截至日前 {settings['lookback_days']} 天；保障期前名单为保障期前 "
                   f"{settings['before_event_days']} 天。分值为 0 的规则不计。")
    if len(frame) and not view.present:
        labels = {r.person_token: f"{r.person} · {r.township or ''}{r.village or ''} · {r.score}分"
                  for r in frame.itertuples()}
        # The token is a hash of the person's key: kept out of the URL, in the session only.
        token = st.selectbox("查看信访链条", list(labels), format_func=labels.get, key="people_token")
        show_table(view.chain(token), view, CHAIN_COLUMNS)


view = start_page("people", "研判·人员")
require_data(view)
size = "present" if view.present else "screen"
watch_section(view)
escalation_section(view, size)
