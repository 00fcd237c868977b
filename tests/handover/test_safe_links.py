"""Handover documents and evidence: a stored link with a script scheme is shown as text, never as a link."""

import pytest
from django.urls import reverse

from golive.choices import Role
from handover.models import HandoverItem, RequiredDocument
from tests.golive.test_links import assert_shown_as_text


@pytest.mark.django_db
def test_handover_documents_and_evidence_links_with_a_script_scheme_are_plain_text(
    release, members, client_for, plan, make_item, support_team
):
    item = make_item(support_team)
    HandoverItem.objects.filter(pk=item.pk).update(evidence_link="data:text/html,<script>alert(1)</script>")
    RequiredDocument.objects.filter(plan=plan).update(link="javascript:alert(2)")
    html = client_for(members[Role.RELEASE_MANAGER]).get(reverse("handover:plan", args=[release.pk])).content
    html = html.decode()
    assert "<script>alert(1)" not in html
    assert_shown_as_text(html, "data:text/html")
    assert_shown_as_text(html, "javascript:alert(2)")
