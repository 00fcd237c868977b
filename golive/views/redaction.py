"""The redact page: the release manager (or staff) takes a secret out of a record and its audit trail."""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from golive.forms_redaction import RedactForm
from golive.permissions import Action, get_release_for
from golive.redirects import redirect_to_next
from golive.services.redaction import redact, redactable_fields, release_of
from golive.views.mixins import add_service_errors


def redact_record(request, release_pk: int, content_type_id: int, object_pk: int):
    release = get_release_for(request.user, release_pk, Action.REDACT_RECORDS)
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model is None or not redactable_fields(model):
        raise Http404("Nothing to redact here.")
    record = get_object_or_404(model._base_manager, pk=object_pk)
    if release_of(record) is None or release_of(record).pk != release.pk:
        raise Http404("No such record on this release.")
    fields = redactable_fields(model)
    form = RedactForm(request.POST or None, fields=fields)
    if request.method == "POST" and form.is_valid():
        try:
            redact(release=release, record=record, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Redacted in the record and in the audit trail.")
            return redirect_to_next(request, release.get_absolute_url())
    values = [(field.verbose_name.capitalize(), getattr(record, field.name)) for field in fields]
    return render(
        request,
        "golive/redact.html",
        {"release": release, "record": record, "form": form, "values": [v for v in values if v[1]]},
    )
