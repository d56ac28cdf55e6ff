"""Failures of the disk and of the database file (issue #17 items 6 and 12): a damaged database,
a read-only data directory and a full disk each give one Chinese sentence and exit 1, never a
traceback; an unmasked export is audited first and leaves nothing behind when it fails."""
from __future__ import annotations

import errno
from contextlib import contextmanager
from datetime import date as d
from pathlib import Path

import pytest

from queries import access, cli, db
from test_cli import cli as run_cli
from test_metrics import build


@pytest.fixture()
def good_db(tmp_path) -> Path:
    con = build(tmp_path, [{"case_id": f"A{i}", "registered_on": d(2025, 2, 1 + i), "township": "青石镇",
                            "village": "上庄村", "petitioner_name": "王小明", "channel": "来访"} for i in range(20)])
    con.execute("CHECKPOINT")
    con.close()
    return tmp_path / "t.duckdb"


def damaged_files(good: Path) -> dict[str, bytes]:
    data = good.read_bytes()
    flipped = bytearray(data)
    for offset in range(12_288 + 16, len(data), 4096):   # every block after the three headers
        flipped[offset:offset + 64] = b"\xff" * 64
    return {"empty": b"", "garbage": bytes(range(256)) * 20, "truncated": data[:len(data) // 3],
            "zeroed header": b"\0" * 4096 + data[4096:], "checksum": bytes(flipped)}


COMMANDS = {
    "kpi": ("kpi",), "rank": ("rank",), "report": ("report", "--format", "md", "--out", "{out}"),
    "incident add": ("incident", "add", "--kind", "extreme", "--date", "2025-02-03", "--description", "某事"),
    "import": ("import", "{csv}"),
}


def one_chinese_sentence(stderr: str) -> bool:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return len(lines) == 1 and "Traceback" not in stderr and any("\u4e00" <= ch <= "\u9fff" for ch in lines[0])


@pytest.mark.parametrize("command", COMMANDS)
def test_a_damaged_database_is_one_sentence(good_db, tmp_path, command):
    csv = tmp_path / "in.csv"
    csv.write_text("信访件编号,登记日期\nB1,2025-02-01\n", encoding="utf-8")
    for kind, data in damaged_files(good_db).items():
        if kind == "checksum" and command in ("import",):
            continue   # the writer copies the file and rewrites it whole: covered by the readers
        path = tmp_path / f"{kind}.duckdb"
        path.write_bytes(data)
        args = [a.format(out=tmp_path / "out.md", csv=csv) for a in COMMANDS[command]]
        out = run_cli(*args, "--db", str(path)) if command != "report" else run_cli(*args[:1], "--db", str(path), *args[1:])
        assert out.returncode == 1, (kind, out.stderr)
        assert one_chinese_sentence(out.stderr) and "损坏" in out.stderr, (kind, out.stderr)


@contextmanager
def read_only_data_directory():
    """The data directory refuses writes (simulated: the tests run as root, whom chmod does not stop)."""
    def refuse(path):
        raise PermissionError(errno.EROFS, "Read-only file system", str(path.with_name(f".{path.name}.lock")))
    original = db._writer_lock
    db._writer_lock = contextmanager(lambda path: (yield refuse(path)))
    try:
        yield
    finally:
        db._writer_lock = original


def test_read_only_data_directory_import_and_incident(good_db, tmp_path, capsys):
    csv = tmp_path / "in.csv"
    csv.write_text("信访件编号,登记日期,乡镇\nB1,2025-02-01,青石镇\n", encoding="utf-8")
    before = good_db.read_bytes()
    with read_only_data_directory():
        for args in (["import", str(csv)], ["incident", "add", "--kind", "extreme", "--date", "2025-02-03",
                                            "--description", "某事"]):
            assert cli.main([*args, "--db", str(good_db)]) == 1
            err = capsys.readouterr().err
            assert one_chinese_sentence(err) and "无法写入" in err and "只读" in err, err
    assert good_db.read_bytes() == before


def test_full_disk_import_and_incident(good_db, tmp_path, capsys, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(db.shutil, "copyfile", full)
    csv = tmp_path / "in.csv"
    csv.write_text("信访件编号,登记日期,乡镇\nB1,2025-02-01,青石镇\n", encoding="utf-8")
    for args in (["import", str(csv)], ["incident", "add", "--kind", "extreme", "--date", "2025-02-03",
                                        "--description", "某事"]):
        assert cli.main([*args, "--db", str(good_db)]) == 1
        err = capsys.readouterr().err
        assert one_chinese_sentence(err) and "磁盘空间不足" in err, err


def audit_rows(path: Path) -> int:
    return len(access.audit_log(db.open_reader(path)))


UNMASKED = ("report", "--format", "xlsx", "--unmasked", "--reason", "积案核查")


def test_unmasked_export_is_not_left_behind_when_the_audit_fails(good_db, tmp_path, capsys):
    out = tmp_path / "exports" / "清单.xlsx"
    out.parent.mkdir()
    with read_only_data_directory():
        assert cli.main([*UNMASKED, "--db", str(good_db), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert one_chinese_sentence(err) and "无法写入" in err, err
    assert list(out.parent.iterdir()) == []          # no file, no partial file
    assert audit_rows(good_db) == 0


def test_unmasked_export_into_a_read_only_folder(good_db, tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "exports"))
    monkeypatch.setattr(cli.tempfile, "mkstemp", refuse)
    assert cli.main([*UNMASKED, "--db", str(good_db), "--out", str(tmp_path / "exports" / "清单.xlsx")]) == 1
    err = capsys.readouterr().err
    assert one_chinese_sentence(err) and "无法写入" in err, err
    assert audit_rows(good_db) == 0


def test_unmasked_export_on_a_full_disk_leaves_nothing(good_db, tmp_path, capsys, monkeypatch):
    import queries.outputs.meeting_files as meeting_files   # where write_report looks the writer up

    def half_written(con, request, path, masked=True):
        Path(path).write_bytes(b"PK half a workbook with \xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(meeting_files, "write_xlsx", half_written)
    out = tmp_path / "exports" / "清单.xlsx"
    out.parent.mkdir()
    assert cli.main([*UNMASKED, "--db", str(good_db), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert one_chinese_sentence(err) and "磁盘空间不足" in err, err
    assert list(out.parent.iterdir()) == []
    assert audit_rows(good_db) == 1                  # audited first: the attempt is on record


def test_unmasked_export_is_audited_before_it_exists(good_db, tmp_path, monkeypatch):
    import queries.outputs.meeting_files as meeting_files   # where write_report looks the writer up
    seen = []
    real = meeting_files.write_xlsx

    def watching(con, request, path, masked=True):
        seen.append(audit_rows(good_db))
        return real(con, request, path, masked)
    monkeypatch.setattr(meeting_files, "write_xlsx", watching)
    out = tmp_path / "清单.xlsx"
    assert cli.main([*UNMASKED, "--db", str(good_db), "--out", str(out)]) == 0
    assert seen == [1] and out.exists() and audit_rows(good_db) == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".清单")] == []
