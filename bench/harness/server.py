"""gunicorn as in production, and the static files it serves with DEBUG off."""

import contextlib
import hashlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .common import BASE_DIR, HOST, STATIC_ROOT, BenchError, log
from .environment import run_manage

SERVER_START_TIMEOUT = 30.0  # seconds until /livez must answer
COLLECTSTATIC_TIMEOUT = 600.0
STOP_TIMEOUT = 15.0  # graceful shutdown of gunicorn before it is killed


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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn as in production: 2 sync workers, 1 thread each, on a free loopback port,
    serving the portal of ``source`` (this tree, or another checkout of it in the same
    virtualenv, for ``--compare-checkout``)."""

    def __init__(
        self,
        env: dict,
        log_path: Path,
        *,
        workers: int = 2,
        threads: int = 1,
        source: Path = BASE_DIR,
    ):
        self.env = env
        self.log_path = log_path
        self.source = source
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
            "--chdir",
            str(self.source),
        ]
        with self.log_path.open("ab") as output:
            # Its own session: a Ctrl-C in the terminal reaches the harness, which stops
            # gunicorn in order (finally → stop()), instead of both racing.
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter)
                command,
                cwd=self.source,
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
