import pytest
from django.core.management import call_command
from django.test import Client

from communications.models import PublicIssueUpdate
from statuspage.models import StatusPage

pytestmark = pytest.mark.django_db


def test_the_demo_application_has_a_public_status_page_with_an_issue_and_a_maintenance_window():
    call_command("load_demo")
    page = StatusPage.objects.get(application="Customer Portal")
    content = Client().get(page.get_absolute_url()).content.decode()
    assert "Order history loads slowly or not at all for some customers" in content
    assert "shard eu-2" not in content  # the internal notes stay internal
    assert "Data-centre network maintenance" in content
    assert "Customer Portal sign-in page" in content and "99.40 %" in content
    call_command("load_demo")
    assert StatusPage.objects.count() == 1 and PublicIssueUpdate.objects.count() == 1
