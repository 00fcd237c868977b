"""Monitor alerts leave as HTTP only through the release's signed, retried webhooks.

Each monitor's own webhook URL becomes a webhook endpoint of its release that receives `monitor.down` and
`monitor.up` (for every monitor of the release), with a new signing secret shown on the Webhooks page.
An endpoint the release already has for that URL is kept and, if it lists its events, given those two.
"""

from django.db import migrations

MONITOR_EVENTS = ["monitor.down", "monitor.up"]


def monitor_webhooks_to_endpoints(apps, schema_editor):
    Monitor = apps.get_model("smoketests", "Monitor")
    WebhookEndpoint = apps.get_model("golive", "WebhookEndpoint")
    pairs = (
        Monitor.objects.exclude(webhook_url="").values_list("release_id", "webhook_url").distinct().order_by()
    )
    for release_id, url in pairs:
        endpoint = WebhookEndpoint.objects.filter(release_id=release_id, url=url).first()
        if endpoint is None:
            WebhookEndpoint.objects.create(release_id=release_id, url=url[:500], events=MONITOR_EVENTS)
        elif endpoint.events and not set(MONITOR_EVENTS) <= set(endpoint.events):
            endpoint.events = sorted(set(endpoint.events) | set(MONITOR_EVENTS))
            endpoint.save(update_fields=["events"])


class Migration(migrations.Migration):
    dependencies = [
        ("smoketests", "0002_run_trigger_api"),
        ("golive", "0005_risk_external_key"),
    ]

    operations = [
        migrations.RunPython(monitor_webhooks_to_endpoints, migrations.RunPython.noop),
        migrations.RemoveField(model_name="monitor", name="webhook_url"),
        migrations.RemoveField(model_name="monitoralert", name="webhook_status"),
    ]
