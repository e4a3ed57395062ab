"""The benchmark's comparison of two servers: the verdict, the ratios, the application role's
connection (bench/harness/compare.py, bench/harness/environment.py)."""

import importlib
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def harness():
    """The harness's modules, imported as ``bench/run.py`` imports them (bench/ on the path)."""
    sys.path.insert(0, str(BENCH_DIR))
    try:
        yield (
            importlib.import_module("harness.compare"),
            importlib.import_module("harness.environment"),
            importlib.import_module("harness.measure"),
            importlib.import_module("harness.scale"),
        )
    finally:
        sys.path.remove(str(BENCH_DIR))


def result(measure, name: str, p50_ms: float | None, queries: int = 3):
    measured = measure.ScenarioResult(name, None, "/", "html", queries=queries)
    measured.p50_ms = p50_ms
    return measured


@pytest.mark.parametrize(
    ("name", "relative", "expected"),
    [
        ("CISO dashboard", 1.0, "within 10 %"),
        ("CISO dashboard", 1.10, "within 10 %"),
        ("CISO dashboard", 1.1001, "SLOWER"),
        ("CISO dashboard", 0.5, "within 10 %"),
        ("CISO dashboard", None, "–"),
        ("floor", 1.5, "–"),
    ],
)
def test_verdict(harness, name, relative, expected):
    compare, *_ = harness
    assert compare.verdict(name, relative) == expected


def test_relative_cost_needs_both_ratios(harness):
    compare, *_ = harness
    assert compare.relative_cost(22.0, 20.0) == pytest.approx(1.1)
    assert compare.relative_cost(None, 20.0) is None
    assert compare.relative_cost(22.0, None) is None


def test_rows_compare_each_side_with_its_own_floor(harness):
    compare, _, measure, scale = harness
    a = compare.Side("A", "a", {"DATABASE_URL": "postgres://a@h/db"}, True)
    b = compare.Side("B", "b", {"DATABASE_URL": "postgres://b@h/db"}, False)
    # Side A's floor is twice as slow: its page, 2.4 times slower in milliseconds, costs it
    # 1.2 times as much relative to its floor.
    a.results = [result(measure, "floor", 4.0, 0), result(measure, "risk register", 120.0)]
    b.results = [result(measure, "floor", 2.0, 0), result(measure, "risk register", 50.0)]
    for side in (a, b):
        scale.set_floor_ratios(side.results)
    floor, register = compare.comparison_rows((a, b))
    assert (floor["a_over_b"], floor["verdict"]) == (1.0, "–")
    assert register["ratio_to_floor_a"] == pytest.approx(30.0)
    assert register["ratio_to_floor_b"] == pytest.approx(25.0)
    assert register["a_over_b"] == pytest.approx(1.2)
    assert register["verdict"] == "SLOWER"
    assert (register["queries_a"], register["queries_b"]) == (3, 3)


def test_app_role_env_keeps_the_owner_for_maintenance(harness):
    _, environment, *_ = harness
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bench_scale_1", "DEBUG": "false"}
    app = environment.app_role_env(env | {"PORTAL_DB_APP_PASSWORD": "p/w@x"})
    assert app["DATABASE_URL"] == "postgres://portal_app:p%2Fw%40x@127.0.0.1:5432/bench_scale_1"
    assert app["DATABASE_OWNER_URL"] == env["DATABASE_URL"]
    assert app["PORTAL_DB_APP_ROLE"] == "portal_app"
    assert app["DEBUG"] == "false"
    generated = environment.app_role_env(env)
    assert generated["PORTAL_DB_APP_PASSWORD"]
    assert generated["DATABASE_URL"].startswith("postgres://portal_app:")


def test_results_name_no_password(harness):
    _, environment, *_ = harness
    url = "postgres://portal_app:secret@127.0.0.1:5432/bench_scale_1"
    assert environment.without_password(url) == "postgres://portal_app@127.0.0.1:5432/bench_scale_1"
    assert environment.without_password("postgres://127.0.0.1/db") == "postgres://127.0.0.1/db"
