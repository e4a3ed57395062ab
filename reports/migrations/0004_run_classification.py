"""A run's classification: public (the councils' appendix, no risk figures) or confidential
(a region's internal edition; the CISO's quarterly report always is)."""

from django.db import migrations, models

from portal.rls import system_context


def quarterly_reports_are_confidential(apps, schema_editor) -> None:
    ReportRun = apps.get_model("reports", "ReportRun")
    with system_context("report runs: classification", using=schema_editor.connection.alias):
        ReportRun.objects.using(schema_editor.connection.alias).filter(
            kind="ciso_quarterly"
        ).update(classification="confidential")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_row_level_security"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportrun",
            name="classification",
            field=models.CharField(
                choices=[("public", "Public"), ("confidential", "Confidential")],
                default="public",
                help_text="A confidential edition holds the region's risk picture.",
                max_length=12,
                verbose_name="classification",
            ),
        ),
        migrations.RunPython(quarterly_reports_are_confidential, migrations.RunPython.noop),
    ]
