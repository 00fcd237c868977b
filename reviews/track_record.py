"""An application's track record: each release's go/no-go forecast against what followed, and how often
each voter's concerns were borne out.

Definitions, also written on the page:
- Forecast: the release's latest decision (gonogo's one definition) and how many blockers its snapshot
  recorded as open.
- Outcome: the critical (sev 1) and major (sev 2) production issues opened in the hypercare window, the
  production issues recorded as a risk that materialised, and whether the release was rolled back after
  the decision. "Trouble" is any of these.
- A concern is a vote of no-go or go with conditions in that decision. It is put to the test once the
  release went live and its hypercare window is over (or trouble came sooner); it was borne out when the
  release then had trouble.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from communications.interface import IssueSeverity
from communications.selectors import production_issues_of
from golive.models import Release
from golive.permissions import releases_visible_to
from gonogo.interface import Choice, Outcome, latest_decisions, snapshot_blocker_count
from reviews.outcomes import hypercare_window, rolled_back_since

CONCERN_CHOICES = (Choice.NO_GO, Choice.GO_WITH_CONDITIONS)
GO_OUTCOMES = (Outcome.GO, Outcome.CONDITIONAL_GO)


@dataclass
class VoterRecord:
    username: str
    name: str
    votes: int = 0
    concerns: int = 0
    concerns_tested: int = 0
    concerns_borne_out: int = 0
    go_votes_before_trouble: int = 0
    releases: list[str] = field(default_factory=list)

    @property
    def borne_out_percent(self) -> int | None:
        if not self.concerns_tested:
            return None
        return round(100 * self.concerns_borne_out / self.concerns_tested)


def _verdict(decision, went_live: bool, tested: bool, trouble: bool) -> str:
    if decision is None:
        return "No decision yet"
    if decision.outcome not in GO_OUTCOMES:
        return "Held back by the decision"
    if trouble:
        return "Worse than forecast"
    if not went_live:
        return "Not live yet"
    return "As forecast" if tested else "In hypercare"


def _release_row(release: Release, decision, issues, now) -> dict:
    window = hypercare_window(release)
    in_window = [issue for issue in issues if window.holds(issue.opened_at)]
    sev1 = sum(1 for issue in in_window if issue.severity == IssueSeverity.CRITICAL)
    sev2 = sum(1 for issue in in_window if issue.severity == IssueSeverity.MAJOR)
    materialised = sum(1 for issue in in_window if issue.caused_by_risk_id is not None)
    rolled_back = decision is not None and rolled_back_since(release, decision.decided_at)
    trouble = bool(sev1 or sev2 or materialised or rolled_back)
    went_live = window.went_live_at is not None
    tested = (went_live and now >= window.ends_at) or trouble
    return {
        "release": release,
        "decision": decision,
        "outcome_label": decision.get_outcome_display() if decision else None,
        "blocker_count": snapshot_blocker_count(decision.snapshot) if decision else None,
        "went_live_at": window.went_live_at,
        "sev1": sev1,
        "sev2": sev2,
        "materialised": materialised,
        "rolled_back": rolled_back,
        "trouble": trouble,
        "tested": tested,
        "verdict": _verdict(decision, went_live, tested, trouble),
    }


def _voters(rows: list[dict]) -> list[VoterRecord]:
    voters: dict[str, VoterRecord] = {}
    for row in rows:
        decision = row["decision"]
        if decision is None:
            continue
        for vote in decision.snapshot.get("votes", []):
            if vote.get("choice") is None:
                continue
            record = voters.setdefault(vote["participant"], VoterRecord(vote["participant"], vote["name"]))
            record.votes += 1
            if vote["choice"] in CONCERN_CHOICES:
                record.concerns += 1
                if row["tested"]:
                    record.concerns_tested += 1
                    record.concerns_borne_out += int(row["trouble"])
            elif row["trouble"]:
                record.go_votes_before_trouble += 1
    return sorted(voters.values(), key=lambda record: (-record.concerns_tested, record.name))


def track_record(user, release: Release, *, now=None) -> dict:
    """The track record of `release`'s application over the releases `user` may see."""
    now = now or timezone.now()
    releases = list(
        releases_visible_to(user).filter(application=release.application).order_by("target_go_live", "pk")
    )
    ids = [each.pk for each in releases]
    decisions = latest_decisions(ids)
    issues = defaultdict(list)
    for issue in production_issues_of(ids):
        issues[issue.release_id].append(issue)
    rows = [_release_row(each, decisions.get(each.pk), issues[each.pk], now) for each in releases]
    return {"application": release.application, "rows": rows, "voters": _voters(rows)}
