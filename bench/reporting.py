"""Times report generation: the annual appendix in-process, and a burst of queued runs
completed by real Celery workers.

Run by ``bench/run.py`` with the benchmark's environment (DEBUG off, the bench database in
``DATABASE_URL``), like ``bench/transfer.py``. Writes its figures as JSON to ``--output``:

- **Generation**: the sector edition of the councils' status appendix for last year and one
  region's edition, each generated ``--runs`` times after one warm-up, through the same
  service a worker calls (``reports.services.run_generate``: data, HTML, WeasyPrint, the
  archived file and its sha256). Peak memory is this process's peak resident set size
  (``ru_maxrss``), i.e. what one worker process needs for them.
- **Queue**: ``--queued`` runs (a mix of the three kinds and of regions) requested at once
  through ``reports.services.run_queue`` against Redis (database ``--redis-db``), completed by
  one ``celery worker`` with ``--concurrency`` prefork processes started here; the wall time
  from the requests to the last finished run, how many failed and why, and the workers'
  peak memory (``VmHWM`` of each pool process).

The runs it creates stay in the bench database's archive (as a real sector's would).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
QUEUE_TIMEOUT = 900.0


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vm_hwm_mib(pid: int) -> float | None:
    """A live process's peak resident set size, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(part) for part in text.split()]


def measure_generation(args, *, user, region) -> list[dict]:
    from reports.models import ReportKind, ReportRun
    from reports.services import run_generate

    year = str(date.today().year - 1)
    editions = [("council appendix, sector", None), (f"council appendix, {region.slug}", region)]
    results = []
    for label, organisation in editions:
        timings, pages_sizes = [], []
        for index in range(args.runs + 1):
            run = ReportRun.objects.create(
                kind=ReportKind.COUNCIL_APPENDIX,
                organisation=organisation,
                period=year,
                requested_by=user,
                status=ReportRun.Status.RUNNING,
            )
            started = time.perf_counter()
            run_generate(run)
            elapsed = time.perf_counter() - started
            run.refresh_from_db()
            if run.status != ReportRun.Status.DONE:
                raise SystemExit(f"{label}: the run ended {run.status}: {run.error}")
            if index:  # the first is the warm-up (templates, fonts)
                timings.append(elapsed)
                pages_sizes.append(run.size)
        results.append(
            {
                "label": label,
                "runs": len(timings),
                "p50_seconds": statistics.median(timings),
                "max_seconds": max(timings),
                "size_bytes": pages_sizes[-1],
            }
        )
    return results


def measure_queue(args, *, user, env: dict) -> dict:
    from django.db.models import Count

    from portal.models import Organisation
    from reports.models import ReportKind, ReportRun
    from reports.services import run_queue

    regions = list(Organisation.objects.filter(kind=Organisation.Kind.REGION).order_by("slug"))
    year = str(date.today().year - 1)
    today = date.today()
    quarter = (today.month - 1) // 3
    last_quarter = f"{today.year}-Q{quarter}" if quarter else f"{today.year - 1}-Q4"
    plan = []
    for index in range(args.queued):
        region = regions[index % len(regions)]
        kind = (
            ReportKind.COUNCIL_APPENDIX,
            ReportKind.CISO_QUARTERLY,
            ReportKind.TSI_PORTFOLIO,
            ReportKind.COUNCIL_APPENDIX,
        )[index % 4]
        if kind == ReportKind.TSI_PORTFOLIO:
            plan.append((kind, None, f"{year}-H2"))
        elif kind == ReportKind.CISO_QUARTERLY:
            plan.append((kind, region, last_quarter))
        else:
            plan.append((kind, None if index % 8 == 0 else region, year))

    worker = subprocess.Popen(  # noqa: S603 (our own interpreter and celery)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(args.concurrency),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    hwm: dict[int, float] = {}
    try:
        time.sleep(3)  # let the pool start before the burst
        if worker.poll() is not None:
            raise SystemExit(f"celery worker exited: {worker.stderr.read()[-2000:]}")
        started = time.perf_counter()
        ids = [
            run_queue(
                kind=kind,
                organisation=organisation,
                period=period,
                language="da",
                requested_by=user,
                parameters={"bench": True},
            ).pk
            for kind, organisation, period in plan
        ]
        deadline = time.monotonic() + QUEUE_TIMEOUT
        while time.monotonic() < deadline:
            for pid in children(worker.pid):
                value = vm_hwm_mib(pid)
                if value is not None:
                    hwm[pid] = max(hwm.get(pid, 0.0), value)
            unfinished = ReportRun.objects.filter(pk__in=ids).exclude(
                status__in=[ReportRun.Status.DONE, ReportRun.Status.FAILED]
            )
            if not unfinished.exists():
                break
            time.sleep(0.2)
        wall = time.perf_counter() - started
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    runs = ReportRun.objects.filter(pk__in=ids)
    by_status = dict(runs.values_list("status").annotate(n=Count("pk")).order_by())
    durations = [
        (run.finished_at - run.started_at).total_seconds()
        for run in runs.exclude(started_at=None).exclude(finished_at=None)
    ]
    return {
        "queued": len(ids),
        "concurrency": args.concurrency,
        "wall_seconds": wall,
        "statuses": by_status,
        "failures": list(
            runs.filter(status=ReportRun.Status.FAILED).values_list("error", flat=True)
        ),
        "run_p50_seconds": statistics.median(durations) if durations else None,
        "run_max_seconds": max(durations) if durations else None,
        "worker_peak_rss_mib": max(hwm.values()) if hwm else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--organisation", default="hovedstaden", help="the region's slug")
    parser.add_argument("--user", default="secretariat", help="who requests the runs")
    parser.add_argument("--runs", type=int, default=3, help="timed generations per edition")
    parser.add_argument("--queued", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()

    # The queue part talks to a real broker: this process publishes, the worker consumes.
    worker_env = dict(os.environ, CELERY_BROKER_URL=args.redis_url)
    os.environ["CELERY_BROKER_URL"] = args.redis_url
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()

    from django.contrib.auth import get_user_model

    from portal.celery import app
    from portal.models import Organisation

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=3)
        connection.default_channel.client.flushdb()  # nothing left from an earlier run

    user = get_user_model().objects.get(username=args.user)
    region = Organisation.objects.get(slug=args.organisation)
    result: dict = {"user": args.user}
    result["generation"] = measure_generation(args, user=user, region=region)
    result["generation_peak_rss_mib"] = peak_rss_mib()
    result["queue"] = measure_queue(args, user=user, env=worker_env)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
