"""One scale, from its database to its results."""

import argparse
import http.client
import textwrap
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from scenarios import FLOOR, SCENARIOS, Scenario

from .client import Session, open_session
from .common import BenchError, log
from .database import database_name, database_wall, pick_id, prepare_database
from .environment import APP_ROLE, app_role_env, portal_env, run_manage
from .inprocess import count_queries, measure_reports, measure_transfer
from .machine import busy_warning, cpu_busy, load_average
from .measure import ScenarioResult, load_run, measure
from .report import load_line, progress_line, reports_line, transfer_line
from .server import Server

ROLES_TIMEOUT = 120.0
#: What opening a session can raise: the harness's own refusal, or the connection's.
SIGN_IN_ERRORS = (BenchError, OSError, http.client.HTTPException)


def selected_scenarios(args: argparse.Namespace) -> list[Scenario]:
    """The scenarios of ``--scenarios``, the floor always among them."""
    return [
        scenario
        for scenario in SCENARIOS
        if scenario.name == FLOOR or args.scenarios is None or scenario.name in args.scenarios
    ]


def with_objects(
    scenarios: list[Scenario],
    database_url: str,
    *,
    lookup: Callable[[str, str], int | None] = pick_id,
) -> list[Scenario]:
    """``scenarios`` with the object of each page of one object looked up on the seeded
    database (``Scenario.pick``); a scenario whose object is not there is left out, with a
    note."""
    resolved = []
    for scenario in scenarios:
        if scenario.pick is None:
            resolved.append(scenario)
            continue
        object_id = lookup(database_url, scenario.pick)
        if object_id is None:
            log(f"  {scenario.name!r} left out: its object is not in the database")
            continue
        resolved.append(scenario.picked(object_id))
    return resolved


def prepare_scale(
    outcome: dict, args: argparse.Namespace, *, secret_key: str, password: str, workdir: Path
) -> dict:
    """The database of ``outcome["scale"]`` ready (created, migrated, seeded or reused) and
    the environment of everything started on it, connected as ``--database-url-base``'s
    user."""
    scale = outcome["scale"]
    name = database_name(scale)
    env = portal_env(
        database_url=f"{args.database_url_base}/{name}",
        secret_key=secret_key,
        password=password,
        media_root=workdir / "media",
    )
    outcome.update(database=name, reused=False, seed_seconds=None)
    log(f"\n== scale {scale}: database {name}")
    prepare_database(outcome, args, env)
    return env


def application_env(env: dict) -> dict:
    """``env`` connected as the application's role (row-level security on), the role and its
    grants set up first by ``manage.py rls_roles`` with the owner's connection (idempotent)."""
    log(f"  manage.py rls_roles: the application's role {APP_ROLE} and its grants …")
    app_env = app_role_env(env)
    run_manage(["rls_roles"], app_env, timeout=ROLES_TIMEOUT, show_output=False)
    return app_env


def check_wall(label: str, env: dict, *, policies: bool) -> dict:
    """How ``env``'s connection stands to row-level security (``database_wall``); refuses
    to go on unless as expected: held by the policies (no row without a context) when
    ``policies``, else bypassing them (rows without a context)."""
    wall = database_wall(env["DATABASE_URL"])
    log(
        f"  {label} connects as {wall['role']}: superuser {wall['superuser']}, BYPASSRLS "
        f"{wall['bypassrls']}; {wall['table']} owned by {wall['table_owner']}, RLS enabled "
        f"{wall['rls_enabled']}, forced {wall['rls_forced']}; "
        f"{wall['rows_without_context']} rows without a context"
    )
    if policies and not wall["enforced"]:
        raise BenchError(
            f"{label} connects as {wall['role']}, which row-level security does not hold: "
            "refusing to report its cost"
        )
    if not policies and wall["rows_without_context"] == 0:
        raise BenchError(
            f"{label} connects as {wall['role']} and reads no row of {wall['table']}: the "
            "policies are not bypassed, or the database is empty"
        )
    return wall


def session_for(sessions: dict, port: int, scenario: Scenario, password: str, env: dict) -> Session:
    """The scenario's user signed in on ``port``, once per user and kind (kept in
    ``sessions``)."""
    key = (scenario.user, scenario.kind)
    if key not in sessions:
        sessions[key] = open_session(port, scenario, password, env)
    return sessions[key]


def failed(scenario: Scenario, error: Exception) -> ScenarioResult:
    """The result of a scenario whose user could not sign in."""
    result = ScenarioResult(scenario.name, scenario.user, scenario.path, scenario.kind)
    result.state = "failed"
    result.note = str(error) if isinstance(error, BenchError) else f"signing in failed: {error!r}"
    return result


def attach_queries(result: ScenarioResult, queries: dict) -> None:
    """The query count of ``result``'s scenario from bench/queries.py's answer, or a note."""
    counted = queries.get(result.name, {})
    result.queries = counted.get("queries")
    if counted.get("error"):
        extra = f"query count failed: {counted['error']}"
        result.note = f"{result.note}; {extra}" if result.note else extra


def set_floor_ratios(results: list[ScenarioResult]) -> None:
    """Each p50 as a multiple of the floor's p50 (``× floor``)."""
    floor = next((r for r in results if r.name == FLOOR and r.p50_ms), None)
    for result in results:
        if floor is not None and result.p50_ms is not None:
            result.ratio_to_floor = result.p50_ms / floor.p50_ms


def bench_scale(
    outcome: dict, args: argparse.Namespace, *, secret_key: str, password: str, workdir: Path
) -> None:
    """Benchmarks ``outcome["scale"]``, filling ``outcome`` as it goes (partial results
    survive a failure or Ctrl-C): the database, the query counts, the sequential latencies
    and the load run against gunicorn, then the in-process file transfer."""
    env = prepare_scale(outcome, args, secret_key=secret_key, password=password, workdir=workdir)
    scale, name = outcome["scale"], outcome["database"]
    # With --app-role gunicorn and the query counts connect as the application's role; the
    # in-process transfer and reports keep the owner's connection (they act for no request).
    served_env = env
    if args.app_role:
        served_env = application_env(env)
        outcome["row_level_security"] = check_wall("gunicorn", served_env, policies=True)

    selected = with_objects(selected_scenarios(args), env["DATABASE_URL"])
    log("  counting queries (Django test client, separate process) …")
    queries = count_queries(selected, served_env, workdir)
    outcome["query_sql"] = {name: value.get("sql") for name, value in queries.items()}

    results: list[ScenarioResult] = []
    outcome["load"] = None
    server = Server(served_env, workdir / f"gunicorn-{name}.log")
    log("  starting gunicorn …")
    try:
        server.start()
        log(f"  gunicorn answers on {server.origin}")
        outcome["cpu_busy_before"] = cpu_busy()
        outcome["loadavg_before"] = load_average()
        busy_warning(outcome["cpu_busy_before"])
        sessions: dict[tuple, Session] = {}
        for scenario in selected:
            try:
                session = session_for(sessions, server.port, scenario, password, served_env)
                result = measure(session, scenario, args, workers=server.workers)
            except SIGN_IN_ERRORS as error:
                result = failed(scenario, error)
            attach_queries(result, queries)
            results.append(result)
            log("  " + progress_line(result))
        for session in sessions.values():
            session.close()

        if not args.no_load:
            by_name = {result.name: result for result in results}
            load_scenarios = []
            for scenario_name in args.load_scenarios:
                measured = by_name.get(scenario_name)
                if measured is not None and measured.state == "measured":
                    load_scenarios.append(next(s for s in selected if s.name == scenario_name))
                else:
                    log(f"  load: {scenario_name!r} left out (not measured above)")
            if load_scenarios:
                outcome["load"] = load_run(server.port, load_scenarios, args, password, served_env)
                log("  " + load_line(scale, outcome["load"]))
    finally:
        server.stop()
        set_floor_ratios(results)
        outcome["scenarios"] = [asdict(result) for result in results]
    if any(r.errors or r.state == "failed" for r in results) or (
        outcome.get("load") and outcome["load"]["errors"]
    ):
        log(f"  there were errors; the end of gunicorn's log:\n{server.log_tail()}")
        if "Missing staticfiles manifest entry" in server.log_tail(400):
            log("  (a static file is missing from the manifest: rerun with --collectstatic)")

    if not args.no_transfer:
        # After gunicorn has stopped: the machine is otherwise idle, and the rolled-back
        # imports cannot touch the HTTP figures.
        log("  file transfer: exports and a rolled-back import (bench/transfer.py) …")
        busy = cpu_busy()
        busy_warning(busy)
        outcome["transfer"] = measure_transfer(env, workdir) | {"cpu_busy_before": busy}
        log(textwrap.indent(transfer_line(scale, outcome["transfer"]), "  "))

    if not args.no_reports:
        log("  reports: the appendix in-process, then 20 queued runs, 2 worker processes …")
        busy = cpu_busy()
        busy_warning(busy)
        outcome["reports"] = measure_reports(env, workdir) | {"cpu_busy_before": busy}
        log(textwrap.indent(reports_line(scale, outcome["reports"]), "  "))
