"""Readiness warns (at risk, never blocked) when a vendor on the release has not acknowledged being
informed and the target go-live is VENDOR_ACKNOWLEDGEMENT_DAYS days away or closer: in Python, in the SQL
the portfolio filters and sorts by, and in the API, the same answer."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from golive.choices import ReleaseStatus, Role
from golive.models import Release
from integrations.services.api_tokens import create_api_token
from readiness.rules import (
    READINESS_RANK,
    ReadinessState,
    readiness_for,
    readiness_in_python,
    readiness_rank_expression,
    with_readiness_counts,
)
from vendors.models import VendorEngagement

pytestmark = pytest.mark.django_db

REASON = "1 vendor has not acknowledged the release, 5 days or less before go-live"


def _going_live_in(release, days: float, status=ReleaseStatus.PLANNING) -> Release:
    Release.objects.filter(pk=release.pk).update(
        target_go_live=timezone.now() + timedelta(days=days), status=status
    )
    release.refresh_from_db()
    return release


def _vendor(release, *, acknowledged: bool, name="Pegasystems Global Client Support") -> VendorEngagement:
    informed = timezone.now() - timedelta(days=2)
    return VendorEngagement.objects.create(
        release=release,
        vendor=name,
        informed_at=informed,
        shared="The go-live plan",
        acknowledged_at=informed + timedelta(hours=3) if acknowledged else None,
    )


def _both(release):
    now = timezone.now()
    in_sql, in_python = readiness_for(release, now=now), readiness_in_python(release, now=now)
    assert dict(in_sql.counts) == dict(in_python.counts)
    assert (in_sql.state, in_sql.reasons) == (in_python.state, in_python.reasons)
    rank = (
        with_readiness_counts(Release.objects.filter(pk=release.pk), now=now)
        .annotate(rank=readiness_rank_expression())
        .get()
        .rank
    )
    assert rank == READINESS_RANK[in_python.state]
    return in_sql


def test_an_unacknowledged_vendor_days_before_go_live_puts_the_release_at_risk(release):
    _vendor(_going_live_in(release, 3), acknowledged=False)
    _vendor(release, acknowledged=True, name="Northwind Cloud Hosting support")
    readiness = _both(release)
    assert readiness.state == ReadinessState.AT_RISK
    assert readiness.reasons == [REASON]
    assert readiness.counts["unacknowledged_vendor_count"] == 1


def test_every_vendor_acknowledged_is_ready(release):
    _vendor(_going_live_in(release, 3), acknowledged=True)
    assert _both(release).state == ReadinessState.READY


def test_go_live_further_away_than_the_setting_does_not_warn_yet(release, settings):
    _vendor(_going_live_in(release, 10), acknowledged=False)
    assert _both(release).state == ReadinessState.READY
    settings.VENDOR_ACKNOWLEDGEMENT_DAYS = 14
    readiness = _both(release)
    assert readiness.state == ReadinessState.AT_RISK
    assert readiness.reasons == [REASON.replace("5 days", "14 days")]


def test_a_missed_target_still_warns_until_the_release_is_live(release):
    _vendor(_going_live_in(release, -1, status=ReleaseStatus.DEPLOYING), acknowledged=False)
    assert _both(release).counts["unacknowledged_vendor_count"] == 1
    for finished in (ReleaseStatus.LIVE, ReleaseStatus.HANDED_OVER, ReleaseStatus.ROLLED_BACK):
        _going_live_in(release, -1, status=finished)
        assert _both(release).counts["unacknowledged_vendor_count"] == 0


def test_it_never_blocks_even_with_many_vendors_waiting(release):
    _going_live_in(release, 1)
    for number in range(3):
        _vendor(release, acknowledged=False, name=f"Vendor {number}")
    readiness = _both(release)
    assert readiness.state == ReadinessState.AT_RISK and readiness.blocker_count == 0
    assert readiness.reasons == ["3 vendors have not acknowledged the release, 5 days or less before go-live"]


def test_the_portfolio_and_the_api_agree(release, members, client_for):
    stakeholder = members[Role.STAKEHOLDER]
    _vendor(_going_live_in(release, 2), acknowledged=False)
    portfolio = client_for(stakeholder).get("/?readiness=at_risk")
    assert [row.name for row in portfolio.context["rows"]] == [release.name]
    assert f"At risk: {REASON}." in portfolio.content.decode()

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=stakeholder, name='CI').text}")
    answer = api.get(reverse("api:release_detail", args=[release.pk])).json()["readiness"]
    assert (answer["state"], answer["reasons"]) == ("at_risk", [REASON])
    assert answer["counts"]["unacknowledged_vendor_count"] == 1
