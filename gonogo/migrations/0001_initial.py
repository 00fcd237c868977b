"""The go/no-go meeting, its votes and the decision, moved out of golive with their tables: state only."""

import django.db.models.deletion
import golive.validators
import gonogo.decision_rule
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('golive', '0018_runbook_moves_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Decision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('outcome', models.CharField(choices=[(gonogo.decision_rule.Outcome['GO'], 'GO'), (gonogo.decision_rule.Outcome['CONDITIONAL_GO'], 'CONDITIONAL GO'), (gonogo.decision_rule.Outcome['NO_GO'], 'NO-GO'), (gonogo.decision_rule.Outcome['NO_QUORUM'], 'NO QUORUM')], max_length=20)),
                        ('computed_outcome', models.CharField(blank=True, help_text='What the rule gave; blank: chair.', max_length=20)),
                        ('rationale', models.TextField(blank=True)),
                        ('override', models.BooleanField(default=False, help_text='GO recorded although blockers were open.')),
                        ('snapshot', models.JSONField(help_text='Risks, defects, blockers and votes at the moment of the decision.')),
                        ('decided_at', models.DateTimeField(auto_now_add=True)),
                        ('decided_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'golive_decision',
                    },
                ),
                migrations.CreateModel(
                    name='DecisionCondition',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField()),
                        ('due_date', models.DateField(validators=[golive.validators.WithinPlanningYears()])),
                        ('done_at', models.DateTimeField(blank=True, null=True)),
                        ('decision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='conditions', to='gonogo.decision')),
                        ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'golive_decisioncondition',
                        'ordering': ['due_date', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='DecisionReview',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('flagged_at', models.DateTimeField(auto_now_add=True)),
                        ('first_reasons', models.JSONField(default=list)),
                        ('decision', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='review', to='gonogo.decision')),
                    ],
                    options={
                        'db_table': 'golive_decisionreview',
                    },
                ),
                migrations.CreateModel(
                    name='GoNoGoMeeting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scheduled_at', models.DateTimeField(validators=[golive.validators.WithinPlanningYears()])),
                        ('decision_rule', models.CharField(choices=[(gonogo.decision_rule.Rule['UNANIMOUS'], 'Unanimous (default)'), (gonogo.decision_rule.Rule['MAJORITY'], 'Majority of votes cast, vetoes apply')], default=gonogo.decision_rule.Rule['UNANIMOUS'], max_length=20)),
                        ('hide_votes', models.BooleanField(default=False, help_text='Only counts are shown while voting is open.', verbose_name='hide votes until close')),
                        ('state', models.CharField(choices=[('scheduled', 'Scheduled'), ('voting_open', 'Voting open'), ('closed', 'Closed'), ('cancelled', 'Cancelled')], default='scheduled', max_length=20)),
                        ('notes', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('voting_opened_at', models.DateTimeField(blank=True, null=True)),
                        ('voting_closed_at', models.DateTimeField(blank=True, null=True)),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                        ('cancel_reason', models.TextField(blank=True)),
                        ('calendar_sequence', models.PositiveIntegerField(default=0, editable=False)),
                        ('invitation_sent_sequence', models.IntegerField(blank=True, editable=False, null=True)),
                        ('voting_reminder_sent_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('chair', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='chaired_meetings', to=settings.AUTH_USER_MODEL)),
                        ('release', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meetings', to='golive.release')),
                    ],
                    options={
                        'db_table': 'golive_gonogomeeting',
                        'ordering': ['-scheduled_at', '-pk'],
                    },
                ),
                migrations.AddField(
                    model_name='decision',
                    name='meeting',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='decision', to='gonogo.gonogomeeting'),
                ),
                migrations.CreateModel(
                    name='Participant',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('required', models.BooleanField(default=False)),
                        ('can_veto', models.BooleanField(default=False)),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='gonogo.gonogomeeting')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'golive_participant',
                        'ordering': ['-can_veto', '-required', 'user__username'],
                    },
                ),
                migrations.CreateModel(
                    name='Vote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('choice', models.CharField(choices=[(gonogo.decision_rule.Choice['GO'], 'Go'), (gonogo.decision_rule.Choice['GO_WITH_CONDITIONS'], 'Go with conditions'), (gonogo.decision_rule.Choice['NO_GO'], 'No-go')], max_length=20)),
                        ('conditions', models.TextField(blank=True, help_text='Required for “go with conditions”: one per line.')),
                        ('reason', models.TextField(blank=True, help_text='Required for “no-go”.')),
                        ('cast_at', models.DateTimeField(auto_now_add=True)),
                        ('changed_at', models.DateTimeField(auto_now=True)),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='gonogo.gonogomeeting')),
                        ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='gonogo.participant')),
                    ],
                    options={
                        'db_table': 'golive_vote',
                        'ordering': ['cast_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='VoteLinkUse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('nonce', models.CharField(max_length=32, unique=True)),
                        ('used_at', models.DateTimeField(auto_now_add=True)),
                        ('participant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='vote_link_uses', to='gonogo.participant')),
                    ],
                    options={
                        'db_table': 'golive_votelinkuse',
                    },
                ),
                migrations.AddIndex(
                    model_name='gonogomeeting',
                    index=models.Index(fields=['release', 'state'], name='golive_gono_release_64d606_idx'),
                ),
                migrations.AddConstraint(
                    model_name='participant',
                    constraint=models.UniqueConstraint(fields=('meeting', 'user'), name='participant_once_per_meeting'),
                ),
                migrations.AddConstraint(
                    model_name='vote',
                    constraint=models.UniqueConstraint(fields=('meeting', 'participant'), name='one_vote_per_participant'),
                ),
                migrations.AddConstraint(
                    model_name='vote',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('choice', gonogo.decision_rule.Choice['GO_WITH_CONDITIONS']), _negated=True), models.Q(('conditions', ''), _negated=True), _connector='OR'), name='conditional_vote_has_conditions'),
                ),
                migrations.AddConstraint(
                    model_name='vote',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('choice', gonogo.decision_rule.Choice['NO_GO']), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='no_go_vote_has_reason'),
                ),
    
            ],
        ),
    ]
