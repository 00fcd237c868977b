"""Data migrations keep what people set up: a monitor's webhook URL becomes a webhook endpoint.

The suite builds its database without migrations, so this runs them for real on a fresh SQLite file in
a process of its own.
"""

import json
import os
import subprocess
import sys

from tests.worker import ROOT

SCRIPT = """
import json
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

executor = MigrationExecutor(connection)
(target,) = [key for key in executor.loader.disk_migrations
             if key[0] == "smoketests" and key[1].endswith("_monitor_alerts_through_webhooks")]
before = [parent.key for parent in executor.loader.graph.node_map[target].parents]
executor.migrate(before)
old = executor.loader.project_state(before).apps
Release, Endpoint = old.get_model("golive", "Release"), old.get_model("golive", "WebhookEndpoint")
Check, Monitor = old.get_model("smoketests", "SmokeCheck"), old.get_model("smoketests", "Monitor")
spring, autumn = [Release.objects.create(name=name, application="Portal", version="1",
                                         target_go_live=timezone.now()) for name in ("spring", "autumn")]
Endpoint.objects.create(release=autumn, url="https://hooks.example.com/b", events=["ping"])
for index, (release, url) in enumerate([
    (spring, "https://hooks.example.com/a"),
    (spring, "https://hooks.example.com/a"),
    (spring, ""),
    (autumn, "https://hooks.example.com/b"),
]):
    check = Check.objects.create(release=release, name=f"check {index}", url="https://portal.example.com/")
    Monitor.objects.create(release=release, smoke_check=check, webhook_url=url, next_due_at=timezone.now())

executor = MigrationExecutor(connection)
executor.migrate(executor.loader.graph.leaf_nodes())
from integrations.models import WebhookEndpoint
print(json.dumps([
    [endpoint.release.name, endpoint.url, endpoint.events, len(endpoint.secret)]
    for endpoint in WebhookEndpoint.objects.order_by("release_id", "url")
]))
"""


def test_monitor_webhook_urls_become_endpoints_for_monitor_events(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'migrated.sqlite3'}",
        "GOLIVE_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [
        ["spring", "https://hooks.example.com/a", ["monitor.down", "monitor.up"], 64],
        ["autumn", "https://hooks.example.com/b", ["monitor.down", "monitor.up", "ping"], 64],
    ]
