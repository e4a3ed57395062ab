from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0017_add_actor_email"),
        ("portal", "0006_audit_prune"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditRead",
            fields=[],
            options={
                "verbose_name": "recorded read",
                "verbose_name_plural": "recorded reads",
                "ordering": ["-timestamp", "-pk"],
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("auditlog.logentry",),
        ),
    ]
