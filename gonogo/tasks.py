from celery import shared_task

# The names date from when these tasks lived in golive; kept, so queued messages and beat entries still run.


@shared_task(name="golive.remind_voters")
def remind_voters_task() -> int:
    from gonogo.services.vote_links import remind_voters

    return remind_voters()


@shared_task(name="golive.send_meeting_invitations")
def send_meeting_invitations_task(meeting_id: int) -> int:
    from gonogo.services.invitations import send_meeting_invitations

    return send_meeting_invitations(meeting_id)
