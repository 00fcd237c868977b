"""Junk sent to every handover form gives a page with errors (or a refusal message), never a server error,
and changes nothing that was saved."""

import pytest
from django.urls import reverse
from django.utils import timezone

from golive.choices import Role
from handover.models import AccessTransfer, HandoverItem, RequiredDocument, TrainingSession
from handover.services.access import create_access_transfer
from handover.services.training import create_training_session

pytestmark = pytest.mark.django_db

JUNK = {
    "title": "x" * 5000,
    "description": "password=hunter2",
    "category": "not-a-category",
    "receiving_team": "999999",
    "delivering_owner": "abc",
    "due_date": "31/31/2026",
    "needed_by": "",
    "required_training": "-1",
    "note": "",
    "link": "not a url",
    "reason": "",
    "version": "v" * 200,
    "status": "bogus",
    "owner": "0",
    "system": "",
    "access_level": "x" * 500,
    "current_holder": "",
    "credential_location": "-----BEGIN PRIVATE KEY-----",
    "revoked_on": "yesterday",
    "topic": "",
    "trainer": "",
    "team": "nan",
    "scheduled_for": "soon",
    "invited": ["x", "99999"],
    "attended": [],
    "teams": ["nope"],
    "hypercare_hours": "-5",
    "uptime_target_percent": "101.5",
    "name": "",
    "kind": "wizards",
    "lead": "",
    "members": ["?"],
    "typed_name": "",
    "comment": "token=abc",
}


@pytest.fixture
def records(plan, manager, support_team, make_item):
    item = make_item(support_team)
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Console",
        access_level="admin",
        current_holder="Dana",
        receiving_team=support_team,
        credential_location="kv/console",
    )
    session = create_training_session(
        plan=plan, actor=manager, topic="Walkthrough", trainer="Dana", scheduled_for=timezone.now()
    )
    return {"item": item, "access": access, "session": session, "document": plan.documents.first()}


def _snapshot():
    return [
        list(model.objects.order_by("pk").values())
        for model in (HandoverItem, AccessTransfer, TrainingSession, RequiredDocument)
    ]


def test_junk_never_breaks_a_form_and_changes_nothing(plan, records, manager, support_team, client_for):
    release_pk = plan.release_id
    item, access, session, document = (
        records["item"],
        records["access"],
        records["session"],
        records["document"],
    )
    forms = [
        ("handover:plan_settings", []),
        ("handover:team_create", []),
        ("handover:item_create", []),
        ("handover:item_edit", [item.pk]),
        ("handover:item_deliver", [item.pk]),
        ("handover:item_waive", [item.pk]),
        ("handover:document_edit", [document.pk]),
        ("handover:access_create", []),
        ("handover:access_edit", [access.pk]),
        ("handover:access_revoke", [access.pk]),
        ("handover:training_create", []),
        ("handover:training_edit", [session.pk]),
        ("handover:training_held", [session.pk]),
        ("handover:plan_reopen", []),
    ]
    before = _snapshot()
    client = client_for(manager)
    for url_name, extra in forms:
        response = client.post(reverse(url_name, args=[release_pk, *extra]), JUNK)
        assert response.status_code == 200, url_name
        assert response.context["form"].errors, url_name
    lead_client = client_for(support_team.lead)
    for url_name, extra in [
        ("handover:item_reject", [item.pk]),
        ("handover:team_signoff", [support_team.pk]),
    ]:
        response = lead_client.post(reverse(url_name, args=[release_pk, *extra]), JUNK)
        assert response.status_code == 200, url_name
        assert response.context["form"].errors, url_name
    assert _snapshot() == before


def test_one_click_actions_in_the_wrong_state_explain_themselves(plan, records, support_team, client_for):
    release_pk = plan.release_id
    client = client_for(support_team.lead)
    response = client.post(
        reverse("handover:item_accept", args=[release_pk, records["item"].pk]), follow=True
    )
    assert "is open; it cannot become accepted" in response.content.decode()
    response = client.post(
        reverse("handover:access_verify", args=[release_pk, records["access"].pk]), follow=True
    )
    assert "it cannot become “Verified by the receiving team”" in response.content.decode()
    assert _snapshot()[0][0]["status"] == "open"


def test_get_on_a_post_only_action_is_refused(plan, records, manager, client_for):
    url = reverse("handover:item_accept", args=[plan.release_id, records["item"].pk])
    assert client_for(manager).get(url).status_code == 405


@pytest.mark.parametrize(
    "target",
    ["abc", "https://evil.example/", "//evil.example/", "/x\r\nSet-Cookie: a=b", "javascript:alert(1)"],
)
def test_accepting_an_item_with_a_hostile_next_goes_back_to_the_plan(
    target, release, plan, make_item, support_team, members, client_for
):
    item = make_item(support_team)
    response = client_for(members[Role.PRODUCTION_SUPPORT]).post(
        f"/releases/{release.pk}/handover/items/{item.pk}/accept/", {"next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/releases/{release.pk}/handover/#items"
