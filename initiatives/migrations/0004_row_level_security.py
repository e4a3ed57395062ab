"""Row-level security on the regions' implementation of the strategy: read by everyone signed
in, written by the region's people and the TSI secretariat (``portal.rls``)."""

from django.db import migrations

from portal.rls import organisation_policies


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0003_audit_labels"),
        ("portal", "0010_row_level_security"),
    ]

    operations = [
        organisation_policies(
            "initiatives_regionalimplementation",
            public_read=True,
            sector_edit_roles=("secretariat",),
        ),
    ]
