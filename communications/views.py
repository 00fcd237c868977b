"""The communications outbox and production issues."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from communications.forms import (
    AudienceAddressesForm,
    CommunicationForm,
    DraftRequestForm,
    ProductionIssueForm,
    PublicIssueUpdateForm,
)
from communications.models import Communication, CommunicationKind, ProductionIssue
from communications.services.outbox import (
    create_draft,
    edit_draft,
    queue_communication,
    recipients_for,
    resend_communication,
    save_audience_addresses,
)
from communications.services.production_issues import create_issue, update_issue
from communications.services.public_updates import publish_public_update
from golive.permissions import Action, allowed_actions, get_release_for
from golive.views.mixins import add_service_errors


def _queued_for(recipients, *, again: bool) -> str:
    count = len(recipients)
    text = ngettext(
        "Queued%(again)s for %(count)d recipient", "Queued%(again)s for %(count)d recipients", count
    )
    return text % {"again": " again" if again else "", "count": count} + "; a background worker sends it."


def outbox(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    communications = release.communications.select_related("created_by", "production_issue")
    return render(
        request,
        "communications/outbox.html",
        {
            "release": release,
            "communications": communications,
            "kinds": CommunicationKind.choices,
            "perms_on_release": allowed_actions(request.user, release),
        },
    )


def communication_new(request, release_pk: int):
    """GET shows the choice of template (prefilled from the query string); POST drafts the message from
    it, then the sender edits it. Only the POST writes, so following a link never creates a draft."""
    release = get_release_for(request.user, release_pk, Action.SEND_COMMUNICATIONS)
    form = DraftRequestForm(request.POST if request.method == "POST" else (request.GET or None))
    status = 200
    if form.is_bound and form.is_valid():
        issue = None
        if form.cleaned_data["issue"]:
            issue = get_object_or_404(ProductionIssue, release=release, pk=form.cleaned_data["issue"])
        if request.method == "POST":
            communication = create_draft(
                release=release, actor=request.user, kind=form.cleaned_data["kind"], production_issue=issue
            )
            return redirect("communications:communication_detail", release_pk=release.pk, pk=communication.pk)
    elif form.is_bound:
        status = 400
    return render(request, "communications/new.html", {"release": release, "form": form}, status=status)


def communication_detail(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk)
    communication = get_object_or_404(Communication, release=release, pk=pk)
    permissions = allowed_actions(request.user, release)
    editable = communication.status == "draft" and permissions[Action.SEND_COMMUNICATIONS]
    form = None
    if editable:
        form = CommunicationForm(request.POST or None, instance=communication)
        if request.method == "POST" and form.is_valid():
            try:
                communication = edit_draft(
                    communication=communication, actor=request.user, **form.cleaned_data
                )
                if "send" in request.POST:
                    queue_communication(communication=communication, actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if "send" in request.POST:
                    messages.success(
                        request,
                        _queued_for(communication.recipients, again=False),
                    )
                    return redirect("communications:outbox", release_pk=release.pk)
                messages.success(request, "Draft saved.")
                return redirect(communication)
    preview = (
        recipients_for(release, communication.audiences)
        if communication.status == "draft"
        else communication.recipients
    )
    return render(
        request,
        "communications/detail.html",
        {
            "release": release,
            "communication": communication,
            "form": form,
            "recipients": preview,
            "perms_on_release": permissions,
        },
    )


@require_POST
def communication_resend(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk, Action.SEND_COMMUNICATIONS)
    communication = get_object_or_404(Communication, release=release, pk=pk)
    try:
        communication = resend_communication(communication=communication, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(communication)
    messages.success(
        request,
        _queued_for(communication.recipients, again=True),
    )
    return redirect("communications:outbox", release_pk=release.pk)


def audience_addresses(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.SEND_COMMUNICATIONS)
    form = AudienceAddressesForm(request.POST or None, release=release)
    if request.method == "POST" and form.is_valid():
        changed = save_audience_addresses(release=release, actor=request.user, addresses=form.cleaned_data)
        messages.success(request, "Recipient lists saved." if changed else "Nothing changed.")
        return redirect("communications:outbox", release_pk=release.pk)
    return render(request, "communications/addresses.html", {"release": release, "form": form})


def issue_list(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    issues = release.production_issues.select_related(
        "reported_by", "caused_by_defect", "caused_by_risk"
    ).prefetch_related("communications")
    return render(
        request,
        "communications/issues.html",
        {
            "release": release,
            "issues": issues,
            "perms_on_release": allowed_actions(request.user, release),
        },
    )


def issue_edit(request, release_pk: int, pk: int | None = None):
    release = get_release_for(request.user, release_pk, Action.MANAGE_PRODUCTION_ISSUES)
    issue = get_object_or_404(ProductionIssue, release=release, pk=pk) if pk else None
    form = ProductionIssueForm(request.POST or None, instance=issue, release=release)
    if request.method == "POST" and form.is_valid():
        try:
            if issue is None:
                issue = create_issue(release=release, actor=request.user, **form.cleaned_data)
            else:
                issue = update_issue(issue=issue, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Production issue “{issue.title}” saved.")
            return redirect("communications:issue_list", release_pk=release.pk)
    communications = issue.communications.all() if issue else []
    return render(
        request,
        "communications/issue_form.html",
        {
            "release": release,
            "form": form,
            "issue": issue,
            "communications": communications,
            "perms_on_release": allowed_actions(request.user, release),
        },
    )


@require_POST
def issue_notify(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk, Action.SEND_COMMUNICATIONS)
    issue = get_object_or_404(ProductionIssue, release=release, pk=pk)
    communication = create_draft(
        release=release, actor=request.user, kind=CommunicationKind.PRODUCTION_ISSUE, production_issue=issue
    )
    return redirect(communication)


def issue_publish(request, release_pk: int, pk: int):
    """Write and publish what end users are told about the issue (the status page and its subscribers)."""
    release = get_release_for(request.user, release_pk, Action.PUBLISH_STATUS_UPDATES)
    issue = get_object_or_404(ProductionIssue, release=release, pk=pk)
    published = list(issue.public_updates.select_related("published_by"))
    initial = {}
    if published:
        latest = published[0]
        initial = {name: getattr(latest, name) for name in PublicIssueUpdateForm.Meta.fields}
    form = PublicIssueUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            publish_public_update(issue=issue, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "The update is published on the status page and mailed to its subscribers."
            )
            return redirect("communications:issue_publish", release_pk=release.pk, pk=issue.pk)
    return render(
        request,
        "communications/public_update_form.html",
        {"release": release, "issue": issue, "form": form, "published": published},
    )
