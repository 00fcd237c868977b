"""Signals the runbook sends for the features above it, which it must not import.

`smoke_suite_step_started(step, actor)`: a "run smoke suite" step started; the smoke-test integration
starts the release's smoke run. `release_went_live(release)`: the release was declared live; the
smoke-test integration drafts "go-live successful" when its verdict allows. Both are sent inside the
transaction that made the change, so a receiver's refusal undoes it.

`step_started(step, golive_started)` and `step_failed(step)` are sent inside the transaction that moved the
step; the webhooks announce go-live starting, the point of no return and failures from there.
"""

from django.dispatch import Signal

smoke_suite_step_started = Signal()
release_went_live = Signal()
step_started = Signal()
step_failed = Signal()
