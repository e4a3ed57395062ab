"""The results: progress lines, the Markdown table on stdout, the JSON files."""

import json
from pathlib import Path

from .common import RESULTS_DIR
from .machine import BUSY_THRESHOLD
from .measure import ScenarioResult

#: The targets of the issue for the file transfer (seconds): a region's register (2,000
#: risks at scale 1) exported, and 10,000 risks imported.
EXPORT_TARGET_SECONDS = 0.5
IMPORT_TARGET_SECONDS = 10.0
#: The annual appendix: generated in under 5 s, a worker's peak memory under 500 MB.
APPENDIX_TARGET_SECONDS = 5.0
WORKER_MEMORY_TARGET_MIB = 500.0


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


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def size(count: int) -> str:
    return f"{count / 1024:,.0f} KiB" if count < 1024 * 1024 else f"{count / 1024**2:,.1f} MiB"


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "–"
    return f"target ≤ {target:g} s {'met' if value <= target else 'MISSED'}"


def transfer_rows(scale: str, transfer: dict) -> list[str]:
    """Table rows for bench/transfer.py's figures, in seconds (the ms columns say p50 and
    max; a note under the table gives the unit)."""
    rows = []

    def row(label: str, figures: dict) -> None:
        rows.append(
            f"| {scale} | {label} | {figures.get('queries', '–')} | "
            f"{seconds(figures.get('p50_seconds'))} | – | {seconds(figures.get('max_seconds'))} | – |"
        )

    for export in transfer.get("exports", []):
        row(
            f"{export['format'].upper()} export ({export['risks']:,} risks, "
            f"{size(export['bytes'])})",
            export,
        )
    imported = transfer.get("import")
    if imported:
        row(f"CSV import ({imported['rows']:,} risks, rolled back)", imported)
    rejected = transfer.get("import_rejected")
    if rejected:
        label = f"CSV import refused (bad row {rejected['bad_row']:,})"
        if not rejected["names_bad_row"]:
            label += " NOT AS EXPECTED"
        row(label, rejected)
    return rows


def reports_rows(scale: str, reports: dict) -> list[str]:
    """Table rows for bench/reporting.py's figures, in seconds like the transfer rows."""
    rows = [
        f"| {scale} | PDF: {item['label']} ({size(item['size_bytes'])}) | – | "
        f"{seconds(item['p50_seconds'])} | – | {seconds(item['max_seconds'])} | – |"
        for item in reports.get("generation", [])
    ]
    queue = reports.get("queue")
    if queue:
        rows.append(
            f"| {scale} | PDF: {queue['queued']} runs queued at once, "
            f"{queue['concurrency']} workers (wall time) | – | {seconds(queue['wall_seconds'])}"
            f" | – | – | – |"
        )
    return rows


def reports_line(scale: str, reports: dict) -> str:
    if reports.get("error"):
        return f"Reports, scale {scale}: FAILED — {reports['error']}"
    parts = []
    for item in reports["generation"]:
        target = verdict(item["p50_seconds"], APPENDIX_TARGET_SECONDS)
        parts.append(
            f"{item['label']}: p50 {seconds(item['p50_seconds'])}, max "
            f"{seconds(item['max_seconds'])} over {item['runs']} runs ({target})"
        )
    memory = reports["generation_peak_rss_mib"]
    parts.append(
        f"peak memory of the generating process {memory:.0f} MiB (target < "
        f"{WORKER_MEMORY_TARGET_MIB:.0f} MB {'met' if memory < WORKER_MEMORY_TARGET_MIB else 'MISSED'})"
    )
    queue = reports["queue"]
    failed = queue["statuses"].get("failed", 0)
    unfinished = queue["queued"] - sum(queue["statuses"].get(s, 0) for s in ("done", "failed"))
    worker_memory = queue["worker_peak_rss_mib"]
    parts.append(
        f"{queue['queued']} runs queued at once, {queue['concurrency']} worker processes: all "
        f"finished after {seconds(queue['wall_seconds'])}, {failed} failed, {unfinished} "
        f"unfinished; per run p50 {seconds(queue['run_p50_seconds'])}, max "
        f"{seconds(queue['run_max_seconds'])}; worker process peak memory "
        f"{'–' if worker_memory is None else f'{worker_memory:.0f} MiB'}"
    )
    parts.extend(f"failure: {reason}" for reason in queue["failures"][:3])
    heading = f"Reports, scale {scale} (bench/reporting.py):"
    return "\n".join([heading, *(f"- {part}" for part in parts)])


def transfer_line(scale: str, transfer: dict) -> str:
    if transfer.get("error"):
        return f"Transfer, scale {scale}: FAILED — {transfer['error']}"
    parts = []
    for export in transfer["exports"]:
        target = verdict(export["p50_seconds"], EXPORT_TARGET_SECONDS)
        parts.append(
            f"{export['format'].upper()} export of {export['risks']:,} risks p50 "
            f"{seconds(export['p50_seconds'])}, max {seconds(export['max_seconds'])} over "
            f"{len(export['runs_seconds'])} runs after {export['warmup']} warm-up ({target})"
        )
    imported = transfer["import"]
    runs = " / ".join(f"{value:.2f}" for value in imported["runs_seconds"])
    parts.append(
        f"import of {imported['rows']:,} rows {runs} s, p50 {seconds(imported['p50_seconds'])} "
        f"({verdict(imported['p50_seconds'], IMPORT_TARGET_SECONDS)})"
    )
    rejected = transfer["import_rejected"]
    if rejected["names_bad_row"]:
        outcome = f"ImportFailed names row {rejected['bad_row']} only"
    elif rejected["rejected"]:
        outcome = f"ImportFailed, but not naming just row {rejected['bad_row']}: " + "; ".join(
            f"row {error['row']} {error['column']}: {error['message']}"
            for error in rejected["errors"][:3]
        )
    else:
        outcome = "NOT refused"
    parts.append(
        f"refusing the file with a bad row {rejected['bad_row']:,}: p50 "
        f"{seconds(rejected['p50_seconds'])} ({outcome})"
    )
    parts.append(
        f"peak memory {transfer['peak_rss_mib']:.0f} MiB "
        f"({transfer['rss_after_exports_mib']:.0f} MiB after the exports)"
    )
    if not transfer.get("database_unchanged", True):
        parts.append(
            f"THE DATABASE CHANGED: {transfer['database_before']} → {transfer['database_after']}"
        )
    heading = (
        f"Transfer, scale {scale} (in-process, bench/transfer.py, {transfer['organisation']} as "
        f"{transfer['user']}):"
    )
    return "\n".join([heading, *(f"- {part}" for part in parts)])


def comparison_lines(outcome: dict) -> tuple[list[str], list[str]]:
    """The comparison of two servers (bench/harness/compare.py) at one scale: the sides, the
    table, and the notes under it."""
    comparison = outcome["comparison"]
    scale = outcome["scale"]
    lines = [
        f"- side {side['key']}: {side['label']}"
        + (f", commit {side['commit']}" if side.get("commit") else "")
        + (
            f" — {side['row_level_security']['rows_without_context']} rows of "
            f"{side['row_level_security']['table']} without a context"
            if side.get("row_level_security")
            else ""
        )
        for side in comparison["sides"]
    ]
    lines += [
        "",
        "| scale | scenario | queries A / B | p50 ms A | p50 ms B | p50 A / B | × floor A "
        "| × floor B | A / B | verdict |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    notes = []
    for row in comparison["rows"]:
        queries = f"{row['queries_a'] if row['queries_a'] is not None else '–'} / " + (
            f"{row['queries_b'] if row['queries_b'] is not None else '–'}"
        )
        label = row["scenario"]
        if row["errors_a"] or row["errors_b"]:
            label += f" (not 200: {row['errors_a']} A, {row['errors_b']} B)"
        if row["state"] != "measured":
            lines.append(f"| {scale} | {label} | {queries} | {row['state']} | | | | | | |")
        else:
            raw = row["p50_ms_a"] / row["p50_ms_b"] if row["p50_ms_a"] and row["p50_ms_b"] else None
            lines.append(
                f"| {scale} | {label} | {queries} | {fmt(row['p50_ms_a'])} | "
                f"{fmt(row['p50_ms_b'])} | {fmt(raw, 2)} | {fmt(row['ratio_to_floor_a'])} | "
                f"{fmt(row['ratio_to_floor_b'])} | {fmt(row['a_over_b'], 2)} | {row['verdict']} |"
            )
        notes.extend(f"- scale {scale}, {row['scenario']}: {note}" for note in row["notes"])
        if row["response_bytes_a"] != row["response_bytes_b"]:
            notes.append(
                f"- scale {scale}, {row['scenario']}: the sides answered differently: "
                f"{row['response_bytes_a']} bytes (A), {row['response_bytes_b']} bytes (B)"
            )
    return lines, notes


def markdown(report: dict) -> str:
    if any("comparison" in outcome for outcome in report["scales"]):
        return comparison_markdown(report)
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
        transfer = outcome.get("transfer") or {}
        lines.extend(transfer_rows(scale, transfer))
        reports = outcome.get("reports") or {}
        lines.extend(reports_rows(scale, reports))
        if reports.get("error"):
            notes.append(f"- scale {scale}, reports: FAILED — {reports['error']}")
        if transfer.get("error"):
            notes.append(f"- scale {scale}, transfer: FAILED — {transfer['error']}")
        if outcome.get("error"):
            notes.append(f"- scale {scale}: FAILED — {outcome['error']}")
    if any(
        (outcome.get("transfer") or {}).get("exports")
        or (outcome.get("reports") or {}).get("queue")
        for outcome in report["scales"]
    ):
        notes.insert(
            0,
            "- export, import and PDF rows: seconds, not ms (p50 and max; `s` marks them), "
            "measured in-process by bench/transfer.py and bench/reporting.py, not over HTTP",
        )
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
        if outcome.get("transfer") and not outcome["transfer"].get("error"):
            extra.append(transfer_line(outcome["scale"], outcome["transfer"]))
        if outcome.get("reports") and not outcome["reports"].get("error"):
            extra.append(reports_line(outcome["scale"], outcome["reports"]))
    if extra:
        out.append("\n".join(extra))
    return "\n\n".join(out + machine_lines(report))


def comparison_markdown(report: dict) -> str:
    """Two servers measured in turn at each scale: one table per scale, then the machine."""
    out = []
    for outcome in report["scales"]:
        if "comparison" in outcome:
            lines, notes = comparison_lines(outcome)
            tolerance = outcome["comparison"]["tolerance"]
            notes.append(
                f"- A / B: side A's × floor over side B's (each side against its own floor, "
                f"measured in the same run, requests alternating); `SLOWER` above "
                f"{1 + tolerance:.2f}. p50 A / B: the milliseconds' ratio, floors aside (with "
                f"the same code on both sides the floors differ by noise only, and that noise "
                f"is in every A / B; across trees the floor's own code may differ). Load "
                f"average before / after: "
                f"{outcome.get('loadavg_before')} / {outcome.get('loadavg_after')}."
            )
            out += ["\n".join(lines), "\n".join(notes)]
        if outcome.get("error"):
            out.append(f"- scale {outcome['scale']}: FAILED — {outcome['error']}")
    return "\n\n".join(out + machine_lines(report))


def machine_lines(report: dict) -> list[str]:
    """The run's closing paragraphs: interrupted or not, the machine, a busy machine."""
    out = []
    if report.get("interrupted"):
        out.append("Interrupted (Ctrl-C or SIGTERM): the results so far.")
    machine = report["machine"]
    out.append(
        f"{report['date']}, commit {report['git_commit'] or '?'}, {machine['platform']}, "
        f"{machine['cpu_count']} CPUs, {fmt(machine['memory_gib'])} GiB, "
        f"PostgreSQL {machine['postgresql'] or '?'}; "
        + ("two gunicorns, " if report["options"].get("compare") else "gunicorn ")
        + f"2 sync workers on loopback, {report['options']['requests']} sequential requests "
        + ("per scenario and side." if report["options"].get("compare") else "per scenario.")
    )
    busy = [
        f"scale {outcome['scale']} {phase}: {value:.0%}"
        for outcome in report["scales"]
        for phase, value in [
            ("sequential", outcome.get("cpu_busy_before")),
            ("load", (outcome.get("load") or {}).get("cpu_busy_before")),
            ("transfer", (outcome.get("transfer") or {}).get("cpu_busy_before")),
            ("reports", (outcome.get("reports") or {}).get("cpu_busy_before")),
        ]
        if value is not None and value > BUSY_THRESHOLD
    ]
    if busy:
        out.append(
            "Caution: other processes used the CPUs just before measuring ("
            + ", ".join(busy)
            + "); they show up in these figures."
        )
    return out


def write_results(report: dict, stamp: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{stamp}.json"
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text)
    (RESULTS_DIR / "latest.json").write_text(text)
    return path
