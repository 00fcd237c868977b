import pytest

from golive.choices import Role
from handover.forms import ItemForm
from handover.services.plans import create_plan

pytestmark = pytest.mark.django_db


def test_the_delivering_owner_picker_offers_full_names_and_no_stakeholder(release, members):
    plan = create_plan(release=release, actor=members[Role.RELEASE_MANAGER], teams=[])
    field = ItemForm(plan=plan).fields["delivering_owner"]
    offered = list(field.queryset)
    assert members[Role.STAKEHOLDER] not in offered
    assert members[Role.PRODUCTION_SUPPORT] not in offered
    assert members[Role.SCRUM_TEAM] in offered
    manager = members[Role.RELEASE_MANAGER]
    assert field.label_from_instance(manager) == manager.get_full_name()


def test_a_stakeholder_chosen_as_delivering_owner_is_refused(release, members):
    plan = create_plan(release=release, actor=members[Role.RELEASE_MANAGER], teams=[])
    form = ItemForm(
        data={
            "title": "Runbook",
            "category": "documentation",
            "needed_by": "go_live",
            "delivering_owner": members[Role.STAKEHOLDER].pk,
        },
        plan=plan,
    )
    assert not form.is_valid()
    assert "delivering_owner" in form.errors
