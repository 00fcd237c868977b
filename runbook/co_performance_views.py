"""Recording that a support member performed a step with its owner present (the ladder's middle rung)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from golive.permissions import get_release_for, require_rule
from runbook.forms import CoPerformanceForm
from runbook.models import GoLiveStep
from runbook.services.co_performance import confirm_co_performance


@require_POST
def step_co_performed(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk)
    step = get_object_or_404(GoLiveStep.objects.select_related("release", "owner"), release=release, pk=pk)
    require_rule(request.user, "confirm_co_performance", step, release=release)
    form = CoPerformanceForm(request.POST, step=step)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect("runbook:runbook_plan", release_pk=release.pk)
    try:
        record = confirm_co_performance(step=step, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = record.performer.get_full_name() or record.performer.get_username()
        messages.success(
            request, f"Recorded: {name} performed “{step.title}” with the owner in {record.occasion}."
        )
    return redirect("runbook:runbook_plan", release_pk=release.pk)
