"""A pipeline reports a deployment: the release moves along its state machine, with the audit trail."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from golive.audit import record_event
from golive.choices import ReleaseStatus
from golive.models import Release
from golive.services.releases import move_release_status
from integrations.models import WebhookEvent
from integrations.services.webhooks import notify

# What a deployment report may move a release to: started (go → deploying), finished
# (deploying → live) or abandoned (deploying or live → rolled back). Anything else is for people.
REPORTABLE_STATUSES = (ReleaseStatus.DEPLOYING, ReleaseStatus.LIVE, ReleaseStatus.ROLLED_BACK)


@transaction.atomic
def report_deployment(
    *,
    release: Release,
    actor: AbstractBaseUser,
    status: str,
    note: str = "",
    pipeline_url: str = "",
) -> bool:
    """Move the release to `status`; False when it already is there (a retried report changes nothing).

    Raises IllegalTransition when the state machine does not allow the move.
    """
    locked = Release.objects.select_for_update().get(pk=release.pk)
    if locked.status == status:
        release.status = locked.status
        return False
    reason = "Deployment reported by a pipeline" + (f": {note.strip()}" if note.strip() else ".")
    move_release_status(release=release, to_status=status, actor=actor, reason=reason)
    details = {"status": status, "note": note.strip(), "pipeline_url": pipeline_url}
    record_event(verb="deployment.reported", actor=actor, target=release, data=details)
    notify(
        release=release,
        event=WebhookEvent.DEPLOYMENT_REPORTED,
        payload={"status": status, "note": note.strip(), "pipeline_url": pipeline_url},
    )
    return True
