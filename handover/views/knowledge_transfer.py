"""Copy the runbook into the next release with support as owners of its operational steps."""

from django.urls import reverse

from golive.permissions import Action
from handover.forms import RunbookCopyForm
from handover.knowledge_ladder import knowledge_matrix
from handover.views.common import form_page, plan_for_request
from runbook.interface import copy_runbook_for_support, runbook_copy_targets


def runbook_copy(request, release_pk: int):
    release, plan = plan_for_request(request, release_pk, Action.EDIT_RUNBOOK)
    teams = list(plan.teams.select_related("lead").prefetch_related("members").order_by("name"))
    targets = runbook_copy_targets(release, request.user)
    form = RunbookCopyForm(
        request.POST or None, targets=targets, teams=teams, matrix=knowledge_matrix(release, teams)
    )
    intro = (
        "The whole runbook is copied; each operational step is owned by the receiving team's person you "
        "choose, so the next rehearsal is where support performs it unaided. Other steps keep their owner "
        "if that person is a member of the next release (else you own them)."
    )
    if not targets:
        intro = (
            f"You plan the runbook of no other release of {release.application}: create the next release "
            "first, then copy the runbook into it."
        )
    return form_page(
        request,
        form=form,
        release=release,
        title="Copy the runbook for the next release with support as owners",
        intro=intro,
        service=lambda data: copy_runbook_for_support(
            source=release,
            target=form.target_release(),
            actor=request.user,
            operational_owners=form.operational_owners(),
        ),
        success="Runbook copied: support owns its operational steps in the next release.",
        fallback=reverse("handover:plan", args=[release.pk]),
    )
