"""Rights (issue #17 items 7 and 15): a village is always qualified by its township, sign-in does
not reveal which user names exist, and the user file is readable by its owner only."""
from __future__ import annotations

import stat
import subprocess
import sys
from datetime import date as d
from pathlib import Path

import pytest

from queries import access
from queries.access import User, restrict
from queries.metrics.kpi import kpi
from queries.periods import Scope
from test_metrics import build

ROOT = Path(__file__).resolve().parent.parent
AS_OF = d(2025, 3, 1)


def add_user_cli(users: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "queries", "user", "add", *args, "--users-file", str(users)],
                          cwd=ROOT, input="long-enough-pw\n", capture_output=True, text=True, timeout=60)


def test_user_add_refuses_a_village_without_its_township(tmp_path):
    users = tmp_path / "users.toml"
    out = add_user_cli(users, "zhao", "--role", "cadre", "--village", "上庄村")
    assert out.returncode == 1
    assert "zhao" in out.stderr and "--township" in out.stderr and "Traceback" not in out.stderr
    assert not users.exists() or "zhao" not in users.read_text(encoding="utf-8")
    two = add_user_cli(users, "qian", "--role", "cadre", "--township", "青石镇", "--township", "柳河镇",
                       "--village", "上庄村")
    assert two.returncode == 1 and "qian" in two.stderr
    assert add_user_cli(users, "sun", "--role", "cadre", "--township", "青石镇", "--village", "上庄村").returncode == 0


def test_an_unqualified_village_in_an_old_user_file_refuses_sign_in(tmp_path):
    users = tmp_path / "users.toml"
    entry = access.user_entry("赵", "cadre", "long-enough-pw", ["青石镇"], ["上庄村"])
    entry["townships"] = []          # as `user add --village 上庄村` wrote it before
    access.add_user("zhao", entry, users)
    with pytest.raises(ValueError, match="zhao.*--township 青石镇 --village 上庄村"):
        access.sign_in("zhao", "long-enough-pw", users)


def test_a_cadre_does_not_see_the_same_village_name_in_another_township(tmp_path):
    con = build(tmp_path, [{"case_id": "A", "registered_on": d(2025, 2, 1), "township": "青石镇", "village": "上庄村"},
                           {"case_id": "B", "registered_on": d(2025, 2, 1), "township": "柳河镇", "village": "上庄村"}])
    cadre = User("li", "李", "cadre", ("青石镇",), ("上庄村",))
    assert kpi(con, restrict(Scope(), cadre), as_of=AS_OF).figures["cases"].value == 1
    asked_for_the_other = restrict(Scope(townships=("柳河镇",), villages=("上庄村",)), cadre)
    assert kpi(con, asked_for_the_other, as_of=AS_OF).figures["cases"].value == 0
    # a User built by hand with an unqualified village sees nothing rather than both
    unqualified = User("x", "x", "cadre", (), ("上庄村",))
    assert kpi(con, restrict(Scope(), unqualified), as_of=AS_OF).figures["cases"].value == 0
    con.close()


def _verify_calls(monkeypatch) -> list[str]:
    calls, real = [], access._HASHER

    class Counting:
        def verify(self, hash_, password):
            calls.append(hash_)
            return real.verify(hash_, password)

        def __getattr__(self, name):
            return getattr(real, name)
    monkeypatch.setattr(access, "_HASHER", Counting())
    return calls


def test_an_unknown_user_name_costs_a_password_verification_too(tmp_path, monkeypatch):
    """Equal work, counted (not timed): one argon2 verification for a known and an unknown name."""
    users = tmp_path / "users.toml"
    access.add_user("wang", access.user_entry("王", "leader", "s3cret-pass", ["青石镇"]), users)
    calls = _verify_calls(monkeypatch)
    for name in ("wang", "nobody"):
        with pytest.raises(access.SignInError):
            access.sign_in(name, "wrong-pass", users)
    assert len(calls) == 2 and all(h.startswith("$argon2id$") for h in calls)
    # …and the dummy hash costs what a real one costs (same parameters)
    assert calls[1].split("$")[3] == calls[0].split("$")[3]


def test_the_user_file_is_readable_by_its_owner_only(tmp_path):
    users = tmp_path / "users.toml"
    access.add_user("wang", access.user_entry("王", "leader", "s3cret-pass", ["青石镇"]), users)
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    users.chmod(0o644)   # an existing file created world-readable is tightened by the next add
    access.add_user("li", access.user_entry("李", "leader", "s3cret-pass", ["柳河镇"]), users)
    assert stat.S_IMODE(users.stat().st_mode) == 0o600


def test_user_add_names_the_user_in_its_error(tmp_path):
    out = add_user_cli(tmp_path / "users.toml", "zhou", "--role", "cadre")
    assert out.returncode == 1 and "zhou" in out.stderr and "new" not in out.stderr


def test_the_sign_in_screen_names_the_fix_for_an_unqualified_village(monkeypatch, tmp_path):
    from test_pages import _demo
    from test_roles import configure, signed_in
    users = tmp_path / "users.toml"
    entry = access.user_entry("赵", "cadre", "long-enough-pw", ["青石镇"], ["上庄村"])
    entry["townships"] = []
    access.add_user("zhao", entry, users)
    configure(monkeypatch, tmp_path, _demo(tmp_path / "demo.duckdb"), "local", users)
    at = signed_in("zhao", "long-enough-pw")
    assert not at.exception
    assert any("zhao" in e.value and "--township" in e.value for e in at.error)
    assert not at.metric                               # nothing of the county is shown
