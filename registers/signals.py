"""Signals the registers send for the apps that read them, which the registers must not import.

`register_changed(release)`: a risk or defect of the release was created or changed; the go/no-go side
re-checks the evidence of the release's latest go decision (and flags it when it got worse) there.
"""

from django.dispatch import Signal

register_changed = Signal()
