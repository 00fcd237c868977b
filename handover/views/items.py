"""Handover list items: add and edit (project team), deliver with evidence, accept, reject, waive."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from golive.permissions import Action
from handover.forms import DeliverForm, ItemForm, ReasonForm
from handover.models import HandoverItem
from handover.permissions import can_manage_handover, is_team_member, require_handover
from handover.services.items import (
    accept_item,
    create_item,
    deliver_item,
    reject_item,
    update_item,
    waive_item,
)
from handover.views.common import form_page, plan_for_request, run_action


def _item(request, release_pk: int, pk: int, action: Action = Action.VIEW_RELEASE):
    release, plan = plan_for_request(request, release_pk, action)
    item = get_object_or_404(
        HandoverItem.objects.current().select_related("receiving_team"), plan=plan, pk=pk
    )
    item.plan = plan
    return release, plan, item


def item_create(request, release_pk: int):
    release, plan = plan_for_request(request, release_pk, Action.MANAGE_HANDOVER)
    form = ItemForm(request.POST or None, plan=plan)
    return form_page(
        request,
        form=form,
        release=release,
        title="New handover item",
        service=lambda data: create_item(plan=plan, actor=request.user, **data),
        success="Item added to the handover list.",
        fallback=plan.get_absolute_url() + "#items",
    )


def item_edit(request, release_pk: int, pk: int):
    release, plan, item = _item(request, release_pk, pk, Action.MANAGE_HANDOVER)
    form = ItemForm(request.POST or None, instance=item, plan=plan)
    return form_page(
        request,
        form=form,
        release=release,
        title=f"Edit “{item.title}”",
        intro="A change after the receiving team agreed the list marks the item; the team lead agrees again.",
        service=lambda data: update_item(item=item, actor=request.user, **data),
        success="Item saved.",
        fallback=plan.get_absolute_url() + "#items",
    )


def item_deliver(request, release_pk: int, pk: int):
    release, plan, item = _item(request, release_pk, pk, Action.MANAGE_HANDOVER)
    form = DeliverForm(request.POST or None, request.FILES or None)
    return form_page(
        request,
        form=form,
        release=release,
        title=f"Deliver “{item.title}”",
        intro=f"{item.receiving_team.name} will accept or reject it based on this evidence.",
        service=lambda data: deliver_item(
            item=item, actor=request.user, note=data["note"], link=data["link"], file=data["file"]
        ),
        success=f"“{item.title}” delivered to {item.receiving_team.name}.",
        fallback=plan.get_absolute_url() + "#items",
    )


@require_POST
def item_accept(request, release_pk: int, pk: int):
    release, plan, item = _item(request, release_pk, pk)
    return run_action(
        request,
        plan.get_absolute_url() + "#items",
        lambda: accept_item(item=item, actor=request.user),
        f"“{item.title}” accepted.",
    )


def item_reject(request, release_pk: int, pk: int):
    release, plan, item = _item(request, release_pk, pk)
    require_handover(request.user, "reject_item", item)
    form = ReasonForm(request.POST or None, submit_label="Reject")
    return form_page(
        request,
        form=form,
        release=release,
        title=f"Reject “{item.title}”",
        intro="The project team sees the reason and delivers the item again.",
        service=lambda data: reject_item(item=item, actor=request.user, reason=data["reason"]),
        success=f"“{item.title}” rejected.",
        fallback=plan.get_absolute_url() + "#items",
    )


def item_waive(request, release_pk: int, pk: int):
    release, plan, item = _item(request, release_pk, pk)
    if not (can_manage_handover(request.user, release) or is_team_member(request.user, item.receiving_team)):
        raise PermissionDenied("Only the project team or the receiving team can waive an item.")
    proposed = bool(item.waiver_reason)
    form = ReasonForm(
        request.POST or None,
        submit_label="Agree the waiver" if proposed else "Propose the waiver",
        required=not proposed,
        initial={"reason": item.waiver_reason},
    )
    return form_page(
        request,
        form=form,
        release=release,
        title=f"Waive “{item.title}”",
        intro="A waiver needs both sides: the project team and the receiving team each agree to it.",
        service=lambda data: waive_item(item=item, actor=request.user, reason=data["reason"]),
        success="Waiver recorded.",
        fallback=plan.get_absolute_url() + "#items",
    )
