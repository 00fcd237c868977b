"""Signals the runbook sends for the features above it, which it must not import.

`smoke_suite_step_started(step, actor)`: a "run smoke suite" step started; the smoke-test integration
starts the release's smoke run. `release_went_live(release)`: the release was declared live; the
smoke-test integration drafts "go-live successful" when its verdict allows. Both are sent inside the
transaction that made the change, so a receiver's refusal undoes it.
"""

from django.dispatch import Signal

smoke_suite_step_started = Signal()
release_went_live = Signal()
