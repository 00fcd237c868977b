import pytest
from django.core.management import call_command

from golive.models import AuditEvent, Release
from vendors.models import VendorEngagement

pytestmark = pytest.mark.django_db


def test_the_demo_release_has_pega_acknowledged_and_one_vendor_waiting():
    call_command("load_demo")
    release = Release.objects.get(name="Customer Portal spring release")
    pega = VendorEngagement.objects.get(release=release, vendor="Pegasystems Global Client Support")
    assert pega.is_acknowledged and pega.case_number and pega.on_call_contact
    assert pega.acknowledgement_recorded_by.username == "manager"
    waiting = VendorEngagement.objects.filter(release=release).unacknowledged()
    assert [vendor.vendor for vendor in waiting] == ["Northwind Cloud Hosting support"]
    assert AuditEvent.objects.filter(release=release, verb="vendor.acknowledged").count() == 1
    call_command("load_demo")
    assert VendorEngagement.objects.count() == 2
