from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from golive.audit import move_and_record, record_event, stored_row
from golive.choices import ReleaseStatus, Role
from golive.errors import IllegalTransition
from golive.models import Release, ReleaseMembership
from golive.permissions import Action, NotAllowed, can_create_release, require
from golive.services.records import create_record, update_record


@transaction.atomic
def create_release(
    *,
    actor: AbstractBaseUser,
    name: str,
    application: str,
    version: str,
    environment: str,
    target_go_live: datetime,
    description: str = "",
) -> Release:
    """Create a release; its creator becomes its release manager."""
    if not can_create_release(actor):
        raise NotAllowed("You may not create releases: ask for the “Can add release” permission.")
    release = create_record(
        Release(
            name=name,
            application=application,
            version=version,
            environment=environment,
            target_go_live=target_go_live,
            description=description,
        ),
        actor=actor,
        verb="release.created",
    )
    _add_member(release=release, user=actor, role=Role.RELEASE_MANAGER, actor=actor)
    return release


def update_release(*, release: Release, actor: AbstractBaseUser, **values) -> Release:
    require(actor, release, Action.EDIT_RELEASE)
    return update_record(stored_row(release), actor=actor, verb="release.changed", values=values)


def change_release_status(
    *, release: Release, to_status: str, actor: AbstractBaseUser, reason: str
) -> Release:
    """A person moves the release's status (the page's "move" form); other services move it as a
    consequence of an action they checked, through move_release_status."""
    require(actor, release, Action.MOVE_RELEASE_STATUS)
    return move_release_status(release=release, to_status=to_status, actor=actor, reason=reason)


@transaction.atomic
def move_release_status(
    *, release: Release, to_status: str, actor: AbstractBaseUser | None, reason: str
) -> Release:
    """Move the release along its state machine, recording who, when and why.

    The row is locked first so two people moving the same release at once cannot both succeed
    from the same starting status.
    """
    locked = Release.objects.select_for_update().get(pk=release.pk)
    if to_status not in ReleaseStatus.values:
        raise IllegalTransition(f"“{to_status}” is not a release status.")
    if not locked.can_move_to(to_status):
        allowed = ", ".join(ReleaseStatus(s).label for s in locked.allowed_next_statuses()) or "none"
        raise IllegalTransition(
            f"A release cannot move from {locked.get_status_display()} to {ReleaseStatus(to_status).label}. "
            f"Allowed next: {allowed}."
        )
    if not reason.strip():
        raise IllegalTransition("Say why the release moves: a reason is required.")
    move_and_record(
        locked,
        to=to_status,
        verb="release.status_changed",
        actor=actor,
        data={"reason": reason.strip()},
        update_fields=["status", "updated_at"],
    )
    release.status = locked.status
    return locked


@transaction.atomic
def add_member(
    *, release: Release, user: AbstractBaseUser, role: str, actor: AbstractBaseUser
) -> ReleaseMembership:
    require(actor, release, Action.MANAGE_MEMBERS)
    return _add_member(release=release, user=user, role=role, actor=actor)


def _add_member(*, release: Release, user, role: str, actor) -> ReleaseMembership:
    membership, created = ReleaseMembership.objects.get_or_create(release=release, user=user, role=role)
    if created:
        record_event(
            verb="membership.added",
            actor=actor,
            target=membership,
            release=release,
            data={"user": user.get_username(), "role": membership.role},
        )
    return membership


@transaction.atomic
def remove_member(*, membership: ReleaseMembership, actor: AbstractBaseUser) -> None:
    require(actor, membership.release, Action.MANAGE_MEMBERS)
    release = membership.release
    if (
        membership.role == Role.RELEASE_MANAGER
        and not release.memberships.filter(role=Role.RELEASE_MANAGER).exclude(pk=membership.pk).exists()
    ):
        raise IllegalTransition("A release needs at least one release manager; add another one first.")
    record_event(
        verb="membership.removed",
        actor=actor,
        target=membership,
        release=release,
        data={"user": membership.user.get_username(), "role": membership.role},
    )
    membership.delete()
