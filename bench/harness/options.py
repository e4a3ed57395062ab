"""The command line of ``bench/run.py``."""

import argparse
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from scenarios import SCENARIOS


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
        default=["CISO dashboard"],
        help="comma-separated scenario names the load clients cycle through",
    )
    parser.add_argument("--no-load", action="store_true", help="skip the load run")
    parser.add_argument(
        "--no-reports",
        action="store_true",
        help="skip report generation and the queued burst (bench/reporting.py)",
    )
    parser.add_argument(
        "--no-transfer",
        action="store_true",
        help="skip the in-process export and import measurements (bench/transfer.py)",
    )
    comparison = parser.add_mutually_exclusive_group()
    comparison.add_argument(
        "--compare",
        choices=["rls"],
        default=None,
        help="two servers measured in turn: rls = as the application's role (policies on) "
        "and as --database-url-base's user (policies bypassed)",
    )
    comparison.add_argument(
        "--compare-checkout",
        type=Path,
        default=None,
        metavar="DIR",
        help="two servers measured in turn: this tree and the portal's tree in DIR (same "
        "virtualenv and database), e.g. an older commit from git archive",
    )
    parser.add_argument(
        "--app-role",
        action="store_true",
        help="gunicorn and the query counts connect as the application's role portal_app "
        "(row-level security on; set up by manage.py rls_roles) instead of "
        "--database-url-base's user",
    )
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
    if args.compare_checkout is not None:
        args.compare_checkout = args.compare_checkout.resolve()
        if not (args.compare_checkout / "manage.py").is_file():
            parser.error(f"--compare-checkout: no manage.py in {args.compare_checkout}")
        args.compare = "checkout"
    if args.compare and not (args.no_load and args.no_transfer and args.no_reports):
        parser.error(
            "a comparison measures the sequential latencies only: "
            "add --no-load --no-transfer --no-reports"
        )
    return args
