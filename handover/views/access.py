"""The access ledger pages: the project team records and grants; the receiving team verifies; holders
re-confirm their verification; the project's own access is revoked or, by the release manager, kept."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_POST

from golive.permissions import Action
from handover.forms import AccessTransferForm, KeepProjectAccessForm, RevokeForm
from handover.models import AccessTransfer
from handover.permissions import require_handover
from handover.services.access import (
    create_access_transfer,
    grant_access,
    keep_project_access,
    reconfirm_access,
    revoke_project_access,
    update_access_transfer,
    verify_access,
)
from handover.views.common import form_page, plan_for_request, run_action

_INTRO = (
    "Record where the credential is kept (for example a vault path), never the credential: text that "
    "looks like a password, key or token is refused."
)


def _access(request, release_pk: int, pk: int, action: Action = Action.VIEW_RELEASE):
    release, plan = plan_for_request(request, release_pk, action)
    access = get_object_or_404(
        AccessTransfer.objects.current().select_related("receiving_team"), plan=plan, pk=pk
    )
    access.plan = plan
    return release, plan, access


def access_create(request, release_pk: int):
    release, plan = plan_for_request(request, release_pk, Action.MANAGE_HANDOVER)
    form = AccessTransferForm(request.POST or None, plan=plan)
    return form_page(
        request,
        form=form,
        release=release,
        title="New access transfer",
        intro=_INTRO,
        service=lambda data: create_access_transfer(plan=plan, actor=request.user, **data),
        success="Access transfer recorded as requested.",
        fallback=plan.get_absolute_url() + "#access",
    )


def access_edit(request, release_pk: int, pk: int):
    release, plan, access = _access(request, release_pk, pk, Action.MANAGE_HANDOVER)
    form = AccessTransferForm(request.POST or None, instance=access, plan=plan)
    return form_page(
        request,
        form=form,
        release=release,
        title=f"Edit access to {access.system}",
        intro=_INTRO,
        service=lambda data: update_access_transfer(access=access, actor=request.user, **data),
        success="Access transfer saved.",
        fallback=plan.get_absolute_url() + "#access",
    )


@require_POST
def access_grant(request, release_pk: int, pk: int):
    release, plan, access = _access(request, release_pk, pk, Action.MANAGE_HANDOVER)
    return run_action(
        request,
        plan.get_absolute_url() + "#access",
        lambda: grant_access(access=access, actor=request.user),
        f"Access to {access.system} recorded as granted.",
    )


@require_POST
def access_verify(request, release_pk: int, pk: int):
    release, plan, access = _access(request, release_pk, pk)
    return run_action(
        request,
        plan.get_absolute_url() + "#access",
        lambda: verify_access(access=access, actor=request.user),
        f"Access to {access.system} verified.",
    )


def access_revoke(request, release_pk: int, pk: int):
    release, plan, access = _access(request, release_pk, pk, Action.MANAGE_HANDOVER)
    form = RevokeForm(request.POST or None, initial={"revoked_on": timezone.localdate()})
    return form_page(
        request,
        form=form,
        release=release,
        title=f"Project access to {access.system} revoked",
        intro="Record the day the project team's own access was removed.",
        service=lambda data: revoke_project_access(
            access=access, actor=request.user, revoked_on=data["revoked_on"]
        ),
        success=f"Project access to {access.system} recorded as revoked.",
        fallback=plan.get_absolute_url() + "#access",
    )


def access_keep(request, release_pk: int, pk: int):
    release, plan, access = _access(request, release_pk, pk)
    require_handover(request.user, "keep_project_access", access)
    form = KeepProjectAccessForm(
        request.POST or None, initial={"reason": access.project_access_kept_reason or None}
    )
    return form_page(
        request,
        form=form,
        release=release,
        title=f"Keep the project's access to {access.system}",
        intro=f"{access.current_holder} keeps this access after the handover. The reason is recorded in "
        "the audit trail; the disband guard then counts this access as settled.",
        service=lambda data: keep_project_access(access=access, actor=request.user, reason=data["reason"]),
        success=f"The project's access to {access.system} is kept, with the reason recorded.",
        fallback=plan.get_absolute_url() + "#access",
    )


@require_POST
def access_reconfirm(request, release_pk: int, pk: int):
    release, plan, access = _access(request, release_pk, pk)
    return run_action(
        request,
        plan.get_absolute_url() + "#access",
        lambda: reconfirm_access(access=access, actor=request.user),
        f"Your access to {access.system} is re-confirmed.",
    )
