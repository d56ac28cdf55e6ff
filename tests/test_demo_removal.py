"""Demo data is labelled and removable (issue #13.6): a banner on every page while demo cases are
present; the CLI refuses the first real import into a demo database unless --keep-demo; `demo
--remove` deletes the demo cases and their import records in one step; the page asks."""
from __future__ import annotations

import shutil

import pytest

from conftest import write_csv
from queries import cli, db
from queries.demo.county import DEMO_FILES
from queries.demo.database import build_demo, has_demo
from test_pages import TIMEOUT, assert_clean, open_app

REAL = [["信访件编号", "登记日期", "信访形式", "乡镇", "村(社区)"], ["REAL-1", "2026-03-02", "来访", "北山镇", "北山村"]]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path)
    return path


def counts(path) -> tuple[int, int, int]:
    con = db.connect(path, read_only=True)
    try:
        cur = db.cursor(con)
        demo_cases = cur.execute("SELECT count(*) FROM cases WHERE list_contains(?, source_file)", [list(DEMO_FILES)]).fetchone()[0]
        other = cur.execute("SELECT count(*) FROM cases WHERE NOT list_contains(?, source_file)", [list(DEMO_FILES)]).fetchone()[0]
        demo_history = cur.execute("SELECT count(*) FROM imports WHERE list_contains(?, file_name)", [list(DEMO_FILES)]).fetchone()[0]
        return demo_cases, other, demo_history
    finally:
        con.close()


def test_cli_refuses_a_real_import_into_the_demo_then_removes_it(demo_db, tmp_path, capsys):
    path = tmp_path / "d.duckdb"
    shutil.copyfile(demo_db, path)
    real = write_csv(tmp_path / "real.csv", REAL)
    demo_cases, _, demo_history = counts(path)
    assert demo_cases > 5000 and demo_history == len(DEMO_FILES)

    assert cli.main(["import", str(real), "--db", str(path), "--as-of", "2026-11-01"]) == 1
    assert "demo --remove" in capsys.readouterr().err and counts(path) == (demo_cases, 0, demo_history)

    assert cli.main(["import", str(real), "--db", str(path), "--as-of", "2026-11-01", "--keep-demo"]) == 0
    assert counts(path) == (demo_cases, 1, demo_history)

    assert cli.main(["demo", "--remove", "--db", str(path)]) == 0
    assert f"已删除演示数据 {demo_cases} 件" in capsys.readouterr().out
    assert counts(path) == (0, 1, 0)
    con = db.connect(path, read_only=True)
    assert not has_demo(con)
    cur = db.cursor(con)
    assert cur.execute("SELECT count(*) FROM case_facts").fetchone()[0] == 1      # the facts were rebuilt
    assert cur.execute("SELECT count(*) FROM rejected_rows").fetchone()[0] == 0   # the demo's refused rows went too
    con.close()
    assert cli.main(["import", str(real), "--db", str(path), "--as-of", "2026-11-01"]) == 0   # no demo: no question


def test_every_page_shows_the_banner_while_demo_cases_are_present(demo_db, monkeypatch, tmp_path):
    for page in ("overview", "ranking", "data_import"):
        at = open_app(monkeypatch, demo_db, page=page)
        assert any("演示数据" in w.value for w in at.warning), page
    plain = tmp_path / "plain.duckdb"
    db.connect(plain).close()
    at = open_app(monkeypatch, plain, page="overview")
    assert not any("演示数据" in w.value for w in at.warning)


def test_the_import_page_asks_and_removes_the_demo_first(demo_db, monkeypatch, tmp_path):
    path = tmp_path / "p.duckdb"
    shutil.copyfile(demo_db, path)
    at = open_app(monkeypatch, path, page="data_import")
    assert at.radio[0].value == "先删除演示数据（推荐）"
    at.file_uploader[0].upload("real.csv", "\n".join(",".join(r) for r in REAL).encode("utf-8"), "text/csv")
    at.run(timeout=TIMEOUT)
    next(b for b in at.button if b.label == "开始导入").click().run(timeout=TIMEOUT)
    assert_clean(at)
    assert counts(path) == (0, 1, 0)
    assert not any("演示数据" in w.value for w in at.warning)   # the banner went with the demo
