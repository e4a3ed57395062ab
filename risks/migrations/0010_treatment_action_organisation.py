"""Treatment actions carry their risk's organisation (``TreatmentAction.organisation``): set
from the risks for the actions there are, then required (``0011``)."""

import django.db.models.deletion
from django.db import migrations, models

COPY = """
UPDATE risks_treatmentaction SET organisation_id = (
    SELECT risk.organisation_id FROM risks_risk risk WHERE risk.id = risks_treatmentaction.risk_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0011_audit_trail_row_level_security"),
        ("risks", "0009_snapshot_listing"),
    ]

    operations = [
        migrations.AddField(
            model_name="treatmentaction",
            name="organisation",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.RunSQL(COPY, migrations.RunSQL.noop),
    ]
