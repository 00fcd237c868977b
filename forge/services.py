"""The deploy gate answered to GitHub and GitLab: mappings, incoming deployment reviews, their answers.

A forge holds a deployment and asks; GoLive Desk maps the repository and environment to a release and
asks that release's deploy gate. GO (or CONDITIONAL GO) that needs no review, outside any freeze,
approves; a NO-GO rejects. Anything that may still change (no decision yet, a meeting under way, a
decision that needs review, a freeze in force) keeps the deployment waiting: it is asked again whenever
the decision or a freeze changes, and every minute by the sweeper.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from forge import github, gitlab
from forge.models import DeploymentReview, DeploymentTarget, Forge, ReviewState
from golive.audit import record_event
from golive.models import Release
from golive.permissions import Action, require
from golive.send_or_queue import send_or_leave_queued
from integrations.gate import GateDecision, deploy_gate

logger = logging.getLogger(__name__)

# An answer being sent this long belongs to a worker that died mid-request; it may be sent again.
ANSWERING_LEASE = timedelta(minutes=5)
COMMENT_LIMIT = 1000


class BadEvent(ValueError):
    """The webhook body is not the event it claims to be; the message says what is missing."""


@dataclass
class Verdict:
    state: str  # approved, rejected or waiting
    reasons: list[str] = field(default_factory=list)

    def comment(self, release: Release | None) -> str:
        name = f"“{release.name}”" if release else "this deployment"
        headline = {
            ReviewState.APPROVED: f"GoLive Desk: {name} may deploy.",
            ReviewState.REJECTED: f"GoLive Desk: {name} may not deploy.",
        }.get(self.state, f"GoLive Desk: {name} is waiting for the gate.")
        return "\n".join([headline, *(f"- {reason}" for reason in self.reasons)])[:COMMENT_LIMIT]


WAITING = "waiting"


def verdict_for(release: Release | None, *, repository: str = "", environment: str = "") -> Verdict:
    if release is None:
        return Verdict(
            ReviewState.REJECTED,
            [f"No release is mapped to {repository} environment “{environment}” in GoLive Desk."],
        )
    gate = deploy_gate(release)
    decision = gate.latest_decision
    if gate.may_deploy:
        reasons = [
            f"Go/no-go decision {decision.get_outcome_display()} of {decision.decided_at:%d %b %Y %H:%M}."
        ]
        return Verdict(ReviewState.APPROVED, reasons + gate.freeze_overrides)
    if gate.gate_decision == GateDecision.NO_GO:
        reasons = [f"The go/no-go decision is {decision.get_outcome_display()}."]
        if decision.rationale:
            reasons.append(f"Rationale: {decision.rationale}")
        return Verdict(ReviewState.REJECTED, reasons)
    reasons = []
    if gate.meeting_in_progress is not None:
        reasons.append("A go/no-go meeting is under way.")
    elif decision is None:
        reasons.append("No go/no-go decision has been recorded yet.")
    return Verdict(WAITING, reasons + gate.review_reasons + gate.freeze_reasons)


# --- Mappings -----------------------------------------------------------------------------------------


@transaction.atomic
def add_deployment_target(
    *, release: Release, actor: AbstractBaseUser, forge: str, repository: str, environment: str
) -> DeploymentTarget:
    require(actor, release, Action.EDIT_RELEASE)
    target = DeploymentTarget(
        release=release,
        forge=forge,
        repository=repository.strip().strip("/"),
        environment=environment.strip(),
        created_by=actor,
    )
    target.full_clean()
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise ValidationError("This environment is already mapped to a release; remove that first.") from None
    record_event(
        verb="deploy_target.added", actor=actor, target=target, release=release, data={"target": str(target)}
    )
    return target


@transaction.atomic
def remove_deployment_target(*, target: DeploymentTarget, actor: AbstractBaseUser) -> None:
    require(actor, target.release, Action.EDIT_RELEASE)
    record_event(
        verb="deploy_target.removed",
        actor=actor,
        target=target,
        release=target.release,
        data={"target": str(target)},
    )
    target.delete()


def _target_for(forge: str, repository: str, environment: str) -> DeploymentTarget | None:
    return (
        DeploymentTarget.objects.filter(
            forge=forge, repository__iexact=repository, environment__iexact=environment
        )
        .select_related("release")
        .first()
    )


# --- Incoming events ----------------------------------------------------------------------------------


def _text(payload: dict, *path: str) -> str:
    value = payload
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise BadEvent(f"The event has no {'.'.join(path)}.")
    return str(value).strip()


def _receive(
    *, forge: str, external_id: str, repository: str, environment: str, **details
) -> DeploymentReview:
    target = _target_for(forge, repository, environment)
    review, created = DeploymentReview.objects.get_or_create(
        forge=forge,
        external_id=external_id,
        defaults={
            "target": target,
            "release": target.release if target else None,
            "repository": repository[:255],
            "environment": environment[:255],
            **details,
        },
    )
    if created:
        transaction.on_commit(partial(dispatch_answer, review_id=review.pk))
    return review


@transaction.atomic
def receive_github_event(payload: dict) -> DeploymentReview | None:
    """A `deployment_protection_rule` event; None for actions other than "requested"."""
    if not isinstance(payload, dict):
        raise BadEvent("The event body must be a JSON object.")
    if payload.get("action") != "requested":
        return None
    installation = _text(payload, "installation", "id")
    if not installation.isdigit():
        raise BadEvent("installation.id must be a number.")
    callback_url = _text(payload, "deployment_callback_url")
    if len(callback_url) > 500 or not github.callback_url_is_trusted(callback_url):
        raise BadEvent("deployment_callback_url is not on the configured GitHub API.")
    return _receive(
        forge=Forge.GITHUB,
        external_id=_text(payload, "deployment", "id")[:100],
        repository=_text(payload, "repository", "full_name"),
        environment=_text(payload, "environment"),
        installation_id=int(installation),
        callback_url=callback_url,
    )


@transaction.atomic
def receive_gitlab_event(payload: dict) -> DeploymentReview | None:
    """A deployment event; only a deployment blocked for approval is answered, other statuses are None."""
    if not isinstance(payload, dict):
        raise BadEvent("The event body must be a JSON object.")
    if payload.get("object_kind") != "deployment":
        raise BadEvent("Only deployment events are accepted here.")
    if payload.get("status") != "blocked":
        return None
    project_id = _text(payload, "project", "id")
    return _receive(
        forge=Forge.GITLAB,
        external_id=_text(payload, "deployment_id")[:100],
        repository=_text(payload, "project", "path_with_namespace"),
        environment=_text(payload, "environment"),
        project_id=project_id[:100],
    )


# --- Answers ------------------------------------------------------------------------------------------


def dispatch_answer(*, review_id: int) -> bool:
    from forge.tasks import answer_deployment_review

    return send_or_leave_queued(answer_deployment_review, review_id, what=f"Deployment review {review_id}")


def _unanswered() -> Q:
    return Q(state=ReviewState.WAITING) | Q(
        state=ReviewState.ANSWERING, updated_at__lt=timezone.now() - ANSWERING_LEASE
    )


def answer_review(*, review_id: int) -> str:
    """Ask the gate and, once it is decided, answer the forge. Safe to run twice: one caller claims it.

    Raises GitHubError / GitLabError when the forge cannot be reached, after putting the review back to
    waiting, so the task retries.
    """
    review = DeploymentReview.objects.filter(pk=review_id).select_related("release").first()
    if review is None:
        return "missing"
    verdict = verdict_for(review.release, repository=review.repository, environment=review.environment)
    if verdict.state == WAITING:
        DeploymentReview.objects.filter(pk=review.pk, state=ReviewState.WAITING).update(
            reasons=verdict.reasons, updated_at=timezone.now()
        )
        return WAITING
    claimed = DeploymentReview.objects.filter(_unanswered(), pk=review.pk).update(
        state=ReviewState.ANSWERING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return DeploymentReview.objects.values_list("state", flat=True).get(pk=review.pk)
    comment = verdict.comment(review.release)
    try:
        if review.forge == Forge.GITHUB:
            github.review_deployment(
                installation_id=review.installation_id,
                callback_url=review.callback_url,
                environment=review.environment,
                state=verdict.state,
                comment=comment,
            )
        else:
            gitlab.review_deployment(
                project_id=review.project_id,
                deployment_id=review.external_id,
                state=verdict.state,
                comment=comment,
            )
    except (github.GitHubError, gitlab.GitLabError, ImproperlyConfigured) as error:
        DeploymentReview.objects.filter(pk=review.pk).update(
            state=ReviewState.WAITING, last_error=str(error)[:1000], updated_at=timezone.now()
        )
        if isinstance(error, ImproperlyConfigured):
            # Retrying cannot help until the settings change; the sweeper asks again every minute.
            logger.error("Deployment review %s cannot be answered: %s", review.pk, error)
            return WAITING
        raise
    with transaction.atomic():
        DeploymentReview.objects.filter(pk=review.pk).update(
            state=verdict.state,
            reasons=verdict.reasons,
            comment=comment,
            last_error="",
            answered_at=timezone.now(),
        )
        record_event(
            verb=f"deployment.{verdict.state}",
            target=review,
            release=review.release,
            data={"forge": review.forge, "repository": review.repository, "environment": review.environment,
                  "reasons": verdict.reasons},
        )  # fmt: skip
    return verdict.state


def reevaluate_unanswered(*, release_id: int | None = None) -> int:
    """Queue an answer for each deployment still waiting (of one release, or all): the gate may differ now."""
    waiting = DeploymentReview.objects.filter(_unanswered())
    if release_id is not None:
        waiting = waiting.filter(release_id=release_id)
    queued = 0
    for review_id in waiting.values_list("pk", flat=True)[:1000]:
        queued += dispatch_answer(review_id=review_id)
    return queued
