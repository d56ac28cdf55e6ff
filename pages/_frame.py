"""The frame around every page: page setup, navigation, the sidebar (view, share link, privacy
control), the header with the period and scope a page describes, the notices of a shared link,
the demo banner, and one sentence (never a traceback) for a damaged database.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

import streamlit as st

from pages import _signin as signin
from pages._data import View, connection, db_path, start_warmer, warm_every
from pages._privacy import privacy_control
from pages._state import begin_page, build_view, page_params, present_requested, view_params
from pages._widgets import apply_style
from queries import db
from queries.access import User
from queries.dimensions import scope_text
from queries.escaping import markdown_text as md_escape

_LOG = logging.getLogger(__name__)

PAGES = (  # file, title, url_path, icon
    ("pages/overview.py", "总览", "overview", ":material/dashboard:"),
    ("pages/trends.py", "趋势", "trends", ":material/show_chart:"),
    ("pages/repeat.py", "重复信访", "repeat", ":material/repeat:"),
    ("pages/ranking.py", "村居排名", "ranking", ":material/leaderboard:"),
    ("pages/skip_level.py", "越级与集体访", "skip_level", ":material/groups:"),
    ("pages/handling.py", "办理与包案", "handling", ":material/assignment_turned_in:"),
    ("pages/accountability.py", "责任落实", "accountability", ":material/how_to_reg:"),
    ("pages/topics.py", "研判·诉求", "topics", ":material/insights:"),
    ("pages/people.py", "研判·人员", "people", ":material/person_search:"),
    ("pages/map.py", "村居地图", "map", ":material/map:"),
    ("pages/data_import.py", "数据导入", "import", ":material/upload_file:"),
    ("pages/caliber.py", "口径说明", "caliber", ":material/menu_book:"),
    ("pages/audit.py", "审计日志", "audit", ":material/policy:"),
)
ADMIN_PAGES = {"import", "audit"}   # imports and the audit log: 信访办 administrators only


def frame():
    """The frame around every page: page setup, navigation, the sidebar view and the style.
    Returns the page st.navigation chose (the entrypoint runs it)."""
    present = present_requested()
    st.set_page_config(page_title="信访看板", page_icon="📊", layout="wide",  # emoji: no CDN icon
                       # auto: open on a desktop, closed on a phone (where it would cover the page)
                       initial_sidebar_state="collapsed" if present else "auto",
                       menu_items={"Get help": None, "Report a bug": None, "About": "信访看板 · 开源信访数据看板"})
    user = signin.current_user([st.Page(path, title=title, url_path=url_path, default=url_path == "overview")
                                for path, title, url_path, _ in PAGES])
    allowed = [entry for entry in PAGES if user.is_admin or entry[2] not in ADMIN_PAGES]
    pages = [st.Page(path, title=title, url_path=url_path, icon=icon, default=url_path == "overview")
             for path, title, url_path, icon in allowed]
    # In presentation mode the sidebar is hidden, so the pages move to the top bar.
    # expanded: every page listed (13 for an admin; Streamlit would hide those past ten behind "View more")
    page = st.navigation(pages, position="top" if present else "sidebar", expanded=True)
    st.session_state["_url_paths"] = tuple(url_path for _, _, url_path, _ in allowed)
    st.session_state["_page_url_path"] = page.url_path
    if warm_every() > 0:
        start_warmer()
    try:
        view = build_view(user)
    except Exception as error:   # a damaged database: say so, and let an admin start afresh
        damaged_database(error, user)
    if st.session_state.get("_aside_done"):
        st.success(st.session_state.pop("_aside_done"), icon=":material/check_circle:")
    apply_style(view)
    demo_banner()
    signin.user_badge(user)
    share_link(view)
    privacy_control(view, page.title)
    st.sidebar.caption(f"数据库：{db_path().name}")
    st.session_state["_framed"] = True
    return page


def run_page(page) -> None:
    """Run the page st.navigation chose; a database that turns out damaged while the page reads
    it (a checksum error in some block) gets the same sentence as one that cannot be opened."""
    try:
        page.run()
    except Exception as error:
        view = st.session_state.get("_view")
        damaged_database(error, view.user if view else None)


def _set_aside() -> None:
    try:
        aside = db.set_aside(db_path())
    except Exception as error:
        st.session_state["_aside_error"] = db.explain(error, db_path()) or "操作失败，请联系系统维护人员。"
        return
    st.cache_data.clear()
    st.session_state["_aside_done"] = (f"已将损坏的数据库改名为 {aside.name}（保留在原目录），并新建了空数据库。"
                                       "请在“数据导入”页导入台账。")


def damaged_database(error: Exception, user: User | None) -> None:
    """One sentence for a damaged database (never Streamlit's exception box); an administrator
    may move the file aside and start an empty database, then reach 数据导入 to import again.
    Anything else is re-raised (a bug belongs in the log)."""
    message = db.explain(error, db_path())
    if message is None or not (isinstance(error, db.DatabaseUnusable) or db.is_damage(error)):
        raise error
    _LOG.warning("damaged database %s", db_path(), exc_info=error)
    st.error(message, icon=":material/error:")
    if st.session_state.get("_aside_error"):
        st.error(st.session_state.pop("_aside_error"))
    if user is not None and user.is_admin:
        st.button("将损坏的数据库移到一旁，新建空数据库", on_click=_set_aside, type="primary")
        st.caption("原文件改名后保留在同一目录，供日后恢复；新数据库为空，可随即在“数据导入”页重新导入台账。")
    else:
        st.caption("请联系信访办管理员处理。")
    st.stop()


def demo_banner() -> None:
    """While demo cases are in the database, every page says so (#13.6)."""
    from queries.demo.database import has_demo
    if has_demo(connection()):
        st.warning("演示数据：当前显示的是虚构的东安县演示数据，不是真实信访数据。导入本单位的台账时可先删除演示数据"
                   "（“数据导入”页），或运行 python -m queries demo --remove。", icon=":material/science:")


def start_page(url_path: str, title: str) -> View:
    """Every page begins here: the view the frame built, this page's own URL parameters, and
    the title with the period it describes.

    A page file can run without the entrypoint: Streamlit treats `pages/` as a v1 pages
    folder until some session has called st.navigation (the first request after a server
    start, if it is a deep link; every AppTest run). Then the page draws the frame (whose
    st.navigation ends that mode) and runs itself as the navigation's page, so its widgets
    get the same ids as on every later run (an id includes the page it is drawn under).
    """
    if not st.session_state.pop("_framed", False):
        run_page(frame())
        st.stop()
    if url_path not in st.session_state["_url_paths"]:  # e.g. a non-admin's stale link
        st.error("您没有访问此页面的权限。")
        st.stop()
    view = st.session_state["_view"]
    begin_page(url_path)
    header(title, view)
    return view


def show_notices(view: View) -> None:
    """Invalid parts of a shared link: a small note (never an error), shown while the view is
    still the one the link opened."""
    notices = st.session_state.get("_notices")
    if notices and st.session_state.get("_notices_for") == view_params(view):
        st.caption("⚠️ 链接中的部分参数无效，已忽略：" + "；".join(notices) + "。")
    elif notices:
        st.session_state["_notices"] = []


def header(title: str, view: View) -> None:
    """Page title with the period and scope it describes (a leader must never guess them)."""
    if view.present:
        left, right = st.columns([6, 1], vertical_alignment="center")
        left.markdown(f"## {title}")
        right.button("退出演示", on_click=_leave_present, width="stretch")
    else:
        st.title(title)
    st.caption(period_text(view))
    if view.unmasked:
        st.warning(f"本视图正在显示未脱敏的个人信息（理由：{md_escape(st.session_state.get('_unmask_reason', ''))}；"
                   "已记入审计日志）。切换页面或筛选条件即恢复脱敏。", icon=":material/visibility:")
    show_notices(view)


def _leave_present() -> None:
    st.session_state["f_present"] = False


def period_text(view: View) -> str:
    if not view.has_data:
        return "库中暂无信访事项"
    period = view.period   # cut back to the as-of date by queries.periods.resolve, as every figure is
    return (f"统计期 {period.start} 至 {period.end}（截至 {period.as_of}）· 范围：{md_escape(scope_text(view.scope))}"
            f" · 数据覆盖 {view.earliest} 至 {view.latest}")


def require_data(view: View) -> None:
    """An empty database is a normal state (a new office): say what to do, then stop."""
    if view.has_data:
        return
    st.info("数据库中还没有信访事项。请先导入《信访事项登记台账》或信访信息系统导出文件。")
    st.page_link("pages/data_import.py", label="前往“数据导入”", icon=":material/upload_file:")
    st.stop()


# --- the share link -------------------------------------------------------------------------

def share_url(view: View) -> str:
    """The link that reproduces this view, on this page."""
    base = st.context.url or "http://localhost:8501/"
    parts = urlsplit(base)
    path = parts.path.rstrip("/")
    page = st.session_state.get("_page_url_path", "")
    known = st.session_state.get("_url_paths", ())
    head, _, last = path.rpartition("/")
    if last in known:
        path = head
    url = f"{parts.scheme}://{parts.netloc}{path}/{page}"
    return url + "?" + urlencode({**view_params(view), **page_params()})


def share_link(view: View) -> None:
    with st.sidebar.popover("复制链接", icon=":material/link:", width="stretch"):
        st.caption("复制下方链接，打开即是同一视图（统计期、截至日、筛选条件与本页选择）。")
        st.code(share_url(view), language=None, wrap_lines=True)
