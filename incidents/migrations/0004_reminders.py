"""The reminders of the reporting clocks (``incidents.reminders``): one row per clock and
stage, seen with its incident and written only inside the principal's organisations (or by
the scheduled task's system context), under row-level security like the submissions."""

import django.db.models.deletion
from django.db import migrations, models

from portal.rls import child_policies


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0003_notification_fields'),
    ]

    operations = [
        migrations.CreateModel(
            name='IncidentReminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('nis2_early_warning', 'NIS2 early warning'), ('nis2_notification', 'NIS2 incident notification'), ('nis2_final_report', 'NIS2 final report'), ('gdpr_notification', 'Notification to Datatilsynet')], max_length=30, verbose_name='clock')),
                ('stage', models.CharField(choices=[('due_soon', 'due soon'), ('overdue', 'overdue')], max_length=10, verbose_name='stage')),
                ('due_at', models.DateTimeField(verbose_name='due at')),
                ('sent_at', models.DateTimeField(verbose_name='sent at')),
                ('recipients', models.PositiveIntegerField(default=0, verbose_name='recipients')),
                ('incident', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='incidents.incident', verbose_name='incident')),
            ],
            options={
                'verbose_name': 'reminder',
                'verbose_name_plural': 'reminders',
                'ordering': ['incident', 'sent_at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('incident', 'kind', 'stage'), name='incident_reminder_once_per_stage')],
            },
        ),
        child_policies(
            "incidents_incidentreminder", column="incident_id", parent_table="incidents_incident"
        ),
    ]
