"""The machine the benchmark runs on: how busy its CPUs are, what it is, which commit."""

import contextlib
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

from .common import BASE_DIR, log
from .database import server_version


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


def git_commit(tree: Path = BASE_DIR) -> str | None:
    """The commit ``tree`` is at, with ``-dirty`` when it has uncommitted changes; None
    outside a repository (a tree from ``git archive``)."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        completed = subprocess.run(  # noqa: S603 (fixed arguments)
            [git, "describe", "--always", "--dirty"],
            cwd=tree,
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
