from django.shortcuts import get_object_or_404

from golive.permissions import Action
from handover.forms import DocumentForm
from handover.models import RequiredDocument
from handover.services.documents import update_document
from handover.views.common import form_page, plan_for_request


def document_edit(request, release_pk: int, pk: int):
    release, plan = plan_for_request(request, release_pk, Action.MANAGE_HANDOVER)
    document = get_object_or_404(RequiredDocument.objects.current(), plan=plan, pk=pk)
    form = DocumentForm(
        request.POST or None,
        request.FILES or None,
        instance=document,
        release=release,
    )

    def save(data):
        values = {name: data[name] for name in ["link", "version", "status", "owner"]}
        update_document(document=document, actor=request.user, file=data.get("upload"), **values)

    return form_page(
        request,
        form=form,
        release=release,
        title=document.get_kind_display(),
        intro="Upload the document or link to where it is kept. Files are shown only to release members.",
        service=save,
        success=f"{document.get_kind_display()} saved.",
        fallback=plan.get_absolute_url() + "#documents",
    )
