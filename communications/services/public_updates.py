"""Publishing what end users are told about a production issue: an explicit, audited act of its own.

The issue's fields are the team's working notes; a public update is written for end users and shown on
the application's status page (and mailed to its subscribers) only when published here. Who may publish
is the policy's `Action.PUBLISH_STATUS_UPDATES`: the release manager and production support.
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from communications.models import ProductionIssue, PublicIssueUpdate
from communications.signals import public_update_published
from golive.audit import record_event
from golive.permissions import Action, person, require


@transaction.atomic
def publish_public_update(
    *,
    issue: ProductionIssue,
    actor: AbstractBaseUser,
    title: str,
    what_it_is: str,
    impact: str,
    workaround: str = "",
    fix_plan: str = "",
    next_update_at: datetime | None = None,
) -> PublicIssueUpdate:
    require(actor, issue.release, Action.PUBLISH_STATUS_UPDATES)
    update = PublicIssueUpdate(
        issue=issue,
        title=title,
        what_it_is=what_it_is,
        impact=impact,
        workaround=workaround,
        fix_plan=fix_plan,
        next_update_at=next_update_at,
        published_by=person(actor),
    )
    update.full_clean()
    update.save()
    record_event(
        verb="production_issue.public_update_published",
        actor=actor,
        target=issue,
        release=issue.release,
        data={
            "public_update": update.pk,
            "title": update.title,
            "next_update_at": next_update_at.isoformat() if next_update_at else None,
        },
    )
    public_update_published.send(sender=PublicIssueUpdate, update=update)
    return update
