"""Fault check: PostgreSQL restarted under load.

Serves the portal with gunicorn as in production on a small demo database of its own, keeps
writers (each editing its own risk through the API with ``If-Match``) and readers (the CISO
dashboard, the API risk list) busy, stops PostgreSQL for a few seconds in the middle and starts
it again, then checks that

- no request hung: every one was answered within ``--request-timeout``;
- while the database was away the answers were 503 with ``Retry-After`` (never a bare 500);
- the portal recovered by itself: after PostgreSQL is back every request succeeds again;
- no edit was lost and none half-written: each risk holds its writer's last acknowledged
  edit (title and description written together), and its version moved by exactly the
  acknowledged edits, plus at most the edits whose answer was lost with the connection.

The PostgreSQL server is one the check creates for itself with Debian's cluster tools
(``pg_createcluster``, port ``--port``, dropped at the end), so stopping it disturbs nothing
else; it needs root and the PostgreSQL server package. ``make check-faults`` runs it, and
``make test`` does when ``DATABASE_URL`` is PostgreSQL. Exit status 0 when every check passes.
"""

import argparse
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness.client import Session, login_api, login_html
from harness.common import BenchError, log
from harness.database import admin_connection, recreate_database
from harness.environment import portal_env, run_manage
from harness.server import Server, ensure_static

DATABASE = "portal_fault_check"
PASSWORD = "fault-check-password"  # noqa: S105 (a throw-away demo database)


@dataclass
class Outcome:
    """What one client saw: (start, seconds, status or None for no answer, detail)."""

    samples: list[tuple[float, float, int | None, str]] = field(default_factory=list)
    acknowledged: str | None = None  # the writer's last edit answered 200
    ok: int = 0
    unanswered: int = 0  # edits whose fate the client cannot know (no or a 5xx answer)


#: The check's own PostgreSQL cluster (Debian's cluster tools), so that stopping it disturbs
#: nothing else on the machine.
CLUSTER = "portalfaults"


def pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: int(v.split(".")[0]))
    if not versions:
        raise BenchError("no PostgreSQL under /etc/postgresql")
    return versions[-1]


def run(command: list[str]) -> None:
    completed = subprocess.run(  # noqa: S603 (the machine's cluster tools)
        command, capture_output=True, text=True, timeout=120, check=False
    )
    if completed.returncode != 0:
        raise BenchError(f"{' '.join(command)} failed: {completed.stderr.strip()[-500:]}")


def pg_ctl(action: str) -> None:
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), CLUSTER, action]
    run([*command, "-m", "fast"] if action == "stop" else command)


def cluster_create(port: int) -> None:
    cluster_drop()
    run(
        [
            "pg_createcluster",
            pg_version(),
            CLUSTER,
            "--port",
            str(port),
            "--start",
            "--",
            "--auth=trust",
        ]
    )


def cluster_drop() -> None:
    with contextlib.suppress(BenchError):
        run(["pg_dropcluster", "--stop", pg_version(), CLUSTER])


def wait_for_postgres(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(psycopg2.OperationalError):
            admin_connection(base).close()
            return
        time.sleep(0.2)
    raise BenchError("PostgreSQL did not come back")


def writer(port: int, token_session: Session, risk_id: int, index: int, stop, out: Outcome):
    session = token_session.clone()
    session.headers["Content-Type"] = "application/json"
    sequence = 0
    while not stop.is_set():
        started = time.monotonic()
        try:
            current = session.get(f"/api/v1/risks/{risk_id}/")
            if current.status != 200:
                out.samples.append((started, time.monotonic() - started, current.status, "GET"))
                time.sleep(0.1)
                continue
            etag = current.headers.get("ETag")
            sequence += 1
            marker = f"w{index}-{sequence}"
            answer = session.request(
                "PATCH",
                f"/api/v1/risks/{risk_id}/",
                body=json.dumps(
                    {"title": f"Fejltest {marker}", "description": f"Skrevet af {marker}"}
                ).encode(),
                headers={"If-Match": etag} if etag else {},
            )
            out.samples.append((started, time.monotonic() - started, answer.status, "PATCH"))
            if answer.status == 200:
                out.acknowledged, out.ok = marker, out.ok + 1
            elif answer.status >= 500:
                out.unanswered += 1
        except OSError as error:
            out.samples.append((started, time.monotonic() - started, None, repr(error)))
            out.unanswered += 1
            time.sleep(0.1)


def reader(session: Session, paths: list[str], stop, out: Outcome) -> None:
    position = 0
    while not stop.is_set():
        path = paths[position % len(paths)]
        position += 1
        started = time.monotonic()
        try:
            answer = session.get(path)
            detail = path
            if answer.status == 503 and "Retry-After" not in answer.headers:
                detail = f"{path}: 503 without Retry-After"
            out.samples.append((started, time.monotonic() - started, answer.status, detail))
        except OSError as error:
            out.samples.append((started, time.monotonic() - started, None, repr(error)))
            time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5439, help="the check's own cluster's port")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--before", type=float, default=3.0, help="seconds of load before")
    parser.add_argument("--outage", type=float, default=4.0, help="seconds PostgreSQL is down")
    parser.add_argument("--after", type=float, default=6.0, help="seconds of load after")
    parser.add_argument("--recovery", type=float, default=3.0, help="seconds allowed to recover")
    parser.add_argument("--request-timeout", type=float, default=15.0)
    args = parser.parse_args()

    base = f"postgres://postgres@127.0.0.1:{args.port}"
    failures: list[str] = []
    log(f"Fault check: a PostgreSQL cluster of its own on port {args.port} …")
    cluster_create(args.port)
    try:
        wait_for_postgres(base)
        failures = check(args, base)
    finally:
        cluster_drop()
    for failure in failures:
        log(f"FAILED: {failure}")
    log("Fault check passed." if not failures else f"Fault check: {len(failures)} failure(s).")
    return 1 if failures else 0


def check(args: argparse.Namespace, base: str) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="portal-faults-") as tmp:
        workdir = Path(tmp)
        env = portal_env(
            database_url=f"{base}/{DATABASE}",
            secret_key=secrets.token_urlsafe(45),
            password=PASSWORD,
            media_root=workdir / "media",
        )
        log("  seeding a small demo sector …")
        recreate_database(base, DATABASE)
        run_manage(["migrate", "--no-input", "-v0"], env, timeout=600, show_output=False)
        run_manage(["seed_demo", "--scale", "0.02", "--force"], env, timeout=600, show_output=False)
        ensure_static(env, force=False)
        server = Server(env, workdir / "gunicorn.log")
        server.start()
        try:
            return exercise(server, args, base)
        finally:
            server.stop()


def exercise(server: Server, args: argparse.Namespace, base: str) -> list[str]:
    port = server.port
    api = login_api(port, "ciso.hovedstaden", server.env)
    listing = json.loads(api.get("/api/v1/risks/?organisation=hovedstaden&page_size=50").body)
    risks = [row for row in listing["results"] if row["organisation"] == "hovedstaden"]
    risks = risks[: args.writers]
    if len(risks) < args.writers:
        raise BenchError("the demo region has too few risks")
    versions_before = {}
    for row in risks:
        answer = api.get(f"/api/v1/risks/{row['id']}/")
        versions_before[row["id"]] = int(answer.headers["ETag"].strip('"'))
    html = login_html(port, "ciso.hovedstaden", PASSWORD)

    stop = threading.Event()
    writers = [Outcome() for _ in risks]
    readers = [Outcome() for _ in range(args.readers)]
    threads = [
        threading.Thread(target=writer, args=(port, api, row["id"], i, stop, writers[i]))
        for i, row in enumerate(risks)
    ]
    threads += [
        threading.Thread(
            target=reader,
            args=(
                (html if i % 2 == 0 else api).clone(),
                ["/"] if i % 2 == 0 else ["/api/v1/risks/?page_size=20"],
                stop,
                readers[i],
            ),
        )
        for i in range(args.readers)
    ]
    for thread in threads:
        thread.daemon = True
        thread.start()
    time.sleep(args.before)
    log(f"  stopping PostgreSQL for {args.outage:g} s …")
    down_at = time.monotonic()
    pg_ctl("stop")
    time.sleep(args.outage)
    pg_ctl("start")
    wait_for_postgres(base)
    up_at = time.monotonic()
    log(f"  PostgreSQL is back after {up_at - down_at:.1f} s; load goes on …")
    time.sleep(args.after)
    stop.set()
    for thread in threads:
        thread.join(timeout=args.request_timeout + 5)

    failures = []
    samples = [s for outcome in writers + readers for s in outcome.samples]
    slowest = max((seconds for _, seconds, _, _ in samples), default=0.0)
    if slowest > args.request_timeout:
        failures.append(f"a request took {slowest:.1f} s (limit {args.request_timeout:g} s)")
    bare = [
        s
        for s in samples
        if s[2] is not None and s[2] >= 500 and (s[2] != 503 or "without" in s[3])
    ]
    if bare:
        failures.append(f"{len(bare)} answers were 5xx other than 503: {bare[:3]}")
    unanswered = [s for s in samples if s[2] is None]
    if unanswered:
        failures.append(f"{len(unanswered)} requests got no answer: {unanswered[:3]}")
    recovered_from = up_at + args.recovery
    late = [s for s in samples if s[0] >= recovered_from and s[2] != 200]
    if late:
        failures.append(f"{len(late)} requests failed after recovery: {late[:3]}")
    after = [s for s in samples if s[0] >= recovered_from]
    if not after:
        failures.append("no request was made after recovery")
    during = [s for s in samples if down_at <= s[0] < up_at]
    unavailable = sum(1 for s in during if s[2] == 503)
    log(
        f"  {len(samples)} requests: {unavailable} answered 503 during the outage, "
        f"{len(after)} after recovery, slowest {slowest:.2f} s"
    )

    with (
        contextlib.closing(psycopg2.connect(f"{base}/{DATABASE}")) as connection,
        connection.cursor() as cursor,
    ):
        for outcome, row in zip(writers, risks, strict=True):
            cursor.execute(
                "SELECT title, description, version FROM risks_risk WHERE id = %s", [row["id"]]
            )
            title, description, version = cursor.fetchone()
            marker = title.removeprefix("Fejltest ")
            if title.startswith("Fejltest ") and description != f"Skrevet af {marker}":
                failures.append(f"risk {row['id']} is half-written: {title!r} / {description!r}")
            # An edit whose answer was lost may have landed after the last acknowledged one.
            if outcome.acknowledged and marker != outcome.acknowledged and not outcome.unanswered:
                failures.append(
                    f"risk {row['id']} lost an edit: holds {marker}, "
                    f"the last acknowledged was {outcome.acknowledged}"
                )
            before = versions_before[row["id"]]
            if not (before + outcome.ok <= version <= before + outcome.ok + outcome.unanswered):
                failures.append(
                    f"risk {row['id']} version {version}: expected {before} + {outcome.ok} "
                    f"acknowledged (+ at most {outcome.unanswered} unanswered)"
                )
        log("  edits acknowledged per writer: " + ", ".join(str(outcome.ok) for outcome in writers))
    return failures


if __name__ == "__main__":
    sys.exit(main())
