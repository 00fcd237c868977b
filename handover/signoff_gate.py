"""What still stands between a support team and its sign-off, in plain words, one sentence per thing.

The sign-off page lists these sentences and the sign-off service refuses while any is left, so what
the team reads is exactly what blocks it.
"""

from django.utils.translation import ngettext

from golive.choices import ReleaseStatus
from handover.choices import AccessStatus, ItemStatus
from handover.knowledge_ladder import missing_rungs_for_team

SIGNABLE_RELEASE_STATUSES = (ReleaseStatus.LIVE, ReleaseStatus.HANDED_OVER)


def _items_marked_as_changed(count: int) -> str:
    return ngettext("%(count)d item marked as changed", "%(count)d items marked as changed", count) % {
        "count": count
    }


def missing_for_team(overview, progress) -> list[str]:
    """`overview` is a selectors.PlanOverview, `progress` the team's TeamProgress."""
    team = progress.team
    release = overview.release
    missing = []
    if release.status not in SIGNABLE_RELEASE_STATUSES:
        missing.append(
            f"The release is “{release.get_status_display()}”: support takes over a running system, so "
            "sign-off opens once the release is live."
        )
    if progress.agreement is None:
        changed = progress.changed_items
        if changed:
            missing.append(
                f"The list changed after {team.name} agreed it ({_items_marked_as_changed(len(changed))}): "
                f"{team.lead.get_full_name() or team.lead.get_username()} (team lead) must agree it again."
            )
        else:
            missing.append(f"{team.name} has not agreed the handover list yet (the team lead agrees it).")
    sessions = {session.pk: session for session in overview.training_sessions}
    for item in progress.items:
        message = _item_message(item)
        if message:
            missing.append(message)
        if item.required_training is not None and item.status != ItemStatus.WAIVED:
            message = _training_message(item, sessions.get(item.required_training_id))
            if message:
                missing.append(message)
    for access in progress.access_transfers:
        if access.status == AccessStatus.REQUESTED:
            missing.append(
                f"Access to {access.system} ({access.access_level}) is requested but not granted yet, "
                f"so {team.name} cannot verify it."
            )
        elif access.status == AccessStatus.GRANTED:
            missing.append(
                f"Access to {access.system} ({access.access_level}) is granted but not verified "
                f"by {team.name} yet."
            )
    # The disband guard's gaps for this team's systems (handover.disband, the one definition).
    missing += [f"{sentence}." for sentence in overview.disband.sentences_for(team)]
    for document in overview.documents:
        if not document.is_provided:
            missing.append(f"Required document “{document.get_kind_display()}” has not been provided yet.")
        elif not document.is_ready:
            missing.append(
                f"Required document “{document.get_kind_display()}” is “{document.get_status_display()}”: "
                "it must be final."
            )
    if overview.plan.require_hypercare_exit:
        for criterion in overview.hypercare.criteria:
            if criterion.met is not True:
                missing.append(
                    f"Hypercare exit criterion “{criterion.name}” is {criterion.label}: {criterion.figure}"
                )
    missing.extend(missing_rungs_for_team(overview, progress))
    return missing


def _training_message(item, session) -> str | None:
    """`session` is the plan's current session (attendees loaded), None once it was withdrawn."""
    topic = item.required_training.topic
    if session is None:
        return (
            f"Training “{topic}” (needed for “{item.title}”) was withdrawn: choose the session that "
            "replaces it."
        )
    if not session.is_held:
        return f"Training “{topic}” (needed for “{item.title}”) has not been held yet."
    if not session.attended.all():
        return (
            f"Training “{topic}” (needed for “{item.title}”) is recorded as held with nobody attending: "
            "record who attended."
        )
    return None


def _item_message(item) -> str | None:
    if item.status == ItemStatus.OPEN:
        waiting = " (a waiver is proposed and waits for the other side)" if item.waiver_reason else ""
        return f"“{item.title}” has not been delivered yet{waiting}."
    if item.status == ItemStatus.DELIVERED:
        return f"“{item.title}” is delivered and waits for the team to accept or reject it."
    if item.status == ItemStatus.REJECTED:
        return f"“{item.title}” was rejected and must be delivered again (or waived by both sides)."
    return None
