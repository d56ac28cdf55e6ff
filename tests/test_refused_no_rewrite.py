"""A refused import must not rewrite the database (issue #17.14): files are checked before the
copy-and-swap writer; an all-refused run only appends to the refusal log beside the database,
which the history shows at once and the next real write moves into `imports`."""
from __future__ import annotations

from contextlib import contextmanager

from conftest import write_csv
from queries import cli, db
from queries.ingest import refusal_log
from test_pages import TIMEOUT, open_app

HEADER = ["信访件编号", "登记日期", "信访形式"]


def seeded(tmp_path):
    path = tmp_path / "t.duckdb"
    good = write_csv(tmp_path / "seed.csv", [HEADER, ["S-1", "2026-01-05", "来访"]])
    assert cli.main(["import", str(good), "--db", str(path), "--as-of", "2026-11-01"]) == 0
    return path


def no_writer(monkeypatch):
    @contextmanager
    def refuse(*args, **kwargs):
        raise AssertionError("the database was opened for writing")
        yield
    monkeypatch.setattr(cli, "writing", refuse)
    monkeypatch.setattr(db, "writing", refuse)


def history(path) -> list[tuple]:
    con = db.connect(path, read_only=True)
    try:
        return db.cursor(con).execute("SELECT file_name, refused IS NOT NULL FROM imports ORDER BY imported_at").fetchall()
    finally:
        con.close()


def test_a_refused_cli_import_leaves_the_file_untouched_and_is_logged(tmp_path, monkeypatch):
    path = seeded(tmp_path)
    before = db.identity(path)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"%PDF-1.4 renamed")
    no_writer(monkeypatch)
    assert cli.main(["import", str(bad), "--db", str(path), "--as-of", "2026-11-01"]) == 1
    assert db.identity(path) == before                       # not rewritten: same inode, time and size
    assert [e["file_name"] for e in refusal_log.pending(path)] == ["bad.xlsx"]
    monkeypatch.undo()

    good = write_csv(tmp_path / "good.csv", [HEADER, ["G-1", "2026-02-05", "来访"]])
    assert cli.main(["import", str(good), "--db", str(path), "--as-of", "2026-11-01"]) == 0
    assert history(path) == [("seed.csv", False), ("bad.xlsx", True), ("good.csv", False)]
    assert refusal_log.pending(path) == []                   # moved into `imports`, log trimmed


def test_a_mixed_run_writes_once_with_the_refusal_inside(tmp_path):
    path = seeded(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    good = write_csv(tmp_path / "good.csv", [HEADER, ["G-1", "2026-02-05", "来访"]])
    assert cli.main(["import", str(bad), str(good), "--db", str(path), "--as-of", "2026-11-01"]) == 1
    assert history(path)[1:] == [("bad.csv", True), ("good.csv", False)] and refusal_log.pending(path) == []


def test_the_page_shows_a_logged_refusal_in_its_history(tmp_path, monkeypatch):
    path = seeded(tmp_path)
    before = db.identity(path)
    at = open_app(monkeypatch, path, page="data_import")
    at.file_uploader[0].upload("坏文件.xlsx", b"not a workbook at all", "application/octet-stream")
    at.run(timeout=TIMEOUT)
    next(b for b in at.button if b.label == "开始导入").click().run(timeout=TIMEOUT)
    assert not at.exception
    assert any("坏文件.xlsx" in e.value and "被整体拒收" in e.value for e in at.error)
    assert db.identity(path) == before
    shown = [f.value for f in at.dataframe if "拒收原因(整个文件)" in f.value.columns]
    assert list(shown[0]["文件"]) == ["坏文件.xlsx", "seed.csv"]
    assert "并非 Excel 格式" in shown[0]["拒收原因(整个文件)"].iloc[0]
