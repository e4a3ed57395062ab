"""The portal's benchmark: sector-scale data on PostgreSQL, served by gunicorn as in production.

For each scale: a database ``bench_scale_<scale>`` seeded with ``seed_demo --scale S``, the
query count of each scenario (Django's test client, in a subprocess), then gunicorn (2 sync
workers) on loopback measured by a sequential client — latency percentiles per scenario and
their ratio to the bare-view floor — and a bounded concurrent load run. Prints a Markdown table
on stdout (progress goes to stderr) and writes ``bench/results/<UTC timestamp>.json`` and
``bench/results/latest.json``. See bench/README.md.

    .venv/bin/python bench/run.py --scales 1,10 --requests 200 --load-seconds 30
"""

import argparse
import contextlib
import hashlib
import http.client
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
from psycopg2 import sql
from scenarios import FLOOR, SCENARIOS, Scenario

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
# collectstatic (hashing + compressing ~47 MB) takes about 30 s: kept between runs under the
# git-ignored var/ and redone only when the static sources change.
STATIC_ROOT = BASE_DIR / "var" / "bench-static"
HOST = "127.0.0.1"

SERVER_START_TIMEOUT = 30.0  # seconds until /livez must answer
REQUEST_TIMEOUT = 60.0  # per request (gunicorn kills a worker after 30 s anyway)
MIGRATE_TIMEOUT = 900.0
COLLECTSTATIC_TIMEOUT = 600.0
QUERIES_TIMEOUT = 600.0
STOP_TIMEOUT = 15.0  # graceful shutdown of gunicorn before it is killed
MAX_LOAD_REQUESTS_PER_CLIENT = 1_000_000  # a count bound besides the time bound

#: Portal settings the harness sets itself or wants at their defaults, whatever the caller's
#: environment (the Makefile exports DEBUG=true, a developer may have a broker configured …).
PORTAL_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "DJANGO_SETTINGS_MODULE",
)


class BenchError(Exception):
    """A failure that stops the benchmark of one scale, with a message for the operator."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- options -----------------------------------------------------------------------------


def parse_scales(value: str) -> list[str]:
    scales = [item.strip() for item in value.split(",") if item.strip()]
    if not scales:
        raise argparse.ArgumentTypeError("give at least one scale, e.g. 1 or 1,10")
    for scale in scales:
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", scale):
            raise argparse.ArgumentTypeError(
                f"a scale is a decimal number like 0.05, not {scale!r}"
            )
        try:
            number = Decimal(scale)
        except InvalidOperation:
            raise argparse.ArgumentTypeError(f"not a number: {scale!r}") from None
        if not 0 < number <= 100:
            raise argparse.ArgumentTypeError(f"a scale is above 0 and at most 100, not {scale}")
    return list(dict.fromkeys(scales))


def parse_names(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return number


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the portal at sector scale (see bench/README.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--scales", type=parse_scales, default=["1"], help="comma-separated seed_demo scales"
    )
    parser.add_argument(
        "--database-url-base",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server; each scale gets its own database bench_scale_<scale>",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a bench database that was already seeded instead of rebuilding it",
    )
    parser.add_argument(
        "--scenarios",
        type=parse_names,
        default=None,
        help="comma-separated scenario names to measure (default: all; the floor always)",
    )
    parser.add_argument(
        "--requests", type=positive_int, default=200, help="measured requests per scenario"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=5,
        help="warm-up rounds per scenario, each one request per gunicorn worker at once",
    )
    parser.add_argument(
        "--scenario-timeout",
        type=float,
        default=300.0,
        help="seconds after which a scenario's measured requests stop early",
    )
    parser.add_argument(
        "--seed-timeout", type=float, default=3600.0, help="seconds allowed for seed_demo"
    )
    parser.add_argument("--load-seconds", type=float, default=30.0, help="length of the load run")
    parser.add_argument(
        "--load-clients", type=positive_int, default=16, help="concurrent clients in the load run"
    )
    parser.add_argument(
        "--load-scenarios",
        type=parse_names,
        default=["home", "API assets 100/page"],
        help="comma-separated scenario names the load clients cycle through",
    )
    parser.add_argument("--no-load", action="store_true", help="skip the load run")
    parser.add_argument(
        "--collectstatic",
        action="store_true",
        help="redo collectstatic even if the static sources look unchanged",
    )
    args = parser.parse_args(argv)
    known = {scenario.name for scenario in SCENARIOS}
    for name in (args.scenarios or []) + ([] if args.no_load else args.load_scenarios):
        if name not in known:
            parser.error(f"unknown scenario {name!r}; known: {', '.join(sorted(known))}")
    if args.warmup < 0 or args.load_seconds <= 0 or args.scenario_timeout <= 0:
        parser.error("--warmup must be ≥ 0, --load-seconds and --scenario-timeout above 0")
    args.database_url_base = args.database_url_base.rstrip("/")
    return args


# --- environment, database, static files ---------------------------------------------------


def database_name(scale: str) -> str:
    return "bench_scale_" + scale.replace(".", "_")


def portal_env(*, database_url: str, secret_key: str, password: str, media_root: Path) -> dict:
    """Production-like settings on loopback: DEBUG off, plain http, the bench database."""
    env = {name: value for name, value in os.environ.items() if name not in PORTAL_VARIABLES}
    env.update(
        DEBUG="false",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(STATIC_ROOT),
        MEDIA_ROOT=str(media_root),
        DEMO_PASSWORD=password,
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_manage(args: list[str], env: dict, *, timeout: float, show_output: bool) -> float:
    """Runs ``manage.py`` and returns its duration; output to stderr, or shown on failure."""
    command = [sys.executable, "manage.py", *args]
    started = time.perf_counter()
    try:
        completed = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            command,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr if show_output else subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            text=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"manage.py {' '.join(args)} took longer than {timeout:.0f} s") from None
    if completed.returncode != 0:
        output = "" if show_output else "\n" + (completed.stdout or "")[-4000:]
        raise BenchError(f"manage.py {' '.join(args)} failed (exit {completed.returncode}){output}")
    return time.perf_counter() - started


def admin_connection(base: str):
    connection = psycopg2.connect(f"{base}/postgres", connect_timeout=10)
    connection.autocommit = True
    return connection


SEEDED_COMMENT_PREFIX = "portal bench: seeded"


def database_is_seeded(base: str, name: str) -> bool:
    """True if the database exists, a seed by this harness completed, and it holds users."""
    with contextlib.closing(admin_connection(base)) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        )
        row = cursor.fetchone()
    if row is None or not (row[0] or "").startswith(SEEDED_COMMENT_PREFIX):
        return False
    connection = psycopg2.connect(f"{base}/{name}", connect_timeout=10)
    with contextlib.closing(connection), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.auth_user') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT EXISTS (SELECT 1 FROM auth_user)")
        return bool(cursor.fetchone()[0])


def recreate_database(base: str, name: str) -> None:
    with contextlib.closing(admin_connection(base)) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def mark_seeded(base: str, name: str, scale: str) -> None:
    comment = f"{SEEDED_COMMENT_PREFIX} scale={scale} at {datetime.now(UTC).isoformat()}"
    with contextlib.closing(admin_connection(base)) as connection, connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(comment)
            )
        )


def server_version(base: str) -> str | None:
    try:
        with (
            contextlib.closing(admin_connection(base)) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    except psycopg2.Error:
        return None


def static_fingerprint() -> str:
    """Changes when a static source file or the installed packages change."""
    digest = hashlib.sha256()
    roots = [BASE_DIR / "static", *sorted(BASE_DIR.glob("*/static"))]
    for root in roots:
        if not root.is_dir() or root.resolve() == STATIC_ROOT.resolve():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(BASE_DIR)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode()
                )
    for entry in sorted(sys.path):
        with contextlib.suppress(OSError):
            if entry.endswith("site-packages"):
                digest.update(f"{entry}|{os.stat(entry).st_mtime_ns}\n".encode())
    return digest.hexdigest()


def ensure_static(env: dict, *, force: bool) -> float | None:
    """collectstatic for the manifest storage DEBUG=false uses; None when already current."""
    marker = STATIC_ROOT / ".bench-fingerprint"
    fingerprint = static_fingerprint()
    if not force and marker.is_file() and marker.read_text().strip() == fingerprint:
        return None
    log(f"Collecting static files into {STATIC_ROOT} (about 30 s, only when they change) …")
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    seconds = run_manage(
        ["collectstatic", "--no-input", "--clear", "-v0"],
        env,
        timeout=COLLECTSTATIC_TIMEOUT,
        show_output=False,
    )
    marker.write_text(fingerprint + "\n")
    return seconds


# --- the server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn as in production: 2 sync workers, 1 thread each, on a free loopback port."""

    def __init__(self, env: dict, log_path: Path, *, workers: int = 2, threads: int = 1):
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]
        with self.log_path.open("ab") as output:
            # Its own session: a Ctrl-C in the terminal reaches the harness, which stops
            # gunicorn in order (finally → stop()), instead of both racing.
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter)
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        last_error = "no answer"
        for _attempt in range(int(SERVER_START_TIMEOUT / 0.2) + 10):
            if self.process.poll() is not None:
                raise BenchError(
                    f"gunicorn exited with {self.process.returncode} while starting:\n"
                    + self.log_tail()
                )
            if time.monotonic() > deadline:
                break
            connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                connection.request("GET", "/livez")
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as error:
                last_error = repr(error)
            finally:
                connection.close()
            time.sleep(0.2)
        raise BenchError(
            f"gunicorn did not answer /livez within {SERVER_START_TIMEOUT:.0f} s "
            f"({last_error}):\n" + self.log_tail()
        )

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()  # SIGTERM: gunicorn's graceful shutdown
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            # The process group is gunicorn's master and its workers (start_new_session).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no gunicorn log)"
        return "\n".join(text.splitlines()[-lines:])


# --- the client -------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float
    location: str | None


class Session:
    """One browser-like client: its own connection and cookies.

    With DEBUG off the session and CSRF cookies are ``Secure``; http.cookiejar would refuse
    to send them over plain http on loopback, so cookies are kept here, by name.
    """

    def __init__(self, port: int, *, accept: str = "text/html"):
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        self.cookies: dict[str, str] = {}
        self.headers = {"Accept": accept, "User-Agent": "portal-bench/1"}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        all_headers = dict(self.headers)
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=all_headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next request reconnects
            raise
        seconds = time.perf_counter() - started
        if response.will_close:
            self.connection.close()  # gunicorn's sync workers close after each response
        for header in response.msg.get_all("Set-Cookie") or []:
            self._store_cookie(header)
        return Response(response.status, data, seconds, response.getheader("Location"))

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def _store_cookie(self, header: str) -> None:
        cookie = SimpleCookie()
        try:
            cookie.load(header)
        except CookieError:
            return
        for name, morsel in cookie.items():
            if morsel["max-age"] in ("0", 0) or morsel.value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def clone(self) -> "Session":
        """The same signed-in user on a connection of its own (for concurrent requests)."""
        twin = Session(self.port)
        twin.cookies = dict(self.cookies)
        twin.headers = dict(self.headers)
        return twin

    def close(self) -> None:
        self.connection.close()


_CSRF_INPUT = re.compile(rb"<input[^>]*name=[\"']csrfmiddlewaretoken[\"'][^>]*>", re.I)
_VALUE = re.compile(rb"value=[\"']([^\"']+)[\"']", re.I)


def login_html(port: int, username: str, password: str) -> Session:
    """Logs in through the login form like a browser; the session cookie is kept."""
    session = Session(port)
    origin = f"http://{HOST}:{port}"
    page = session.get("/login/")
    if page.status != 200:
        raise BenchError(f"GET /login/ answered {page.status}")
    field_match = _CSRF_INPUT.search(page.body)
    value_match = _VALUE.search(field_match.group(0)) if field_match else None
    if value_match is None or "csrftoken" not in session.cookies:
        raise BenchError("the login page carries no CSRF token or csrftoken cookie")
    form = urlencode(
        {
            "csrfmiddlewaretoken": value_match.group(1).decode(),
            "username": username,
            "password": password,
            "next": "",
        }
    ).encode()
    answer = session.request(
        "POST",
        "/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"{origin}/login/",
            "Origin": origin,
        },
    )
    if answer.status != 302 or "sessionid" not in session.cookies:
        raise BenchError(f"logging in as {username} failed (HTTP {answer.status})")
    return session


def login_api(port: int, username: str, password: str) -> Session:
    """Token authentication: POST /api/v1/auth/token/ → ``Authorization: Token …``."""
    session = Session(port, accept="application/json")
    answer = session.request(
        "POST",
        "/api/v1/auth/token/",
        body=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        token = json.loads(answer.body)["token"]
    except (ValueError, KeyError, TypeError):
        raise BenchError(f"no API token for {username} (HTTP {answer.status})") from None
    session.headers["Authorization"] = f"Token {token}"
    session.cookies.clear()
    return session


def open_session(port: int, scenario: Scenario, password: str) -> Session:
    if scenario.user is None:
        return Session(port, accept="application/json" if scenario.kind == "api" else "text/html")
    if scenario.kind == "api":
        return login_api(port, scenario.user, password)
    return login_html(port, scenario.user, password)


# --- measuring --------------------------------------------------------------------------


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


def measure(
    session: Session, scenario: Scenario, args: argparse.Namespace, *, workers: int
) -> ScenarioResult:
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
    statuses: dict[str, int] = {}
    deadline = time.monotonic() + args.scenario_timeout
    for _ in range(args.requests):
        if time.monotonic() > deadline:
            result.note = (
                f"stopped after {result.requests} requests: --scenario-timeout "
                f"{args.scenario_timeout:.0f} s"
            )
            break
        result.requests += 1
        try:
            response = session.get(scenario.path)
        except (OSError, http.client.HTTPException) as error:
            result.errors += 1
            key = type(error).__name__
            statuses[key] = statuses.get(key, 0) + 1
            continue
        statuses[str(response.status)] = statuses.get(str(response.status), 0) + 1
        if response.status != 200:
            result.errors += 1
        result.latencies_ms.append(response.seconds * 1000)
    result.statuses = statuses
    for key, value in summary(result.latencies_ms).items():
        setattr(result, key, value)
    return result


def count_queries(scenarios: list[Scenario], env: dict, workdir: Path) -> dict:
    """Runs bench/queries.py in its own process with the bench environment."""
    output = workdir / "queries.json"
    payload = json.dumps([asdict(scenario) for scenario in scenarios])
    try:
        completed = subprocess.run(  # noqa: S603 (our own interpreter and script)
            [sys.executable, str(BENCH_DIR / "queries.py"), "--output", str(output)],
            cwd=BASE_DIR,
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


def load_run(port: int, scenarios: list[Scenario], args: argparse.Namespace, password: str) -> dict:
    """``--load-clients`` threads, each with its own sessions, cycling through the scenarios."""
    log(f"  load: logging in {args.load_clients} clients …")
    login_started = time.perf_counter()
    clients: list[dict[str, Session]] = []
    for _ in range(args.load_clients):
        clients.append({s.name: open_session(port, s, password) for s in scenarios})
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


# --- one scale --------------------------------------------------------------------------


def bench_scale(
    outcome: dict, args: argparse.Namespace, *, secret_key: str, password: str, workdir: Path
) -> None:
    """Benchmarks ``outcome["scale"]``, filling ``outcome`` as it goes (partial results
    survive a failure or Ctrl-C)."""
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

    try:
        seeded = database_is_seeded(args.database_url_base, name)
    except psycopg2.Error as error:
        raise BenchError(f"PostgreSQL at {args.database_url_base}: {error}".strip()) from None
    if args.reuse and seeded:
        log("  --reuse: the database is seeded, kept (migrations applied if new)")
        outcome["reused"] = True
        outcome["migrate_seconds"] = run_manage(
            ["migrate", "--no-input"], env, timeout=MIGRATE_TIMEOUT, show_output=False
        )
    else:
        log("  creating the database …")
        recreate_database(args.database_url_base, name)
        outcome["migrate_seconds"] = run_manage(
            ["migrate", "--no-input"], env, timeout=MIGRATE_TIMEOUT, show_output=False
        )
        log(f"  migrated in {outcome['migrate_seconds']:.1f} s; seed_demo --scale {scale} …")
        outcome["seed_seconds"] = run_manage(
            ["seed_demo", "--scale", scale, "--force"],
            env,
            timeout=args.seed_timeout,
            show_output=True,
        )
        mark_seeded(args.database_url_base, name, scale)
        log(f"  seeded in {outcome['seed_seconds']:.1f} s")

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
                    sessions[key] = open_session(server.port, scenario, password)
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
                outcome["load"] = load_run(server.port, load_scenarios, args, password)
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


def load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def _cpu_times() -> tuple[int, int] | None:
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields[:8]), idle


def cpu_busy(seconds: float = 1.0) -> float | None:
    """The machine's CPU use over ``seconds`` while the harness and gunicorn sit idle: what
    other processes (a test suite, a build) take away from the measurement, 0 … 1."""
    before = _cpu_times()
    time.sleep(seconds)
    after = _cpu_times()
    if before is None or after is None or after[0] <= before[0]:
        return None
    total, idle = after[0] - before[0], after[1] - before[1]
    return max(0.0, min(1.0, 1 - idle / total))


BUSY_THRESHOLD = 0.15


def busy_warning(busy: float | None) -> None:
    if busy is not None and busy > BUSY_THRESHOLD:
        log(
            f"  note: other processes use {busy:.0%} of the CPUs before measuring; "
            "they will show up in the figures"
        )


# --- output -----------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def progress_line(result: ScenarioResult) -> str:
    if result.state != "measured":
        return f"{result.name}: {result.state} — {result.note}"
    errors = f", {result.errors} errors {result.statuses}" if result.errors else ""
    return (
        f"{result.name}: {result.requests} requests, p50 {fmt(result.p50_ms)} ms, "
        f"p95 {fmt(result.p95_ms)} ms, {result.queries} queries{errors}"
    )


def load_line(scale: str, load: dict) -> str:
    return (
        f"Load, scale {scale}: {load['clients']} clients × {load['seconds']:g} s on "
        f"{', '.join(load['scenarios'])}: {load['requests']} requests, "
        f"{fmt(load['requests_per_second'])} req/s, {load['errors']} errors, "
        f"p50 {fmt(load['p50_ms'])} ms, p95 {fmt(load['p95_ms'])} ms"
    )


def markdown(report: dict) -> str:
    lines = [
        "| scale | scenario | queries | p50 ms | p95 ms | max ms | × floor |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    notes = []
    for outcome in report["scales"]:
        scale = outcome["scale"]
        for result in outcome.get("scenarios", []):
            queries = "–" if result["queries"] is None else str(result["queries"])
            label = result["name"]
            if result["errors"]:
                label += f" ({result['errors']}/{result['requests']} not 200)"
            if result["state"] != "measured":
                lines.append(f"| {scale} | {label} | {queries} | {result['state']} | | | |")
            else:
                lines.append(
                    f"| {scale} | {label} | {queries} | {fmt(result['p50_ms'])} | "
                    f"{fmt(result['p95_ms'])} | {fmt(result['max_ms'])} | "
                    f"{fmt(result['ratio_to_floor'])} |"
                )
            if result["note"]:
                notes.append(f"- scale {scale}, {result['name']}: {result['note']}")
            if result["errors"]:
                notes.append(
                    f"- scale {scale}, {result['name']}: {result['errors']} of "
                    f"{result['requests']} requests not 200 ({result['statuses']})"
                )
        if outcome.get("error"):
            notes.append(f"- scale {scale}: FAILED — {outcome['error']}")
    out = ["\n".join(lines)]
    if notes:
        out.append("\n".join(notes))
    extra = []
    for outcome in report["scales"]:
        if outcome.get("seed_seconds") is not None:
            extra.append(f"Seeding, scale {outcome['scale']}: {outcome['seed_seconds']:.1f} s")
        elif outcome.get("reused"):
            extra.append(f"Seeding, scale {outcome['scale']}: database reused (--reuse)")
        if outcome.get("load"):
            extra.append(load_line(outcome["scale"], outcome["load"]))
    if extra:
        out.append("\n".join(extra))
    if report.get("interrupted"):
        out.append("Interrupted (Ctrl-C or SIGTERM): the results so far.")
    machine = report["machine"]
    out.append(
        f"{report['date']}, commit {report['git_commit'] or '?'}, {machine['platform']}, "
        f"{machine['cpu_count']} CPUs, {fmt(machine['memory_gib'])} GiB, "
        f"PostgreSQL {machine['postgresql'] or '?'}; gunicorn 2 sync workers on loopback, "
        f"{report['options']['requests']} sequential requests per scenario."
    )
    busy = [
        f"scale {outcome['scale']} {phase}: {value:.0%}"
        for outcome in report["scales"]
        for phase, value in [
            ("sequential", outcome.get("cpu_busy_before")),
            ("load", (outcome.get("load") or {}).get("cpu_busy_before")),
        ]
        if value is not None and value > BUSY_THRESHOLD
    ]
    if busy:
        out.append(
            "Caution: other processes used the CPUs just before measuring ("
            + ", ".join(busy)
            + "); they show up in these figures."
        )
    return "\n\n".join(out)


def machine_info(base: str) -> dict:
    memory_kib = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "memory_kib": memory_kib,
        "memory_gib": memory_kib / 1024 / 1024 if memory_kib else None,
        "postgresql": server_version(base),
    }


def git_commit() -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        completed = subprocess.run(  # noqa: S603 (fixed arguments)
            [git, "rev-parse", "--short", "HEAD"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout.strip() or None


def write_results(report: dict, stamp: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{stamp}.json"
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text)
    (RESULTS_DIR / "latest.json").write_text(text)
    return path


# --- main -------------------------------------------------------------------------------


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
        "options": dict(vars(args)),
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
                try:
                    bench_scale(
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
