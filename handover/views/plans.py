"""The handover plan page, creating and configuring the plan, teams, agreement and reopening."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from golive.permissions import Action, allowed_actions, get_release_for
from handover.forms import PlanCreateForm, PlanSettingsForm, ReasonForm, SupportTeamForm, TeamMembersForm
from handover.models import HandoverPlan
from handover.permissions import (
    can_manage_handover,
    is_release_manager,
    is_team_lead,
    is_team_member,
    require_handover,
)
from handover.selectors import load_overview
from handover.services.plans import (
    agree_for_team,
    create_plan,
    reopen_plan,
    seed_from_template,
    update_plan_settings,
)
from handover.services.teams import create_team, update_team_members
from handover.views.common import form_page, plan_for_request, run_action


def plan_detail(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    plan = HandoverPlan.objects.filter(release=release).first()
    context = {
        "release": release,
        "perms_on_release": allowed_actions(request.user, release),
        "can_manage": can_manage_handover(request.user, release),
        "is_release_manager": is_release_manager(request.user, release),
    }
    if plan is None:
        context["create_form"] = PlanCreateForm() if context["can_manage"] else None
        return render(request, "handover/plan_missing.html", context)
    plan.release = release
    overview = load_overview(plan)
    for progress in overview.progress:
        progress.user_is_member = is_team_member(request.user, progress.team)
        progress.user_is_lead = is_team_lead(request.user, progress.team)
    my_team_ids = {p.team.pk for p in overview.progress if p.user_is_member}
    context.update(
        plan=plan,
        overview=overview,
        my_team_ids=my_team_ids,
        min_holders=settings.HANDOVER_MIN_VERIFIED_HOLDERS,
        reconfirm_days=settings.ACCESS_RECONFIRM_DAYS,
    )
    return render(request, "handover/plan.html", context)


def plan_create(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.MANAGE_HANDOVER)
    if HandoverPlan.objects.filter(release=release).exists():
        return redirect("handover:plan", release_pk=release.pk)
    form = PlanCreateForm(request.POST or None)
    return form_page(
        request,
        form=form,
        release=release,
        title="New handover plan",
        service=lambda data: create_plan(
            release=release,
            actor=request.user,
            teams=list(data["teams"]),
            from_template=data["from_template"],
            notes=data["notes"],
        ),
        success="Handover plan created.",
        fallback=reverse("handover:plan", args=[release.pk]),
    )


def plan_settings(request, release_pk: int):
    release, plan = plan_for_request(request, release_pk, Action.MANAGE_HANDOVER)
    form = PlanSettingsForm(
        request.POST or None,
        instance=plan,
        initial={"teams": plan.teams.all()},
    )

    def save(data):
        values = {
            name: data[name]
            for name in [
                "notes",
                "require_hypercare_exit",
                "hypercare_hours",
                "uptime_target_percent",
                "require_unaided_operational_steps",
            ]
        }
        update_plan_settings(plan=plan, actor=request.user, teams=list(data["teams"]), **values)

    return form_page(
        request,
        form=form,
        release=release,
        title="Handover plan settings",
        service=save,
        success="Handover plan saved.",
        fallback=plan.get_absolute_url(),
    )


@require_POST
def plan_seed_template(request, release_pk: int):
    release, plan = plan_for_request(request, release_pk, Action.MANAGE_HANDOVER)
    return run_action(
        request,
        plan.get_absolute_url(),
        lambda: seed_from_template(plan=plan, actor=request.user),
        "The template's items that were missing were added to the list.",
    )


def team_create(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.MANAGE_HANDOVER)
    form = SupportTeamForm(request.POST or None, release=release)
    return form_page(
        request,
        form=form,
        release=release,
        title="New support team",
        intro="Support teams live across releases; add the team to this plan's receiving teams afterwards.",
        service=lambda data: create_team(release=release, actor=request.user, **data),
        success="Support team created.",
        fallback=reverse("handover:plan", args=[release.pk]),
    )


def team_members(request, release_pk: int, team_pk: int):
    release, plan = plan_for_request(request, release_pk)
    team = get_object_or_404(plan.teams.select_related("lead"), pk=team_pk)
    require_handover(request.user, "change_team_members", team)
    form = TeamMembersForm(
        request.POST or None, team=team, release=release, initial={"members": team.members.all()}
    )
    return form_page(
        request,
        form=form,
        release=release,
        title=f"Members of {team.name}",
        intro="To open this release's handover a member also needs a role on the release.",
        service=lambda data: update_team_members(
            team=team, actor=request.user, release=release, members=list(data["members"])
        ),
        success=f"Members of {team.name} saved.",
        fallback=reverse("handover:team_signoff", args=[release.pk, team.pk]),
    )


@require_POST
def team_agree(request, release_pk: int, team_pk: int):
    release, plan = plan_for_request(request, release_pk)
    team = get_object_or_404(plan.teams, pk=team_pk)
    return run_action(
        request,
        plan.get_absolute_url(),
        lambda: agree_for_team(plan=plan, team=team, actor=request.user),
        f"{team.name} agreed the handover list.",
    )


def plan_reopen(request, release_pk: int):
    release, plan = plan_for_request(request, release_pk)
    if not is_release_manager(request.user, release):
        raise PermissionDenied("Only the release manager may reopen the handover.")
    form = ReasonForm(request.POST or None, submit_label="Reopen and invalidate sign-offs")

    def reopen(data):
        count = reopen_plan(plan=plan, actor=request.user, reason=data["reason"])
        messages.info(
            request,
            ngettext(
                "%(count)d sign-off invalidated; the team signs again when ready.",
                "%(count)d sign-offs invalidated; the teams sign again when ready.",
                count,
            )
            % {"count": count},
        )

    return form_page(
        request,
        form=form,
        release=release,
        title="Reopen the handover",
        intro="Reopening invalidates every current sign-off. The reason is recorded in the audit trail.",
        service=reopen,
        success="The handover is reopened.",
        fallback=plan.get_absolute_url(),
    )
