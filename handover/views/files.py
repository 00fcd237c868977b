"""Handover files, served only to members of the release: there is no public URL for them."""

import mimetypes
from pathlib import PurePath

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from handover.models import HandoverItem, RequiredDocument
from handover.views.common import plan_for_request


def _serve(field_file, download_name: str) -> FileResponse:
    if not field_file:
        raise Http404("No file.")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer stored.") from None
    content_type = mimetypes.guess_type(download_name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=download_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def document_file(request, release_pk: int, pk: int):
    release, plan = plan_for_request(request, release_pk)
    document = get_object_or_404(RequiredDocument, plan=plan, pk=pk)
    return _serve(document.file, document.original_name or PurePath(document.file.name).name)


def item_evidence_file(request, release_pk: int, pk: int):
    release, plan = plan_for_request(request, release_pk)
    item = get_object_or_404(HandoverItem, plan=plan, pk=pk)
    return _serve(item.evidence_file, PurePath(item.evidence_file.name).name if item.evidence_file else "")
