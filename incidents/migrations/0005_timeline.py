"""The incident's timeline and its lessons learned (issue 18, items 5 and 6).

* ``IncidentTimelineEntry``: append-only in the database itself, on PostgreSQL and SQLite
  alike — a trigger refuses every UPDATE and DELETE but the one change allowed, recording
  once that an action is done (``done_at``, ``done_by``). (On SQLite the test runner's
  ``flush`` deletes rows: ``incidents/management/commands/flush.py`` lifts the trigger for it.)
* ``IncidentRiskLink``: a risk of the incident's region that the incident taught something
  about. On PostgreSQL both carry their incident's organisation, kept right by foreign keys
  on (incident, organisation) — and the link's on (risk, organisation) — and are under
  row-level security: seen with their incident, written only inside the principal's
  organisations. The audit trail's policy learns both tables.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from portal.rls import (
    PostgreSQLOnly,
    _object_readable_function,
    child_policies,
    parent_organisation_constraint,
    parent_organisation_sql,
)

ENTRIES = "incidents_incidenttimelineentry"
LINKS = "incidents_incidentrisklink"
PARENT = {"column": "incident_id", "parent_table": "incidents_incident"}

_BEFORE = importlib.import_module("incidents.migrations.0002_row_level_security")
AUDITED = {
    **_BEFORE.AUDITED,
    ("incidents", "incidenttimelineentry"): ENTRIES,
    ("incidents", "incidentrisklink"): LINKS,
}

#: Only an action's completion, once: every other column as it was.
POSTGRESQL_APPEND_ONLY = f"""
CREATE OR REPLACE FUNCTION incidents_timeline_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.kind = 'action' AND OLD.done_at IS NULL
       AND NEW.done_at IS NOT NULL AND NEW.done_by_id IS NOT NULL
       AND to_jsonb(NEW) - 'done_at' - 'done_by_id' = to_jsonb(OLD) - 'done_at' - 'done_by_id'
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the incident timeline is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END
$$;
CREATE TRIGGER incidents_timeline_append_only
    BEFORE UPDATE OR DELETE ON {ENTRIES}
    FOR EACH ROW EXECUTE FUNCTION incidents_timeline_append_only();
"""
POSTGRESQL_APPEND_ONLY_REVERSE = f"""
DROP TRIGGER IF EXISTS incidents_timeline_append_only ON {ENTRIES};
DROP FUNCTION IF EXISTS incidents_timeline_append_only();
"""
#: The SQLite triggers as this migration made them (history: kept here, not imported);
#: ``incidents/timeline_sql.py`` has them as they are now, for ``flush``, and a test holds the
#: two equal.
#: The columns that never change (SQLite has no row-to-JSON: named one by one).
FROZEN_COLUMNS = (
    "id",
    "incident_id",
    "organisation_id",
    "kind",
    "text",
    "occurred_at",
    "author_id",
    "created_at",
    "old_value",
    "new_value",
    "owner_id",
    "due",
)
_UNCHANGED = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in FROZEN_COLUMNS)
SQLITE_APPEND_ONLY = [
    f"""CREATE TRIGGER incidents_timeline_no_update BEFORE UPDATE ON {ENTRIES}
WHEN NOT (OLD.kind = 'action' AND OLD.done_at IS NULL
          AND NEW.done_at IS NOT NULL AND NEW.done_by_id IS NOT NULL AND {_UNCHANGED})
BEGIN
    SELECT RAISE(ABORT, 'the incident timeline is append-only: UPDATE refused on {ENTRIES}');
END""",
    f"""CREATE TRIGGER incidents_timeline_no_delete BEFORE DELETE ON {ENTRIES}
BEGIN
    SELECT RAISE(ABORT, 'the incident timeline is append-only: DELETE refused on {ENTRIES}');
END""",
]
SQLITE_APPEND_ONLY_REVERSE = [
    "DROP TRIGGER IF EXISTS incidents_timeline_no_update",
    "DROP TRIGGER IF EXISTS incidents_timeline_no_delete",
]

#: The link's copy of the organisation is its incident's (the key ``parent_organisation_sql``
#: added on the incidents for the entries) and its risk's (``risks`` migration 0011's key).
LINK_ORGANISATION = f"""
ALTER TABLE {LINKS} ADD CONSTRAINT {parent_organisation_constraint(LINKS)}
    FOREIGN KEY (incident_id, organisation_id)
    REFERENCES incidents_incident (id, organisation_id)
    ON UPDATE CASCADE ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE {LINKS} ADD CONSTRAINT {LINKS}_organisation_is_risks
    FOREIGN KEY (risk_id, organisation_id) REFERENCES risks_risk (id, organisation_id)
    ON UPDATE NO ACTION ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
"""
LINK_ORGANISATION_REVERSE = f"""
ALTER TABLE {LINKS} DROP CONSTRAINT IF EXISTS {parent_organisation_constraint(LINKS)};
ALTER TABLE {LINKS} DROP CONSTRAINT IF EXISTS {LINKS}_organisation_is_risks;
"""


class SQLiteOnly(migrations.RunSQL):
    """``RunSQL`` that does nothing on other databases (PostgreSQL has its own trigger)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "sqlite":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "sqlite":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0004_reminders"),
        ("portal", "0012_row_level_security_settings"),
        ("risks", "0012_attack_surface_lower_bounds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IncidentRiskLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="linked")),
                (
                    "created_by",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="linked by",
                    ),
                ),
                (
                    "incident",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="risk_links",
                        to="incidents.incident",
                        verbose_name="incident",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="portal.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "risk",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="incident_links",
                        to="risks.risk",
                        verbose_name="risk",
                    ),
                ),
            ],
            options={
                "verbose_name": "lesson learned (risk)",
                "verbose_name_plural": "lessons learned (risks)",
                "ordering": ["created_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("incident", "risk"), name="incident_risk_link_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="IncidentTimelineEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("detection", "Detection"),
                            ("containment", "Containment"),
                            ("decision", "Decision"),
                            ("communication", "Communication"),
                            ("observation", "Observation"),
                            ("action", "Action"),
                            ("submission", "Submission"),
                            ("status_change", "Status change"),
                            ("severity_change", "Severity change"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("text", models.TextField(blank=True, verbose_name="what happened")),
                ("occurred_at", models.DateTimeField(verbose_name="when")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded")),
                (
                    "old_value",
                    models.CharField(
                        blank=True, editable=False, max_length=30, verbose_name="before"
                    ),
                ),
                (
                    "new_value",
                    models.CharField(
                        blank=True, editable=False, max_length=30, verbose_name="after"
                    ),
                ),
                ("due", models.DateField(blank=True, null=True, verbose_name="due")),
                (
                    "done_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="done"
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "done_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="marked done by",
                    ),
                ),
                (
                    "incident",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="timeline",
                        to="incidents.incident",
                        verbose_name="incident",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="portal.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="incident_actions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
            ],
            options={
                "verbose_name": "timeline entry",
                "verbose_name_plural": "timeline entries",
                "ordering": ["-occurred_at", "-created_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["incident", "-occurred_at"], name="incidents_i_inciden_a04c51_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kind", "action"),
                            models.Q(("due__isnull", True), ("owner__isnull", True)),
                            _connector="OR",
                        ),
                        name="incident_timeline_owner_due_on_actions",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("done_at__isnull", True), ("done_by__isnull", True)),
                            models.Q(
                                ("done_at__isnull", False),
                                ("done_by__isnull", False),
                                ("kind", "action"),
                            ),
                            _connector="OR",
                        ),
                        name="incident_timeline_done_actions",
                    ),
                ],
            },
        ),
        parent_organisation_sql(ENTRIES, **PARENT),
        PostgreSQLOnly(LINK_ORGANISATION, LINK_ORGANISATION_REVERSE),
        child_policies(ENTRIES, **PARENT, own_column="organisation_id"),
        child_policies(LINKS, **PARENT, own_column="organisation_id"),
        PostgreSQLOnly(POSTGRESQL_APPEND_ONLY, POSTGRESQL_APPEND_ONLY_REVERSE),
        SQLiteOnly(SQLITE_APPEND_ONLY, SQLITE_APPEND_ONLY_REVERSE),
        PostgreSQLOnly(
            _object_readable_function(AUDITED, _BEFORE.NOT_SECTOR_DATA),
            _object_readable_function(_BEFORE.AUDITED, _BEFORE.NOT_SECTOR_DATA),
        ),
    ]
