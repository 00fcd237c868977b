"""API tokens, webhook endpoints and their deliveries now belong to the integrations app.

The tables keep their names, so nothing happens in the database but the app label of their content types,
which permissions, redactions and audit events refer to: the rows are relabelled, not recreated. No model
left in golive points at them.
"""

from django.db import migrations

from golive.migrations._app_moves import relabel_content_types

MOVED = {"apitoken": "integrations", "webhookendpoint": "integrations", "webhookdelivery": "integrations"}


class Migration(migrations.Migration):
    dependencies = [
        ("golive", "0020_communications_move_out"),
        ("integrations", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        # That data migration reads golive.WebhookEndpoint, so it runs while golive still has the model.
        ("smoketests", "0003_monitor_alerts_through_webhooks"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="WebhookDelivery"),
                migrations.DeleteModel(name="WebhookEndpoint"),
                migrations.DeleteModel(name="ApiToken"),
            ],
        ),
        relabel_content_types(MOVED),
    ]
