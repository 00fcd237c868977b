"""Loads the demo: five users (password `demo`) and a realistic release with its team, risks and defects.

Safe to run again: users and the demo release are found by name, not created twice. `--scale N` adds
N more releases full of data for the dashboards (see demo/scale.py).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from demo.disband import load_disband_demo
from demo.go_live import LIVE_DEMO_RELEASE_NAME, load_freeze_demo, load_live_release_demo, load_runbook_demo
from demo.handover import load_handover_demo
from demo.knowledge_transfer import load_knowledge_transfer_demo
from demo.reviews import load_review_demo
from demo.scale import load_scale_demo
from demo.status_page import load_status_page_demo
from demo.vendors import load_vendor_demo
from golive.choices import DefectSeverity, DefectStatus, Environment, Role
from golive.models import Release
from golive.services.calendars import create_calendar_feed
from golive.services.releases import add_member, create_release
from registers.services.defects import create_defect
from registers.services.risks import create_risk

DEMO_PASSWORD = "demo"
DEMO_USERS = [
    # username, first name, last name, role on the demo release
    ("manager", "Maria", "Manager", Role.RELEASE_MANAGER),
    ("owner", "Oscar", "Owner", Role.PRODUCT_OWNER),
    ("dev", "Dana", "Developer", Role.SCRUM_TEAM),
    ("stakeholder", "Sam", "Stakeholder", Role.STAKEHOLDER),
    ("support", "Sofia", "Support", Role.PRODUCTION_SUPPORT),
]
DEMO_RELEASE_NAME = "Customer Portal spring release"

DEMO_RISKS = [
    {
        "title": "Payment gateway certificate rotation on go-live night",
        "probability": 3,
        "impact": 5,
        "owner": "dev",
        "mitigation": "Rotate the certificate in staging first and keep the old one valid for 48 h.",
        "contingency": "Fall back to the previous certificate bundle from the vault.",
        "contingency_accepted": True,
    },
    {
        "title": "Data migration of 2.3 M customer records overruns the maintenance window",
        "probability": 4,
        "impact": 4,
        "owner": "dev",
        "mitigation": "Rehearse the migration on a production-sized copy; batch by region.",
        "contingency": "",
    },
    {
        "title": "Service desk not yet trained on the new self-service flows",
        "probability": 3,
        "impact": 3,
        "owner": "support",
        "mitigation": "Two training sessions in the week before go-live.",
        "contingency": "Route portal tickets to the application team for the first week.",
    },
    {
        "title": "Single sign-on provider change freeze overlaps the release",
        "probability": 2,
        "impact": 4,
        "owner": "manager",
        "mitigation": "Confirm the freeze dates with the identity team.",
        "contingency": "Keep the current SSO configuration; the release does not depend on new claims.",
    },
    {
        "title": "Peak traffic after the marketing e-mail",
        "probability": 2,
        "impact": 3,
        "owner": "owner",
        "mitigation": "Autoscaling limits raised; load test at 3× normal peak.",
        "contingency": "",
    },
]

DEMO_DEFECTS = [
    {
        "title": "Order history shows duplicate lines for split shipments",
        "severity": DefectSeverity.MAJOR,
        "status": DefectStatus.IN_PROGRESS,
        "external_key": "CP-1412",
        "workaround": "Customers can filter by shipment number.",
        "owner": "dev",
    },
    {
        "title": "Password reset e-mail link expires after 5 minutes instead of 60",
        "severity": DefectSeverity.CRITICAL,
        "status": DefectStatus.OPEN,
        "external_key": "CP-1431",
        "blocks_go_live": True,
        "owner": "dev",
    },
    {
        "title": "Footer link to the privacy policy opens in the same tab",
        "severity": DefectSeverity.TRIVIAL,
        "status": DefectStatus.OPEN,
        "external_key": "CP-1377",
    },
    {
        "title": "Date picker ignores the user's locale on the returns form",
        "severity": DefectSeverity.MINOR,
        "status": DefectStatus.DEFERRED,
        "external_key": "CP-1390",
        "workaround": "Dates are accepted in ISO format.",
    },
]


class Command(BaseCommand):
    help = "Load demo users (password 'demo') and a demo release. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Also create N data-rich releases for the dashboards (N=200: 10,000+ risks and defects).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        users = {username: self._user(username, first, last) for username, first, last, _ in DEMO_USERS}
        users["manager"].user_permissions.add(Permission.objects.get(codename="add_release"))

        release = Release.objects.filter(name=DEMO_RELEASE_NAME).first()
        if release is None:
            release = self._release(users)
            self.stdout.write(self.style.SUCCESS(f"Created the demo release “{release.name}”."))
        else:
            self.stdout.write(f"The demo release “{release.name}” is already there; nothing changed.")
        if load_handover_demo(release=release, users=users, password=DEMO_PASSWORD):
            self.stdout.write(self.style.SUCCESS("Created the demo handover plan and support teams."))
        load_disband_demo(release=release, users=users)
        if load_runbook_demo(release=release, users=users):
            self.stdout.write(self.style.SUCCESS("Created the demo runbook."))
        load_vendor_demo(release=release, users=users)
        load_knowledge_transfer_demo(release=release, users=users, password=DEMO_PASSWORD)
        if load_live_release_demo(users=users):
            self.stdout.write(
                self.style.SUCCESS(f"Created “{LIVE_DEMO_RELEASE_NAME}”, decided GO and ready to run.")
            )
        load_review_demo(users=users)
        if load_freeze_demo():
            self.stdout.write(self.style.SUCCESS("Created the demo freeze windows."))
        load_status_page_demo(users=users)
        if options["scale"] > 0:
            created = load_scale_demo(count=options["scale"], users=users)
            self.stdout.write(
                self.style.SUCCESS(f"Created {created} scale demo releases of {options['scale']}.")
            )
        self._print_calendar_feeds(users)

    def _print_calendar_feeds(self, users) -> None:
        self.stdout.write("Calendar feeds (also on each user's Profile page):")
        for username, user in users.items():
            path = reverse("integrations:calendar_feed", args=[create_calendar_feed(user=user).token])
            self.stdout.write(f"  {username}: {settings.SITE_URL.rstrip('/')}{path}")

    def _user(self, username: str, first_name: str, last_name: str):
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@example.com"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user

    def _release(self, users) -> Release:
        manager = users["manager"]
        release = create_release(
            actor=manager,
            name=DEMO_RELEASE_NAME,
            application="Customer Portal",
            version="4.2.0",
            environment=Environment.PRODUCTION,
            target_go_live=timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=10),
            description="Self-service returns, new order history and the payment gateway upgrade.",
        )
        for username, _, _, role in DEMO_USERS:
            add_member(release=release, user=users[username], role=role, actor=manager)
        for risk in DEMO_RISKS:
            values = {**risk, "owner": users.get(risk.get("owner"))}
            create_risk(release=release, actor=manager, **values)
        for defect in DEMO_DEFECTS:
            values = {**defect, "owner": users.get(defect.get("owner"))}
            create_defect(release=release, actor=users["dev"], **values)
        return release
