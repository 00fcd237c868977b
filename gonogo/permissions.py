"""Who may act on an invitation to a go/no-go meeting: the policy's object rule for the meeting's own
records (golive.permissions knows no meeting)."""

from django.http import Http404

from golive.permissions import get_release_for
from gonogo.models import Participant


def get_invitation_for(user, participant_pk: int):
    """The user's own invitation to a meeting: someone else's, or one on a release the user cannot see,
    is 404, so a voting link never reveals or acts on another person's vote."""
    participant = (
        Participant.objects.select_related("meeting__release", "user")
        .filter(pk=participant_pk, user_id=user.pk)
        .first()
        if user.is_authenticated
        else None
    )
    if participant is None:
        raise Http404("No such invitation.")
    get_release_for(user, participant.meeting.release_id)
    return participant
