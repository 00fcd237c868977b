import pytest
from django.core.management import call_command

from demo.disband import KEPT_REASON
from handover.disband import disband_state
from handover.models import AccessTransfer, HandoverPlan

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_bus_factor_of_one_and_a_kept_project_access():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)

    plan = HandoverPlan.objects.get(release__name="Customer Portal spring release")
    sentences = [gap.sentence for gap in disband_state(plan).gaps]
    assert "Production database: one verified holder in Infrastructure operations — a bus factor of one" in (
        sentences
    )
    assert not any("Production database: project access" in sentence for sentence in sentences)
    kept = AccessTransfer.objects.get(plan=plan, system="Production database")
    assert kept.project_access_kept_reason == KEPT_REASON and kept.verified_by.username == "ops"
