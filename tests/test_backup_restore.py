"""scripts/backup and scripts/restore: everything comes back — every row of every table,
every audit entry, every archived PDF with the sha256 recorded on its run."""

import hashlib
import os
import subprocess
from pathlib import Path

import psycopg2
import pytest
from auditlog.models import LogEntry
from django.db import connection

from reports.models import ReportRun
from reports.services import report_request
from tests.sector import make_sector

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="backup and restore use pg_dump/pg_restore: run with a PostgreSQL DATABASE_URL",
    ),
    pytest.mark.django_db(transaction=True),  # pg_dump sees only committed data
]


def _url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )


def _run(script: str, *args: str, **env: str) -> str:
    result = subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _admin(sql: str) -> None:
    admin = psycopg2.connect(_url("postgres"))
    admin.autocommit = True  # CREATE / DROP DATABASE run outside a transaction
    try:
        admin.cursor().execute(sql)
    finally:
        admin.close()


def _read(url: str, sql: str) -> list[tuple]:
    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _tables(url: str) -> list[str]:
    rows = _read(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    return [table for (table,) in rows]


def _counts(url: str) -> dict[str, int]:
    return {
        table: _read(url, f'SELECT count(*) FROM "{table}"')[0][0]  # noqa: S608
        for table in _tables(url)
    }


@pytest.fixture
def restored_db():
    name = f"{connection.settings_dict['NAME']}_restored"
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}"')
    yield _url(name)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_it_backs_up_and_restores_everything(personas, settings, tmp_path, restored_db):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    make_sector(personas)
    run = report_request(
        user=personas.ciso_a,
        kind="ciso_quarterly",
        organisation=personas.region_a,
        period="2026-Q1",
        language="en",
    )
    run.refresh_from_db()
    assert run.status == "done" and run.sha256, run.error
    assert LogEntry.objects.count() > 20

    source = _url(connection.settings_dict["NAME"])
    folder = _run(
        "backup", str(tmp_path / "backups"), DATABASE_URL=source, MEDIA_ROOT=settings.MEDIA_ROOT
    )
    assert sorted(os.listdir(folder)) == ["SHA256SUMS", "database.dump", "media.tar.gz"]

    media = tmp_path / "restored-media"
    _run("restore", folder, DATABASE_URL=restored_db, MEDIA_ROOT=str(media))

    assert _counts(restored_db) == _counts(source)
    trail = "SELECT * FROM auditlog_logentry ORDER BY id"
    assert _read(restored_db, trail) == _read(source, trail)
    runs = _read(restored_db, "SELECT pdf, sha256 FROM reports_reportrun WHERE pdf <> ''")
    assert len(runs) == ReportRun.objects.exclude(pdf="").count() >= 1
    for pdf, sha256 in runs:
        assert hashlib.sha256((media / pdf).read_bytes()).hexdigest() == sha256
    # The append-only trigger came back too: the application's role (never a superuser,
    # which the trigger lets through) cannot delete, even where row-level security lets it
    # reach the entries (the system context). The role is made in the transaction that the
    # refusal rolls back.
    with pytest.raises(psycopg2.Error, match="append-only"):
        _read(
            restored_db,
            "CREATE ROLE portal_restore_check NOLOGIN NOSUPERUSER;"
            " GRANT SELECT, DELETE ON auditlog_logentry TO portal_restore_check;"
            " SET LOCAL ROLE portal_restore_check;"
            " SET LOCAL portal.system = 'on';"
            " DELETE FROM auditlog_logentry RETURNING id",
        )
    # And so did row-level security, forced, on every table that had it.
    forced = "SELECT relname FROM pg_class WHERE relforcerowsecurity AND relrowsecurity ORDER BY 1"
    assert _read(restored_db, forced) == _read(source, forced)
    assert ("auditlog_logentry",) in _read(source, forced)


def test_it_refuses_to_restore_over_existing_data(personas, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    os.makedirs(settings.MEDIA_ROOT)
    source = _url(connection.settings_dict["NAME"])
    folder = _run("backup", str(tmp_path), DATABASE_URL=source, MEDIA_ROOT=settings.MEDIA_ROOT)
    result = subprocess.run(
        [str(ROOT / "scripts" / "restore"), folder],
        env={**os.environ, "DATABASE_URL": source, "MEDIA_ROOT": str(tmp_path / "m")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "restore into an empty one" in result.stderr


def test_it_refuses_to_back_up_as_a_role_that_row_level_security_filters(personas, tmp_path):
    """A role without BYPASSRLS (the application's, or the tables' owner, which the forced
    policies hold too) would dump no region's rows: the backup stops before it starts."""
    make_sector(personas)
    source = connection.settings_dict["NAME"]
    role = "portal_backup_check"
    with psycopg2.connect(_url(source)) as db, db.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
        cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    try:
        url = _url(source).replace(f"//{connection.settings_dict['USER']}", f"//{role}", 1)
        result = subprocess.run(
            [str(ROOT / "scripts" / "backup"), str(tmp_path / "backups")],
            env={**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        with psycopg2.connect(_url(source)) as db, db.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
    assert result.returncode != 0
    assert "subject to row-level security" in result.stderr
    assert not (tmp_path / "backups").exists()
