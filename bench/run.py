"""The portal's benchmark: sector-scale data on PostgreSQL, served by gunicorn as in production.

For each scale: a database ``bench_scale_<scale>`` seeded with ``seed_demo --scale S``, the
query count of each scenario (Django's test client, in a subprocess), then gunicorn (2 sync
workers) on loopback measured by a sequential client — latency percentiles per scenario and
their ratio to the bare-view floor — and a bounded concurrent load run, and finally the risk
register's export and import timed in-process (``bench/transfer.py``). With ``--compare rls``
or ``--compare-checkout DIR``, two servers on the same database are measured in turn instead
(``harness/compare.py``). Prints a Markdown table on stdout (progress goes to stderr) and
writes ``bench/results/<UTC timestamp>.json`` and ``bench/results/latest.json``. See bench/README.md; the work is done by the modules of
``bench/harness/``.

    .venv/bin/python bench/run.py --scales 1,10 --requests 200 --load-seconds 30
"""

import os
import secrets
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
from harness.common import BASE_DIR, BenchError, log
from harness.compare import compare_scale
from harness.environment import portal_env
from harness.machine import git_commit, load_average, machine_info
from harness.options import parse_args
from harness.report import markdown, write_results
from harness.scale import bench_scale
from harness.server import ensure_static


def _terminate(signum: int, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)  # stop gunicorn on `kill` too, via finally
    started = time.perf_counter()
    now = datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    password = os.environ.get("DEMO_PASSWORD", "demo-cyberportal")
    secret_key = secrets.token_urlsafe(45)  # 60 characters
    report: dict = {
        "date": now.isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": machine_info(args.database_url_base) | {"loadavg_start": load_average()},
        "options": {
            key: str(value) if isinstance(value, Path) else value
            for key, value in vars(args).items()
        },
        "server": {"command": "gunicorn portal.wsgi:application", "workers": 2, "threads": 1},
        "scales": [],
    }
    failed = False
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "media").mkdir()
        try:
            static_env = portal_env(
                database_url=f"{args.database_url_base}/postgres",
                secret_key=secret_key,
                password=password,
                media_root=workdir / "media",
            )
            report["collectstatic_seconds"] = ensure_static(static_env, force=args.collectstatic)
            for scale in args.scales:
                outcome: dict = {"scale": scale}
                report["scales"].append(outcome)
                run_scale = compare_scale if args.compare else bench_scale
                try:
                    run_scale(
                        outcome, args, secret_key=secret_key, password=password, workdir=workdir
                    )
                except (BenchError, psycopg2.Error) as error:
                    failed = True
                    log(f"  scale {scale} FAILED: {error}")
                    outcome["error"] = str(error)
        except BenchError as error:
            failed = True
            log(f"FAILED: {error}")
        except KeyboardInterrupt:
            interrupted = True
            log("\nInterrupted: gunicorn stopped; the results so far follow.")
    report["total_seconds"] = time.perf_counter() - started
    report["interrupted"] = interrupted
    if report["scales"]:
        path = write_results(report, stamp)
        print(markdown(report), flush=True)
        log(
            f"\nResults: {path.relative_to(BASE_DIR)} (and bench/results/latest.json); "
            f"{report['total_seconds']:.0f} s in all."
        )
    if interrupted:
        return 130
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
