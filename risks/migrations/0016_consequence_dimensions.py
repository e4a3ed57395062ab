"""Consequence dimensions (issue 16, item 2): a risk's inherent consequence scored per
dimension (each nullable: existing risks have none scored and keep their consequence as
typed), the dimension that sets the consequence, the dimensions a region's matrix has
switched on (all of them to begin with), and the snapshots' counts per dimension (null in
snapshots taken before). No new table: the row-level security of ``risks_risk``,
``risks_riskmatrix`` and ``risks_risksnapshot`` covers the new columns."""

import django.core.validators
import risks.models.dimension
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0015_acceptance_criteria"),
    ]

    operations = [
        migrations.AddField(
            model_name="risk",
            name="consequence_availability",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(7),
                ],
                verbose_name="Availability",
            ),
        ),
        migrations.AddField(
            model_name="risk",
            name="consequence_confidentiality",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(7),
                ],
                verbose_name="Confidentiality",
            ),
        ),
        migrations.AddField(
            model_name="risk",
            name="consequence_data_subjects",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(7),
                ],
                verbose_name="The data subjects",
            ),
        ),
        migrations.AddField(
            model_name="risk",
            name="consequence_dimension",
            field=models.CharField(
                blank=True,
                choices=[
                    ("patient_safety", "Patient safety and operations"),
                    ("confidentiality", "Confidentiality"),
                    ("integrity", "Integrity"),
                    ("availability", "Availability"),
                    ("data_subjects", "The data subjects"),
                    ("finance", "Finance"),
                    ("reputation", "Reputation"),
                ],
                editable=False,
                help_text="The dimension with the highest consequence; empty when none is scored.",
                max_length=20,
                verbose_name="consequence set by",
            ),
        ),
        migrations.AddField(
            model_name="risk",
            name="consequence_finance",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(7),
                ],
                verbose_name="Finance",
            ),
        ),
        migrations.AddField(
            model_name="risk",
            name="consequence_integrity",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(7),
                ],
                verbose_name="Integrity",
            ),
        ),
        migrations.AddField(
            model_name="risk",
            name="consequence_patient_safety",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(7),
                ],
                verbose_name="Patient safety and operations",
            ),
        ),
        migrations.AddField(
            model_name="risk",
            name="consequence_reputation",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(7),
                ],
                verbose_name="Reputation",
            ),
        ),
        migrations.AddField(
            model_name="riskmatrix",
            name="consequence_dimensions",
            field=models.JSONField(
                blank=True,
                default=risks.models.dimension.default_dimensions,
                help_text="The dimensions a risk's consequence is scored on; its consequence is the highest of them. A dimension switched off no longer counts, and risks follow at once.",
                verbose_name="consequence dimensions in use",
            ),
        ),
        migrations.AddField(
            model_name="risksnapshot",
            name="dimension_counts",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
