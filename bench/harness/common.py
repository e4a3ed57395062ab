"""What every part of the harness shares: paths, the loopback host, errors, progress."""

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
# collectstatic (hashing + compressing ~47 MB) takes about 30 s: kept between runs under the
# git-ignored var/ and redone only when the static sources change.
STATIC_ROOT = BASE_DIR / "var" / "bench-static"
HOST = "127.0.0.1"


class BenchError(Exception):
    """A failure that stops the benchmark of one scale, with a message for the operator."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
