"""A support team's sign-off page: everything handed to the team, what is missing, and the sign-off."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from golive.permissions import allowed_actions
from golive.views.mixins import add_service_errors
from handover.forms import SignOffForm
from handover.permissions import can_manage_handover, is_team_lead, is_team_member, require_handover
from handover.selectors import load_overview
from handover.services.signoffs import SignOffBlocked, expected_name, sign_off
from handover.views.common import plan_for_request


def team_signoff(request, release_pk: int, team_pk: int):
    release, plan = plan_for_request(request, release_pk)
    team = get_object_or_404(plan.teams.select_related("lead"), pk=team_pk)
    form = SignOffForm(request.POST or None)
    if request.method == "POST":
        require_handover(request.user, "sign_off_for_team", team)
        if form.is_valid():
            try:
                sign_off(
                    plan=plan,
                    team=team,
                    actor=request.user,
                    typed_name=form.cleaned_data["typed_name"],
                    comment=form.cleaned_data["comment"],
                )
            except SignOffBlocked as blocked:
                form.add_error(None, ["Sign-off is not possible yet:", *blocked.messages])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{team.name} signed off the handover.")
                return redirect("handover:team_signoff", release_pk=release.pk, team_pk=team.pk)
    overview = load_overview(plan)
    progress = overview.progress_for(team)
    training = [
        session
        for session in overview.training_sessions
        if session.team_id in (None, team.pk)
        or any(item.required_training_id == session.pk for item in progress.items)
    ]
    context = {
        "release": release,
        "plan": plan,
        "team": team,
        "overview": overview,
        "progress": progress,
        "invalidated_signoffs": [old for old in overview.invalidated_signoffs if old.team_id == team.pk],
        "training_sessions": training,
        "form": form,
        "expected_name": expected_name(request.user),
        "user_is_member": is_team_member(request.user, team),
        "my_team_ids": {team.pk} if is_team_member(request.user, team) else set(),
        "user_is_lead": is_team_lead(request.user, team),
        "can_manage": can_manage_handover(request.user, release),
        "perms_on_release": allowed_actions(request.user, release),
    }
    return render(request, "handover/signoff.html", context)
