"""The API tokens and webhook models, moved from golive with their tables (golive_apitoken,
golive_webhookendpoint, golive_webhookdelivery): only Django's idea of the models changes here, no table
is created. golive 0021_integrations_move_out removes them from golive's state."""

import django.db.models.deletion
import integrations.models.webhooks
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
                    name='WebhookEndpoint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('url', models.URLField(max_length=500, verbose_name='URL')),
                        ('events', models.JSONField(blank=True, default=list, help_text='Event names this endpoint receives; empty: all.')),
                        ('secret', models.CharField(default=integrations.models.webhooks.new_webhook_secret, editable=False, help_text='Signs every delivery (HMAC-SHA256); the receiver keeps a copy to verify it.', max_length=64)),
                        ('format', models.CharField(choices=[('generic', 'Generic JSON (signed)'), ('slack', 'Slack incoming webhook (Block Kit)'), ('teams', 'Microsoft Teams incoming webhook (Adaptive Card)')], default='generic', help_text="The body's shape: GoLive Desk's JSON, or a chat service's own message format.", max_length=10)),
                        ('active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('release', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_endpoints', to='golive.release')),
                    ],
                    options={
                        'db_table': 'golive_webhookendpoint',
                        'ordering': ['release', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event', models.CharField(max_length=50)),
                        ('body', models.TextField(help_text='The JSON body exactly as signed and sent.')),
                        ('status', models.CharField(choices=[('pending', 'Waiting to be sent'), ('sending', 'Sending'), ('delivered', 'Delivered'), ('failed', 'Failed (gave up)')], default='pending', max_length=10)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('response_status', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('endpoint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='integrations.webhookendpoint')),
                    ],
                    options={
                        'verbose_name_plural': 'webhook deliveries',
                        'db_table': 'golive_webhookdelivery',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text='What uses the token, e.g. “GitLab deploy job”.', max_length=100)),
                        ('digest', models.CharField(editable=False, max_length=64, unique=True)),
                        ('hint', models.CharField(editable=False, help_text="The token's first characters, to recognise it in lists.", max_length=12)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'API token',
                        'db_table': 'golive_apitoken',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['user', 'revoked_at'], name='golive_apit_user_id_a96fcb_idx')],
                    },
                ),
                migrations.AddIndex(
                    model_name='webhookendpoint',
                    index=models.Index(fields=['release', 'active'], name='golive_webh_release_77dc22_idx'),
                ),
                migrations.AddIndex(
                    model_name='webhookdelivery',
                    index=models.Index(fields=['endpoint', '-created_at'], name='webhookdelivery_recent'),
                ),
                migrations.AddIndex(
                    model_name='webhookdelivery',
                    index=models.Index(condition=models.Q(('status__in', ['pending', 'sending'])), fields=['status', 'next_attempt_at'], name='webhookdelivery_unfinished'),
                ),
                migrations.AddConstraint(
                    model_name='webhookdelivery',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'sending', 'delivered', 'failed'])), name='webhookdelivery_status_known'),
                ),
            ],
        ),
    ]
