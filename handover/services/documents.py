from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from golive.audit import capture, diff, record_event, stored_row
from handover.files import validate_upload
from handover.models import RequiredDocument
from handover.permissions import require_handover
from handover.services.guards import check_not_withdrawn
from handover.services.plan_state import lock_plan

DOCUMENT_FIELDS = ["link", "version", "status", "owner", "original_name"]


@transaction.atomic
def update_document(
    *, document: RequiredDocument, actor: AbstractBaseUser, file=None, clear_file: bool = False, **values
) -> RequiredDocument:
    """Record a new version of a required document: an upload, a link, or both, with status and owner."""
    require_handover(actor, "update_documents", document)
    plan = lock_plan(document.plan)
    document = stored_row(document)
    check_not_withdrawn(document)
    before = capture(document, DOCUMENT_FIELDS)
    for name, value in values.items():
        setattr(document, name, value)
    if file:
        validate_upload(file)
        document.file = file
        document.original_name = file.name[:255]
    elif clear_file:
        document.file = None
        document.original_name = ""
    document.full_clean()
    if document.status != "missing" and not document.is_provided:
        raise ValidationError({"file": "Upload the document or give a link before setting its status."})
    document.save()
    changes = diff(before, document)
    if file:
        changes["file"] = ["", document.original_name]
    if changes:
        record_event(
            verb="handover_document.changed",
            actor=actor,
            target=document,
            release=plan.release,
            changes=changes,
        )
    return document
