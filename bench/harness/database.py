"""The bench databases: one per scale, created, migrated and seeded, or reused."""

import argparse
import contextlib
import time
from datetime import UTC, datetime

import psycopg2
from psycopg2 import sql

from .common import BenchError, log
from .environment import run_manage

MIGRATE_TIMEOUT = 900.0


def database_name(scale: str) -> str:
    return "bench_scale_" + scale.replace(".", "_")


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


def pick_id(database_url: str, query: str) -> int | None:
    """The id a scenario's ``pick`` answers on the database, or None if it finds nothing."""
    connection = psycopg2.connect(database_url, connect_timeout=10)
    with contextlib.closing(connection), connection.cursor() as cursor:
        cursor.execute(query)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def recreate_database(base: str, name: str) -> None:
    with contextlib.closing(admin_connection(base)) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def analyze(base: str, name: str) -> float:
    started = time.perf_counter()
    with contextlib.closing(psycopg2.connect(f"{base}/{name}")) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


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


def prepare_database(outcome: dict, args: argparse.Namespace, env: dict) -> None:
    """The database of ``outcome["scale"]`` migrated and seeded: kept with ``--reuse`` when
    this harness seeded it before, else dropped, created, migrated and seeded. Records the
    times in ``outcome``."""
    scale, name = outcome["scale"], outcome["database"]
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
    # After a bulk load the planner's statistics lag until autovacuum gets round to it, and
    # a plan made on them is not the one production runs: measure on fresh statistics.
    outcome["analyze_seconds"] = analyze(args.database_url_base, name)


#: A table every policy set covers, to count without a principal in the session.
WALL_PROBE_TABLE = "risks_risk"


def database_wall(database_url: str) -> dict:
    """How the connection of ``database_url`` stands to row-level security: its role's
    attributes, the owner of a protected table and whether its policies are enabled and
    forced, and how many rows it reads there with no principal in the session.
    ``enforced`` is True only if that connection is subject to the policies and they hide
    everything from it without a context (docs/operations.md, "Row-level security")."""
    connection = psycopg2.connect(database_url, connect_timeout=10)
    with contextlib.closing(connection), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        role, superuser, bypass = cursor.fetchone()
        cursor.execute(
            "SELECT pg_get_userbyid(relowner), relrowsecurity, relforcerowsecurity "
            "FROM pg_class WHERE oid = to_regclass(%s)",
            [WALL_PROBE_TABLE],
        )
        owner, enabled, forced = cursor.fetchone() or (None, False, False)
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(WALL_PROBE_TABLE)))
        rows_without_context = cursor.fetchone()[0]
        connection.rollback()
    return {
        "role": role,
        "superuser": superuser,
        "bypassrls": bypass,
        "table": WALL_PROBE_TABLE,
        "table_owner": owner,
        "rls_enabled": enabled,
        "rls_forced": forced,
        "rows_without_context": rows_without_context,
        "enforced": bool(
            not superuser
            and not bypass
            and owner != role
            and enabled
            and forced
            and rows_without_context == 0
        ),
    }
