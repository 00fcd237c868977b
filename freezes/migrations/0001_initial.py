"""Freeze windows and overrides were golive's models; their tables stay where they are
(db_table), so this only takes them over in the migration state: golive 0016 lets them go."""

import django.db.models.deletion
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
                    name='FreezeWindow',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120)),
                        ('reason', models.TextField(help_text='Why nothing may be deployed; shown wherever the freeze is.')),
                        ('environment', models.CharField(blank=True, choices=[('production', 'Production'), ('staging', 'Staging'), ('test', 'Test'), ('development', 'Development')], help_text='Empty: every environment.', max_length=20)),
                        ('application', models.CharField(blank=True, help_text='Empty: every application.', max_length=200)),
                        ('recurrence', models.CharField(choices=[('once', 'One-off'), ('weekly', 'Every week'), ('yearly', 'Every year')], default='once', max_length=10)),
                        ('starts_at', models.DateTimeField(help_text='The start of the (first) occurrence.')),
                        ('ends_at', models.DateTimeField(help_text='The end of the (first) occurrence.')),
                        ('repeat_until', models.DateField(blank=True, help_text='Repeating windows only: the last day an occurrence may start.', null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'golive_freezewindow',
                        'ordering': ['starts_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='FreezeOverride',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('occurrence_ends_at', models.DateTimeField(help_text='The override lapses when this occurrence ends.')),
                        ('reason', models.TextField()),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('release', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='freeze_overrides', to='golive.release')),
                        ('window', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='overrides', to='freezes.freezewindow')),
                    ],
                    options={
                        'db_table': 'golive_freezeoverride',
                        'ordering': ['-recorded_at', '-pk'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='freezewindow',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='freeze_ends_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='freezewindow',
                    constraint=models.CheckConstraint(condition=models.Q(('recurrence__in', ['once', 'weekly', 'yearly'])), name='freeze_recurrence_known'),
                ),
                migrations.AddIndex(
                    model_name='freezeoverride',
                    index=models.Index(fields=['release', 'occurrence_ends_at'], name='golive_free_release_924c2d_idx'),
                ),
            
            ],
        ),
    ]
