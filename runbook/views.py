"""Runbook pages: plan the steps, run them live, rehearse them, import and export them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from communications.interface import GOLIVE_SUCCESS_CAUSE, CommunicationKind
from golive.live_updates import PERSONAL, SHARED, live_fragment, watch_token, watched
from golive.permissions import Action, allowed_actions, allows, can, get_release_for
from golive.redirects import redirect_to_next
from golive.views.mixins import add_service_errors
from runbook.forms import (
    AbortForm,
    CoPerformanceForm,
    FailStepForm,
    RehearsalForm,
    RehearsalTimingForm,
    RunbookImportForm,
    SkipStepForm,
    StepForm,
)
from runbook.models import FINISHED_STEP_STATUSES, GoLiveStep, Rehearsal, RehearsalStep, StepStatus
from runbook.selectors import passed_point_of_no_return, runbook_state, runbook_steps
from runbook.services import execution as services
from runbook.services import plan as runbook_plan_services
from runbook.services import rehearsals as rehearsals_services
from runbook.services.execution import StepMove, available_moves, may_move, rollback_plan, step_message
from runbook.spreadsheets import export_runbook, import_runbook


def _step_for(user, release_pk: int, pk: int, action: Action = Action.VIEW_RELEASE):
    release = get_release_for(user, release_pk, action)
    return release, get_object_or_404(
        GoLiveStep.objects.select_related("release", "owner"), release=release, pk=pk
    )


def runbook_plan(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    steps = runbook_steps(release)
    rehearsed = release.rehearsals.exists()
    for step in steps:
        # Owners and the release manager confirm who performed an operational step with them, once the
        # step ran in the go-live or there is a rehearsal it may have run in.
        ran = step.status == StepStatus.DONE or rehearsed
        may_confirm = (
            step.operational and ran and allows(request.user, "confirm_co_performance", step, release=release)
        )
        step.co_performance_form = (
            CoPerformanceForm(step=step, auto_id=f"id_co_{step.pk}_%s") if may_confirm else None
        )
    context = {
        "release": release,
        "steps": steps,
        "perms_on_release": allowed_actions(request.user, release),
        "import_form": RunbookImportForm(),
        "rehearsals": release.rehearsals.all()[:5],
        "rehearsal_form": RehearsalForm(),
    }
    return render(request, "runbook/plan.html", context)


def step_edit(request, release_pk: int, pk: int | None = None):
    release = get_release_for(request.user, release_pk, Action.EDIT_RUNBOOK)
    step = get_object_or_404(GoLiveStep, release=release, pk=pk) if pk else None
    form = StepForm(request.POST or None, release=release, instance=step)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.cleaned_data}
        depends_on, shadows = list(values.pop("depends_on")), list(values.pop("shadows"))
        try:
            if step is None:
                runbook_plan_services.add_step(
                    release=release, actor=request.user, depends_on=depends_on, shadows=shadows, **values
                )
            else:
                runbook_plan_services.update_step(
                    step=step, actor=request.user, depends_on=depends_on, shadows=shadows, **values
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Step saved.")
            return redirect("runbook:runbook_plan", release_pk=release.pk)
    return render(request, "runbook/step_form.html", {"release": release, "form": form, "step": step})


@require_POST
def step_delete(request, release_pk: int, pk: int):
    release, step = _step_for(request.user, release_pk, pk)
    try:
        runbook_plan_services.delete_step(step=step, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Step “{step.title}” deleted.")
    return redirect("runbook:runbook_plan", release_pk=release.pk)


@require_POST
def step_reorder(request, release_pk: int, pk: int):
    release, step = _step_for(request.user, release_pk, pk, Action.EDIT_RUNBOOK)
    try:
        runbook_plan_services.move_step(
            step=step, actor=request.user, direction=-1 if request.POST.get("direction") == "up" else 1
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("runbook:runbook_plan", release_pk=release.pk)


def _board(request, release) -> dict:
    """The runbook's live state with, on each step, the moves this user may make on it now."""
    context = {
        "release": release,
        "perms_on_release": allowed_actions(request.user, release),
        **runbook_state(release),
    }
    if not context["perms_on_release"][Action.EDIT_RUNBOOK]:
        context["release_moves"] = set()
    for step in context["steps"]:
        step.release = release
        step.user_may_move = may_move(request.user, step)
        step.moves = available_moves(step, waiting_for=step.waiting_for) if step.user_may_move else set()
        step.ready = context["runnable"] and step.status == "pending" and not step.waiting_for
    return context


def _next_lateness_change(steps) -> float | None:
    """When a step not finished becomes late with no write: its planned start or end still ahead."""
    now = timezone.now()
    moments = [
        moment
        for step in steps
        if step.status not in FINISHED_STEP_STATUSES and step.planned_start is not None
        for moment in (step.planned_start, step.planned_end)
        if moment > now
    ]
    return min(moments).timestamp() + 1 if moments else None


@watched
def runbook_live(request, release_pk: int):
    """The live execution view; the htmx poll gets only the board from the same view.

    Someone who may move no step and not run the runbook sees the same board as every such member: the
    shared cache answers their polls (golive/live_updates.py)."""
    release = get_release_for(request.user, release_pk)
    context = _board(request, release)
    shared = not context["perms_on_release"][Action.EDIT_RUNBOOK] and not any(
        step.user_may_move for step in context["steps"]
    )
    fresh_until = _next_lateness_change(context["steps"])
    if request.htmx:
        return live_fragment(
            request,
            "runbook/htmx/board.html",
            context,
            shared=shared,
            personal_user_ids={step.owner_id for step in context["steps"]},
            fresh_until=fresh_until,
        )
    context["live_watch_token"] = watch_token(
        request, variant=SHARED if shared else PERSONAL, fresh_until=fresh_until
    )
    return render(request, "runbook/live.html", context)


def my_steps(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    context = _board(request, release)
    mine = [s for s in context["steps"] if s.owner_id == request.user.pk]
    shadowing = [s for s in context["steps"] if any(u.pk == request.user.pk for u in s.shadows.all())]
    ready = [s for s in context["steps"] if s.ready and (s in mine or s in shadowing)]
    context.update(mine=mine, shadowing=shadowing, ready=ready)
    return render(request, "runbook/my_steps.html", context)


_STEP_ACTIONS = {str(move) for move in StepMove}
_STEP_ACTION_FORMS = {"fail": FailStepForm, "skip": SkipStepForm}


def _form_errors(form) -> str:
    return " ".join(message for messages_ in form.errors.values() for message in messages_)


@require_POST
def step_action(request, release_pk: int, pk: int, action: str):
    release, step = _step_for(request.user, release_pk, pk)
    if action not in _STEP_ACTIONS:
        return HttpResponse("Unknown step action.", status=404)
    if not may_move(request.user, step):
        raise PermissionDenied("Only the step's owner or the release manager moves a step.")
    form = _STEP_ACTION_FORMS[action](request.POST) if action in _STEP_ACTION_FORMS else None
    try:
        if form is not None and not form.is_valid():
            raise ValidationError(_form_errors(form))
        if action == "start":
            services.start_step(
                step=step, actor=request.user, confirm_point_of_no_return=request.POST.get("confirm") == "yes"
            )
        elif action == "complete":
            services.complete_step(step=step, actor=request.user)
        elif action == "fail":
            services.fail_step(step=step, actor=request.user, note=form.cleaned_data["note"])
        elif action == "skip":
            services.skip_step(step=step, actor=request.user, reason=form.cleaned_data["reason"])
        else:
            services.retry_step(step=step, actor=request.user)
    except ValidationError as error:
        messages.error(request, f"“{step.title}”: " + " ".join(error.messages))
    else:
        step.refresh_from_db()
        outcome = f"“{step.title}” is {step.get_status_display().lower()}."
        if step.status == "failed":
            messages.error(request, outcome)
        else:
            messages.success(request, outcome)
        message = (
            step_message(step) if action in ("start", "retry") and step.kind == "communication" else None
        )
        if message is not None and message.status == "draft":
            messages.info(request, "Review the message and send it; the step is done once it is sent.")
            return redirect(message)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect_to_next(request, reverse("runbook:runbook_live", args=[release.pk]))


def abort_golive(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.EDIT_RUNBOOK)
    form = AbortForm(request.POST or None)
    point_of_no_return = passed_point_of_no_return(release)
    if point_of_no_return is not None:
        form.helper.attrs["data-confirm"] = (
            f"“{point_of_no_return.title}” is the point of no return and has already started: rolling back "
            "may not undo it. Abort the go-live anyway?"
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.abort_golive(release=release, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.warning(
                request,
                "The go-live is aborted; the release is rolled back. Carry out the rollback notes below.",
            )
            return redirect("runbook:rollback_notes", release_pk=release.pk)
    return render(
        request,
        "runbook/abort.html",
        {
            "release": release,
            "form": form,
            "rollback_steps": rollback_plan(release),
            "point_of_no_return": point_of_no_return,
        },
    )


def rollback_notes(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    return render(
        request,
        "runbook/rollback.html",
        {"release": release, "rollback_steps": rollback_plan(release)},
    )


@require_POST
def declare_live(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.EDIT_RUNBOOK)
    try:
        services.declare_live(release=release, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("runbook:runbook_live", release_pk=release.pk)
    drafted = release.communications.filter(
        kind=CommunicationKind.GOLIVE_SUCCESS, automatic_cause=GOLIVE_SUCCESS_CAUSE
    ).first()
    if drafted is not None and drafted.status == "draft":
        messages.success(request, "The release is live (hypercare). Review the message and send it:")
        return redirect(drafted)
    messages.success(
        request,
        "The release is live (hypercare). No smoke run has passed since deployment began, so no "
        "“go-live successful” message was drafted; one is drafted when a run passes.",
    )
    return redirect("runbook:runbook_live", release_pk=release.pk)


def runbook_export(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    response = HttpResponse(export_runbook(release), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="runbook-{release.application}-{release.version}.csv"'
    )
    return response


@require_POST
def runbook_import(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.EDIT_RUNBOOK)
    form = RunbookImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            steps = import_runbook(release=release, actor=request.user, text=form.cleaned_data["csv_file"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{len(steps)} steps imported.")
    else:
        messages.error(request, _form_errors(form))
    return redirect("runbook:runbook_plan", release_pk=release.pk)


@require_POST
def rehearsal_start(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.EDIT_RUNBOOK)
    form = RehearsalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("runbook:runbook_plan", release_pk=release.pk)
    rehearsal = rehearsals_services.start_rehearsal(
        release=release, actor=request.user, environment=form.cleaned_data["environment"]
    )
    return redirect("runbook:rehearsal_detail", release_pk=release.pk, pk=rehearsal.pk)


def rehearsal_detail(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk)
    rehearsal = get_object_or_404(Rehearsal, release=release, pk=pk)
    timings = list(rehearsal.timings.select_related("step"))
    return render(
        request,
        "runbook/rehearsal.html",
        {
            "release": release,
            "rehearsal": rehearsal,
            "timings": timings,
            "can_edit": can(request.user, release, Action.EDIT_RUNBOOK),
        },
    )


@require_POST
def rehearsal_action(request, release_pk: int, pk: int, action: str):
    # Members reach the rehearsal; the rehearsal services decide who may time, finish or apply it.
    release = get_release_for(request.user, release_pk)
    rehearsal = get_object_or_404(Rehearsal, release=release, pk=pk)
    try:
        if action == "time":
            form = RehearsalTimingForm(request.POST)
            if not form.is_valid():
                return HttpResponse("Choose a step of this rehearsal to time.", status=404)
            timing = get_object_or_404(RehearsalStep, rehearsal=rehearsal, pk=form.cleaned_data["timing"])
            rehearsals_services.time_rehearsal_step(timing=timing, actor=request.user)
        elif action == "finish":
            rehearsals_services.finish_rehearsal(rehearsal=rehearsal, actor=request.user)
        elif action == "apply":
            changed = rehearsals_services.apply_rehearsal_durations(rehearsal=rehearsal, actor=request.user)
            messages.success(
                request,
                ngettext(
                    "Planned durations updated for %(count)d step.",
                    "Planned durations updated for %(count)d steps.",
                    changed,
                )
                % {"count": changed},
            )
        else:
            return HttpResponse("Unknown rehearsal action.", status=404)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("runbook:rehearsal_detail", release_pk=release.pk, pk=rehearsal.pk)
