"""The demo release shows the knowledge-transfer ladder: the Service desk shadowed one operational step
and performed the other unaided in the staging rehearsal."""

from io import StringIO

import pytest
from django.core.management import call_command

from golive.models import Release
from handover.selectors import load_overview

pytestmark = pytest.mark.django_db


def test_the_demo_service_desk_is_on_the_ladder():
    call_command("load_demo", stdout=StringIO())
    release = Release.objects.get(name="Customer Portal spring release")
    matrix = load_overview(release.handover_plan).knowledge_matrix
    desk = {row.step.title: next(c for c in row.cells if c.team.name == "Service desk") for row in matrix}
    assert {title: cell.label for title, cell in desk.items()} == {
        "Stop the nightly batch jobs": "shadowed",
        "Run the post-deployment smoke suite": "performed unaided",
    }
    assert {cell.person.username for cell in desk.values()} == {"desk"}
