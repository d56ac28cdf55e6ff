"""The dashboard on a damaged database, a read-only data directory and a full disk (issue #17
item 12): one Chinese sentence, never Streamlit's exception box; an administrator can move a
damaged file aside and reach 数据导入 to import again."""
from __future__ import annotations

import errno
from contextlib import contextmanager

import pytest
from streamlit.testing.v1 import AppTest

from queries import access, db
from test_failures import damaged_files, good_db  # noqa: F401 (fixture)
from test_pages import APP, TIMEOUT
from test_roles import configure, signed_in, users  # noqa: F401 (fixture)


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


@pytest.mark.parametrize("kind", ["empty", "garbage", "truncated", "zeroed header", "checksum"])
def test_a_damaged_database_is_one_sentence_and_an_admin_can_start_afresh(monkeypatch, tmp_path, good_db, kind):
    path = tmp_path / "data" / "xinfang.duckdb"
    path.parent.mkdir()
    path.write_bytes(damaged_files(good_db)[kind])
    configure(monkeypatch, tmp_path, path, "none")       # 单机模式: this computer's user is an admin
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "损坏" in errors(at)
    next(b for b in at.button if b.label.startswith("将损坏的数据库移到一旁")).click().run()
    assert not at.exception and "损坏" not in errors(at)
    assert [p.name.split(".damaged-")[0] for p in path.parent.iterdir() if ".damaged-" in p.name] == ["xinfang.duckdb"]
    assert any("已将损坏的数据库改名为" in s.value for s in at.success)
    at.switch_page("pages/data_import.py").run()
    assert not at.exception and at.file_uploader                 # the way back: import again


def test_a_leader_is_told_to_ask_the_admin(monkeypatch, tmp_path, good_db, users):  # noqa: F811
    path = tmp_path / "broken.duckdb"
    path.write_bytes(damaged_files(good_db)["zeroed header"])
    configure(monkeypatch, tmp_path, path, "local", users)
    at = signed_in("leader")
    assert not at.exception and "损坏" in errors(at)
    assert not [b for b in at.button if b.label.startswith("将损坏的数据库")]


@contextmanager
def writes_refused(monkeypatch, number: int):
    def refuse(*args, **kwargs):
        raise OSError(number, "simulated", str(args[0]) if args else None)
    monkeypatch.setattr(db.shutil, "copyfile", refuse)   # every writer starts by copying the file
    yield


@pytest.mark.parametrize("number,words", [(errno.EROFS, "只读"), (errno.ENOSPC, "磁盘空间不足")])
def test_unmasking_is_refused_in_one_sentence_when_the_audit_cannot_be_written(monkeypatch, tmp_path, good_db,
                                                                                 number, words):
    configure(monkeypatch, tmp_path, good_db, "none")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/repeat.py").run()
    with writes_refused(monkeypatch, number):
        at.text_input(key="unmask_reason").input("核查").run()
        next(b for b in at.button if b.label == "显示本视图的个人信息").click().run()
    assert not at.exception
    assert words in errors(at) and "个人信息保持脱敏" in errors(at)
    assert not any("未脱敏" in w.value for w in at.warning)        # still masked
    assert len(access.audit_log(db.open_reader(good_db))) == 0


@pytest.mark.parametrize("number,words", [(errno.EACCES, "只读"), (errno.ENOSPC, "磁盘空间不足")])
def test_registering_an_incident_is_refused_in_one_sentence(monkeypatch, tmp_path, good_db, number, words):
    configure(monkeypatch, tmp_path, good_db, "none")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/skip_level.py").run()
    at.text_area[0].input("某事件")
    with writes_refused(monkeypatch, number):
        next(b for b in at.button if b.label == "登记事件").click().run()
    assert not at.exception and words in errors(at)


def test_a_csv_with_personal_data_is_audited_before_it_is_offered(monkeypatch, tmp_path, good_db):
    configure(monkeypatch, tmp_path, good_db, "none")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/handling.py").run()
    at.text_input(key="unmask_reason").input("核查积案").run()
    next(b for b in at.button if b.label == "显示本视图的个人信息").click().run()
    assert not at.exception and len(access.audit_log(db.open_reader(good_db))) == 1
    offered = str(at.get("download_button"))
    assert "含个人信息" not in offered                         # not before its audit record
    prepare = [b for b in at.button if b.label.startswith("准备") and "含个人信息" in b.label and not b.disabled]
    assert prepare
    prepare[0].click().run()
    log = access.audit_log(db.open_reader(good_db))
    assert len(log) == 2 and log["action"].str.startswith("导出含个人信息的CSV").any()
    assert "含个人信息" in str(at.get("download_button"))
