from django.core.exceptions import ValidationError

from handover.models.withdrawal import Withdrawable


def check_not_withdrawn(record: Withdrawable) -> None:
    """A withdrawn entry is kept as it was withdrawn: nothing moves or changes it afterwards."""
    if record.is_withdrawn:
        raise ValidationError(f"“{record}” was withdrawn; it can no longer be changed.")
