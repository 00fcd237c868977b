"""What other apps may call in the runbook: the runnable-step notices a recorded decision sends, and the
knowledge-transfer ladder the handover shows and gates sign-off on."""

from runbook.ladder import Rung, StepLadder, operational_step_ladders
from runbook.selectors import runbook_copy_targets
from runbook.services.copy_for_support import copy_runbook_for_support
from runbook.services.execution import notify_runnable_steps

__all__ = [
    "Rung",
    "StepLadder",
    "copy_runbook_for_support",
    "notify_runnable_steps",
    "operational_step_ladders",
    "runbook_copy_targets",
]
