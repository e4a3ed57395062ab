"""Times the risk register's file transfer in-process: export and import, in its own process.

Run by ``bench/run.py`` with the benchmark's environment (DEBUG off, the bench database in
``DATABASE_URL``), like ``bench/queries.py``, so the harness itself never imports the portal's
settings. Writes its figures as JSON to ``--output``:

- **Exports**: ``export_risks`` of one region's register as the region's CISO sees it
  (``Risk.objects.restrict(user, "view").filter(organisation=…)``, as the export view does),
  as ``.xlsx`` and as ``.csv``: one warm-up, then ``--export-runs`` timed runs each.
- **Import**: a ``--import-rows`` CSV file in the ``RISKS`` layout with its Danish headers,
  generated in memory from the database's threats and the region's assets, imported with
  ``import_risks`` as that user inside a transaction that is rolled back, ``--import-runs``
  times (the time ends when ``import_risks`` returns, every INSERT done; the commit a real
  import adds is not in it).
- **Rejection**: the same file with one bad row (``--bad-row``, a spreadsheet row number,
  inherent likelihood 9), which must raise ``ImportFailed`` naming that row and no other,
  timed as often as the import.
- **Memory**: the process's peak resident set size (``ru_maxrss``) after the exports and at
  the end.

The bench database is left as it was: the imports are rolled back, checked by counting the
region's risks, their asset links and the audit entries before and after, and the tables
the rolled-back INSERTs left dead rows in are vacuumed, so that later measurements on the
same database do not wade through them.
"""

import argparse
import csv
import io
import json
import os
import resource
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

#: The Danish words of the documented import format (risks/importexport/).
SURFACES = ("fysisk", "menneskelig", "digital")
DISCIPLINES = ("Forudse", "Forebygge", "Opdage", "Håndtere", "")
#: (status, treatment, acceptance reason): a plausible mix, acceptances with their reason.
DECISIONS = (
    ("identificeret", "", ""),
    ("vurderet", "", ""),
    ("behandling planlagt", "reducer", ""),
    ("vurderet", "overfør", ""),
    ("accepteret", "accepter", "Restrisikoen er inden for regionens risikovillighed."),
)
#: The likelihood written on the bad row: beyond every matrix (at most 7 × 7).
BAD_LIKELIHOOD = "9"


class RolledBack(Exception):
    """Raised inside the import's outer transaction to undo it."""


class QueryCounter:
    """A ``connection.execute_wrapper`` that counts statements, without keeping their SQL."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def peak_rss_mib() -> float:
    """The process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def risks_csv(
    *,
    columns: list,
    rows: int,
    threats: list[str],
    assets: list[str],
    owner: str | None,
    bad_row: int | None = None,
) -> bytes:
    """A CSV file as Danish Excel writes it (UTF-8 with a byte-order mark, ``;``) with
    ``rows`` valid risks; with ``bad_row`` (the spreadsheet's row number: the header is row
    1) that one row has an inherent likelihood beyond the scale."""
    headers = [column.da for column in columns]
    fields = [column.field for column in columns]
    first_review = date(2027, 1, 4)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for index in range(rows):
        threat = threats[index % len(threats)]
        likelihood = 1 + index % 5
        consequence = 1 + (index // 5) % 5
        status, treatment, reason = DECISIONS[index % len(DECISIONS)]
        linked = [assets[index % len(assets)]] if assets else []
        if assets and index % 3 == 0:
            linked.append(assets[(index * 7 + 3) % len(assets)])
        values = {
            "title": f"Importeret risiko {index + 1}: {threat} mod {linked[0] if linked else '-'}",
            "description": (
                "Genereret af benchmarkens import: en risiko som en region selv ville "
                f"beskrive, nummer {index + 1}."
            ),
            "threat": threat,
            "attack_surface": SURFACES[index % len(SURFACES)],
            "vulnerability": "Manglende segmentering og forældet software." if index % 2 else "",
            "discipline": DISCIPLINES[index % len(DISCIPLINES)],
            "inherent_likelihood": str(likelihood),
            "inherent_consequence": str(consequence),
            "residual_likelihood": str(max(1, likelihood - index % 3)),
            "residual_consequence": str(max(1, consequence - (index // 3) % 2)),
            "owner": owner if owner and index % 4 == 0 else "",
            "status": status,
            "treatment": treatment,
            "acceptance_reason": reason,
            "next_review": (first_review + timedelta(days=index % 365)).isoformat(),
            "assets": " | ".join(dict.fromkeys(linked)),
        }
        if bad_row is not None and index + 2 == bad_row:
            values["inherent_likelihood"] = BAD_LIKELIHOOD
        writer.writerow([values.get(name, "") for name in fields])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def upload_of(content: bytes, name: str = "risici.csv") -> io.BytesIO:
    """``content`` as an uploaded file: ``.name``, ``.size`` and ``.read()``."""
    upload = io.BytesIO(content)
    upload.name = name
    upload.size = len(content)
    return upload


def log(message: str) -> None:
    print(f"    {message}", file=sys.stderr, flush=True)


def timings(seconds: list[float]) -> dict:
    return {
        "runs_seconds": seconds,
        "p50_seconds": statistics.median(seconds),
        "max_seconds": max(seconds),
    }


def measure_exports(args: argparse.Namespace, *, organisation, user) -> list[dict]:
    """``export_risks`` of the region's register as ``user`` sees it, .xlsx then .csv."""
    from django.db import connection

    from portal.access import Action
    from risks.importexport import export_risks
    from risks.models import Risk

    exports = []
    for fmt in ("xlsx", "csv"):
        # As the export view: what the user may see, of the one region.
        queryset = Risk.objects.restrict(user, Action.VIEW).filter(organisation=organisation)
        for _ in range(args.export_warmup):
            export_risks(queryset=queryset, fmt=fmt)
        seconds, counter, content = [], QueryCounter(), b""
        for _ in range(args.export_runs):
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                content, _content_type, _suffix = export_risks(queryset=queryset, fmt=fmt)
                seconds.append(time.perf_counter() - started)
        exports.append(
            {
                "format": fmt,
                "risks": queryset.count(),
                "bytes": len(content),
                "queries": counter.count // args.export_runs,
                "warmup": args.export_warmup,
                **timings(seconds),
            }
        )
        log(
            f"{fmt} export: {exports[-1]['risks']} risks, {len(content)} bytes, "
            f"p50 {exports[-1]['p50_seconds']:.3f} s"
        )
    return exports


def import_files(args: argparse.Namespace, *, organisation, user) -> tuple[bytes, bytes, dict]:
    """The valid file and the one with a bad row, and what went into them."""
    from risks.importexport import RISKS
    from risks.models import Asset, Threat

    threats = list(Threat.objects.order_by("slug").values_list("slug", flat=True))
    names = list(
        Asset.objects.filter(organisation=organisation)
        .order_by("name")
        .values_list("name", flat=True)
    )
    # Names the import resolves to one asset: no list separator, no other of the same
    # name in another case or spacing (the import's look-up is case-insensitive).
    spellings = Counter(fold(name) for name in names)
    assets = [
        name
        for name in names
        if "|" not in name and name == name.strip() and spellings[fold(name)] == 1
    ]
    # The owner column names a member of the region: the importing user, if one.
    owner = args.user if organisation.memberships.filter(user=user).exists() else None
    columns = [column for column in RISKS.columns if not column.export_only]
    common = {
        "columns": columns,
        "rows": args.import_rows,
        "threats": threats,
        "assets": assets,
        "owner": owner,
    }
    valid = risks_csv(**common)
    invalid = risks_csv(**common, bad_row=args.bad_row)
    facts = {
        "rows": args.import_rows,
        "bytes": len(valid),
        "columns": [column.da for column in columns],
        "threats": len(threats),
        "assets_named": len(assets),
        "owner": owner,
    }
    return valid, invalid, facts


def timed_import(content: bytes, *, organisation, user, counter: QueryCounter) -> tuple:
    """One ``import_risks`` of ``content`` in a transaction that is rolled back:
    ``(seconds, risks created or None, ImportFailed or None)``."""
    from django.db import connection, transaction

    from portal.models import Organisation
    from risks.importexport import ImportFailed, import_risks

    fresh = Organisation.objects.get(pk=organisation.pk)  # no cached matrix, as a request
    upload = upload_of(content)
    created = failure = None
    seconds = 0.0
    try:
        with transaction.atomic(), connection.execute_wrapper(counter):
            started = time.perf_counter()
            try:
                created = import_risks(organisation=fresh, user=user, upload=upload)
            except ImportFailed as error:
                failure = error
            seconds = time.perf_counter() - started
            raise RolledBack
    except RolledBack:
        pass
    return seconds, created, failure


def measure_imports(args: argparse.Namespace, *, organisation, user) -> tuple[dict, dict]:
    valid, invalid, facts = import_files(args, organisation=organisation, user=user)

    seconds, created, counter = [], [], QueryCounter()
    for _ in range(args.import_runs):
        took, count, failure = timed_import(
            valid, organisation=organisation, user=user, counter=counter
        )
        if failure is not None:
            raise SystemExit(f"the generated file was refused: {failure}")
        seconds.append(took)
        created.append(count)
        log(f"import: {count} risks in {took:.2f} s (rolled back)")
    imported = {
        **facts,
        "created": created[-1],
        "queries": counter.count // args.import_runs,
        **timings(seconds),
    }

    seconds, counter, failures = [], QueryCounter(), []
    for _ in range(args.import_runs):
        took, count, failure = timed_import(
            invalid, organisation=organisation, user=user, counter=counter
        )
        seconds.append(took)
        failures.append(failure)
    failure = failures[-1]
    rejected = {
        "rows": args.import_rows,
        "bad_row": args.bad_row,
        "rejected": all(failure is not None for failure in failures),
        "names_bad_row": all(
            failure is not None and [error.row for error in failure.errors] == [args.bad_row]
            for failure in failures
        ),
        "errors": [
            {"row": error.row, "column": error.column, "message": error.message}
            for error in (failure.errors[:20] if failure is not None else [])
        ],
        "error_count": len(failure.errors) if failure is not None else 0,
        "queries": counter.count // args.import_runs,
        **timings(seconds),
    }
    verdict = f"names row {args.bad_row}" if rejected["names_bad_row"] else "NOT AS EXPECTED"
    log(f"file with a bad row: rejected in {rejected['p50_seconds']:.2f} s, {verdict}")
    return imported, rejected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--organisation", default="hovedstaden", help="the region's slug")
    parser.add_argument("--user", default="ciso.hovedstaden", help="who exports and imports")
    parser.add_argument("--export-runs", type=int, default=5)
    parser.add_argument("--export-warmup", type=int, default=1)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--import-runs", type=int, default=3, help="each file's imports")
    parser.add_argument("--bad-row", type=int, default=5_000, help="spreadsheet row number")
    args = parser.parse_args()
    if not 2 <= args.bad_row <= args.import_rows + 1:
        parser.error("--bad-row must be a data row: 2 … --import-rows + 1")
    if min(args.export_runs, args.import_runs, args.import_rows) < 1 or args.export_warmup < 0:
        parser.error("the runs and rows must be at least 1, the warm-up at least 0")

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()

    from auditlog.models import LogEntry
    from django.contrib.auth import get_user_model
    from django.db import connection

    from portal.models import Organisation
    from risks.models import Risk

    user = get_user_model().objects.get(username=args.user)
    organisation = Organisation.objects.get(slug=args.organisation)
    links = Risk.assets.through.objects

    def database_state() -> dict:
        return {
            "risks": Risk.objects.filter(organisation=organisation).count(),
            "asset_links": links.filter(risk__organisation=organisation).count(),
            "audit_entries": LogEntry.objects.count(),
        }

    result: dict = {"organisation": args.organisation, "user": args.user}
    before = database_state()
    result["exports"] = measure_exports(args, organisation=organisation, user=user)
    result["rss_after_exports_mib"] = peak_rss_mib()
    result["import"], result["import_rejected"] = measure_imports(
        args, organisation=organisation, user=user
    )
    result["peak_rss_mib"] = peak_rss_mib()

    after = database_state()
    result["database_before"], result["database_after"] = before, after
    result["database_unchanged"] = before == after
    # The rolled-back INSERTs left dead rows; vacuumed so the next measurements on this
    # database (a --reuse run) do not wade through them.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (Risk, Risk.assets.through, LogEntry):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    result["vacuum_seconds"] = time.perf_counter() - started
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
