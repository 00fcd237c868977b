"""Signals golive sends for the integrations above it, which must not be imported from here.

`deploy_gate_changed` is sent inside the transaction that changed something the deploy gate reads (a
decision, a freeze window, a freeze override). `release_id` is None when every release may be affected.

`communication_sent(communication)` is sent inside the transaction that marked a message sent; the runbook
completes the "send communication" step waiting for it there.

`decision_recorded(decision)` and `production_issue_changed(issue, opened)` are sent inside the transaction
that wrote them; the webhooks announce them from there, so a rolled-back change announces nothing.
"""

from django.dispatch import Signal

deploy_gate_changed = Signal()
communication_sent = Signal()
decision_recorded = Signal()
production_issue_changed = Signal()
