"""Hooks other parts of GoLive Desk connect to; smoke tests never import them.

`smoke_run_finished` (sender=SmokeRun, run=…): sent once per run, inside the transaction that finishes it.
The runbook's "run smoke suite" step (issue 4) connects here: it starts the run with
`start_smoke_run(trigger=RunTrigger.RUNBOOK, context={"runbook_step": step.pk})`, and on this signal
finds its step in `run.context`, marks it done on a passed run and failed otherwise, and drafts the
communication (production issue listing `failed_results`, or "go-live successful").

`monitor_state_changed` (sender=Monitor, monitor=…, old_state=…, new_state=…, last_check=…): sent once
per change; `last_check` is the message of the check that caused it. Webhooks announce it as
`monitor.down` / `monitor.up` (integrations.receivers), the one way monitor alerts leave as HTTP.
A production-issue receiver opens a draft issue when `new_state == "down"` during hypercare.
"""

from django.dispatch import Signal

smoke_run_finished = Signal()
monitor_state_changed = Signal()
