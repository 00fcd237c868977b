"""The demo's post-implementation review: the winter release's drafted lines come from its records."""

import pytest
from django.core.management import call_command

from golive.models import Release
from reviews.choices import FindingKind
from reviews.models import Review
from reviews.track_record import track_record

pytestmark = pytest.mark.django_db


def test_the_demo_review_traces_a_known_defect_to_a_production_issue():
    call_command("load_demo")
    review = Review.objects.get(release__name="Customer Portal winter release")
    texts = {
        kind: list(review.drafted_findings.filter(kind=kind).values_list("text", flat=True))
        for kind in FindingKind
    }
    [defect_line] = texts[FindingKind.DEFECT_CAUSED_ISSUE]
    assert defect_line.startswith(
        "CP-1398 “Order confirmation e-mail shows the net instead of the gross total”"
    )
    assert "non-blocking at CONDITIONAL GO → production issue #" in defect_line
    assert len(texts[FindingKind.RISK_MATERIALISED]) == 1
    assert [text for text in texts[FindingKind.LATE_STEP] if "Run the order table migration" in text]
    assert "2 days late." in texts[FindingKind.CONDITION_LATE][0]
    assert len(texts[FindingKind.HANDOVER_WAIVED]) == 1
    assert review.team_findings.count() == 1 and review.actions.count() == 2
    call_command("load_demo")
    assert Review.objects.count() == 1


def test_the_demo_track_record_compares_the_portal_releases():
    call_command("load_demo")
    spring = Release.objects.get(name="Customer Portal spring release")
    manager = spring.memberships.get(role="release_manager").user
    rows = {row["release"].version: row for row in track_record(manager, spring)["rows"]}
    assert rows["4.1.0"]["verdict"] == "Worse than forecast" and rows["4.1.0"]["sev1"] == 1
    assert rows["4.2.0"]["verdict"] == "No decision yet"
