"""Sector coordination (issue 18, item 7): the sector incident the TSI secretariat opens,
each incident's link to one, and each incident's facts — what the sector may count of it,
without any text.

``SectorIncident`` is sector data every signed-in user reads (no organisation: no row-level
security). ``IncidentFacts`` is a region's: on PostgreSQL it is under row-level security like
the incidents, but the TSI secretariat reads every region's rows too (as
``IncidentFacts.access_policy`` says), and a foreign key on (incident, organisation) keeps each
row's region its incident's. The facts of the incidents already recorded are written in the
system context (the policies are forced on the table's owner too); going back drops them
with the table.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from portal.rls import (
    PostgreSQLOnly,
    organisation_policies,
    parent_organisation_constraint,
    system_context,
)

REGION_ROLES = ("ciso", "risk_owner", "viewer")
FACTS = "incidents_incidentfacts"
#: The incidents' key on (id, organisation_id) is ``0005``'s (``parent_organisation_sql``).
FACTS_ORGANISATION = f"""
ALTER TABLE {FACTS} ADD CONSTRAINT {parent_organisation_constraint(FACTS)}
    FOREIGN KEY (incident_id, organisation_id)
    REFERENCES incidents_incident (id, organisation_id)
    ON UPDATE CASCADE ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED;
"""
FACTS_ORGANISATION_REVERSE = (
    f"ALTER TABLE {FACTS} DROP CONSTRAINT IF EXISTS {parent_organisation_constraint(FACTS)};"
)
COLUMNS = {
    "nis2_early_warning": "early_warning_at",
    "nis2_notification": "notification_at",
    "nis2_final_report": "final_report_at",
    "gdpr_notification": "gdpr_notification_at",
}


def write_facts(apps, schema_editor) -> None:
    """The facts of every incident recorded before: as ``incidents.facts`` writes them."""
    incident_model = apps.get_model("incidents", "Incident")
    submission_model = apps.get_model("incidents", "IncidentSubmission")
    facts_model = apps.get_model("incidents", "IncidentFacts")
    alias = schema_editor.connection.alias
    with system_context("incident facts: written for the incidents recorded before", using=alias):
        firsts: dict[int, dict[str, object]] = {}
        submissions = submission_model.objects.using(alias).order_by("submitted_at", "pk")
        for incident_id, kind, moment in submissions.values_list(
            "incident_id", "kind", "submitted_at"
        ):
            if kind in COLUMNS:
                firsts.setdefault(incident_id, {}).setdefault(COLUMNS[kind], moment)
        facts_model.objects.using(alias).bulk_create(
            [
                facts_model(
                    incident_id=incident.pk,
                    organisation_id=incident.organisation_id,
                    sector_incident_id=None,
                    category=incident.category,
                    severity=incident.severity,
                    status=incident.status,
                    detected_at=incident.detected_at,
                    aware_at=incident.aware_at,
                    nis2_significant=incident.nis2_significant,
                    gdpr_breach=incident.gdpr_breach,
                    gdpr_exception=incident.gdpr_exception_unlikely_risk,
                    **firsts.get(incident.pk, {}),
                )
                for incident in incident_model.objects.using(alias).order_by("pk").iterator()
            ],
            batch_size=500,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_timeline"),
        ("portal", "0014_audit_trail_organisation_column"),
    ]

    operations = [
        migrations.CreateModel(
            name="SectorIncident",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        help_text="What the sector knows, for every region to read: nothing confidential.",
                        verbose_name="description",
                    ),
                ),
                (
                    "supplier",
                    models.CharField(blank=True, max_length=200, verbose_name="supplier concerned"),
                ),
                (
                    "shared_system",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="shared system concerned"
                    ),
                ),
                ("opened_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="opened at")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("closed", "Closed")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
            ],
            options={
                "verbose_name": "sector incident",
                "verbose_name_plural": "sector incidents",
                "ordering": ["-opened_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="incident",
            name="sector_incident",
            field=models.ForeignKey(
                blank=True,
                help_text="The sector incident (a supplier or shared system hitting several regions) that this incident is the region's part of. The sector sees only the region and the incident's status.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incidents",
                to="incidents.sectorincident",
                verbose_name="sector incident",
            ),
        ),
        migrations.CreateModel(
            name="IncidentFacts",
            fields=[
                (
                    "incident",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="facts",
                        serialize=False,
                        to="incidents.incident",
                        verbose_name="incident",
                    ),
                ),
                ("category", models.CharField(max_length=30, verbose_name="category")),
                ("severity", models.CharField(max_length=10, verbose_name="severity")),
                ("status", models.CharField(max_length=20, verbose_name="status")),
                ("detected_at", models.DateTimeField(verbose_name="detected at")),
                ("aware_at", models.DateTimeField(verbose_name="aware at")),
                ("nis2_significant", models.BooleanField(default=False)),
                ("gdpr_breach", models.BooleanField(default=False)),
                ("gdpr_exception", models.BooleanField(default=False)),
                ("early_warning_at", models.DateTimeField(blank=True, null=True)),
                ("notification_at", models.DateTimeField(blank=True, null=True)),
                ("final_report_at", models.DateTimeField(blank=True, null=True)),
                ("gdpr_notification_at", models.DateTimeField(blank=True, null=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="portal.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "sector_incident",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="facts",
                        to="incidents.sectorincident",
                        verbose_name="sector incident",
                    ),
                ),
            ],
            options={
                "verbose_name": "incident facts",
                "verbose_name_plural": "incident facts",
                "indexes": [
                    models.Index(
                        fields=["organisation", "detected_at"],
                        name="incidents_i_organis_f729f7_idx",
                    ),
                ],
            },
        ),
        PostgreSQLOnly(FACTS_ORGANISATION, FACTS_ORGANISATION_REVERSE),
        organisation_policies(FACTS, read_roles=REGION_ROLES, sector_read_roles=("secretariat",)),
        migrations.RunPython(write_facts, migrations.RunPython.noop),
    ]
