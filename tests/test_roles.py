"""Sign-in and roles on the dashboard (AppTest): a 村 cadre sees only their village on every
page, a 镇 leader only their township, whatever the URL says; only admins import, unmask
(with a reason, audited) and read the audit log; without sign-in the app says it is in
single-user local mode."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from pages import _signin
from queries import access, db
from queries.metrics.kpi import kpi
from queries.metrics.registry import BY_ID
from queries.metrics.formatting import fmt_value
from queries.periods import Scope
from test_pages import APP, TIMEOUT, _demo, assert_clean, metric_values

PASSWORD = "correct horse 42"
CADRE = {"role": "cadre", "townships": ["青石镇"], "villages": ["上庄村"]}
LEADER = {"role": "leader", "townships": ["柳河镇"]}
ADMIN = {"role": "admin", "email": "xfb@example.cn"}
OWN = Scope(("青石镇",), ("上庄村",))
OTHER_VILLAGES = ("下庄村", "新塘村", "白沙村", "石桥村", "青龙村", "东风村", "杨家村", "枫树村", "柳河村",
                  "河口村", "龙井村", "东门社区", "南关社区", "城南村", "建设社区", "文化路社区", "桥头村")
DATA_PAGES = ("overview", "trends", "repeat", "ranking", "skip_level", "handling")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return _demo(tmp_path_factory.mktemp("roles") / "demo.duckdb")


@pytest.fixture(scope="module")
def users(tmp_path_factory):
    path = tmp_path_factory.mktemp("users") / "users.toml"
    for username, entry in {"cadre": CADRE, "leader": LEADER, "admin": ADMIN, "locked": LEADER}.items():
        access.add_user(username, access.user_entry(username, entry["role"], PASSWORD, entry.get("townships", ()),
                                                    entry.get("villages", ()), entry.get("email")), path)
    return path


def configure(monkeypatch, tmp_path, db_path, mode: str, users=None) -> None:
    config = tmp_path / "xinfang.toml"
    config.write_text(f'[auth]\nmode = "{mode}"\nusers_file = "{users or tmp_path / "none.toml"}"\n', encoding="utf-8")
    monkeypatch.setenv("XINFANG_CONFIG", str(config))
    monkeypatch.setenv("XINFANG_DB", str(db_path))


def signed_in(username: str, password: str = PASSWORD, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def page_text(at: AppTest) -> str:
    """Everything a page shows as text: markdown, captions, tables, grids, widget options."""
    parts = [e.value for kind in ("markdown", "caption", "title", "header", "subheader") for e in getattr(at, kind)
             if not e.value.startswith("⚠️ 链接中")]  # the forged link's own values, quoted back
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [str(table.value) for table in at.table]
    parts += [" ".join(map(str, w.options)) for w in at.multiselect]
    parts += [" ".join(map(str, w.options)) for w in at.selectbox]
    return "\n".join(parts)


def test_sign_in_is_required_and_wrong_passwords_are_refused(monkeypatch, tmp_path, demo_db, users):
    configure(monkeypatch, tmp_path, demo_db, "local", users)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.metric and at.button[0].label == "登录"
    at = signed_in("cadre", "wrong password")
    assert [e.value for e in at.error] == ["用户名或密码错误"] and not at.metric
    at = signed_in("nobody")
    assert [e.value for e in at.error] == ["用户名或密码错误"]


def test_a_user_is_locked_out_after_repeated_failures(monkeypatch, tmp_path, demo_db, users):
    configure(monkeypatch, tmp_path, demo_db, "local", users)
    for _ in range(5):
        signed_in("locked", "wrong password")
    at = signed_in("locked")  # the right password, too late
    assert "暂停登录" in at.error[0].value and not at.metric


@pytest.mark.parametrize("page", DATA_PAGES)
def test_cadre_sees_only_their_village_on_every_page(monkeypatch, tmp_path, demo_db, users, page):
    configure(monkeypatch, tmp_path, demo_db, "local", users)
    at = signed_in("cadre", t="柳河镇,城东街道", v="东风村")  # a forged link to other places
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    text = page_text(at)
    assert "上庄村" in text or page in ("trends",)
    assert not [v for v in OTHER_VILLAGES if v in text]
    if page == "overview":
        own = kpi(db.open_reader(demo_db), OWN).figures["cases"].value
        assert metric_values(at)["信访总量"] == fmt_value(BY_ID["cases"], own)


def test_leader_never_sees_another_townships_cases(monkeypatch, tmp_path, demo_db, users):
    configure(monkeypatch, tmp_path, demo_db, "local", users)
    at = signed_in("leader", t="青石镇")
    at.switch_page("pages/handling.py").run()
    assert not at.exception and not at.error
    towns = set()
    for frame in at.dataframe:
        if "township" in frame.value:
            towns |= set(frame.value["township"].dropna())
    assert towns == {"柳河镇"}
    own = kpi(db.open_reader(demo_db), Scope(("柳河镇",))).figures["cases"].value
    at.switch_page("pages/overview.py").run()
    assert metric_values(at)["信访总量"] == fmt_value(BY_ID["cases"], own)


def test_only_admins_import_and_read_the_audit_log(monkeypatch, tmp_path, demo_db, users):
    configure(monkeypatch, tmp_path, demo_db, "local", users)
    at = signed_in("leader")
    for page in ("data_import", "audit"):  # not in a leader's navigation at all
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}.py")
    assert not [e for e in at.expander if e.label == "查看个人信息"]  # no unmasking either
    admin = signed_in("admin")
    admin.switch_page("pages/data_import.py").run()
    assert admin.file_uploader


def test_admin_unmasks_one_view_with_a_reason_and_it_is_audited(monkeypatch, tmp_path, demo_db, users):
    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_db.read_bytes())  # this test writes audit records
    configure(monkeypatch, tmp_path, path, "local", users)
    at = signed_in("admin")
    at.switch_page("pages/repeat.py").run()
    names = set(db.cursor(db.open_reader(path)).execute("SELECT petitioner_name FROM cases").df()["petitioner_name"])

    def shown_names() -> set:
        return {n for frame in at.dataframe if "petitioner_name" in frame.value
                for n in frame.value["petitioner_name"].dropna()}

    assert shown_names() and not shown_names() & names          # masked by default
    next(b for b in at.button if b.label == "显示本视图的个人信息").click().run()
    assert any("请填写" in e.value for e in at.error) and not access.audit_log(db.open_reader(path)).shape[0]
    at.text_input(key="unmask_reason").input("核查重复信访人身份").run()
    next(b for b in at.button if b.label == "显示本视图的个人信息").click().run()
    assert not at.exception
    assert shown_names() and shown_names() <= names             # unmasked
    log = access.audit_log(db.open_reader(path))
    assert log[["username", "action", "reason"]].values.tolist() == [["admin", "查看个人信息：重复信访", "核查重复信访人身份"]]
    at.multiselect(key="f_town").select("青石镇").run()          # another view: masked again
    assert shown_names() and not shown_names() & names
    at.switch_page("pages/audit.py").run()
    assert "核查重复信访人身份" in page_text(at)


def test_presentation_mode_never_unmasks(monkeypatch, tmp_path, demo_db):
    configure(monkeypatch, tmp_path, demo_db, "none")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(present="1")
    at.run()
    assert not [e for e in at.expander if e.label == "查看个人信息"]


def test_without_sign_in_the_app_says_it_is_single_user(monkeypatch, tmp_path, demo_db):
    configure(monkeypatch, tmp_path, demo_db, "none")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert_clean(at)
    assert any("单机模式" in w.value for w in at.warning)


def test_oidc_identity_maps_to_a_user_by_email(monkeypatch, tmp_path, demo_db, users):
    configure(monkeypatch, tmp_path, demo_db, "oidc", users)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.metric and "统一身份认证尚未配置" in at.error[0].value  # no [auth] secrets here
    monkeypatch.setattr(_signin, "oidc_email", lambda: "someone@else.cn")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.metric and "未获授权" in at.error[0].value
    monkeypatch.setattr(_signin, "oidc_email", lambda: "XFB@example.cn")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert_clean(at)
    assert at.metric and any("信访办管理员" in m.value for m in at.markdown)


def test_cadre_exports_hold_only_their_village(monkeypatch, tmp_path, demo_db, users):
    """The meeting outputs a cadre downloads are built for their village alone."""
    import io

    import python_calamine
    configure(monkeypatch, tmp_path, demo_db, "local", users)
    at = signed_in("cadre", t="柳河镇")
    for key in ("md", "xlsx"):
        at.button(key=f"make_{key}").click().run()
        assert not at.exception and not at.error
    built = at.session_state["_meeting_outputs"]
    bulletin = built["md"][1].decode("utf-8")
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(built["xlsx"][1]))
    lists = "\n".join(str(cell) for name in workbook.sheet_names
                      for row in workbook.get_sheet_by_name(name).to_python() for cell in row)
    for text in (bulletin, lists):
        assert "上庄村" in text and not [v for v in OTHER_VILLAGES if v in text]
