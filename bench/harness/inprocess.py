"""Measurements in a process of their own with the portal's settings (the harness never
imports them): query counts (``bench/queries.py``), the register's file transfer
(``bench/transfer.py``) and report generation (``bench/reporting.py``)."""

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from scenarios import Scenario

from .common import BASE_DIR, BENCH_DIR, log

QUERIES_TIMEOUT = 600.0
TRANSFER_TIMEOUT = 1800.0
REPORTS_TIMEOUT = 1800.0


def count_queries(
    scenarios: list[Scenario],
    env: dict,
    workdir: Path,
    *,
    source: Path = BASE_DIR,
    output_name: str = "queries.json",
) -> dict:
    """Runs bench/queries.py in its own process with the bench environment, on the portal of
    ``source`` (this tree, or the other checkout of ``--compare-checkout``)."""
    output = workdir / output_name
    output.unlink(missing_ok=True)
    payload = json.dumps([asdict(scenario) for scenario in scenarios])
    command = [sys.executable, str(BENCH_DIR / "queries.py"), "--output", str(output)]
    try:
        completed = subprocess.run(  # noqa: S603 (our own interpreter and script)
            [*command, "--source", str(source)],
            cwd=source,
            env=env,
            input=payload,
            capture_output=True,
            text=True,
            timeout=QUERIES_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        log(f"  query counts: bench/queries.py took longer than {QUERIES_TIMEOUT:.0f} s")
        return {}
    if completed.returncode != 0 or not output.is_file():
        log(f"  query counts failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")
        return {}
    return json.loads(output.read_text())


def measure_transfer(env: dict, workdir: Path) -> dict:
    """Runs bench/transfer.py (exports and a rolled-back import of one region's register) in
    its own process with the bench environment; its figures, or ``{"error": …}``."""
    return run_script("transfer.py", env, workdir, timeout=TRANSFER_TIMEOUT)


def measure_reports(env: dict, workdir: Path) -> dict:
    """Runs bench/reporting.py (the appendix generated in-process, then a burst of queued runs
    done by a Celery worker with two processes on the machine's Redis); its figures, or
    ``{"error": …}``."""
    return run_script("reporting.py", env, workdir, timeout=REPORTS_TIMEOUT)


def run_script(name: str, env: dict, workdir: Path, *, timeout: float) -> dict:
    output = workdir / f"{Path(name).stem}.json"
    output.unlink(missing_ok=True)
    try:
        completed = subprocess.run(  # noqa: S603 (our own interpreter and script)
            [sys.executable, str(BENCH_DIR / name), "--output", str(output)],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        message = f"bench/{name} took longer than {timeout:.0f} s"
        log(f"  {message}")
        return {"error": message}
    if completed.returncode != 0 or not output.is_file():
        log(f"  bench/{name} failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"bench/{name} exit {completed.returncode}: {last}"}
    return json.loads(output.read_text())
