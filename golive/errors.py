from django.core.exceptions import ValidationError


class IllegalTransition(ValidationError):
    """A status move the state machine does not allow; its message says which moves are allowed."""
