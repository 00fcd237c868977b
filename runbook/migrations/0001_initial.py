import django.core.validators
import django.db.models.deletion
import golive.secret_detection
import golive.validators
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('golive', '0017_every_release_permission'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='GoLiveStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('order', models.PositiveIntegerField(default=0)),
                        ('title', models.CharField(max_length=200, validators=[golive.secret_detection.RejectSecrets()])),
                        ('instructions', models.TextField(blank=True, validators=[golive.secret_detection.RejectSecrets()])),
                        ('planned_start', models.DateTimeField(blank=True, null=True, validators=[golive.validators.WithinPlanningYears()])),
                        ('planned_duration_minutes', models.PositiveIntegerField(default=15, validators=[django.core.validators.MinValueValidator(1, message='A step takes at least one minute.'), django.core.validators.MaxValueValidator(4320, message='A step takes at most 4320 minutes (three days); split a longer one.')])),
                        ('rollback_note', models.TextField(blank=True, help_text='How to undo this step if the go-live is aborted.', validators=[golive.secret_detection.RejectSecrets()])),
                        ('kind', models.CharField(choices=[('manual', 'Manual'), ('smoke_suite', 'Run smoke suite'), ('communication', 'Send communication')], default='manual', max_length=20)),
                        ('message_kind', models.CharField(blank=True, choices=[('go_decision', 'Go decision'), ('golive_success', 'Go-live successful'), ('production_issue', 'Production issue'), ('handover_complete', 'Handover complete')], help_text='For a “send communication” step: the message drafted when the step starts.', max_length=30, verbose_name='message to send')),
                        ('point_of_no_return', models.BooleanField(default=False, help_text='After this step starts, rolling back is no longer possible or very costly.')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('in_progress', 'In progress'), ('done', 'Done'), ('failed', 'Failed'), ('skipped', 'Skipped')], default='pending', max_length=20)),
                        ('skip_reason', models.TextField(blank=True, validators=[golive.secret_detection.RejectSecrets()])),
                        ('failure_note', models.TextField(blank=True, validators=[golive.secret_detection.RejectSecrets()])),
                        ('actual_start', models.DateTimeField(blank=True, null=True)),
                        ('actual_end', models.DateTimeField(blank=True, null=True)),
                        ('runnable_notified_at', models.DateTimeField(blank=True, help_text='When the owner and shadows were told the step can start.', null=True)),
                        ('depends_on', models.ManyToManyField(blank=True, related_name='dependents', to='runbook.golivestep')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='owned_steps', to=settings.AUTH_USER_MODEL)),
                        ('release', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='golive.release')),
                        ('shadows', models.ManyToManyField(blank=True, help_text='Production-support members who observe this step to run it themselves next time.', related_name='shadowed_steps', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'golive_golivestep',
                        'ordering': ['release', 'order', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Rehearsal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('environment', models.CharField(default='staging', max_length=100)),
                        ('started_at', models.DateTimeField(auto_now_add=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('release', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rehearsals', to='golive.release')),
                        ('started_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'golive_rehearsal',
                        'ordering': ['-started_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='RehearsalStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('rehearsal', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='timings', to='runbook.rehearsal')),
                        ('step', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rehearsal_timings', to='runbook.golivestep')),
                    ],
                    options={
                        'db_table': 'golive_rehearsalstep',
                        'ordering': ['step__order', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='golivestep',
                    index=models.Index(fields=['release', 'order'], name='golive_goli_release_984b9d_idx'),
                ),
                migrations.AddIndex(
                    model_name='golivestep',
                    index=models.Index(fields=['owner', 'status'], name='golive_goli_owner_i_4073e5_idx'),
                ),
                migrations.AddConstraint(
                    model_name='golivestep',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'in_progress', 'done', 'failed', 'skipped'])), name='step_status_known'),
                ),
                migrations.AddConstraint(
                    model_name='golivestep',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'skipped'), _negated=True), models.Q(('skip_reason', ''), _negated=True), _connector='OR'), name='skipped_step_has_reason'),
                ),
                migrations.AddConstraint(
                    model_name='rehearsalstep',
                    constraint=models.UniqueConstraint(fields=('rehearsal', 'step'), name='one_timing_per_rehearsal_step'),
                ),
            ],
        ),
    ]
