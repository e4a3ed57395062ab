"""Latency and load: the sequential measurement of a scenario, the concurrent load run, and
their percentiles."""

import argparse
import contextlib
import http.client
import math
import statistics
import threading
import time
from dataclasses import dataclass, field

from scenarios import Scenario

from .client import REQUEST_TIMEOUT, Session, open_session
from .common import log
from .machine import busy_warning, cpu_busy

MAX_LOAD_REQUESTS_PER_CLIENT = 1_000_000  # a count bound besides the time bound


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summary(latencies_ms: list[float]) -> dict:
    return {
        "p50_ms": statistics.median(latencies_ms) if latencies_ms else None,
        "p95_ms": percentile(latencies_ms, 0.95),
        "max_ms": max(latencies_ms) if latencies_ms else None,
        "mean_ms": statistics.fmean(latencies_ms) if latencies_ms else None,
    }


@dataclass
class ScenarioResult:
    name: str
    user: str | None
    path: str
    kind: str
    state: str = "measured"  # measured | skipped | failed
    note: str | None = None
    queries: int | None = None
    requests: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    p50_ms: float | None = None
    p95_ms: float | None = None
    max_ms: float | None = None
    mean_ms: float | None = None
    ratio_to_floor: float | None = None
    response_bytes: int | None = None
    latencies_ms: list = field(default_factory=list)


def warm_up(session: Session, path: str, *, rounds: int, parallel: int) -> None:
    """``rounds`` times ``parallel`` simultaneous requests, so that every gunicorn worker has
    served the scenario (its code paths, templates and database connection are warm) before
    measuring: sequential requests tend to land on the same worker, leaving the other cold
    until it shows up as a spurious maximum."""
    twins = [session.clone() for _ in range(parallel)]
    barrier = threading.Barrier(parallel, timeout=REQUEST_TIMEOUT)

    def one(twin: Session) -> None:
        with contextlib.suppress(OSError, http.client.HTTPException, threading.BrokenBarrierError):
            barrier.wait()
            twin.get(path)

    for _ in range(rounds):
        threads = [threading.Thread(target=one, args=(twin,), daemon=True) for twin in twins]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
        barrier.reset()
    for twin in twins:
        twin.close()


def start(
    session: Session, scenario: Scenario, args: argparse.Namespace, *, workers: int
) -> ScenarioResult:
    """The first request (a 404 skips the scenario) and the warm-up; the result to record the
    measured requests in, its ``state`` not ``"measured"`` when there is nothing to measure."""
    result = ScenarioResult(scenario.name, scenario.user, scenario.path, scenario.kind)
    try:
        first = session.get(scenario.path)
    except (OSError, http.client.HTTPException) as error:
        result.state, result.note = "failed", f"first request failed: {error!r}"
        return result
    if first.status == 404:
        result.state, result.note = "skipped", f"{scenario.path} answers 404 (not built yet?)"
        return result
    result.response_bytes = len(first.body)
    warm_up(session, scenario.path, rounds=args.warmup, parallel=workers)
    return result


def record(result: ScenarioResult, session: Session) -> None:
    """One measured request of ``result``'s scenario: its latency, its status."""
    result.requests += 1
    try:
        response = session.get(result.path)
    except (OSError, http.client.HTTPException) as error:
        result.errors += 1
        key = type(error).__name__
        result.statuses[key] = result.statuses.get(key, 0) + 1
        return
    status = str(response.status)
    result.statuses[status] = result.statuses.get(status, 0) + 1
    if response.status != 200:
        result.errors += 1
    result.latencies_ms.append(response.seconds * 1000)


def timed_out(result: ScenarioResult, deadline: float, args: argparse.Namespace) -> bool:
    """True, with a note on ``result``, once ``--scenario-timeout`` has passed."""
    if time.monotonic() <= deadline:
        return False
    result.note = (
        f"stopped after {result.requests} requests: --scenario-timeout "
        f"{args.scenario_timeout:.0f} s"
    )
    return True


def finish(result: ScenarioResult) -> ScenarioResult:
    """The percentiles of the recorded latencies."""
    for key, value in summary(result.latencies_ms).items():
        setattr(result, key, value)
    return result


def measure(
    session: Session, scenario: Scenario, args: argparse.Namespace, *, workers: int
) -> ScenarioResult:
    """``--requests`` sequential requests of ``scenario`` after the warm-up."""
    result = start(session, scenario, args, workers=workers)
    if result.state != "measured":
        return result
    deadline = time.monotonic() + args.scenario_timeout
    for _ in range(args.requests):
        if timed_out(result, deadline, args):
            break
        record(result, session)
    return finish(result)


def load_run(
    port: int, scenarios: list[Scenario], args: argparse.Namespace, password: str, env: dict
) -> dict:
    """``--load-clients`` threads, each with its own sessions, cycling through the scenarios."""
    log(f"  load: logging in {args.load_clients} clients …")
    login_started = time.perf_counter()
    clients: list[dict[str, Session]] = []
    for _ in range(args.load_clients):
        clients.append({s.name: open_session(port, s, password, env) for s in scenarios})
    login_seconds = time.perf_counter() - login_started
    busy_before = cpu_busy()
    busy_warning(busy_before)
    samples: list[list[tuple[str, float | None, bool]]] = [[] for _ in clients]
    stop = threading.Event()
    started = time.perf_counter()
    deadline = started + args.load_seconds

    def client(index: int) -> None:
        sessions, record = clients[index], samples[index]
        position = index % len(scenarios)  # clients start on different scenarios
        for _ in range(MAX_LOAD_REQUESTS_PER_CLIENT):
            if stop.is_set() or time.perf_counter() >= deadline:
                return
            scenario = scenarios[position]
            position = (position + 1) % len(scenarios)
            try:
                response = sessions[scenario.name].get(scenario.path)
            except (OSError, http.client.HTTPException):
                record.append((scenario.name, None, False))
                continue
            record.append((scenario.name, response.seconds * 1000, response.status == 200))

    log(f"  load: {args.load_clients} clients for {args.load_seconds:g} s …")
    threads = [
        threading.Thread(target=client, args=(index,), daemon=True, name=f"load-{index}")
        for index in range(len(clients))
    ]
    for thread in threads:
        thread.start()
    join_deadline = deadline + REQUEST_TIMEOUT + 5
    try:
        while any(thread.is_alive() for thread in threads) and time.perf_counter() < join_deadline:
            for thread in threads:
                thread.join(timeout=0.2)
    finally:
        stop.set()
    elapsed = time.perf_counter() - started
    for sessions in clients:
        for session in sessions.values():
            session.close()

    all_samples = [sample for record in samples for sample in record]
    latencies = [latency for _, latency, _ in all_samples if latency is not None]
    errors = sum(1 for _, _, ok in all_samples if not ok)
    per_scenario = {}
    for scenario in scenarios:
        mine = [s for s in all_samples if s[0] == scenario.name]
        mine_latencies = [latency for _, latency, _ in mine if latency is not None]
        per_scenario[scenario.name] = {
            "requests": len(mine),
            "errors": sum(1 for _, _, ok in mine if not ok),
            **summary(mine_latencies),
        }
    return {
        "clients": args.load_clients,
        "seconds": args.load_seconds,
        "elapsed_seconds": elapsed,
        "scenarios": [scenario.name for scenario in scenarios],
        "requests": len(all_samples),
        "requests_per_second": len(all_samples) / elapsed if elapsed > 0 else None,
        "errors": errors,
        "stragglers": sum(1 for thread in threads if thread.is_alive()),
        "login_seconds": login_seconds,
        "cpu_busy_before": busy_before,
        **summary(latencies),
        "per_scenario": per_scenario,
    }
