"""What other apps may call in the handover: the go-live moment, the hypercare window, waived items."""

from handover.hypercare import moves_to_live, went_live_at
from handover.selectors import hypercare_window_hours, waived_items

__all__ = ["hypercare_window_hours", "moves_to_live", "waived_items", "went_live_at"]
