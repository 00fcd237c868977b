"""Go/no-go meeting pages: schedule, agenda and live voting, close with a decision, the decision record."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from freezes.interface import overrides_recorded_since, warn_if_frozen
from golive.choices import Role
from golive.errors import NotAParticipant, VotingClosed
from golive.live_updates import PERSONAL, SHARED, live_fragment, watch_token, watched
from golive.permissions import Action, allowed_actions, allows, get_release_for, require_rule
from golive.views.mixins import add_service_errors
from gonogo.decision_rule import Choice, Outcome
from gonogo.evidence import evidence_changes, snapshot_blocker_count
from gonogo.forms import (
    CancelMeetingForm,
    CloseVotingForm,
    ConditionFormSet,
    EditMeetingForm,
    ParticipantFlagsForm,
    ScheduleMeetingForm,
    VoteForm,
)
from gonogo.models import DecisionCondition, GoNoGoMeeting, Participant
from gonogo.selectors import decision_for_meeting, handover_state, meeting_agenda, meeting_tally
from gonogo.services.decisions import ConditionAction, close_voting, complete_condition
from gonogo.services.meetings import (
    cancel_meeting,
    open_voting,
    schedule_meeting,
    set_participant_flags,
    update_meeting,
)
from gonogo.services.votes import cast_vote_by_id

_DEFAULT_INVITEE_ROLES = {Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.STAKEHOLDER}


def _meeting_for(user, release_pk: int, pk: int, action: Action = Action.VIEW_RELEASE):
    release = get_release_for(user, release_pk, action)
    meeting = get_object_or_404(
        GoNoGoMeeting.objects.select_related("release", "chair"), release=release, pk=pk
    )
    return release, meeting


def _wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _is_chair(user, meeting: GoNoGoMeeting) -> bool:
    return allows(user, "close_voting", meeting, release=meeting.release)


def meeting_schedule(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.MANAGE_MEETINGS)
    initial = {
        "chair": request.user.pk,
        "invitees": list(
            release.memberships.filter(role__in=_DEFAULT_INVITEE_ROLES)
            .values_list("user_id", flat=True)
            .distinct()
        ),
        "scheduled_at": timezone.localtime().replace(second=0, microsecond=0),
    }
    form = ScheduleMeetingForm(request.POST or None, release=release, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = schedule_meeting(
                release=release,
                actor=request.user,
                scheduled_at=form.cleaned_data["scheduled_at"],
                chair=form.cleaned_data["chair"],
                invitees=list(form.cleaned_data["invitees"]),
                decision_rule=form.cleaned_data["decision_rule"],
                hide_votes=form.cleaned_data["hide_votes"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting scheduled; the release is now “Go/no-go scheduled”.")
            warn_if_frozen(request, release=release, moment=meeting.scheduled_at, what="meeting time")
            return redirect(meeting)
    return render(request, "gonogo/schedule.html", {"release": release, "form": form})


def meeting_edit(request, release_pk: int, pk: int):
    release, meeting = _meeting_for(request.user, release_pk, pk, Action.MANAGE_MEETINGS)
    if meeting.is_finished:
        messages.error(
            request, f"The meeting is {meeting.get_state_display().lower()}; it can no longer change."
        )
        return redirect(meeting)
    initial = {
        name: getattr(meeting, name) for name in ("scheduled_at", "decision_rule", "hide_votes", "notes")
    }
    initial["chair"] = meeting.chair_id
    return _meeting_change_page(
        request,
        release,
        meeting,
        EditMeetingForm(request.POST or None, meeting=meeting, initial=initial),
        change=lambda values: update_meeting(meeting=meeting, actor=request.user, **values),
        template="gonogo/edit.html",
        done=lambda: messages.success(request, "Meeting updated."),
    )


def meeting_cancel(request, release_pk: int, pk: int):
    release, meeting = _meeting_for(request.user, release_pk, pk, Action.MANAGE_MEETINGS)
    return _meeting_change_page(
        request,
        release,
        meeting,
        CancelMeetingForm(request.POST or None),
        change=lambda values: cancel_meeting(meeting=meeting, actor=request.user, reason=values["reason"]),
        template="gonogo/cancel.html",
        done=lambda: messages.warning(request, "The meeting is cancelled; no decision was recorded."),
    )


def _meeting_change_page(request, release, meeting, form, *, change, template: str, done) -> HttpResponse:
    """A page that changes a meeting: a valid form is given to `change`, then `done` tells the user.
    A meeting that closed meanwhile sends the user back to it with the reason; other refusals show on
    the form."""
    if request.method == "POST" and form.is_valid():
        try:
            change(form.cleaned_data)
        except VotingClosed as error:
            messages.error(request, " ".join(error.messages))
            return redirect(meeting)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done()
            return redirect(meeting)
    return render(request, template, {"release": release, "meeting": meeting, "form": form})


@watched
def meeting_detail(request, release_pk: int, pk: int):
    """The agenda and the voting panel; an htmx poll gets just the live tally from the same view.

    The tally is the same for everyone but the chair (who also sees what the rule would decide now), so
    the shared cache answers the other watchers' polls (golive/live_updates.py)."""
    release, meeting = _meeting_for(request.user, release_pk, pk)
    tally = meeting_tally(meeting, request.user)
    is_chair = _is_chair(request.user, meeting)
    context = {"release": release, "meeting": meeting, "tally": tally, "is_chair": is_chair}
    if request.htmx:
        return live_fragment(request, "gonogo/htmx/tally.html", context, shared=not is_chair)
    my_vote = tally["my_vote"]
    context.update(
        meeting_agenda(meeting),
        live_watch_token=watch_token(request, variant=PERSONAL if is_chair else SHARED),
        perms_on_release=allowed_actions(request.user, release),
        decision=decision_for_meeting(meeting),
        vote_form=VoteForm(
            initial={"choice": my_vote.choice, "conditions": my_vote.conditions, "reason": my_vote.reason}
            if my_vote
            else None
        ),
    )
    return render(request, "gonogo/detail.html", context)


@require_POST
def meeting_open_voting(request, release_pk: int, pk: int):
    release, meeting = _meeting_for(request.user, release_pk, pk)
    try:
        open_voting(meeting=meeting, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Voting is open.")
    return redirect(meeting)


@require_POST
def meeting_vote(request, release_pk: int, pk: int):
    """Cast or change a vote. HTML forms, htmx and JSON clients each get an answer in their own terms.

    The meeting is loaded only for the answers that show it: a vote arrives in bursts while everyone
    votes, and the service locks and checks the meeting itself.
    """
    release = get_release_for(request.user, release_pk)
    form = VoteForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            vote = cast_vote_by_id(release=release, meeting_pk=pk, user=request.user, **form.cleaned_data)
        except GoNoGoMeeting.DoesNotExist:
            raise Http404("No such meeting.") from None
        except NotAParticipant as error:
            raise PermissionDenied(" ".join(error.messages)) from None
        except VotingClosed as error:
            form.add_error(None, error.messages)
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if _wants_json(request):
                return JsonResponse({"vote": vote.choice, "changed_at": vote.changed_at.isoformat()})
            if not request.htmx:
                messages.success(request, f"Your vote “{vote.get_choice_display()}” is recorded.")
                return redirect("gonogo:meeting_detail", release.pk, pk)
            form = VoteForm(initial=form.cleaned_data)
            status = 200
    meeting = get_object_or_404(
        GoNoGoMeeting.objects.select_related("release", "chair"), release=release, pk=pk
    )
    if status == 400 and not Participant.objects.filter(meeting=meeting, user=request.user).exists():
        raise PermissionDenied("You were not invited to vote in this meeting.")
    if _wants_json(request):
        return JsonResponse(
            {"error": " ".join(form.non_field_errors()) or "The vote is not valid.", "fields": form.errors},
            status=status,
        )
    if status == 409 and not request.htmx:
        messages.error(request, " ".join(form.non_field_errors()))
        return redirect(meeting)
    context = {
        "release": release,
        "meeting": meeting,
        "vote_form": form,
        "saved": status == 200,
        "tally": meeting_tally(meeting, request.user),
        "is_chair": _is_chair(request.user, meeting),
    }
    if request.htmx:
        return render(request, "gonogo/htmx/vote_response.html", context)
    context.update(meeting_agenda(meeting), perms_on_release=allowed_actions(request.user, release))
    return render(request, "gonogo/detail.html", context)


@require_POST
def participant_flags(request, release_pk: int, pk: int, participant_pk: int):
    release, meeting = _meeting_for(request.user, release_pk, pk)
    participant = get_object_or_404(Participant, meeting=meeting, pk=participant_pk)
    form = ParticipantFlagsForm(request.POST)
    if form.is_valid():
        try:
            set_participant_flags(participant=participant, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{participant} updated.")
    return redirect(meeting)


def _initial_conditions(meeting: GoNoGoMeeting) -> list[dict]:
    """One condition row per line of every go-with-conditions vote, owned by its voter by default."""
    due = timezone.localdate() + timezone.timedelta(days=7)
    rows = []
    for vote in meeting.votes.filter(choice=Choice.GO_WITH_CONDITIONS).select_related("participant"):
        for line in vote.conditions.splitlines():
            if line.strip():
                rows.append({"text": line.strip(), "owner": vote.participant.user_id, "due_date": due})
    return rows


def meeting_close(request, release_pk: int, pk: int):
    release, meeting = _meeting_for(request.user, release_pk, pk)
    require_rule(request.user, "close_voting", meeting, release=release)
    if not meeting.is_open:
        messages.error(
            request, f"Voting cannot be closed: the meeting is {meeting.get_state_display().lower()}."
        )
        return redirect(meeting)
    tally = meeting_tally(meeting, request.user)
    agenda = meeting_agenda(meeting)
    rule_now = tally["rule_now"]
    form = CloseVotingForm(request.POST or None, chair_decides=rule_now.chair_decides)
    conditions = ConditionFormSet(
        request.POST or None,
        prefix="conditions",
        initial=None if request.method == "POST" else _initial_conditions(meeting),
        form_kwargs={"release": release},
    )
    if request.method == "POST" and form.is_valid() and conditions.is_valid():
        actions = [
            ConditionAction(text=row["text"], owner=row["owner"], due_date=row["due_date"])
            for row in conditions.cleaned_data
            if row and not row.get("DELETE")
        ]
        try:
            decision = close_voting(
                meeting=meeting,
                actor=request.user,
                chair_outcome=form.cleaned_data.get("chair_outcome") or None,
                rationale=form.cleaned_data["rationale"],
                override=form.cleaned_data["override"],
                conditions=actions,
                handover_state=handover_state(release),
            )
        except VotingClosed as error:
            messages.error(request, " ".join(error.messages))
            return redirect(meeting)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Decision recorded: {decision.get_outcome_display()}.")
            return redirect(decision)
    context = {
        "release": release,
        "meeting": meeting,
        "tally": tally,
        "form": form,
        "conditions": conditions,
        "outcome_needs_conditions": rule_now.outcome == Outcome.CONDITIONAL_GO,
        **agenda,
    }
    return render(request, "gonogo/close.html", context)


def decision_detail(request, release_pk: int, pk: int):
    release, meeting = _meeting_for(request.user, release_pk, pk)
    decision = decision_for_meeting(meeting)
    if decision is None:
        messages.info(request, "This meeting has no decision yet.")
        return redirect(meeting)
    context = {
        "release": release,
        "meeting": meeting,
        "decision": decision,
        "snapshot": decision.snapshot,
        "snapshot_blocker_count": snapshot_blocker_count(decision.snapshot),
        "perms_on_release": allowed_actions(request.user, release),
        "conditions": list(decision.conditions.select_related("owner", "done_by")),
        "review_changes": evidence_changes(decision) if decision.is_go else [],
        "freeze_overrides": overrides_recorded_since(release, decision.decided_at),
    }
    return render(request, "gonogo/decision.html", context)


@require_POST
def condition_done(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk)
    condition = get_object_or_404(DecisionCondition, decision__meeting__release=release, pk=pk)
    complete_condition(condition=condition, actor=request.user)
    messages.success(request, "Condition marked done.")
    return redirect(release.get_absolute_url() + "#decision")
