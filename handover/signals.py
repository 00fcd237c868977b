"""Signals other apps listen to, so they need not know how the handover works inside.

`handover_completed(sender=HandoverPlan, plan=…)` is sent inside the transaction in which the last team
signed off; a receiver that starts background work should dispatch it on commit.
"""

from django.dispatch import Signal

handover_completed = Signal()
