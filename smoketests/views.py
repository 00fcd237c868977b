"""Pages for smoke checks, runs and monitors. Every object is reached through the user's release."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from golive.permissions import Action, allowed_actions, get_release_for, may_read_response_excerpts
from golive.views.mixins import add_service_errors
from smoketests.forms import MonitorForm, SmokeCheckForm
from smoketests.models import Monitor, SmokeCheck, SmokeRun
from smoketests.selectors import checks_page, monitor_page, run_progress
from smoketests.services import checks as check_services
from smoketests.services import monitors as monitor_services
from smoketests.services.runs import start_smoke_run

NO_WORKER_MESSAGE = (
    "Smoke run #{pk} is queued, but no worker is reachable right now. "
    "It will start on its own as soon as one is back."
)


def _context(request, release, **extra) -> dict:
    return {"release": release, "perms_on_release": allowed_actions(request.user, release), **extra}


def check_list(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    return render(request, "smoketests/checks.html", _context(request, release, **checks_page(release)))


def _check_form(request, release, check: SmokeCheck | None):
    form = SmokeCheckForm(request.POST or None, instance=check, release=release)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if check is None:
                saved = check_services.create_check(release=release, actor=request.user, **values)
            else:
                saved = check_services.update_check(check=check, actor=request.user, **values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Check “{saved.name}” saved.")
            return redirect("smoketests:check_list", release_pk=release.pk)
    title = f"Edit check “{check.name}”" if check else "New smoke check"
    return render(request, "smoketests/form.html", _context(request, release, form=form, title=title))


def check_create(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.MANAGE_SMOKE_CHECKS)
    return _check_form(request, release, None)


def check_edit(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk, Action.MANAGE_SMOKE_CHECKS)
    return _check_form(request, release, get_object_or_404(SmokeCheck, release=release, pk=pk))


@require_POST
def check_delete(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk)
    check = get_object_or_404(SmokeCheck, release=release, pk=pk)
    check_services.delete_check(check=check, actor=request.user)
    messages.success(request, f"Check “{check.name}” deleted.")
    return redirect("smoketests:check_list", release_pk=release.pk)


@require_POST
def run_start(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.RUN_SMOKE_TESTS)
    try:
        run = start_smoke_run(release=release, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("smoketests:check_list", release_pk=release.pk)
    if run.dispatch_error:
        messages.warning(request, NO_WORKER_MESSAGE.format(pk=run.pk))
    else:
        messages.success(request, f"Smoke run #{run.pk} started.")
    return redirect(run)


def run_detail(request, release_pk: int, pk: int):
    """The run page; htmx polls the same URL and gets only the progress part while the run is going."""
    release = get_release_for(request.user, release_pk)
    run = get_object_or_404(SmokeRun.objects.select_related("requested_by"), release=release, pk=pk)
    with_excerpts = may_read_response_excerpts(request.user, release)
    context = _context(request, release, run=run, **run_progress(run, with_excerpts=with_excerpts))
    if request.htmx:
        return render(request, "smoketests/htmx/run_progress.html", context)
    return render(request, "smoketests/run_detail.html", context)


def _monitor_form(request, release, monitor: Monitor | None):
    form = MonitorForm(request.POST or None, instance=monitor, release=release)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if monitor is None:
                saved = monitor_services.create_monitor(release=release, actor=request.user, **values)
            else:
                values.pop("smoke_check")
                saved = monitor_services.update_monitor(monitor=monitor, actor=request.user, **values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{saved} saved.")
            return redirect(saved)
    title = f"Edit {monitor}" if monitor else "New monitor"
    return render(request, "smoketests/form.html", _context(request, release, form=form, title=title))


def monitor_create(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.MANAGE_SMOKE_CHECKS)
    return _monitor_form(request, release, None)


def monitor_edit(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk, Action.MANAGE_SMOKE_CHECKS)
    monitor = get_object_or_404(Monitor.objects.select_related("smoke_check"), release=release, pk=pk)
    return _monitor_form(request, release, monitor)


def monitor_detail(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk)
    monitor = get_object_or_404(Monitor.objects.select_related("smoke_check"), release=release, pk=pk)
    return render(
        request,
        "smoketests/monitor_detail.html",
        _context(request, release, monitor=monitor, **monitor_page(monitor)),
    )
