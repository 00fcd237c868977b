import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from golive.choices import RELEASE_TRANSITIONS, DefectSeverity, DefectStatus, ReleaseStatus, RiskStatus
from golive.errors import IllegalTransition
from golive.models import AuditEvent
from golive.services.releases import move_release_status
from registers.models import Risk
from tests.factories import DefectFactory, ReleaseFactory, RiskFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_risk_score_is_probability_times_impact():
    risk = RiskFactory(probability=4, impact=5)
    risk.refresh_from_db()
    assert risk.score == 20


@pytest.mark.parametrize(("probability", "impact"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_risk_outside_one_to_five_is_refused_by_validation_and_by_the_database(probability, impact):
    release = ReleaseFactory()
    with pytest.raises(ValidationError):
        Risk(release=release, title="x", probability=probability, impact=impact).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.create(release=release, title="x", probability=probability, impact=impact)


@pytest.mark.parametrize(
    ("probability", "impact", "status", "accepted", "blocking"),
    [
        (3, 5, RiskStatus.OPEN, False, True),
        (3, 5, RiskStatus.OPEN, True, False),
        (3, 5, RiskStatus.MITIGATED, False, False),
        (2, 5, RiskStatus.OPEN, False, False),  # 10 is below the threshold of 15
    ],
)
def test_blocking_risks(probability, impact, status, accepted, blocking):
    risk = RiskFactory(probability=probability, impact=impact, status=status, contingency_accepted=accepted)
    assert risk.is_blocking is blocking
    assert Risk.objects.blocking().filter(pk=risk.pk).exists() is blocking


@pytest.mark.parametrize(
    ("severity", "status", "flag", "blocking"),
    [
        (DefectSeverity.CRITICAL, DefectStatus.OPEN, False, True),
        (DefectSeverity.CRITICAL, DefectStatus.RESOLVED, False, False),
        (DefectSeverity.MINOR, DefectStatus.IN_PROGRESS, True, True),
        (DefectSeverity.MAJOR, DefectStatus.OPEN, False, False),
        (DefectSeverity.MAJOR, DefectStatus.DEFERRED, True, False),
    ],
)
def test_blocking_defects(severity, status, flag, blocking):
    defect = DefectFactory(severity=severity, status=status, blocks_go_live=flag)
    assert defect.is_blocking is blocking
    assert type(defect).objects.blocking().filter(pk=defect.pk).exists() is blocking


def test_external_key_is_unique_within_a_release_only():
    first = DefectFactory(external_key="CP-1")
    DefectFactory(external_key="CP-1")  # another release: allowed
    DefectFactory(release=first.release, external_key="")
    DefectFactory(release=first.release, external_key="")  # blank keys never clash
    with pytest.raises(IntegrityError), transaction.atomic():
        DefectFactory(release=first.release, external_key="CP-1")


ALL_PAIRS = [(a, b) for a in ReleaseStatus.values for b in ReleaseStatus.values if a != b]


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS)
def test_release_moves_only_along_the_state_machine(from_status, to_status):
    release = ReleaseFactory(status=from_status)
    actor = UserFactory()
    if to_status in RELEASE_TRANSITIONS[from_status]:
        move_release_status(release=release, to_status=to_status, actor=actor, reason="planned")
        release.refresh_from_db()
        assert release.status == to_status
        event = AuditEvent.objects.get(release=release, verb="release.status_changed")
        assert event.actor == actor
        assert event.data == {"reason": "planned"}
        assert event.changes == {"status": [from_status, to_status]}
        assert event.labels == {"status": [ReleaseStatus(from_status).label, ReleaseStatus(to_status).label]}
    else:
        with pytest.raises(IllegalTransition, match="cannot move"):
            move_release_status(release=release, to_status=to_status, actor=actor, reason="planned")
        release.refresh_from_db()
        assert release.status == from_status
        assert not AuditEvent.objects.filter(release=release).exists()


def test_the_path_to_handed_over_is_possible():
    release = ReleaseFactory()
    path = ["gonogo_scheduled", "go", "deploying", "live", "handed_over"]
    for status in path:
        move_release_status(release=release, to_status=status, actor=None, reason="step")
    assert release.status == "handed_over"
    assert release.allowed_next_statuses() == []


def test_a_move_needs_a_reason():
    release = ReleaseFactory()
    with pytest.raises(IllegalTransition, match="reason"):
        move_release_status(release=release, to_status="gonogo_scheduled", actor=None, reason="  ")
