"""What the review page shows, in a fixed number of queries."""

from itertools import groupby

from golive.models import Release
from reviews.choices import FindingKind
from reviews.models import Review


def review_of(release: Release) -> Review | None:
    return Review.objects.filter(release=release).select_related("published_by").first()


def review_page(review: Review) -> dict:
    findings = list(review.drafted_findings.all())
    return {
        "finding_groups": [
            {"kind": kind, "label": FindingKind(kind).label, "findings": list(rows)}
            for kind, rows in groupby(findings, key=lambda finding: finding.kind)
        ],
        "drafted_count": len(findings),
        "team_findings": list(review.team_findings.select_related("added_by")),
        "actions": list(review.actions.select_related("owner", "done_by")),
    }
