"""Roles and jurisdictions are enforced in the data layer; sign-in uses salted hashes."""
from __future__ import annotations

import subprocess
import sys
from datetime import date as d
from pathlib import Path

import pytest

from queries import access
from queries.access import NO_MATCH, User, restrict
from queries.metrics.analysis import case_list, filter_options
from queries.metrics.kpi import kpi, rank
from queries.periods import Period, Scope
from test_metrics import build

ROOT = Path(__file__).resolve().parent.parent
CADRE = User("c1", "村干部", "cadre", ("青石镇",), ("上庄村",))
LEADER = User("l1", "镇领导", "leader", ("柳河镇",))


def test_restrict_narrows_and_never_widens():
    assert restrict(Scope(), CADRE) == Scope(townships=("青石镇",), villages=("上庄村",))
    assert restrict(Scope(townships=("柳河镇",)), CADRE).townships == (NO_MATCH,)
    assert restrict(Scope(townships=("柳河镇", "青石镇")), LEADER).townships == ("柳河镇",)
    assert restrict(Scope(categories=("劳动保障类",)), LEADER) == Scope(("柳河镇",), (), ("劳动保障类",))
    county = User("x", "县领导", "leader")
    assert restrict(Scope(villages=("东风村",)), county) == Scope(villages=("东风村",))


def test_restricted_queries_see_only_the_jurisdiction(tmp_path):
    con = build(tmp_path, [
        {"case_id": "A", "registered_on": d(2025, 2, 1), "township": "青石镇", "village": "上庄村"},
        {"case_id": "B", "registered_on": d(2025, 2, 1), "township": "青石镇", "village": "下庄村"},
        {"case_id": "C", "registered_on": d(2025, 2, 1), "township": "柳河镇", "village": "上庄村"},
    ])
    tampered = Scope(townships=("柳河镇",), villages=("下庄村", "上庄村"))  # as if from a forged URL
    scope = restrict(tampered, CADRE)
    assert kpi(con, scope, as_of=d(2025, 3, 1)).figures["cases"].value == 0
    own = restrict(Scope(), CADRE)
    assert kpi(con, own, as_of=d(2025, 3, 1)).figures["cases"].value == 1
    assert [(r["township"], r["village"]) for r in rank(con, own, as_of=d(2025, 3, 1))] == [("青石镇", "上庄村")]
    period = Period("current", d(2025, 1, 1), d(2025, 3, 1), d(2025, 3, 1))
    assert case_list(con, own, period, "period_cases")["case_id"].tolist() == ["A"]
    assert set(filter_options(con, restrict(Scope(), LEADER))["township"]) == {"柳河镇"}


def test_sign_in_with_salted_hashes(tmp_path):
    users = tmp_path / "users.toml"
    access.add_user("wang", access.user_entry("王书记", "leader", "s3cret-pass", ["青石镇"]), users)
    access.add_user("li", access.user_entry("李主任", "cadre", "another-pass", ["青石镇"], ["上庄村"]), users)
    text = users.read_text(encoding="utf-8")
    assert "s3cret-pass" not in text and "$argon2id$" in text
    assert access.sign_in("wang", "s3cret-pass", users) == User("wang", "王书记", "leader", ("青石镇",))
    for name, password in (("wang", "wrong"), ("nobody", "s3cret-pass"), ("li", "")):
        with pytest.raises(access.SignInError):
            access.sign_in(name, password, users)
    with pytest.raises(ValueError):
        access.add_user("wang", access.user_entry("重复", "admin", "whatever-1"), users)
    with pytest.raises(ValueError):
        access.user_entry("无村", "cadre", "whatever-1", ["青石镇"])


def test_cli_adds_user_from_stdin(tmp_path):
    users = tmp_path / "users.toml"
    out = subprocess.run([sys.executable, "-m", "queries", "user", "add", "zhao", "--role", "cadre",
                          "--township", "青石镇", "--village", "上庄村", "--users-file", str(users)],
                         cwd=ROOT, input="long-enough-pw\n", capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert access.sign_in("zhao", "long-enough-pw", users).villages == ("上庄村",)


def test_audit_log_records_unmasking(tmp_path):
    con = build(tmp_path, [{"case_id": "A", "registered_on": d(2025, 2, 1)}])
    admin = User("admin", "管理员", "admin")
    access.record_audit(con, admin, "unmask_view", Scope(townships=("青石镇",)), "核实信访人身份")
    log = access.audit_log(con)
    assert log[["username", "action", "reason"]].values.tolist() == [["admin", "unmask_view", "核实信访人身份"]]
    assert "青石镇" in log.loc[0, "scope"]
    with pytest.raises(ValueError):
        access.record_audit(con, admin, "unmask_view", Scope(), "  ")
