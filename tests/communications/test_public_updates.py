"""Publishing a production issue's public update: an explicit, audited act of the release manager or
production support, apart from the issue's internal notes."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communications.models import PublicIssueUpdate
from communications.services.production_issues import create_issue
from communications.services.public_updates import publish_public_update
from golive.choices import Role
from golive.models import AuditEvent
from golive.permissions import NotAllowed

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": "Order history is slow",
    "what_it_is": "Order history pages take up to 30 seconds to load.",
    "impact": "Customers looking up past orders.",
}


@pytest.fixture
def issue(release, members):
    return create_issue(
        release=release, actor=members[Role.PRODUCTION_SUPPORT], title="db lag", what_happened="x", impact="y"
    )


@pytest.mark.parametrize("role", [Role.RELEASE_MANAGER, Role.PRODUCTION_SUPPORT])
def test_the_release_manager_and_production_support_publish(issue, members, role):
    update = publish_public_update(issue=issue, actor=members[role], **FIELDS)
    assert update.published_by == members[role]
    event = AuditEvent.objects.get(verb="production_issue.public_update_published")
    assert event.actor == members[role] and event.data["public_update"] == update.pk


@pytest.mark.parametrize("role", [Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.STAKEHOLDER, Role.VENDOR_SUPPORT])
def test_other_roles_may_not_publish(issue, members, role):
    with pytest.raises(NotAllowed):
        publish_public_update(issue=issue, actor=members[role], **FIELDS)
    assert not PublicIssueUpdate.objects.exists()


def test_a_stranger_may_not_publish(issue, stranger):
    with pytest.raises(NotAllowed):
        publish_public_update(issue=issue, actor=stranger, **FIELDS)


def test_a_secret_in_the_public_text_is_refused(issue, members):
    with pytest.raises(ValidationError) as refused:
        publish_public_update(
            issue=issue,
            actor=members[Role.RELEASE_MANAGER],
            **{**FIELDS, "workaround": "log in with password=hunter22"},
        )
    assert "workaround" in refused.value.message_dict
    assert not PublicIssueUpdate.objects.exists()


def test_the_publish_page_publishes_and_prefills_the_next_update_from_the_last(issue, members, client_for):
    client = client_for(members[Role.PRODUCTION_SUPPORT])
    url = reverse("communications:issue_publish", args=[issue.release_id, issue.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Nothing published yet" in page.content
    assert b"db lag" in page.content and b'value="db lag"' not in page.content  # internal notes never prefill
    assert client.post(url, {}).status_code == 200  # errors on the form, nothing published
    assert not PublicIssueUpdate.objects.exists()
    response = client.post(url, {**FIELDS, "next_update_at": "2100-13-40T99:00"})
    assert response.status_code == 200 and not PublicIssueUpdate.objects.exists()
    response = client.post(url, FIELDS)
    assert response.status_code == 302
    assert PublicIssueUpdate.objects.get().title == FIELDS["title"]
    assert f'value="{FIELDS["title"]}"'.encode() in client.get(url).content


@pytest.mark.parametrize("role", [Role.PRODUCT_OWNER, Role.STAKEHOLDER])
def test_the_publish_page_refuses_other_roles(issue, members, client_for, role):
    url = reverse("communications:issue_publish", args=[issue.release_id, issue.pk])
    assert client_for(members[role]).post(url, FIELDS).status_code == 403
    assert not PublicIssueUpdate.objects.exists()
