"""Risks and defects were golive's models; their tables stay where they are
(db_table), so this only takes them over in the migration state: golive 0016 lets them go."""

import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
import golive.secret_detection
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('golive', '0015_one_click_vote_links'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Defect',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, validators=[golive.secret_detection.RejectSecrets()])),
                        ('description', models.TextField(blank=True, validators=[golive.secret_detection.RejectSecrets()])),
                        ('severity', models.PositiveSmallIntegerField(choices=[(1, 'Critical'), (2, 'Major'), (3, 'Minor'), (4, 'Trivial')], default=2)),
                        ('status', models.CharField(choices=[('open', 'Open'), ('in_progress', 'In progress'), ('resolved', 'Resolved'), ('deferred', 'Deferred')], default='open', max_length=20)),
                        ('workaround', models.TextField(blank=True, validators=[golive.secret_detection.RejectSecrets()])),
                        ('external_key', models.CharField(blank=True, help_text='For example JIRA-1234.', max_length=100, validators=[golive.secret_detection.RejectSecrets()], verbose_name='external tracker key')),
                        ('external_url', models.URLField(blank=True, validators=[golive.secret_detection.RejectSecrets()], verbose_name='external tracker URL')),
                        ('blocks_go_live', models.BooleanField(default=False, verbose_name='blocks go-live')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_defects', to=settings.AUTH_USER_MODEL)),
                        ('release', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='defects', to='golive.release')),
                    ],
                    options={
                        'db_table': 'golive_defect',
                        'ordering': ['severity', '-created_at', 'pk'],
                        'indexes': [models.Index(fields=['release', 'status', 'severity'], name='golive_defe_release_daf35a_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('external_key', ''), _negated=True), fields=('release', 'external_key'), name='defect_unique_external_key', violation_error_message='Another defect of this release already has this tracker key.'), models.CheckConstraint(condition=models.Q(('severity__in', [1, 2, 3, 4])), name='defect_severity_known'), models.CheckConstraint(condition=models.Q(('status__in', ['open', 'in_progress', 'resolved', 'deferred'])), name='defect_status_known')],
                    },
                ),
                migrations.CreateModel(
                    name='Risk',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, validators=[golive.secret_detection.RejectSecrets()])),
                        ('description', models.TextField(blank=True, validators=[golive.secret_detection.RejectSecrets()])),
                        ('probability', models.PositiveSmallIntegerField(help_text='1 (rare) to 5 (almost certain)', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)])),
                        ('impact', models.PositiveSmallIntegerField(help_text='1 (negligible) to 5 (severe)', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)])),
                        ('score', models.GeneratedField(db_persist=True, expression=django.db.models.expressions.CombinedExpression(models.F('probability'), '*', models.F('impact')), output_field=models.PositiveSmallIntegerField())),
                        ('mitigation', models.TextField(blank=True, validators=[golive.secret_detection.RejectSecrets()])),
                        ('contingency', models.TextField(blank=True, validators=[golive.secret_detection.RejectSecrets()], verbose_name='contingency plan / workaround')),
                        ('contingency_accepted', models.BooleanField(default=False, help_text='The contingency plan was reviewed and accepted as sufficient.')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('mitigated', 'Mitigated'), ('accepted', 'Accepted'), ('closed', 'Closed')], default='open', max_length=20)),
                        ('external_key', models.CharField(blank=True, help_text='For example RISK-42.', max_length=100, validators=[golive.secret_detection.RejectSecrets()], verbose_name='external tracker key')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_risks', to=settings.AUTH_USER_MODEL)),
                        ('release', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='risks', to='golive.release')),
                    ],
                    options={
                        'db_table': 'golive_risk',
                        'ordering': ['-score', 'pk'],
                        'indexes': [models.Index(fields=['release', 'status', 'score'], name='golive_risk_release_bce7e7_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('probability__range', (1, 5))), name='risk_probability_1_5'), models.CheckConstraint(condition=models.Q(('impact__range', (1, 5))), name='risk_impact_1_5'), models.CheckConstraint(condition=models.Q(('status__in', ['open', 'mitigated', 'accepted', 'closed'])), name='risk_status_known'), models.UniqueConstraint(condition=models.Q(('external_key', ''), _negated=True), fields=('release', 'external_key'), name='risk_unique_external_key', violation_error_message='Another risk of this release already has this tracker key.')],
                    },
                ),
            
            ],
        ),
    ]
