"""Registering incidents (issue #17 item 4): administrators only, on the page and in the data
layer; every incident records who entered it, with an audit row; the CLI records the OS user or
--by; a database from before the column existed is migrated."""
from __future__ import annotations

import getpass
import json
import shutil
from datetime import date as d

import duckdb
import pytest

from queries import access, db
from queries.access import User
from queries.ingest.incidents import register_incident
from test_cli import cli
from test_metrics import build
from test_roles import configure, signed_in, users  # noqa: F401 (fixture)
from test_pages import _demo

ADMIN = User("xfb", "信访办", "admin")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return _demo(tmp_path_factory.mktemp("incidents") / "demo.duckdb")


def test_only_an_admin_registers_and_who_is_kept(tmp_path):
    con = build(tmp_path, [{"case_id": "A", "registered_on": d(2025, 2, 1), "township": "青石镇", "village": "上庄村"}])
    for user in (User("li", "李", "cadre", ("青石镇",), ("上庄村",)), User("wang", "王", "leader")):
        with pytest.raises(PermissionError):
            register_incident(con, user, "extreme", d(2025, 2, 3), "某事件", "柳河镇")
    assert con.execute("SELECT count(*) FROM incidents").fetchone()[0] == 0
    incident_id = register_incident(con, ADMIN, "extreme", d(2025, 2, 3), "某事件", "青石镇", "上庄村")
    assert con.execute("SELECT entered_by FROM incidents WHERE incident_id = ?", [incident_id]).fetchone() == ("xfb",)
    (entry,) = access.audit_log(con).itertuples()
    assert entry.username == "xfb" and f"#{incident_id}" in entry.action and "个人极端事件" in entry.action
    assert entry.reason == "某事件" and json.loads(entry.scope)["villages"] == ["上庄村"]
    con.close()


def test_an_old_database_gains_the_column(tmp_path):
    """A file whose incidents table predates entered_by opens, keeps its incidents, and records
    the next one's author."""
    path = tmp_path / "old.duckdb"
    con = build(tmp_path, [{"case_id": "A", "registered_on": d(2025, 2, 1)}])
    con.execute("INSERT INTO incidents (kind, occurred_on, description) VALUES ('publicity', '2025-02-02', '旧')")
    con.execute("ALTER TABLE incidents DROP COLUMN entered_by")
    con.execute("UPDATE meta SET value = 'an older version' WHERE key = 'build_signature'")
    con.close()
    shutil.move(tmp_path / "t.duckdb", path)
    reader = db.open_reader(path)
    assert db.cursor(reader).execute("SELECT description, entered_by FROM incidents").fetchall() == [("旧", None)]
    reader.close()
    with db.writing(path) as writer:
        register_incident(writer, ADMIN, "extreme", d(2025, 2, 5), "新")
    check = duckdb.connect(str(path), read_only=True)
    assert check.execute("SELECT description, entered_by FROM incidents ORDER BY incident_id").fetchall() == \
        [("旧", None), ("新", "xfb")]
    check.close()


def test_cli_records_the_os_user_or_the_named_person(tmp_path):
    con = build(tmp_path, [{"case_id": "A", "registered_on": d(2025, 2, 1)}])
    con.close()
    path = str(tmp_path / "t.duckdb")
    base = ("incident", "add", "--db", path, "--kind", "extreme", "--date", "2025-02-03", "--description")
    assert cli(*base, "甲事件").returncode == 0
    named = cli(*base, "乙事件", "--by", "张三")
    assert named.returncode == 0, named.stderr
    listed = json.loads(cli("incident", "list", "--db", path, "--json").stdout)
    assert [r["entered_by"] for r in listed] == [f"cli:{getpass.getuser()}", f"张三（cli:{getpass.getuser()}）"]
    log = access.audit_log(db.open_reader(path))
    assert sorted(log["reason"]) == ["乙事件", "甲事件"]


def incident_form_shown(at) -> bool:
    return any(b.label == "登记事件" for b in at.button)


@pytest.mark.parametrize("username", ["cadre", "leader"])
def test_the_incident_form_is_not_drawn_for_others(monkeypatch, tmp_path, demo_db, users, username):  # noqa: F811
    configure(monkeypatch, tmp_path, demo_db, "local", users)
    at = signed_in(username)
    at.switch_page("pages/skip_level.py").run()
    assert not at.exception and "个人极端事件与负面炒作" in [s.value for s in at.subheader]
    assert not incident_form_shown(at)


def test_an_admin_registers_on_the_page_and_it_is_audited(monkeypatch, tmp_path, demo_db, users):  # noqa: F811
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    configure(monkeypatch, tmp_path, path, "local", users)
    at = signed_in("admin")
    at.switch_page("pages/skip_level.py").run()
    assert incident_form_shown(at)
    at.text_area[0].input("某村村民在镇政府门前聚集")
    next(b for b in at.button if b.label == "登记事件").click().run()
    assert not at.exception and not at.error
    reader = db.open_reader(path)
    assert db.cursor(reader).execute("SELECT entered_by FROM incidents").fetchall()[-1] == ("admin",)
    assert "某村村民在镇政府门前聚集" in set(access.audit_log(reader)["reason"])
