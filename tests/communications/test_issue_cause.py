"""A production issue may name the defect or risk of its release that caused it; the link is audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communications.models import ProductionIssue
from communications.services.production_issues import create_issue, update_issue
from golive.choices import Role
from golive.models import AuditEvent
from tests.factories import DefectFactory, ReleaseFactory, RiskFactory


def _form(**values) -> dict:
    return {"title": "Wrong totals", "severity": "major", "status": "open", "what_happened": "Off by a cent",
            "impact": "Shoppers", **values}  # fmt: skip


def test_the_form_links_a_defect_and_a_risk_of_the_release(release, members, client_for):
    defect = DefectFactory(release=release, external_key="ORD-103")
    risk = RiskFactory(release=release)
    client = client_for(members[Role.PRODUCTION_SUPPORT])
    response = client.post(
        reverse("communications:issue_create", args=[release.pk]),
        _form(caused_by_defect=defect.pk, caused_by_risk=risk.pk),
    )
    assert response.status_code == 302, response.context["form"].errors
    issue = ProductionIssue.objects.get()
    assert (issue.caused_by_defect, issue.caused_by_risk) == (defect, risk)
    event = AuditEvent.objects.get(verb="production_issue.opened")
    assert event.changes["caused_by_defect"] == [None, defect.pk]
    assert event.labels["caused_by_defect"] == [None, defect.title]
    page = client.get(reverse("communications:issue_list", args=[release.pk]))
    assert "Caused by defect ORD-103" in page.content.decode()


def test_another_releases_defect_is_not_a_choice(release, members, client_for):
    elsewhere = DefectFactory(release=ReleaseFactory())
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("communications:issue_create", args=[release.pk]), _form(caused_by_defect=elsewhere.pk)
    )
    assert response.status_code == 200
    assert "caused_by_defect" in response.context["form"].errors
    assert not ProductionIssue.objects.exists()


def test_the_service_refuses_another_releases_risk(release, members):
    manager = members[Role.RELEASE_MANAGER]
    issue = create_issue(release=release, actor=manager, title="Slow", what_happened="…", impact="…")
    with pytest.raises(ValidationError) as refused:
        update_issue(issue=issue, actor=manager, caused_by_risk=RiskFactory(release=ReleaseFactory()))
    assert "caused_by_risk" in refused.value.message_dict
    assert ProductionIssue.objects.get(pk=issue.pk).caused_by_risk is None


def test_linking_a_cause_later_is_audited(release, members):
    manager = members[Role.RELEASE_MANAGER]
    issue = create_issue(release=release, actor=manager, title="Slow", what_happened="…", impact="…")
    defect = DefectFactory(release=release)
    update_issue(issue=issue, actor=manager, caused_by_defect=defect)
    event = AuditEvent.objects.get(verb="production_issue.changed")
    assert event.changes == {"caused_by_defect": [None, defect.pk]}
