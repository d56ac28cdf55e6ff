"""The shipped defaults (queries/defaults.toml) are the spec's (METRICS.md).

The pandas oracle (benchmarks/pandas_baseline.py) carries the spec's settings as its own
constants, written from METRICS.md; the cross-check compares the SQL layer with it on the
defaults. Here the defaults file itself is held to those constants, so a wrong default (366
days, 市 left out of 越级, a 0.05 deduction) fails a test instead of moving both sides at once.
"""
from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import pandas_baseline as spec  # noqa: E402
from queries.config import DEFAULTS_PATH  # noqa: E402

DEFAULTS = tomllib.loads(DEFAULTS_PATH.read_text(encoding="utf-8"))


def test_the_oracle_reads_no_product_code():
    """The oracle imports nothing from queries/ (no configuration, no SQL, no helper)."""
    tree = ast.parse((ROOT / "benchmarks" / "pandas_baseline.py").read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name.split(".")[0] == "queries"}


def test_the_oracle_constants_are_metrics_md():
    """The numbers METRICS.md states, copied by hand once more (a typo in the oracle fails here)."""
    assert (spec.REPEAT_WINDOW_DAYS, spec.COLLECTIVE_MIN, spec.ACCEPTANCE_DAYS) == (365, 5, 15)
    assert (spec.DUE_AFTER_ACCEPTANCE, spec.DUE_AFTER_REGISTRATION) == (60, 75)
    assert set(spec.SKIP_LEVELS) == {"市", "省", "京"} and set(spec.SATISFIED) == {"满意", "基本满意"}
    assert (spec.GREEN, spec.YELLOW) == (95, 85)
    assert spec.DEDUCTIONS == {"visit_jing": 2, "visit_sheng": 1, "visit_shi": 0.5, "repeat": 0.5,
                               "collective_county_up": 1, "overdue": 0.5}


@pytest.mark.parametrize("key, want", [
    ("repeat_window_days", spec.REPEAT_WINDOW_DAYS),
    ("collective_min", spec.COLLECTIVE_MIN),
    ("acceptance_days", spec.ACCEPTANCE_DAYS),
    ("default_due_after_acceptance_days", spec.DUE_AFTER_ACCEPTANCE),
    ("default_due_after_registration_days", spec.DUE_AFTER_REGISTRATION),
])
def test_metric_day_counts_are_the_spec(key, want):
    assert DEFAULTS["metrics"][key] == want


def test_skip_levels_and_satisfied_are_the_spec():
    assert sorted(DEFAULTS["metrics"]["skip_levels"]) == sorted(spec.SKIP_LEVELS)
    assert sorted(DEFAULTS["metrics"]["satisfied"]) == sorted(spec.SATISFIED)


def test_targets_are_the_spec():
    """Every METRICS.md target, with the same value (incident targets are the product's own)."""
    targets = DEFAULTS["targets"]
    assert {k: targets.get(k) for k in spec.TARGETS} == spec.TARGETS


def test_ranking_deductions_and_grades_are_the_spec():
    ranking = DEFAULTS["ranking"]
    assert ranking["deductions"] == spec.DEDUCTIONS
    assert (ranking["green"], ranking["yellow"]) == (spec.GREEN, spec.YELLOW)


def test_the_product_loads_these_defaults(monkeypatch, tmp_path):
    """Without an office file, the configuration in force is the defaults file."""
    from queries.config import load_config
    monkeypatch.delenv("XINFANG_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no xinfang.toml here
    assert load_config()["metrics"] == DEFAULTS["metrics"]
    assert load_config()["ranking"] == DEFAULTS["ranking"]
