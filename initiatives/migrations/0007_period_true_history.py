"""The history a report of a past period reads: each region's implementation status of each
initiative (``ImplementationRecord``) and each group's topics (``WorkingGroupTopics``), one
record per change, written by the models' ``save``.

The records of today's state are written here, one per row, dated from the row's last
change (``updated_at``): before that date nothing is known, and a report of an earlier
period says so rather than print today's state. On PostgreSQL the implementation records
are seen with their row and written only inside the principal's organisations (or by the
TSI secretariat), under row-level security like the rows; the records are copied in the
system context (the policies are forced on the tables' owner too).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from portal.rls import child_policies, system_context


def record_today(apps, schema_editor) -> None:
    implementation_model = apps.get_model("initiatives", "RegionalImplementation")
    record_model = apps.get_model("initiatives", "ImplementationRecord")
    group_model = apps.get_model("initiatives", "WorkingGroup")
    topics_model = apps.get_model("initiatives", "WorkingGroupTopics")
    alias = schema_editor.connection.alias
    with system_context("initiatives: the history starts with today's state", using=alias):
        rows = implementation_model.objects.using(alias).values_list(
            "pk", "status", "note", "updated_at"
        )
        record_model.objects.using(alias).bulk_create(
            [
                record_model(implementation_id=pk, status=status, note=note, recorded_at=at)
                for pk, status, note, at in rows.order_by("pk").iterator()
            ],
            batch_size=500,
        )
        groups = group_model.objects.using(alias).values_list("pk", "topics", "updated_at")
        topics_model.objects.using(alias).bulk_create(
            [
                topics_model(group_id=pk, topics=topics, recorded_at=at)
                for pk, topics, at in groups.order_by("pk").iterator()
            ],
            batch_size=500,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0006_objectives_confirmed"),
        ("portal", "0012_row_level_security_settings"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImplementationRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("not_started", "Not started"),
                            ("planned", "Planned"),
                            ("in_progress", "In progress"),
                            ("implemented", "Implemented"),
                            ("not_applicable", "Not applicable"),
                        ],
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "recorded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="recorded"
                    ),
                ),
                (
                    "implementation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="records",
                        to="initiatives.regionalimplementation",
                        verbose_name="regional implementation",
                    ),
                ),
            ],
            options={
                "verbose_name": "implementation record",
                "verbose_name_plural": "implementation records",
                "ordering": ["implementation", "recorded_at", "pk"],
                "indexes": [
                    models.Index(
                        fields=["implementation", "-recorded_at"],
                        name="implementation_record_latest",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="WorkingGroupTopics",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("topics", models.TextField(blank=True, verbose_name="current topics")),
                (
                    "recorded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="recorded"
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="topic_records",
                        to="initiatives.workinggroup",
                        verbose_name="group",
                    ),
                ),
            ],
            options={
                "verbose_name": "working-group topics record",
                "verbose_name_plural": "working-group topics records",
                "ordering": ["group", "recorded_at", "pk"],
                "indexes": [
                    models.Index(fields=["group", "-recorded_at"], name="group_topics_latest")
                ],
            },
        ),
        child_policies(
            "initiatives_implementationrecord",
            column="implementation_id",
            parent_table="initiatives_regionalimplementation",
        ),
        migrations.RunPython(record_today, migrations.RunPython.noop),
    ]
