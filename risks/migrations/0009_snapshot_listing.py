from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0008_snapshot_report_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="risksnapshot",
            name="listing",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
