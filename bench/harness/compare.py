"""Two gunicorn servers on one database, measured in turn: what row-level security costs
(``--compare rls``), or what a change of the code costs (``--compare-checkout DIR``).

Both servers run at once; every scenario is measured on both by one client that alternates
between them request by request (A B B A A B …), so that drift and the other load of the
machine fall on both alike. Each side has its own floor, and the verdict compares the sides'
``× floor``: side A is slower when its page costs more than ``TOLERANCE`` more, relative to
its floor, than the same page on side B.
"""

import argparse
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from scenarios import FLOOR, Scenario

from .common import BASE_DIR, log
from .environment import APP_ROLE, without_password
from .inprocess import count_queries
from .machine import busy_warning, cpu_busy, git_commit, load_average
from .measure import ScenarioResult, finish, record, start, timed_out
from .report import progress_line
from .scale import (
    SIGN_IN_ERRORS,
    application_env,
    attach_queries,
    check_wall,
    failed,
    prepare_scale,
    selected_scenarios,
    session_for,
    set_floor_ratios,
    with_objects,
)
from .server import Server

#: Side A may cost this much more than side B (relative to each side's floor).
TOLERANCE = 0.10


def relative_cost(ratio_a: float | None, ratio_b: float | None) -> float | None:
    """Side A's ``× floor`` over side B's: 1.08 means the page costs A 8 % more."""
    if ratio_a is None or not ratio_b:
        return None
    return ratio_a / ratio_b


def verdict(name: str, relative: float | None, tolerance: float = TOLERANCE) -> str:
    """``within 10 %`` or ``SLOWER`` (the floor itself is the unit: no verdict)."""
    if name == FLOOR or relative is None:
        return "–"
    return f"within {tolerance * 100:.0f} %" if relative <= 1 + tolerance else "SLOWER"


@dataclass
class Side:
    """One of the two servers: what it runs, how it connects, what it measured."""

    key: str  # "A" or "B"
    label: str
    env: dict
    policies: bool  # connected as the application's role, held by the policies
    source: Path = BASE_DIR
    wall: dict | None = None
    server: Server | None = None
    queries: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    results: list[ScenarioResult] = field(default_factory=list)

    def describe(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "source": str(self.source),
            "commit": git_commit(self.source),
            "database_url": without_password(self.env["DATABASE_URL"]),
            "policies": self.policies,
            "row_level_security": self.wall,
            "port": self.server.port if self.server else None,
            "scenarios": [asdict(result) for result in self.results],
            "query_sql": {name: value.get("sql") for name, value in self.queries.items()},
        }


def make_sides(args: argparse.Namespace, env: dict) -> tuple[Side, Side]:
    """The two sides of the comparison, and the application's role set up where one needs
    it (``manage.py rls_roles`` with the owner's connection: idempotent)."""
    app_env = application_env(env) if args.compare == "rls" or args.app_role else env
    owner = env["DATABASE_URL"].rpartition("//")[2].partition("@")[0]
    if args.compare == "rls":
        return (
            Side("A", f"policies on: connected as {APP_ROLE}", app_env, True),
            Side("B", f"policies off: connected as {owner} (bypasses them)", env, False),
        )
    side_env = app_env if args.app_role else env
    role = APP_ROLE if args.app_role else owner
    return (
        Side("A", f"{BASE_DIR} as {role}", side_env, args.app_role),
        Side(
            "B",
            f"{args.compare_checkout} as {role}",
            side_env,
            args.app_role,
            source=args.compare_checkout,
        ),
    )


def measure_both(
    sides: tuple[Side, Side], scenario: Scenario, args: argparse.Namespace, password: str
) -> list[ScenarioResult]:
    """The scenario on both servers: each warmed up, then ``--requests`` requests on each,
    alternating A B, B A, … so that neither side always goes first."""
    results = []
    for side in sides:
        try:
            session = session_for(side.sessions, side.server.port, scenario, password, side.env)
            results.append(start(session, scenario, args, workers=side.server.workers))
        except SIGN_IN_ERRORS as error:
            results.append(failed(scenario, error))
    if all(result.state == "measured" for result in results):
        pairs = [
            (result, session_for(side.sessions, side.server.port, scenario, password, side.env))
            for side, result in zip(sides, results, strict=True)
        ]
        deadline = time.monotonic() + args.scenario_timeout
        for index in range(args.requests):
            if timed_out(results[0], deadline, args):
                results[1].note = results[0].note
                break
            for result, session in pairs if index % 2 == 0 else reversed(pairs):
                record(result, session)
    else:
        for result in results:
            if result.state == "measured":
                result.state, result.note = "skipped", "not measured: the other side was not"
    for result in results:
        if result.state == "measured":
            finish(result)
    return results


def comparison_rows(sides: tuple[Side, Side]) -> list[dict]:
    """One row per scenario: both sides' figures, A's cost relative to B's, the verdict."""
    rows = []
    for a, b in zip(sides[0].results, sides[1].results, strict=True):
        relative = relative_cost(a.ratio_to_floor, b.ratio_to_floor)
        rows.append(
            {
                "scenario": a.name,
                "state": a.state if a.state != "measured" else b.state,
                "queries_a": a.queries,
                "queries_b": b.queries,
                "p50_ms_a": a.p50_ms,
                "p50_ms_b": b.p50_ms,
                "p95_ms_a": a.p95_ms,
                "p95_ms_b": b.p95_ms,
                "ratio_to_floor_a": a.ratio_to_floor,
                "ratio_to_floor_b": b.ratio_to_floor,
                "a_over_b": relative,
                "verdict": verdict(a.name, relative),
                "response_bytes_a": a.response_bytes,
                "response_bytes_b": b.response_bytes,
                "errors_a": a.errors,
                "errors_b": b.errors,
                "notes": [note for note in (a.note, b.note) if note],
            }
        )
    return rows


def compare_scale(
    outcome: dict, args: argparse.Namespace, *, secret_key: str, password: str, workdir: Path
) -> None:
    """Benchmarks ``outcome["scale"]`` on two servers at once (see the module), filling
    ``outcome["comparison"]`` as it goes."""
    env = prepare_scale(outcome, args, secret_key=secret_key, password=password, workdir=workdir)
    sides = make_sides(args, env)
    comparison: dict = {"mode": args.compare, "tolerance": TOLERANCE, "sides": [], "rows": []}
    outcome["comparison"] = comparison
    for side in sides:
        side.wall = check_wall(f"side {side.key}", side.env, policies=side.policies)
    selected = with_objects(selected_scenarios(args), env["DATABASE_URL"])
    for side in sides:
        log(f"  side {side.key}: counting queries ({side.label}) …")
        side.queries = count_queries(
            selected, side.env, workdir, source=side.source, output_name=f"queries-{side.key}.json"
        )
        side.server = Server(
            side.env, workdir / f"gunicorn-{outcome['database']}-{side.key}.log", source=side.source
        )
    try:
        for side in sides:
            log(f"  starting gunicorn for side {side.key} …")
            side.server.start()
            log(f"  side {side.key} ({side.label}) answers on {side.server.origin}")
        outcome["cpu_busy_before"] = cpu_busy()
        outcome["loadavg_before"] = load_average()
        busy_warning(outcome["cpu_busy_before"])
        for scenario in selected:
            for side, result in zip(
                sides, measure_both(sides, scenario, args, password), strict=True
            ):
                attach_queries(result, side.queries)
                side.results.append(result)
                log(f"  {side.key} " + progress_line(result))
        outcome["loadavg_after"] = load_average()
    finally:
        for side in sides:
            if side.server is not None:
                side.server.stop()
            for session in side.sessions.values():
                session.close()
            set_floor_ratios(side.results)
        comparison["sides"] = [side.describe() for side in sides]
        comparison["rows"] = comparison_rows(sides)
    for side in sides:
        if any(r.errors or r.state == "failed" for r in side.results):
            log(
                f"  side {side.key} had errors; the end of its gunicorn log:\n{side.server.log_tail()}"
            )
