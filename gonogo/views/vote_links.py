"""The page a one-click voting link opens: the vote prefilled, cast only when the voter confirms."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from golive.errors import NotAParticipant, VotingClosed
from golive.views.mixins import add_service_errors
from gonogo.forms import VoteForm
from gonogo.permissions import get_invitation_for
from gonogo.selectors import meeting_agenda
from gonogo.services.vote_links import VoteLinkRefused, read_vote_link, vote_through_link


def _refused(request, error: VoteLinkRefused):
    return render(request, "gonogo/vote_link_refused.html", {"message": error.message}, status=error.status)


def vote_link(request, token: str):
    try:
        link = read_vote_link(token)
    except VoteLinkRefused as error:
        return _refused(request, error)
    participant = get_invitation_for(request.user, link.participant_id)
    meeting = participant.meeting
    form = VoteForm(request.POST or None, initial={"choice": link.choice})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                vote = vote_through_link(
                    link=link, participant=participant, user=request.user, **form.cleaned_data
                )
            except VoteLinkRefused as error:
                return _refused(request, error)
            except (VotingClosed, NotAParticipant) as error:
                form.add_error(None, error.messages)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error)
                status = 400
            else:
                messages.success(request, f"Your vote “{vote.get_choice_display()}” is recorded.")
                return redirect(meeting)
        else:
            status = 400
    return render(
        request,
        "gonogo/vote_link.html",
        {"meeting": meeting, "release": meeting.release, "form": form, "agenda": meeting_agenda(meeting)},
        status=status,
    )
