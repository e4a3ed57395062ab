"""One scale, from its database to its results."""

import argparse
import http.client
import textwrap
from dataclasses import asdict
from pathlib import Path

from scenarios import FLOOR, SCENARIOS

from .client import Session, open_session
from .common import BenchError, log
from .database import database_name, prepare_database
from .environment import portal_env
from .inprocess import count_queries, measure_reports, measure_transfer
from .machine import busy_warning, cpu_busy, load_average
from .measure import ScenarioResult, load_run, measure
from .report import load_line, progress_line, reports_line, transfer_line
from .server import Server


def bench_scale(
    outcome: dict, args: argparse.Namespace, *, secret_key: str, password: str, workdir: Path
) -> None:
    """Benchmarks ``outcome["scale"]``, filling ``outcome`` as it goes (partial results
    survive a failure or Ctrl-C): the database, the query counts, the sequential latencies
    and the load run against gunicorn, then the in-process file transfer."""
    scale = outcome["scale"]
    name = database_name(scale)
    database_url = f"{args.database_url_base}/{name}"
    env = portal_env(
        database_url=database_url,
        secret_key=secret_key,
        password=password,
        media_root=workdir / "media",
    )
    outcome.update(database=name, reused=False, seed_seconds=None)
    log(f"\n== scale {scale}: database {name}")

    prepare_database(outcome, args, env)

    selected = [
        scenario
        for scenario in SCENARIOS
        if scenario.name == FLOOR or args.scenarios is None or scenario.name in args.scenarios
    ]
    log("  counting queries (Django test client, separate process) …")
    queries = count_queries(selected, env, workdir)
    outcome["query_sql"] = {name: value.get("sql") for name, value in queries.items()}

    results: list[ScenarioResult] = []
    outcome["load"] = None
    server = Server(env, workdir / f"gunicorn-{name}.log")
    log("  starting gunicorn …")
    try:
        server.start()
        log(f"  gunicorn answers on {server.origin}")
        outcome["cpu_busy_before"] = cpu_busy()
        outcome["loadavg_before"] = load_average()
        busy_warning(outcome["cpu_busy_before"])
        sessions: dict[tuple, Session] = {}
        for scenario in selected:
            key = (scenario.user, scenario.kind)
            try:
                if key not in sessions:
                    sessions[key] = open_session(server.port, scenario, password, env)
                result = measure(sessions[key], scenario, args, workers=server.workers)
            except BenchError as error:
                result = ScenarioResult(scenario.name, scenario.user, scenario.path, scenario.kind)
                result.state, result.note = "failed", str(error)
            except (OSError, http.client.HTTPException) as error:
                result = ScenarioResult(scenario.name, scenario.user, scenario.path, scenario.kind)
                result.state, result.note = "failed", f"signing in failed: {error!r}"
            counted = queries.get(scenario.name, {})
            result.queries = counted.get("queries")
            if counted.get("error"):
                extra = f"query count failed: {counted['error']}"
                result.note = f"{result.note}; {extra}" if result.note else extra
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
                    load_scenarios.append(next(s for s in SCENARIOS if s.name == scenario_name))
                else:
                    log(f"  load: {scenario_name!r} left out (not measured above)")
            if load_scenarios:
                outcome["load"] = load_run(server.port, load_scenarios, args, password, env)
                log("  " + load_line(scale, outcome["load"]))
    finally:
        server.stop()
        floor = next((r for r in results if r.name == FLOOR and r.p50_ms), None)
        for result in results:
            if floor is not None and result.p50_ms is not None:
                result.ratio_to_floor = result.p50_ms / floor.p50_ms
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
