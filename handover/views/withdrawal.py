"""Withdrawing an entry made by mistake (project team): it is kept, marked, and left out from then on."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from golive.permissions import Action
from handover.forms import ReasonForm
from handover.models import AccessTransfer, HandoverItem, RequiredDocument, TrainingSession
from handover.services.withdrawal import withdraw
from handover.views.common import form_page, plan_for_request

WITHDRAWABLE = {
    "items": (HandoverItem, "#items"),
    "access": (AccessTransfer, "#access"),
    "training": (TrainingSession, "#training"),
    "documents": (RequiredDocument, "#documents"),
}


def withdraw_entry(request, release_pk: int, kind: str, pk: int):
    if kind not in WITHDRAWABLE:
        raise Http404
    model, anchor = WITHDRAWABLE[kind]
    release, plan = plan_for_request(request, release_pk, Action.MANAGE_HANDOVER)
    record = get_object_or_404(model.objects.current(), plan=plan, pk=pk)
    record.plan = plan
    form = ReasonForm(request.POST or None, submit_label="Withdraw")
    return form_page(
        request,
        form=form,
        release=release,
        title=f"Withdraw “{record}”",
        intro="For an entry made by mistake. It is kept, marked as withdrawn with your reason, and left out "
        "of the list, the sign-off checks and the counts. A team that had signed or agreed must do so again.",
        service=lambda data: withdraw(record=record, actor=request.user, reason=data["reason"]),
        success=f"“{record}” withdrawn.",
        fallback=plan.get_absolute_url() + anchor,
    )
