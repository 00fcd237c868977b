"""The outbox, audiences' addresses and production issues, moved out of golive with their tables: state only."""

import django.db.models.deletion
import golive.secret_detection
import golive.validators
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('golive', '0019_gonogo_moves_out'),
        ('runbook', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ProductionIssue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, validators=[golive.secret_detection.RejectSecrets()])),
                        ('what_happened', models.TextField(validators=[golive.secret_detection.RejectSecrets()])),
                        ('impact', models.TextField(help_text='Who is affected and how.', validators=[golive.secret_detection.RejectSecrets()])),
                        ('workaround', models.TextField(blank=True, validators=[golive.secret_detection.RejectSecrets()])),
                        ('fix_plan', models.TextField(blank=True, validators=[golive.secret_detection.RejectSecrets()], verbose_name='plan to fix')),
                        ('next_update_at', models.DateTimeField(blank=True, null=True, validators=[golive.validators.WithinPlanningYears()], verbose_name='next update')),
                        ('severity', models.CharField(choices=[('critical', 'Critical'), ('major', 'Major'), ('minor', 'Minor')], default='major', max_length=20)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('fixing', 'Fixing'), ('resolved', 'Resolved')], default='open', max_length=20)),
                        ('source', models.CharField(default='reported by a person', help_text='Who or what found it.', max_length=100, validators=[golive.secret_detection.RejectSecrets()])),
                        ('opened_at', models.DateTimeField(auto_now_add=True)),
                        ('resolved_at', models.DateTimeField(blank=True, null=True)),
                        ('release', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='production_issues', to='golive.release')),
                        ('reported_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'golive_productionissue',
                        'ordering': ['-opened_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Communication',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('go_decision', 'Go decision'), ('golive_success', 'Go-live successful'), ('production_issue', 'Production issue'), ('handover_complete', 'Handover complete')], max_length=30)),
                        ('audiences', models.JSONField(default=list, help_text='Audience values this message goes to.')),
                        ('subject', models.CharField(max_length=250, validators=[golive.secret_detection.RejectSecrets()])),
                        ('body', models.TextField(validators=[golive.secret_detection.RejectSecrets()])),
                        ('recipients', models.JSONField(default=list, help_text='The addresses resolved when it was queued.')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], default='draft', max_length=20)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('automatic_cause', models.CharField(blank=True, help_text='What made the system draft this message; one automatic draft per cause and release.', max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('queued_at', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('release', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='communications', to='golive.release')),
                        ('runbook_step', models.ForeignKey(blank=True, help_text='The “send communication” step this message completes when it is sent.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='communications', to='runbook.golivestep')),
                        ('production_issue', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='communications', to='communications.productionissue')),
                    ],
                    options={
                        'db_table': 'golive_communication',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='AudienceAddresses',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('audience', models.CharField(choices=[('stakeholders', 'Stakeholders'), ('end_users', 'End users'), ('support_teams', 'Support teams'), ('vendor_support', 'Vendor support')], max_length=20)),
                        ('addresses', models.TextField(blank=True, help_text='E-mail addresses, one per line or comma-separated.')),
                        ('release', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='audience_addresses', to='golive.release')),
                    ],
                    options={
                        'db_table': 'golive_audienceaddresses',
                        'constraints': [models.UniqueConstraint(fields=('release', 'audience'), name='one_address_list_per_audience')],
                    },
                ),
                migrations.AddIndex(
                    model_name='productionissue',
                    index=models.Index(fields=['release', 'status'], name='golive_prod_release_1cdccc_idx'),
                ),
                migrations.AddIndex(
                    model_name='communication',
                    index=models.Index(fields=['release', '-created_at'], name='golive_comm_release_b26b6a_idx'),
                ),
                migrations.AddIndex(
                    model_name='communication',
                    index=models.Index(fields=['status'], name='golive_comm_status_62388e_idx'),
                ),
                migrations.AddConstraint(
                    model_name='communication',
                    constraint=models.UniqueConstraint(condition=models.Q(('automatic_cause', ''), _negated=True), fields=('release', 'automatic_cause'), name='one_automatic_draft_per_cause'),
                ),
    
            ],
        ),
    ]
