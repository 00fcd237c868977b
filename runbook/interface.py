"""What other apps may call in the runbook: the runnable-step notices a recorded decision sends."""

from runbook.services.execution import notify_runnable_steps

__all__ = ["notify_runnable_steps"]
