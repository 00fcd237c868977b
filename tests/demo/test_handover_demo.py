import pytest
from django.core.management import call_command

from handover.choices import AccessStatus, ItemStatus
from handover.models import AccessTransfer, HandoverItem, HandoverPlan, SupportTeam, TrainingSession

pytestmark = pytest.mark.django_db


def _counts():
    return [
        model.objects.count()
        for model in (SupportTeam, HandoverPlan, HandoverItem, AccessTransfer, TrainingSession)
    ]


def test_demo_has_a_handover_under_way_and_loading_it_again_changes_nothing():
    call_command("load_demo", verbosity=0)
    first = _counts()
    call_command("load_demo", verbosity=0)

    assert _counts() == first
    support_team = SupportTeam.objects.get(name="Application support")
    assert support_team.lead.username == "support"
    plan = HandoverPlan.objects.get(release__name="Customer Portal spring release")
    assert plan.items.filter(status=ItemStatus.DELIVERED).count() == 2
    assert AccessTransfer.objects.filter(status=AccessStatus.GRANTED).count() == 1
    assert plan.items.filter(required_training__isnull=False).count() == 1
    assert plan.agreements.filter(team=support_team, withdrawn_at__isnull=True).exists()
