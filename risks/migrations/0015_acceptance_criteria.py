"""Risk acceptance criteria per region, versioned (``risks.models.criteria``), in place of the
matrix's single acceptance threshold.

Every region gets its first version, approved, equivalent to the rule it had: whoever may
change a risk accepts it up to the matrix's threshold (medium unless the region changed it),
the CISO above; twelve months; a revurdering at least every twelve months. The risks accepted
before are tied to that version and given its twelve months from today (they never expired
before, so none lapses at once), and every risk's last review is the day it was last changed.
On PostgreSQL the new table is behind row-level security like the register (the region's
roles, now with its direktion); the rows are written in the system context, as the
register's policies are forced on their owner too.
"""

import importlib

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from portal.rls import (
    PostgreSQLOnly,
    _object_readable_function,
    organisation_policies,
    system_context,
)

#: The audit trail's policy reads an entry through the object it names: it learns the new
#: table (the function was last installed by the incidents' timeline, listing the tables then).
_BEFORE = importlib.import_module("incidents.migrations.0005_timeline")
_FIRST = importlib.import_module("incidents.migrations.0002_row_level_security")
AUDITED = {**_BEFORE.AUDITED, ("risks", "acceptancecriteria"): "risks_acceptancecriteria"}

REGION_ROLES = ("ciso", "risk_owner", "viewer", "direktion")
LEVELS = ("low", "medium", "high", "critical")


def _add_months(day, months):
    import calendar
    import datetime

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_versions(apps, schema_editor) -> None:
    organisation_model = apps.get_model("portal", "Organisation")
    matrix_model = apps.get_model("risks", "RiskMatrix")
    criteria_model = apps.get_model("risks", "AcceptanceCriteria")
    risk_model = apps.get_model("risks", "Risk")
    alias = schema_editor.connection.alias
    now = timezone.now()
    today = timezone.localdate(now)
    with system_context("risk acceptance criteria: every region's first version", using=alias):
        thresholds = dict(
            matrix_model.objects.using(alias).values_list("organisation_id", "acceptance_threshold")
        )
        for region in organisation_model.objects.using(alias).filter(kind="region"):
            threshold = thresholds.get(region.pk, "medium")
            values = {}
            for level in LEVELS:
                owner_decides = LEVELS.index(level) <= LEVELS.index(threshold)
                values[f"{level}_acceptor"] = "by_owner" if owner_decides else "by_ciso"
                values[f"{level}_max_months"] = 12
                values[f"{level}_review_months"] = 12
            criteria = criteria_model.objects.using(alias).create(
                organisation=region,
                number=1,
                status="approved",
                approved_at=now,
                approval_reference="Portalens hidtidige regel (overført)",
                **values,
            )
            risk_model.objects.using(alias).filter(organisation=region, status="accepted").update(
                acceptance_criteria=criteria, acceptance_expires_on=_add_months(today, 12)
            )
        for pk, updated in risk_model.objects.using(alias).values_list("pk", "updated_at"):
            risk_model.objects.using(alias).filter(pk=pk).update(
                last_reviewed=timezone.localdate(updated)
            )
    if schema_editor.connection.vendor == "postgresql":
        # The new rows' checks now, not at the commit: the matrix's table is altered next.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def thresholds_back(apps, schema_editor) -> None:
    """The threshold each region's latest approved version gives its risk owners."""
    matrix_model = apps.get_model("risks", "RiskMatrix")
    criteria_model = apps.get_model("risks", "AcceptanceCriteria")
    alias = schema_editor.connection.alias
    with system_context("risk acceptance criteria: back to the thresholds", using=alias):
        for criteria in (
            criteria_model.objects.using(alias)
            .filter(status="approved")
            .order_by("organisation_id", "number")
        ):
            owners = [v for v in LEVELS if getattr(criteria, f"{v}_acceptor") == "by_owner"]
            matrix_model.objects.using(alias).filter(
                organisation_id=criteria.organisation_id
            ).update(acceptance_threshold=owners[-1] if owners else "low")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0015_direktion"),
        ("risks", "0014_snapshot_listing"),
        ("incidents", "0005_timeline"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="risk",
            name="acceptance_expires_on",
            field=models.DateField(
                blank=True,
                help_text="Leave empty for the longest the region's acceptance criteria allow, or choose an earlier date.",
                null=True,
                verbose_name="acceptance expires on",
            ),
        ),
        migrations.AddField(
            model_name="risk",
            name="acceptance_reminded_for",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="risk",
            name="last_reviewed",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="The day the risk's owner or the region's CISO last saved it, or it was accepted.",
                null=True,
                verbose_name="last reviewed",
            ),
        ),
        migrations.CreateModel(
            name="AcceptanceCriteria",
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
                ("number", models.PositiveIntegerField(editable=False, verbose_name="version")),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("approved", "Approved")],
                        default="draft",
                        editable=False,
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "low_acceptor",
                    models.CharField(
                        choices=[
                            ("by_owner", "The risk owner"),
                            ("by_ciso", "The CISO"),
                            ("by_direktion", "The direktion"),
                            ("none", "Not acceptable"),
                        ],
                        default="by_owner",
                        max_length=14,
                        verbose_name="who may accept",
                    ),
                ),
                (
                    "low_max_months",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        default=12,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="longest acceptance (months)",
                    ),
                ),
                (
                    "low_review_months",
                    models.PositiveSmallIntegerField(
                        default=12,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="longest time between reviews (months)",
                    ),
                ),
                (
                    "medium_acceptor",
                    models.CharField(
                        choices=[
                            ("by_owner", "The risk owner"),
                            ("by_ciso", "The CISO"),
                            ("by_direktion", "The direktion"),
                            ("none", "Not acceptable"),
                        ],
                        default="by_owner",
                        max_length=14,
                        verbose_name="who may accept",
                    ),
                ),
                (
                    "medium_max_months",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        default=12,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="longest acceptance (months)",
                    ),
                ),
                (
                    "medium_review_months",
                    models.PositiveSmallIntegerField(
                        default=12,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="longest time between reviews (months)",
                    ),
                ),
                (
                    "high_acceptor",
                    models.CharField(
                        choices=[
                            ("by_owner", "The risk owner"),
                            ("by_ciso", "The CISO"),
                            ("by_direktion", "The direktion"),
                            ("none", "Not acceptable"),
                        ],
                        default="by_ciso",
                        max_length=14,
                        verbose_name="who may accept",
                    ),
                ),
                (
                    "high_max_months",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        default=12,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="longest acceptance (months)",
                    ),
                ),
                (
                    "high_review_months",
                    models.PositiveSmallIntegerField(
                        default=12,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="longest time between reviews (months)",
                    ),
                ),
                (
                    "critical_acceptor",
                    models.CharField(
                        choices=[
                            ("by_owner", "The risk owner"),
                            ("by_ciso", "The CISO"),
                            ("by_direktion", "The direktion"),
                            ("none", "Not acceptable"),
                        ],
                        default="by_ciso",
                        max_length=14,
                        verbose_name="who may accept",
                    ),
                ),
                (
                    "critical_max_months",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        default=12,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="longest acceptance (months)",
                    ),
                ),
                (
                    "critical_review_months",
                    models.PositiveSmallIntegerField(
                        default=12,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="longest time between reviews (months)",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "approved_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="approved at"
                    ),
                ),
                (
                    "approval_reference",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="Where the direktion decided it, e.g. the meeting and the item.",
                        max_length=300,
                        verbose_name="the direktion's decision",
                    ),
                ),
                (
                    "approved_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="acceptance_criteria",
                        to="portal.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "prepared_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="prepared by",
                    ),
                ),
            ],
            options={
                "verbose_name": "risk acceptance criteria",
                "verbose_name_plural": "risk acceptance criteria",
                "ordering": ["organisation", "-number"],
            },
        ),
        migrations.AddField(
            model_name="risk",
            name="acceptance_criteria",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="The version of the region's acceptance criteria the acceptance was made under.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="acceptances",
                to="risks.acceptancecriteria",
                verbose_name="acceptance criteria",
            ),
        ),
        migrations.AddConstraint(
            model_name="acceptancecriteria",
            constraint=models.UniqueConstraint(
                fields=("organisation", "number"), name="acceptance_criteria_number_unique"
            ),
        ),
        organisation_policies("risks_acceptancecriteria", read_roles=REGION_ROLES),
        PostgreSQLOnly(
            _object_readable_function(AUDITED, _FIRST.NOT_SECTOR_DATA),
            _object_readable_function(_BEFORE.AUDITED, _FIRST.NOT_SECTOR_DATA),
        ),
        migrations.RunPython(first_versions, thresholds_back),
        migrations.RemoveField(
            model_name="riskmatrix",
            name="acceptance_threshold",
        ),
    ]
