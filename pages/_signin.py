"""Who is at the screen: sign-in as configured ([auth] mode), the label of the signed-in user
and sign-out. What the user may see is decided in `queries.access` (roles, `restrict`); this
module only establishes who they are.

* none  — single-user local mode: one person at this computer, with every right, labelled so.
* local — the local user file (argon2 hashes); a user name is locked out for a while after
          repeated wrong passwords.
* oidc  — Streamlit's st.login against the office's identity provider; the identity's email
          must be listed in the user file, which gives its role and jurisdiction.
"""
from __future__ import annotations

import threading
import time

import streamlit as st

from queries import access
from queries.access import LOCAL_USER, SignInError, User
from queries.config import load_config

MODES = ("none", "local", "oidc")


def auth_settings() -> dict:
    settings = load_config().get("auth", {})
    if settings.get("mode", "none") not in MODES:
        st.error(f"配置错误：auth.mode 应为 {'、'.join(MODES)} 之一。")
        st.stop()
    return settings


@st.cache_resource(show_spinner=False)
def _failures() -> tuple[dict[str, list[float]], threading.Lock]:
    """Recent wrong-password times per user name, shared by all sessions of this process."""
    return {}, threading.Lock()


def _locked_out(username: str, settings: dict) -> bool:
    failures, lock = _failures()
    window = settings.get("lockout_minutes", 10) * 60
    with lock:
        recent = [t for t in failures.get(username, []) if time.time() - t < window]
        failures[username] = recent
        return len(recent) >= settings.get("max_failures", 5)


def _note_failure(username: str) -> None:
    failures, lock = _failures()
    with lock:
        failures.setdefault(username, []).append(time.time())


def _sign_in_form(settings: dict) -> None:
    st.title("信访看板")
    st.caption("本系统含信访人个人信息，仅限授权人员登录使用。")
    with st.form("sign_in"):
        username = st.text_input("用户名", max_chars=64)
        password = st.text_input("密码", type="password", max_chars=256)
        submitted = st.form_submit_button("登录", type="primary")
    if not submitted:
        return
    username = username.strip()
    if _locked_out(username, settings):
        st.error(f"该用户连续多次密码错误，已暂停登录 {settings.get('lockout_minutes', 10)} 分钟。")
        return
    try:
        user = access.sign_in(username, password, access.users_file())
    except SignInError as error:
        _note_failure(username)
        st.error(str(error))
        return
    except ValueError as error:  # a malformed entry in the user file
        st.error(f"用户配置有误：{error}")
        return
    st.session_state["_user"] = user
    st.rerun()


def oidc_email() -> str | None:
    """The email of the identity st.login established, if any."""
    if not st.user.get("is_logged_in", False):
        return None
    return st.user.get("email") or ""


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_user() -> User | None:
    email = oidc_email()
    if email is None:
        st.title("信访看板")
        if _oidc_configured():
            st.caption("请使用单位统一身份认证登录。")
            st.button("登录", type="primary", on_click=st.login)
        else:
            st.error("统一身份认证尚未配置（.streamlit/secrets.toml 中的 [auth]），请联系管理员。")
        return None
    try:
        user = access.user_for_identity(email, access.users_file()) if email else None
    except ValueError as error:
        st.error(f"用户配置有误：{error}")
        return None
    if user is None:
        st.error(f"账号 {email or '（无邮箱）'} 未获授权使用本系统，请联系信访办管理员。")
        st.button("退出登录", on_click=st.logout)
    return user


def _hold_target(pages: list) -> None:
    """Keep the page a (deep) link asked for while the sign-in screen is shown: without a
    navigation in this run Streamlit would fall back to the default page and rewrite the URL,
    and the link would land on 总览 after sign-in."""
    if pages:
        st.navigation(pages, position="hidden")


OPEN_TO_COLLEAGUES = ("如需让同事通过局域网访问，请先启用登录（配置文件 xinfang.toml 中 [auth] mode = \"local\"，"
                      "并用 xinfang user add 添加用户），再以 streamlit run dashboard.py --server.address 0.0.0.0 启动。")


def _local_only() -> None:
    """单机模式 serves this computer only. The server binds to 127.0.0.1 (.streamlit/config.toml);
    should it be started on the network anyway, a visitor from another computer gets no data."""
    address = st.context.ip_address   # None: this computer (loopback); a str: another one
    if isinstance(address, str):        # (AppTest's mocked session has no address at all)
        st.title("信访看板")
        st.error("本看板处于单机模式（未启用登录），只能在运行它的电脑上打开。" + OPEN_TO_COLLEAGUES)
        st.stop()


def current_user(pages: list = ()) -> User:
    """The signed-in user; draws the sign-in screen and stops the run when there is none.
    `pages`: every page of the app (st.Page), so a link's target survives the sign-in."""
    settings = auth_settings()
    mode = settings.get("mode", "none")
    if mode == "none":
        _local_only()
        return LOCAL_USER
    if mode == "oidc":
        user = _oidc_user()
    else:
        user = st.session_state.get("_user")
    if user is None:
        _hold_target(list(pages))
        if mode == "local":
            _sign_in_form(settings)
        st.stop()
    return user


def _sign_out() -> None:
    st.session_state.clear()  # the view, choices and any unmasking go with the user


def user_badge(user: User) -> None:
    """Who is signed in, with what rights (sidebar)."""
    mode = auth_settings().get("mode", "none")
    if mode == "none":
        st.sidebar.warning("单机模式：未启用登录，只能在本机打开，本机使用者拥有全部权限（含导入、查看个人信息）。"
                           "让同事访问须先启用登录（xinfang.toml 中 `[auth] mode = \"local\"`），"
                           "再以 `--server.address 0.0.0.0` 启动，见 README“登录与角色”。", icon=":material/person:")
        return
    st.sidebar.markdown(f"**{user.name}** · {user.jurisdiction}")
    if mode == "oidc":
        st.sidebar.button("退出登录", on_click=st.logout, width="stretch")
    else:
        st.sidebar.button("退出登录", on_click=_sign_out, width="stretch")
