"""Monitor alerts: who hears of a monitor's state change and what they are told, sent once per alert."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from golive.choices import Role
from smoketests.choices import AlertKind
from smoketests.models import Monitor, MonitorAlert

logger = logging.getLogger(__name__)


def alert_recipients(monitor: Monitor) -> list[str]:
    listed = [address.strip() for address in monitor.alert_emails.split(",") if address.strip()]
    if listed:
        return listed
    members = monitor.release.memberships.filter(
        role__in=[Role.RELEASE_MANAGER, Role.PRODUCTION_SUPPORT]
    ).select_related("user")
    return sorted({m.user.email for m in members if m.user.email})


def alert_payload(alert: MonitorAlert) -> dict:
    monitor = alert.monitor
    last = monitor.results.filter(finished_at__isnull=False).order_by("-scheduled_for").first()
    return {
        "event": f"monitor.{alert.kind}",
        "release": {"id": monitor.release_id, "name": monitor.release.name},
        "monitor": {"id": monitor.pk, "check": monitor.smoke_check.name, "url": monitor.smoke_check.url},
        "state": monitor.state,
        "since": monitor.state_changed_at.isoformat() if monitor.state_changed_at else None,
        "consecutive_failures": monitor.consecutive_failures,
        "last_check": last.message if last else "",
    }


def alert_email_body(alert: MonitorAlert, payload: dict) -> str:
    """The alert as people read it: a readable time in TIME_ZONE and links to the monitor and the release."""
    from golive.templatetags.words import when

    monitor = alert.monitor
    site = settings.SITE_URL.rstrip("/")
    since = when(monitor.state_changed_at) if monitor.state_changed_at else "an unknown time"
    return (
        f"The monitor of {payload['monitor']['check']} ({payload['monitor']['url']}) is "
        f"{monitor.get_state_display().lower()} since {since} ({settings.TIME_ZONE}).\n"
        f"Last check: {payload['last_check'] or 'no message'}\n\n"
        f"Monitor: {site}{monitor.get_absolute_url()}\n"
        f"Release {monitor.release.name}: {site}{monitor.release.get_absolute_url()}\n"
    )


def send_alert(*, alert_id: int) -> MonitorAlert | None:
    """Mail one alert; claimed first so it goes out once. Webhooks get the change as `monitor.down` or
    `monitor.up` through the release's webhook endpoints, signed and retried (integrations.receivers)."""
    if not MonitorAlert.objects.filter(pk=alert_id, sending_started_at__isnull=True).update(
        sending_started_at=timezone.now()
    ):
        return None
    alert = MonitorAlert.objects.select_related("monitor__smoke_check", "monitor__release").get(pk=alert_id)
    payload = alert_payload(alert)
    recipients = alert_recipients(alert.monitor)
    headline = "DOWN" if alert.kind == AlertKind.DOWN else "RECOVERED"
    subject = f"[GoLive Desk] {headline}: {payload['monitor']['check']} ({payload['release']['name']})"
    problems = []
    if recipients:
        try:
            send_mail(
                subject=subject,
                message=alert_email_body(alert, payload),
                from_email=None,
                recipient_list=recipients,
            )
        except Exception as error:  # an alert that cannot be mailed is recorded, not lost silently
            problems.append(f"E-mail failed: {error}")
    alert.recipients = ", ".join(recipients)
    alert.error = " ".join(problems)
    alert.sent_at = timezone.now()
    alert.save(update_fields=["recipients", "error", "sent_at"])
    return alert
