from django.core.exceptions import ValidationError


class IllegalTransition(ValidationError):
    """A status move the state machine does not allow; its message says which moves are allowed."""


class VotingClosed(ValidationError):
    """A vote arrived when the meeting is not open for voting."""


class NotAParticipant(ValidationError):
    """The user was not invited to vote in this meeting."""
